/*
 * observe_cmd.h - `mist observe IN.h5 [--set analysis.realizations=N] [--counts F] [--json]`:
 * the observer study of a PET result file of `mist run` / `mist simulate`: would each
 * lesion be seen?  Per lesion, the NPW and CHO d' and AUC with bootstrap 95 % CIs over
 * N lesion-present and N lesion-absent reconstructed noise realisations.
 *
 * Method:
 *  - Lesion-only data: lesion L's excess activity (a_lesion - a_host over its partial
 *    volumes; source component "lesion:NAME", transport/source.h) simulated alone with
 *    the phantom unchanged, holding analysis.lesion_oversample (O) x the lesion decays of
 *    a realisation: over O F simulated_fraction of the frame when that is <= 1, else over
 *    the whole frame at that multiple of the activity.  Its trues + scatters + detector
 *    scatters, scaled to the base data's level by the ratio of decay-weighted times.
 *  - Background (analysis.background):
 *    - model (the default): the lesion-free expected data E_bg = k m A x_bg + S~ + R~
 *      (engine/observe_model.h): the recon's own forward model of the study's activity
 *      without its lesions, scaled to the simulation's lesion-free trues + detector
 *      scatters, plus the smoothed scatter truth and delayed window.  Absent = E_bg for
 *      every lesion, present = E_bg + the lesion's signed excess (cut at 0); the absent
 *      realisations are reconstructed once for all lesions.  No Monte Carlo noise in the
 *      background, and counts on every LOR, as clinical data have.  The fit of E_bg +
 *      excesses to the file's prompts over 64 sinogram regions is recorded
 *      (background_model_chi2, _dof, _max_dev), with k relative to the file's level
 *      (background_model_scale).
 *    - simulation: both classes from one simulated base: hot lesion: absent = the study
 *      simulated again without L (same seed), present = absent + excess; cold lesion
 *      (negative excess): present = the file's data, absent = present + |excess|; no
 *      excess: both the file's data.  Valid when the base holds more counts than a
 *      realisation (s <= 1): at s > 1 each realisation resamples the base's counts s times
 *      over, so the background carries the base's own (frozen) noise at its low count
 *      level and counts only where the base had some (warned).
 *    Additive terms: the background's (delayed, scatter truth as the recon settings ask;
 *    smoothed with the model) plus the lesion's scatter truth in the class holding it; the
 *    randoms the lesion's singles add are neglected (singles_share reports them).
 *  - Realisations: y ~ Poisson(s E), s = counts / simulated_fraction, counts the share of
 *    the clinical count level (--counts, default 1); the additive terms are scaled by s
 *    too.  Lesion L's present realisation r draws from pcg32 substream 2 L N + r, its
 *    absent one from (2 L + 1) N + r (model: the shared absent one from 2 n_lesions N + r),
 *    of seed (study seed) XOR "observe".
 *  - Every realisation is reconstructed with the study's OSEM settings (iterations,
 *    subsets, post-filter, attenuation, PSF, TOF) with one system model built once (its
 *    bins: every bin with expected counts in any class, so the sparse update stays exact;
 *    with the background model, every bin),
 *    the attenuation map of the present file for both classes.
 *  - Scoring: mist_observer_lesion (analysis/observer.h) on the transverse patch around
 *    the lesion: NPW (estimated template) and CHO (6 Laguerre-Gauss channels), d', AUC
 *    (Mann-Whitney), percentile bootstrap 95 % CIs (1000 resamples, seed 1).
 *
 * What remains of the simulations' noise: the signal carries the lesion-only
 * simulation's, reported per lesion as lesion_mc_ratio (= 1/O) and its largest as
 * mc_ratio (flagged from 0.1); with background: simulation, also the base's (shared by
 * both classes, background_mc_ratio = s).  Per lesion and class the table also gives the
 * mean and SD over the realisations of the image's mean in the lesion's sphere
 * (roi_present, roi_absent, roi_sd_present, roi_sd_absent [Bq/mL at the recon's scale]).
 *
 * Writes /analysis/observer (image, lesion, observer, d_prime, d_prime_lo, d_prime_hi,
 * auc, auc_lo, auc_hi, d2_unbiased, realizations, excess_sign, lesion_mc_ratio,
 * lesion_counts, singles_share, in_field, roi_present, roi_absent, roi_sd_present,
 * roi_sd_absent) by copy + rename (an earlier table is replaced; an
 * error leaves the file untouched).  Single MPI rank.
 */
#ifndef MIST_ENGINE_OBSERVE_CMD_H
#define MIST_ENGINE_OBSERVE_CMD_H

#include <stddef.h>
#include <stdio.h>

#include "core/status.h"

typedef struct mist_observe_opts {
    const char *path;        /**< result file */
    const char *const *sets; /**< analysis.* overrides (e.g. analysis.realizations=N) */
    size_t n_sets;
    double counts;           /**< share of the clinical count level (<= 0: 1) */
    int json;                /**< the table as JSON on out */
    FILE *out;               /**< the table */
    FILE *log;               /**< progress, or NULL */
} mist_observe_opts;

mist_status mist_observe(const mist_observe_opts *o, mist_error *err);

#endif
