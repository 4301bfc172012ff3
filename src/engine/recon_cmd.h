/*
 * recon_cmd.h - `mist recon IN.h5 [-o OUT.h5] [--set recon.KEY=VALUE]...`:
 * reconstruct the PET data of a result file with OSEM and add
 * /recon/pet/<scanner>/image (SPECT data: engine/spect_recon_cmd.h) (float32 [nz,ny,nx], Bq/mL at the frame start;
 * attrs voxel_size_mm, origin_mm, algorithm, iterations, subsets, ...).
 *
 * Inputs read from the file: the study text (its recon settings, with the
 * --set overrides on top: only recon.* keys), the prompts, the delayed
 * (randoms estimate) and phantom-scatter truth (scatter estimate: the
 * simulation's own truth, an oracle, not an estimate from the data)
 * sinograms, TOF bins summed (TOF is not modelled yet), the sinogram geometry
 * attributes of /pet/<scanner> and /phantom/mu_511 (attenuation).  The
 * image grid spans the phantom's grid at recon.voxel_mm.  Sensitivity:
 * T_eff x the analytic geometric efficiency of each LOR
 * (mist_pet_lors_geometric_eff), T_eff the decay-weighted simulated time, so
 * an ideal ring gives Bq/mL without calibration; crystal efficiencies and
 * block geometry are not modelled (no normalisation), so block scanners are
 * quantitative only up to a global factor.
 *
 * Nothing lost: the input is copied to OUT.h5.tmp.<pid> (OUT = IN without
 * -o), the image added there, and the copy renamed over OUT only when
 * complete; an error leaves IN (and any earlier OUT) untouched.
 * Collective over MPI ranks: each rank projects its share of each subset's
 * rays; rank 0 writes.
 */
#ifndef MIST_ENGINE_RECON_CMD_H
#define MIST_ENGINE_RECON_CMD_H

#include <stddef.h>

#include "core/status.h"
#include "detector/sinogram.h"
#include "io/study.h"
#include "recon/pet_lor.h"
#include "recon/pet_recon.h"
#include "recon/projector.h"

typedef struct mist_recon_summary {
    char modality[8]; /**< "pet" or "spect": the image is /recon/<modality>/<scanner>/image */
    char scanner[64];
    int planar;       /**< SPECT: planar data (views = heads), not reconstructed */
    int iterations, subsets;
    int n[3]; /**< image voxels x, y, z */
    double voxel_mm;
    size_t bins;            /**< sinogram bins this rank projects (crossing the image) */
    size_t bins_data;       /**< ... of which hold counts (projected every iteration) */
    double model_MiB;       /**< PET: the OSEM model's arrays on this rank (bin indices, y, m,
                                 additive per bin; a sensitivity image per subset; image, back
                                 projection, the largest subset's projections, the threads'
                                 back projection buffers) */
    double setup_s;         /**< [s] reading, attenuation factors */
    double s_per_iteration; /**< [s] wall time of one full iteration (all subsets) */
    double memory_MiB;      /**< model + OSEM work space on this rank */
} mist_recon_summary;

/* nifti_prefix (may be NULL): also write the image as PREFIX_<scanner>.nii;
 * interfile_prefix (may be NULL): also write the data of the model as
 * Interfile sinograms (io/interfile.h) PREFIX_prompts, PREFIX_additive
 * (randoms + scatter estimates, when used) and PREFIX_multiplicative
 * (T_eff x geometric efficiency x attenuation factor, so
 * prompts ~ multiplicative x (A x) + additive with x in Bq/mm^3). */
mist_status mist_recon_file(const char *in, const char *out, const char *const *sets, size_t n_sets,
                            const char *nifti_prefix, const char *interfile_prefix,
                            mist_recon_summary *sum, mist_error *err);

/* What a result file holds for a PET reconstruction (mist_recon_job_read). */
typedef struct mist_recon_job {
    char scanner[64];
    char group[96];
    mist_sino_geom sino;
    double radius_mm, pitch_mm;
    size_t n_bins;                    /**< non-TOF sinogram bins */
    float *prompts, *additive;        /**< [n_tof][n_bins]; additive: delayed + scatters as
                                           the recon settings ask, or NULL */
    float *mu_mm, *sens;              /**< [voxels] 1/mm (or NULL); [planes * radial] */
    mist_img_geom img;
    double t_eff_s; /**< decay-weighted simulated time [s] relative to the frame start */
    int n_tof;      /**< TOF bins in the data, 1 when reconstructed without TOF */
    double tof_bin_ps, tof_fwhm_ps;
    mist_pet_lors lors;
} mist_recon_job;

/* Read the recon settings (s->recon: the file's study text, its recon.* --set lines and
 * sets on top) and the PET data of a result file, as mist_recon_file does. */
mist_status mist_recon_job_read(const char *in, const char *const *sets, size_t n_sets,
                                mist_study *s, mist_recon_job *j, mist_error *err);
void mist_recon_job_free(mist_recon_job *j);

/* Another sinogram of a result file (e.g. "trues") in job j's layout (its group, shape and
 * TOF bins), as float [n_tof][n_bins]; *out malloc'd. */
mist_status mist_recon_job_read_sino(const char *path, const mist_recon_job *j,
                                     const char *what, float **out, mist_error *err);

/* The single-rank model input for data prompts/additive (TOF layout of the job) and a
 * sensitivity per (plane, radial bin) (e.g. j->sens). */
mist_pet_recon_input mist_recon_job_input(const mist_recon_job *j, const mist_study *s,
                                          const float *prompts, const float *additive,
                                          const float *sens);

#endif
