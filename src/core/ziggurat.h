/*
 * ziggurat.h - standard normal variates by the ziggurat method (Marsaglia & Tsang,
 * "The ziggurat method for generating random variables", J. Stat. Softw. 5(8), 2000),
 * for samplers that need a normal per event (the annihilation photons' acollinearity).
 *
 * The density exp(-x^2/2) on x >= 0 is covered by 256 layers of equal area V: a base
 * layer (the rectangle [0, R] x [0, f(R)] plus the tail beyond R, taken as a rectangle of
 * width V / f(R)) and 255 rectangles stacked on it.  One 32-bit output b gives a layer
 * (its low 8 bits), a sign (bit 8) and a point in the layer (the top 23 bits,
 * (k + 1/2) 2^-23 of the layer's width): 99.3 % of draws fall inside the part of their
 * layer that lies under the curve and end there, with no logarithm, square root or
 * division.  The others are settled exactly: a point in a layer's wedge is accepted under
 * the curve with a second uniform (an exponential); the base layer's overhang samples the
 * tail beyond R by Marsaglia's method (two logarithms).
 *
 * Law: exact apart from the 2^-23 grid of the point within a layer, which puts a sampled
 * x on steps of at most 2^-23 R = 4.4e-7 (the distribution function is off by at most
 * 2^-24 = 6e-8 anywhere); with R = 3.6541528853610088 (Marsaglia & Tsang's value for 256
 * layers), the layer areas agree to a relative 1.4e-13 (mist_zig_normal_build).
 * The table is built once (mist_zig_normal_build) and read-only afterwards.
 */
#ifndef MIST_CORE_ZIGGURAT_H
#define MIST_CORE_ZIGGURAT_H

#include <stdint.h>

#include "core/fastmath.h"
#include "core/rng.h"

#define MIST_ZIG_NORMAL_LAYERS 256

typedef struct mist_zig_normal {
    /** Layer edges: x[0] = V / f(R) (the base layer's width), x[1] = R, ..., x[256] = 0. */
    double x[MIST_ZIG_NORMAL_LAYERS + 1];
    double f[MIST_ZIG_NORMAL_LAYERS + 1]; /**< f(x[i]) = exp(-x[i]^2 / 2) */
} mist_zig_normal;

/* Fill the table; returns the relative difference between the top layer's area and V
 * (the check of the recursion; about 1e-13). */
double mist_zig_normal_build(mist_zig_normal *z);

/* The rare draws: a point outside its layer's rectangle under the curve (layer i, the
 * point's |x|, sign s); returns a normal variate, drawing afresh as needed. */
double mist_zig_normal_slow(const mist_zig_normal *z, mist_rng *rng, unsigned i, double x,
                            double s);

/* A standard normal variate (one 32-bit output in 99.3 % of calls). */
static inline double mist_zig_normal_sample(const mist_zig_normal *z, mist_rng *rng)
{
    uint32_t b = mist_rng_u32(rng);
    unsigned i = b & 0xFFu;
    double x = ((double)(b >> 9) + 0.5) * 0x1.0p-23 * z->x[i];
    /* The sign bit 8 moved into the double's sign bit: a random sign without a branch. */
    uint64_t sign = (uint64_t)(b & 0x100u) << 55;
    if (x < z->x[i + 1])
        return mist_fm_asdouble(mist_fm_asuint64(x) ^ sign);
    return mist_zig_normal_slow(z, rng, i, x, sign ? -1.0 : 1.0);
}

#endif
