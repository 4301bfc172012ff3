#include "core/ziggurat.h"

#include <math.h>

/* Marsaglia & Tsang (2000), 256 layers: the base layer's right edge. */
#define ZIG_NORMAL_R 3.6541528853610088

static double dens(double x)
{
    return exp(-0.5 * x * x);
}

double mist_zig_normal_build(mist_zig_normal *z)
{
    const double r = ZIG_NORMAL_R;
    /* V: the base layer, rectangle R f(R) plus the tail's integral sqrt(pi/2) erfc(R/sqrt 2). */
    const double v = r * dens(r) + 1.2533141373155002512 * erfc(r * 0.70710678118654752440);
    z->x[0] = v / dens(r);
    z->x[1] = r;
    /* Equal areas: x[i] (f(x[i]) - f(x[i-1])) = V. */
    for (int i = 2; i < MIST_ZIG_NORMAL_LAYERS; i++)
        z->x[i] = sqrt(-2.0 * log(v / z->x[i - 1] + dens(z->x[i - 1])));
    z->x[MIST_ZIG_NORMAL_LAYERS] = 0.0;
    for (int i = 0; i <= MIST_ZIG_NORMAL_LAYERS; i++)
        z->f[i] = dens(z->x[i]);
    z->f[0] = dens(r); /* the base layer's height (x[0] is its width as a rectangle) */
    double top = z->x[MIST_ZIG_NORMAL_LAYERS - 1] * (1.0 - z->f[MIST_ZIG_NORMAL_LAYERS - 1]);
    return fabs(top - v) / v;
}

double mist_zig_normal_slow(const mist_zig_normal *z, mist_rng *rng, unsigned i, double x,
                            double s)
{
    for (;;) {
        if (i == 0) {
            /* The tail beyond R (Marsaglia, Ann Math Stat 35:1964): t = -ln(u1) / R, accepted
             * when -2 ln(u2) > t^2. */
            double t, y;
            do {
                t = -mist_fast_log(mist_rng_uniform_pos(rng)) * (1.0 / ZIG_NORMAL_R);
                y = -mist_fast_log(mist_rng_uniform_pos(rng));
            } while (2.0 * y < t * t);
            return s * (ZIG_NORMAL_R + t);
        }
        /* The wedge of layer i: under the curve with probability (f(x) - f[i]) / (f[i+1] -
         * f[i]), f[i] the layer's bottom (at its right edge x[i]) and f[i+1] its top. */
        if (z->f[i] + (z->f[i + 1] - z->f[i]) * mist_rng_uniform(rng) < dens(x))
            return s * x;
        uint32_t b = mist_rng_u32(rng);
        i = b & 0xFFu;
        s = (b & 0x100u) ? -1.0 : 1.0;
        x = ((double)(b >> 9) + 0.5) * 0x1.0p-23 * z->x[i];
        if (x < z->x[i + 1])
            return s * x;
    }
}
