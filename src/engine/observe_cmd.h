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
 *  - Classes from one base: hot lesion: absent = the study simulated again without L
 *    (same seed), present = absent + excess; cold lesion (negative excess): present =
 *    the file's data, absent = present + |excess|; no excess: both the file's data.  The
 *    base's Monte Carlo noise is common to both classes.  Additive terms: the base's
 *    (delayed, scatter truth) plus the lesion's scatter truth in the class holding it;
 *    the randoms the lesion's singles add are neglected (singles_share reports them).
 *  - Realisations: y ~ Poisson(s E), s = counts / simulated_fraction, counts the share of
 *    the clinical count level (--counts, default 1); the additive terms are scaled by s
 *    too.  Lesion L's present realisation r draws from pcg32 substream 2 L N + r, its
 *    absent one from (2 L + 1) N + r, of seed (study seed) XOR "observe".
 *  - Every realisation is reconstructed with the study's OSEM settings (iterations,
 *    subsets, post-filter, attenuation, PSF, TOF) with one system model built once (its
 *    bins: every bin with expected counts in any class, so the sparse update stays exact),
 *    the attenuation map of the present file for both classes.
 *  - Scoring: mist_observer_lesion (analysis/observer.h) on the transverse patch around
 *    the lesion: NPW (estimated template) and CHO (6 Laguerre-Gauss channels), d', AUC
 *    (Mann-Whitney), percentile bootstrap 95 % CIs (1000 resamples, seed 1).
 *
 * What remains of the simulations' noise: the base's is shared by both classes (it still
 * shapes the background texture, and realisations have counts only where the base has);
 * the signal carries the lesion-only simulation's, reported per lesion as
 * lesion_mc_ratio (= 1/O) and its largest as mc_ratio (flagged from 0.1).
 *
 * Writes /analysis/observer (image, lesion, observer, d_prime, d_prime_lo, d_prime_hi,
 * auc, auc_lo, auc_hi, d2_unbiased, realizations, excess_sign, lesion_mc_ratio,
 * lesion_counts, singles_share) by copy + rename (an earlier table is replaced; an
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
