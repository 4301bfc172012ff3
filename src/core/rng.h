/*
 * rng.h - PCG random numbers (pcg32 = PCG-XSH-RR 64/32, O'Neill 2014,
 * pcg-random.org) with O(log n) jump-ahead (Brown 1994, "Random number
 * generation with arbitrary strides") and the samplers mist uses.
 *
 * Reproducibility: a run draws from one pcg32 sequence fixed by the study's
 * seed.  Batch b of an acquisition uses the substream that starts
 * b * MIST_RNG_SUBSTREAM_STRIDE steps into that sequence, whichever MPI rank
 * runs it, so results do not depend on the number of ranks.  The stride is
 * 2^40 draws, which leaves 2^24 (16.7 million) non-overlapping substreams in
 * the 2^64 period; a batch must use fewer than 2^40 draws.
 *
 * The state is a small value type: copy it, keep one per batch, never share
 * one between threads.  All functions are inline-cheap and allocate nothing.
 */
#ifndef MIST_CORE_RNG_H
#define MIST_CORE_RNG_H

#include <math.h>
#include <stdint.h>

#include "core/fastmath.h"

#define MIST_RNG_MULT 6364136223846793005ULL /* O'Neill 2014, pcg32 multiplier */
#define MIST_RNG_SUBSTREAM_LOG2 40
#define MIST_RNG_SUBSTREAM_STRIDE (1ULL << MIST_RNG_SUBSTREAM_LOG2)
#define MIST_RNG_MAX_SUBSTREAMS (1ULL << (64 - MIST_RNG_SUBSTREAM_LOG2))

typedef struct mist_rng {
    uint64_t state; /**< LCG state */
    uint64_t inc;   /**< LCG increment, always odd */
} mist_rng;

/* pcg32_srandom: seed the generator (initstate, initseq) as the reference. */
void mist_rng_seed(mist_rng *rng, uint64_t initstate, uint64_t initseq);

/* Advance the generator by delta steps in O(log delta). */
void mist_rng_advance(mist_rng *rng, uint64_t delta);

/* Generator for batch `substream` of the run seeded with `seed`. */
mist_rng mist_rng_substream(uint64_t seed, uint64_t substream);

/* Next 32-bit output. */
static inline uint32_t mist_rng_u32(mist_rng *rng)
{
    uint64_t old = rng->state;
    rng->state = old * MIST_RNG_MULT + rng->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

/* Uniform double in [0, 1) with 53 random bits (two 32-bit outputs). */
static inline double mist_rng_uniform(mist_rng *rng)
{
    uint64_t a = mist_rng_u32(rng) >> 5; /* 27 bits */
    uint64_t b = mist_rng_u32(rng) >> 6; /* 26 bits */
    return (double)((a << 26) | b) * 0x1.0p-53;
}

/* Uniform double in (0, 1) from ONE 32-bit output: (k + 1/2) 2^-32.  For decisions and
 * samplers that need no more resolution: an event decided by it, or a CDF inverted at it, is
 * off by at most 2^-32 = 2.3e-10 in probability, which a statistical test would need some
 * 10^19 samples to see.  Half the draws of mist_rng_uniform. */
static inline double mist_rng_uniform32(mist_rng *rng)
{
    return ((double)mist_rng_u32(rng) + 0.5) * 0x1.0p-32;
}

/* Three uniforms in (0, 1) from one 64-bit draw (two outputs), 21 bits each: (k + 1/2) 2^-21.
 * For a point uniform in a voxel: the grid of 2^-21 of the voxel (1 nm in 2 mm) is far below
 * anything transport or a detector resolves; a third of the draws of three mist_rng_uniform. */
static inline void mist_rng_uniform3_21(mist_rng *rng, double u[3])
{
    uint64_t hi = mist_rng_u32(rng); /* two statements: the draws' order is fixed */
    uint64_t b = hi << 32 | mist_rng_u32(rng);
    u[0] = ((double)(b >> 43) + 0.5) * 0x1.0p-21;
    u[1] = ((double)((b >> 22) & 0x1FFFFFu) + 0.5) * 0x1.0p-21;
    u[2] = ((double)((b >> 1) & 0x1FFFFFu) + 0.5) * 0x1.0p-21;
}

/* Uniform double in (0, 1]: safe to take the logarithm of. */
static inline double mist_rng_uniform_pos(mist_rng *rng)
{
    return 1.0 - mist_rng_uniform(rng);
}

/* Unbiased integer in [0, bound) (Lemire's rejection), bound > 0. */
uint32_t mist_rng_bounded(mist_rng *rng, uint32_t bound);

/* Exponential variate with the given mean (> 0). */
double mist_rng_exponential(mist_rng *rng, double mean);

/* Standard normal variate (Marsaglia polar method). */
double mist_rng_normal(mist_rng *rng);

/* Isotropic unit vector: writes dir[0..2]. */
static inline void mist_rng_isotropic(mist_rng *rng, double dir[3])
{
    /* Archimedes: on the unit sphere z = cos(theta) is uniform on [-1, 1]; with a uniform
     * azimuth phi the direction is isotropic.  z from one 32-bit output (1 - 2u, u = (k + 1/2)
     * 2^-32, so |z| < 1), phi from another (cosine and sine by table and polynomial, exact to
     * 4e-16, core/fastmath.h): two outputs, no rejection loop and no trigonometric call.
     * sin(theta) = sqrt((1 - z)(1 + z)) = 2 sqrt(u (1 - u)), accurate near the poles. */
    double u = mist_rng_uniform32(rng);
    double c, s;
    mist_fast_sincos_2pi_u32(mist_rng_u32(rng), &c, &s);
    double st = 2.0 * sqrt(u * (1.0 - u));
    dir[0] = st * c;
    dir[1] = st * s;
    dir[2] = 1.0 - 2.0 * u;
}


/* Poisson variate with the given mean (>= 0): inversion below mean 10,
 * Hormann's PTRS transformed rejection above (Hormann 1993, Insurance:
 * Mathematics and Economics 12:39). */
uint64_t mist_rng_poisson(mist_rng *rng, double mean);

#endif
