#include "model/noise.h"

#include <math.h>

#include "core/rng.h"

void mist_noise_seed(mist_noise *nz, uint64_t seed, uint64_t substream)
{
    mist_rng rng = mist_rng_substream(seed, substream);
    for (int i = 0; i < 256; i++)
        nz->perm[i] = (uint8_t)i;
    for (int i = 255; i > 0; i--) {
        uint32_t j = mist_rng_bounded(&rng, (uint32_t)i + 1u);
        uint8_t t = nz->perm[i];
        nz->perm[i] = nz->perm[j];
        nz->perm[j] = t;
    }
    for (int i = 0; i < 256; i++)
        nz->perm[256 + i] = nz->perm[i];
}

static inline double fade(double t)
{
    return t * t * t * (t * (t * 6.0 - 15.0) + 10.0);
}

static inline double lerp(double t, double a, double b)
{
    return a + t * (b - a);
}

/* Dot product of (x, y, z) with one of the 12 cube-edge gradients (plus 4 repeats), as in
 * Perlin 2002. */
static inline double grad(int h, double x, double y, double z)
{
    h &= 15;
    double u = h < 8 ? x : y;
    double v = h < 4 ? y : (h == 12 || h == 14 ? x : z);
    return ((h & 1) ? -u : u) + ((h & 2) ? -v : v);
}

double mist_noise_eval(const mist_noise *nz, double x, double y, double z)
{
    double fx = floor(x), fy = floor(y), fz = floor(z);
    int X = (int)((long)fx & 255), Y = (int)((long)fy & 255), Z = (int)((long)fz & 255);
    x -= fx;
    y -= fy;
    z -= fz;
    double u = fade(x), v = fade(y), w = fade(z);
    const uint8_t *P = nz->perm;
    int A = P[X] + Y, AA = P[A] + Z, AB = P[A + 1] + Z;
    int B = P[X + 1] + Y, BA = P[B] + Z, BB = P[B + 1] + Z;
    return lerp(w,
                lerp(v, lerp(u, grad(P[AA], x, y, z), grad(P[BA], x - 1, y, z)),
                     lerp(u, grad(P[AB], x, y - 1, z), grad(P[BB], x - 1, y - 1, z))),
                lerp(v, lerp(u, grad(P[AA + 1], x, y, z - 1), grad(P[BA + 1], x - 1, y, z - 1)),
                     lerp(u, grad(P[AB + 1], x, y - 1, z - 1),
                          grad(P[BB + 1], x - 1, y - 1, z - 1))));
}

double mist_noise_fractal(const mist_noise *nz, const double p_mm[3], double scale_mm,
                          int octaves, double persistence)
{
    double sum = 0.0, wsum = 0.0, w = 1.0, f = 1.0 / scale_mm;
    for (int o = 0; o < octaves; o++) {
        /* Offset each octave so lattice zeros do not line up between octaves. */
        double off = 17.31 * o;
        sum += w * mist_noise_eval(nz, p_mm[0] * f + off, p_mm[1] * f + off, p_mm[2] * f + off);
        wsum += w;
        w *= persistence;
        f *= 2.0;
    }
    return sum / wsum;
}
