#include "analysis/realization.h"

#include <math.h>

#include "core/rng.h"

mist_status mist_realization_poisson(const double *expected, size_t n, uint64_t seed,
                                     uint64_t realization, uint64_t *out, mist_error *err)
{
    if (realization >= MIST_RNG_MAX_SUBSTREAMS)
        return mist_error_set(err, MIST_ERR_INPUT, "realisation %llu is beyond the %llu substreams",
                              (unsigned long long)realization,
                              (unsigned long long)MIST_RNG_MAX_SUBSTREAMS);
    for (size_t i = 0; i < n; i++)
        if (!(expected[i] >= 0.0) || !isfinite(expected[i]))
            return mist_error_set(err, MIST_ERR_INPUT,
                                  "expected counts must be finite and >= 0 (element %zu is %g)", i,
                                  expected[i]);
    mist_rng rng = mist_rng_substream(seed, realization);
    for (size_t i = 0; i < n; i++)
        out[i] = expected[i] > 0.0 ? mist_rng_poisson(&rng, expected[i]) : 0;
    return MIST_OK;
}

mist_status mist_realization_from_counts(const uint64_t *counts, size_t n, double scale,
                                         uint64_t seed, uint64_t realization, uint64_t *out,
                                         mist_error *err)
{
    if (!(scale > 0.0) || !isfinite(scale))
        return mist_error_set(err, MIST_ERR_INPUT, "count scale must be finite and > 0 (got %g)",
                              scale);
    if (realization >= MIST_RNG_MAX_SUBSTREAMS)
        return mist_error_set(err, MIST_ERR_INPUT, "realisation %llu is beyond the %llu substreams",
                              (unsigned long long)realization,
                              (unsigned long long)MIST_RNG_MAX_SUBSTREAMS);
    mist_rng rng = mist_rng_substream(seed, realization);
    for (size_t i = 0; i < n; i++)
        out[i] = counts[i] ? mist_rng_poisson(&rng, scale * (double)counts[i]) : 0;
    return MIST_OK;
}
