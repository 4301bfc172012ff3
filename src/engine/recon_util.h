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

/* Writing an image without putting the file at risk: copy `in` to tmp (OUT.tmp.<pid>, at
 * most tmp_size bytes), remove an earlier dataset at `path`, write img [nz,ny,nx] (Bq/mL)
 * with the grid's voxel_size_mm and origin_mm and the OSEM settings (algorithm, iterations,
 * subsets, postfilter_fwhm_mm); *d receives the open dataset for the modality's own
 * attributes.  mist_recon_image_end then closes both and renames tmp over out (st == OK) or
 * removes it (st != OK), returning the final status. */
mist_status mist_recon_image_begin(const char *in, const char *out, const char *path,
                                   const mist_img_geom *g, const mist_study *s, const float *img,
                                   char *tmp, size_t tmp_size, hid_t *f, hid_t *d,
                                   mist_error *err);
mist_status mist_recon_image_end(mist_status st, hid_t f, hid_t d, const char *tmp,
                                 const char *out, mist_error *err);


#endif
