/*
 * phantom_io.h - writing a phantom: the /phantom group of a result file
 * (HDF5) and NIfTI-1 volumes for viewers (3D Slicer, ITK-SNAP).
 *
 * HDF5 layout (C order, z slowest; every dataset has a `units` attribute):
 *   /phantom/labels            uint8 [nz,ny,nx]; attrs voxel_size_mm[3], origin_mm[3]
 *                              (centre of voxel 0), name
 *   /phantom/tissues           table: label, name, material, uptake, density_g_cm3,
 *                              relative_activity
 *   /phantom/lesions           table: name, tissue, center_mm[3], diameter_mm (sphere-
 *                              equivalent), label, semi_axes_mm[3], volume_mm3 (voxelised),
 *                              pv_offset, pv_count
 *   /phantom/lesion_pv/voxel   uint64 [n]: linear voxel index (k*ny + j)*nx + i
 *   /phantom/lesion_pv/fraction float32 [n]: share of the voxel inside the lesion
 *   /phantom/lesion_pv/under   uint8 [n]: label of the voxel before the lesion was drawn
 *   (lesion l owns entries pv_offset .. pv_offset + pv_count - 1)
 *
 * NIfTI-1 (Debian libnifti2-dev's niftiio): PREFIX_labels.nii (uint8) and
 * PREFIX_density.nii (float32, g/cm3, lesion partial volumes mixed in), voxel
 * sizes in mm, qform = sform = scanner-anatomical with the phantom's own axes
 * (voxel (i,j,k) at origin + (i,j,k) * voxel).  NIfTI's world is RAS+; the
 * breast phantom's x is lateral, so a left breast shows mirrored left-right.
 */
#ifndef MIST_IO_PHANTOM_IO_H
#define MIST_IO_PHANTOM_IO_H

#include <hdf5.h>

#include "core/status.h"
#include "model/phantom.h"

/* Write the /phantom group into an open HDF5 file. */
mist_status mist_phantom_io_write_h5(hid_t file, const mist_phantom *p, mist_error *err);

/* Write PREFIX_labels.nii and PREFIX_density.nii. */
mist_status mist_phantom_io_write_nifti(const mist_phantom *p, const char *prefix,
                                        mist_error *err);

#endif
