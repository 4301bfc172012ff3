/*
 * noise.h - seeded 3-D gradient noise for procedural tissue texture.
 *
 * Perlin's "improved noise" construction (K. Perlin, "Improving noise",
 * SIGGRAPH 2002): a lattice of pseudo-random gradients (12 edge directions of
 * a cube, picked through a permutation table), interpolated with the quintic
 * fade 6t^5 - 15t^4 + 10t^3, giving a smooth field in about [-1, 1] with zero
 * at every lattice point.  The permutation is a Fisher-Yates shuffle drawn
 * from a mist_rng substream, so a field is a pure function of (seed,
 * substream): no global state.  Fractal (fBm) noise sums octaves of it with
 * doubling frequency and a persistence factor per octave.
 */
#ifndef MIST_MODEL_NOISE_H
#define MIST_MODEL_NOISE_H

#include <stdint.h>

typedef struct mist_noise {
    uint8_t perm[512]; /**< permutation of 0..255, repeated once */
} mist_noise;

/* Seed a noise field from substream `substream` of `seed`. */
void mist_noise_seed(mist_noise *nz, uint64_t seed, uint64_t substream);

/* Gradient noise at (x, y, z) in lattice units; roughly in [-1, 1]. */
double mist_noise_eval(const mist_noise *nz, double x, double y, double z);

/* Fractal sum of `octaves` octaves: sum_o persistence^o noise(2^o p / scale), normalised by
 * the sum of the weights.  p in mm, scale_mm the wavelength of the first octave. */
double mist_noise_fractal(const mist_noise *nz, const double p_mm[3], double scale_mm,
                          int octaves, double persistence);

#endif
