/*
 * observe_model.h - the lesion-free expected data of `mist observe` with
 * analysis.background: model (engine/observe_cmd.h).
 *
 * Why: the simulated data of a study hold simulated_fraction of the scan's
 * decays, so a realisation at the clinical count level draws s = counts /
 * simulated_fraction (100 to 1000) times each simulated bin's counts: its counts
 * fall only on the LORs the simulation happened to fill, in lumps of s.  The
 * background below is smooth instead:
 *
 *   E_bg = k m (A x_bg) + S~ + R~
 *
 *  - x_bg: the study's activity without its lesions (the phantom's tissues at the
 *    tracer's concentrations, transport/source.h), on the recon grid [Bq/mm^3]
 *    (mist_observe_bg_activity);
 *  - m A: the recon's own system model (recon/pet_recon.h: Joseph projector, TOF,
 *    PSF, attenuation, sensitivity), projected over every bin of the model;
 *  - k: one factor, so that k sum m A x_bg equals the simulation's lesion-free trues
 *    plus detector scatters (the file's, less each lesion's simulated excess): the
 *    simulation sets the count level (efficiency, calibration), the model only the
 *    shape;
 *  - S~, R~: the file's phantom-scatter truth and delayed-window sinograms, smoothed
 *    (mist_sino_smooth) and rescaled to their own totals.
 * The lesions' signal stays Monte Carlo (the lesion-only simulations, with positron
 * range, acollinearity, detector physics).  What the model lacks (positron range,
 * depth of interaction and detector blur in the background) is below the scale of a
 * smooth background; the background is reconstructed with the model that made it
 * (no model mismatch in the background).
 */
#ifndef MIST_ENGINE_OBSERVE_MODEL_H
#define MIST_ENGINE_OBSERVE_MODEL_H

#include <stddef.h>

#include "core/status.h"
#include "detector/sinogram.h"
#include "io/study.h"
#include "recon/projector.h"

/* The activity [Bq/mm^3] at the frame start of the study without its lesions, on image
 * grid g (*x malloc'd [voxels]): each phantom voxel's activity spread over m^3 points
 * (m = ceil(2 phantom voxel / recon voxel) per axis, at least 1), each point's share
 * added to the recon voxel holding it (points outside the grid are dropped); *total_Bq
 * receives the phantom's lesion-free activity. */
mist_status mist_observe_bg_activity(mist_study *study, const mist_img_geom *g, float **x,
                                     double *total_Bq, mist_error *err);

/* Smooth sinogram data [n_tof][planes][views][radial] of geometry g in place: within each
 * segment and TOF bin, two passes of a moving mean of 2 h + 1 bins along the radial bins
 * (h = hw[0]), the views (hw[1]) and the segment's planes (hw[2]) (a triangular kernel;
 * windows cut at the edges, the mean over the bins inside), then scaled so that the total
 * is unchanged. */
mist_status mist_sino_smooth(const mist_sino_geom *g, size_t n_tof, float *data,
                             const int hw[3], mist_error *err);

#endif
