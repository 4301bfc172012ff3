/*
 * realization.h - noise realisations at a chosen count level by Poisson
 * resampling of high-statistics expected data (sinograms, projections).
 *
 * Realisation r of seed s draws from pcg32 substream r of seed s
 * (mist_rng_substream), so a realisation is the same whichever process makes
 * it and in whatever order.  Elements are drawn in index order.
 *
 * From simulated counts N (instead of a noiseless expectation), resampling
 * Poisson(f N) with f = wanted / simulated counts gives variance f N + f^2 N:
 * the high-statistics data's own noise adds a share f of the variance, so this
 * is meant for f << 1 (a 10x longer simulation than the clinical scan adds 10 %).
 */
#ifndef MIST_ANALYSIS_REALIZATION_H
#define MIST_ANALYSIS_REALIZATION_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* out[i] ~ Poisson(expected[i]) for i < n.  expected must be finite and >= 0
 * (MIST_ERR_INPUT naming the element otherwise). */
mist_status mist_realization_poisson(const double *expected, size_t n, uint64_t seed,
                                     uint64_t realization, uint64_t *out, mist_error *err);

/* out[i] ~ Poisson(scale * counts[i]): a realisation at `scale` times the counts
 * level of high-statistics counts; scale finite and > 0. */
mist_status mist_realization_from_counts(const uint64_t *counts, size_t n, double scale,
                                         uint64_t seed, uint64_t realization, uint64_t *out,
                                         mist_error *err);

#endif
