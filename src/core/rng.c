#include "core/rng.h"

#include <math.h>

void mist_rng_seed(mist_rng *rng, uint64_t initstate, uint64_t initseq)
{
    rng->state = 0u;
    rng->inc = (initseq << 1u) | 1u;
    (void)mist_rng_u32(rng);
    rng->state += initstate;
    (void)mist_rng_u32(rng);
}

void mist_rng_advance(mist_rng *rng, uint64_t delta)
{
    /* Brown 1994: compose the affine map x -> m x + c with itself by squaring. */
    uint64_t cur_mult = MIST_RNG_MULT, cur_plus = rng->inc;
    uint64_t acc_mult = 1u, acc_plus = 0u;
    while (delta > 0) {
        if (delta & 1u) {
            acc_mult *= cur_mult;
            acc_plus = acc_plus * cur_mult + cur_plus;
        }
        cur_plus = (cur_mult + 1u) * cur_plus;
        cur_mult *= cur_mult;
        delta >>= 1u;
    }
    rng->state = acc_mult * rng->state + acc_plus;
}

/* The stream increment every run uses; substreams are offsets in one sequence. */
#define MIST_RNG_RUN_STREAM 0x6d697374ULL /* "mist" */

mist_rng mist_rng_substream(uint64_t seed, uint64_t substream)
{
    mist_rng rng;
    mist_rng_seed(&rng, seed, MIST_RNG_RUN_STREAM);
    mist_rng_advance(&rng, substream << MIST_RNG_SUBSTREAM_LOG2);
    return rng;
}

uint32_t mist_rng_bounded(mist_rng *rng, uint32_t bound)
{
    uint64_t m = (uint64_t)mist_rng_u32(rng) * bound;
    uint32_t low = (uint32_t)m;
    if (low < bound) {
        uint32_t threshold = (uint32_t)(-bound) % bound;
        while (low < threshold) {
            m = (uint64_t)mist_rng_u32(rng) * bound;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

double mist_rng_exponential(mist_rng *rng, double mean)
{
    return -mean * log(mist_rng_uniform_pos(rng));
}

double mist_rng_normal(mist_rng *rng)
{
    double u, v, s;
    do {
        u = 2.0 * mist_rng_uniform(rng) - 1.0;
        v = 2.0 * mist_rng_uniform(rng) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}

static uint64_t poisson_inversion(mist_rng *rng, double mean)
{
    /* Sequential search of the CDF; expected mean+1 steps. */
    double u = mist_rng_uniform(rng);
    double p = exp(-mean), cdf = p;
    uint64_t k = 0;
    while (u > cdf) {
        k++;
        p *= mean / (double)k;
        cdf += p;
        if (p < 1e-300 && cdf <= u) /* numerical tail: u beyond representable cdf */
            break;
    }
    return k;
}

static uint64_t poisson_ptrs(mist_rng *rng, double mean)
{
    /* Hormann 1993, algorithm PTRS, valid for mean >= 10. */
    const double slam = sqrt(mean), loglam = log(mean);
    const double b = 0.931 + 2.53 * slam;
    const double a = -0.059 + 0.02483 * b;
    const double invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const double vr = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        double u = mist_rng_uniform(rng) - 0.5;
        double v = mist_rng_uniform(rng);
        double us = 0.5 - fabs(u);
        double kf = floor((2.0 * a / us + b) * u + mean + 0.43);
        if (us >= 0.07 && v <= vr)
            return (uint64_t)kf;
        if (kf < 0.0 || (us < 0.013 && v > us))
            continue;
        if (log(v) + log(invalpha) - log(a / (us * us) + b) <=
            -mean + kf * loglam - lgamma(kf + 1.0))
            return (uint64_t)kf;
    }
}

uint64_t mist_rng_poisson(mist_rng *rng, double mean)
{
    if (!(mean > 0.0))
        return 0;
    return mean < 10.0 ? poisson_inversion(rng, mean) : poisson_ptrs(rng, mean);
}
