/*
 * image_io.h - exporting reconstructed images: a float32 NIfTI-1 volume
 * (Debian libnifti2-dev's niftiio) with voxel sizes in mm and qform = sform
 * = scanner-anatomical with the image's own axes (voxel (i, j, k) at
 * origin + (i, j, k) * voxel), as the phantom export does (io/phantom_io.h).
 */
#ifndef MIST_IO_IMAGE_IO_H
#define MIST_IO_IMAGE_IO_H

#include "core/status.h"

/* Write img (float32 [n[2]][n[1]][n[0]], x fastest) to path (.nii). */
mist_status mist_image_write_nifti(const char *path, const int n[3], const float voxel_mm[3],
                                   const float origin_mm[3], const float *img,
                                   const char *description, mist_error *err);

#endif
