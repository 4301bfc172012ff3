/*
 * observe_cmd.h - `mist observe IN.h5 [--set analysis.realizations=N] [--counts F] [--json]`:
 * the observer study of a PET result file of `mist run` / `mist simulate`: would each
 * lesion be seen?  Per lesion, the NPW and CHO d' and AUC with bootstrap 95 % CIs over
 * N lesion-present and N lesion-absent reconstructed noise realisations.
 *
 * Method:
 *  - Lesion-present expected data E1: the file's simulated prompts (and its additive
 *    terms: delayed-window randoms and scatter truth, as the recon settings use them).
 *  - Lesion-absent expected data E0 (one per lesion L): a second simulation of the same
 *    study (same seed, same simulated_fraction) with lesion L removed and the others
 *    kept, run in-process into a temporary file (removed afterwards).
 *  - Realisations: y ~ Poisson(s E), s = counts / simulated_fraction, counts the share of
 *    the clinical count level (--counts, default 1: the clinical level of the study's
 *    injected activity and scan duration); the additive terms are scaled by s too.
 *    Present realisation r draws from pcg32 substream r, the absent ones of lesion L from
 *    substream (L + 1) N + r, of seed (study seed) XOR "observe": independent classes.
 *  - Every realisation is reconstructed with the study's OSEM settings (iterations,
 *    subsets, post-filter, attenuation, PSF, TOF) with one system model built once (its
 *    bins: every bin with expected counts in any class, so the sparse update stays exact),
 *    the attenuation map of the present file for both classes.
 *  - Scoring: mist_observer_lesion (analysis/observer.h) on the transverse patch around
 *    the lesion: NPW (estimated template) and CHO (6 Laguerre-Gauss channels), d', AUC
 *    (Mann-Whitney), percentile bootstrap 95 % CIs (1000 resamples, seed 1).
 *
 * Caveat (reported as mc_ratio = s): E0 and E1 are Monte Carlo estimates with their own
 * Poisson noise, s^2 E of variance against the realisations' s E.  The two classes come
 * from independent simulations, so their MC noise differs and appears to the observers as
 * a (spurious) mean difference: d' is trustworthy only for s << 1 (a simulation with many
 * more counts than the realisations).  At s >= 0.1 the result is flagged.
 *
 * Writes /analysis/observer (image, lesion, observer, d_prime, d_prime_lo, d_prime_hi,
 * auc, auc_lo, auc_hi, realizations) by copy + rename (an earlier table is replaced; an
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
