/* The smoothing of the background model's scatter and randoms (engine/observe_model.h):
 * a constant sinogram stays constant, the total is kept, a point spreads only within its
 * segment, and Poisson noise on a flat mean falls by the kernel's variance factor. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "core/rng.h"
#include "engine/observe_model.h"

static mist_sino_geom geom(void)
{
    mist_sino_geom g;
    mist_error err;
    /* 64 crystals, 8 rings, 32 radial bins, span 3, MRD 5: 3 segments. */
    cr_assert_eq(mist_sino_init(&g, 64, 8, 32, 3, 5, 100.0, &err), MIST_OK, "%s", err.msg);
    return g;
}

static size_t bins(const mist_sino_geom *g)
{
    return (size_t)g->n_planes * g->n_views * g->n_radial;
}

Test(observe_model, constant_stays_constant)
{
    mist_sino_geom g = geom();
    size_t nb = bins(&g);
    float *d = malloc(2 * nb * sizeof *d);
    for (size_t i = 0; i < 2 * nb; i++)
        d[i] = 3.5f;
    mist_error err;
    const int hw[3] = {3, 4, 2};
    cr_assert_eq(mist_sino_smooth(&g, 2, d, hw, &err), MIST_OK);
    for (size_t i = 0; i < 2 * nb; i++)
        cr_assert_float_eq(d[i], 3.5f, 1e-5f, "bin %zu: %g", i, d[i]);
    free(d);
    mist_sino_free(&g);
}

Test(observe_model, point_keeps_total_and_stays_in_its_segment)
{
    mist_sino_geom g = geom();
    size_t nb = bins(&g), plane = (size_t)g.n_views * g.n_radial;
    float *d = calloc(nb, sizeof *d);
    /* A point in the middle of the first plane of segment +1. */
    size_t p0 = 0;
    while (g.segment_of_plane[p0] != 1)
        p0++;
    d[(p0 + 1) * plane + 10 * g.n_radial + 16] = 1000.0f;
    mist_error err;
    const int hw[3] = {3, 4, 2};
    cr_assert_eq(mist_sino_smooth(&g, 1, d, hw, &err), MIST_OK);
    double total = 0, outside = 0;
    for (size_t i = 0; i < nb; i++) {
        total += d[i];
        if (g.segment_of_plane[i / plane] != 1)
            outside += d[i];
    }
    cr_assert_float_eq(total, 1000.0, 1e-3, "total %g", total);
    cr_assert_eq(outside, 0.0, "%g leaked out of the segment", outside);
    free(d);
    mist_sino_free(&g);
}

Test(observe_model, noise_falls_by_the_kernel_factor)
{
    /* Two passes of a 2h+1 moving mean: the triangular kernel w_k = (2h+1-|k|)/(2h+1)^2;
     * white noise of variance v becomes v x prod over axes of sum_k w_k^2 at interior bins.
     * Uniform noise (v = 1/12) on 400 independent sinograms, 8 interior bins of segment 0
     * each, far enough apart to be independent: the sample variance of 3200 values against
     * 4 sigma of its own error, sqrt(2 / (n - 1)) relative (+ the kurtosis term of the
     * near-Gaussian smoothed noise, below 1 %). */
    mist_sino_geom g = geom();
    size_t nb = bins(&g), plane = (size_t)g.n_views * g.n_radial;
    float *d = malloc(nb * sizeof *d);
    mist_rng r;
    mist_rng_seed(&r, 11, 0);
    const int hw[3] = {2, 2, 1};
    double factor = 1.0 / 12.0;
    for (int a = 0; a < 3; a++) {
        int n = 2 * hw[a] + 1;
        double s = 0;
        for (int k = -2 * hw[a]; k <= 2 * hw[a]; k++) {
            double w = (double)(n - abs(k)) / ((double)n * n);
            s += w * w;
        }
        factor *= s;
    }
    size_t n_plane0 = 0;
    while (n_plane0 < g.n_planes && g.segment_of_plane[n_plane0] == 0)
        n_plane0++;
    cr_assert(n_plane0 >= 12 && g.n_views >= 24 && g.n_radial >= 24);
    double s1 = 0, s2 = 0;
    size_t n = 0;
    mist_error err;
    for (int rep = 0; rep < 400; rep++) {
        for (size_t i = 0; i < nb; i++)
            d[i] = (float)mist_rng_uniform(&r);
        cr_assert_eq(mist_sino_smooth(&g, 1, d, hw, &err), MIST_OK);
        const size_t ps[2] = {2, 8}, vs[2] = {5, 15}, qs[2] = {5, 15};
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
                for (int c = 0; c < 2; c++) {
                    double x = d[ps[a] * plane + vs[b] * g.n_radial + qs[c]];
                    s1 += x;
                    s2 += x * x;
                    n++;
                }
    }
    double var = (s2 - s1 * s1 / n) / (n - 1);
    double tol = 4.0 * sqrt(2.0 / (n - 1)) * factor;
    cr_assert(fabs(var - factor) < tol, "variance %g, expected %g +- %g (n %zu)", var, factor,
              tol, n);
    free(d);
    mist_sino_free(&g);
}
