/*
 * spect_recon_cmd.h - `mist recon IN.h5` on a SPECT result: OSEM of the
 * photopeak projections of /spect/<camera>/projections with the model of
 * recon/spect_recon.h, written as /recon/spect/<camera>/image (float32
 * [nz,ny,nx], Bq/mL at the frame start; attrs voxel_size_mm, origin_mm,
 * algorithm, iterations, subsets, window, attenuation, scatter, sensitivity,
 * ...), through a copy renamed over OUT as for PET (engine/recon_cmd.h).
 *
 * From the file: the study's recon settings (--set recon.* on top), the
 * projections and their window, angle, radius and pixel attributes, the
 * camera attributes of /spect/<camera> (hole diameter, L_eff, distance to
 * the crystal mid-plane, intrinsic FWHM, geometric and photopeak efficiency,
 * line yield) and /phantom/mu_<keV> (attenuation at the photopeak).
 *  - Window: the photopeak window with the most counts (In-111: one of its
 *    two peaks; the other is not used).
 *  - Scatter (recon.scatter not none): triple energy window, per pixel
 *    S = (C_low / w_low + C_high / w_high) w_peak / 2, an additive term of
 *    the model (not subtracted).
 *  - Sensitivity, analytic: view k's factor is
 *        T_eff(k) x g x eps x Y x V_voxel [mL],
 *    g the collimator's geometric efficiency g(L_eff) (Cherry et al.), eps the
 *    crystal's photopeak efficiency, Y the line's yield, T_eff(k) the
 *    decay-weighted simulated time of the stop of view k; so the image is in
 *    Bq/mL, times recon.calibration (1 unless given).
 *  - Subsets: recon.subsets, at most the number of views (more are reduced
 *    to it, and the image's attribute says so).
 *  - Voxels: the projection pixel (recon.voxel_mm is PET's), over the
 *    phantom's extent.
 * Planar acquisitions (views = heads, e.g. MBI) are not reconstructed:
 * MIST_ERR_NOT_BUILT with sum->planar set.
 */
#ifndef MIST_ENGINE_SPECT_RECON_CMD_H
#define MIST_ENGINE_SPECT_RECON_CMD_H

#include <stddef.h>

#include "core/status.h"
#include "engine/recon_cmd.h"

mist_status mist_spect_recon_file(const char *in, const char *out, const char *const *sets,
                                  size_t n_sets, const char *nifti_prefix,
                                  mist_recon_summary *sum, mist_error *err);

#endif
