/*
 * recon_util.h - what the PET and SPECT reconstruction commands share
 * (engine/recon_cmd.c): the recon settings of a result file, the image grid
 * and mu-map (the copy that makes writing safe is mist_file_copy, io/h5out.h).
 */
#ifndef MIST_ENGINE_RECON_UTIL_H
#define MIST_ENGINE_RECON_UTIL_H

#include <hdf5.h>
#include <stddef.h>

#include "core/status.h"
#include "io/study.h"
#include "recon/projector.h"

/* The study's recon settings (from /study_yaml) with the written run's and then these recon.*
 * overrides on top; MLEM sets subsets to 1. */
mist_status mist_recon_read_settings(hid_t f, const char *in, const char *const *sets,
                                     size_t n_sets, mist_study *s, mist_error *err);

/* The image grid (the phantom's extent, /phantom/labels, at voxel_mm) and, when mu_path is
 * not NULL, the mu-map [1/mm] on it from that dataset [1/cm] on the phantom grid (each recon
 * voxel the mean of the phantom voxels whose centres fall in it, else the nearest one). */
mist_status mist_recon_read_grid(hid_t f, double voxel_mm, const char *mu_path,
                                 mist_img_geom *img, float **mu_mm, mist_error *err);


#endif
