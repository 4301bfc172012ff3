/* Normal ziggurat: table consistency, law (Kolmogorov-Smirnov against Phi, moments, the
 * tail beyond the base layer's edge), and the alias draw's column and coin. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "core/ziggurat.h"
#include "physics/alias.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

Test(ziggurat, layers_have_equal_areas)
{
    mist_zig_normal z;
    double rel = mist_zig_normal_build(&z);
    cr_expect_lt(rel, 1e-11, "top layer area off by %g", rel);
    cr_expect_eq(z.x[MIST_ZIG_NORMAL_LAYERS], 0.0);
    for (int i = 1; i < MIST_ZIG_NORMAL_LAYERS; i++)
        cr_expect_gt(z.x[i], z.x[i + 1], "edges decrease at %d", i);
}

Test(ziggurat, normal_law)
{
    mist_zig_normal z;
    (void)mist_zig_normal_build(&z);
    mist_rng rng = mist_rng_substream(77u, 3u);
    enum { N = 1000000 };
    double *x = malloc(N * sizeof *x);
    cr_assert_not_null(x);
    double m1 = 0, m2 = 0, m4 = 0;
    long tail = 0, neg = 0;
    for (int i = 0; i < N; i++) {
        x[i] = mist_zig_normal_sample(&z, &rng);
        m1 += x[i];
        m2 += x[i] * x[i];
        m4 += x[i] * x[i] * x[i] * x[i];
        tail += fabs(x[i]) > 3.6541528853610088;
        neg += x[i] < 0;
    }
    m1 /= N, m2 /= N, m4 /= N;
    cr_expect_lt(fabs(m1), 4.0 / sqrt(N), "mean %g", m1);
    cr_expect_lt(fabs(m2 - 1.0), 4.0 * sqrt(2.0 / N), "variance %g", m2);
    cr_expect_lt(fabs(m4 - 3.0), 4.0 * sqrt(96.0 / N), "fourth moment %g", m4);
    cr_expect_lt(fabs(neg - 0.5 * N), 4.0 * sqrt(0.25 * N), "negatives %ld", neg);
    /* P(|x| > R) = erfc(R / sqrt 2) = 2.58e-4: the tail sampler's share. */
    double p = erfc(3.6541528853610088 / sqrt(2.0));
    cr_expect_lt(fabs(tail - p * N), 4.0 * sqrt(p * N), "tail %ld, expected %g", tail, p * N);
    qsort(x, N, sizeof *x, cmp_double);
    double d = 0.0;
    for (int i = 0; i < N; i++) {
        double f = 0.5 * erfc(-x[i] / sqrt(2.0));
        d = fmax(d, fmax(fabs(f - (double)i / N), fabs(f - (double)(i + 1) / N)));
    }
    /* Kolmogorov-Smirnov: sqrt(N) D exceeds 1.95 with probability 0.1 %. */
    cr_expect_lt(sqrt((double)N) * d, 1.95, "KS statistic %g", sqrt((double)N) * d);
    free(x);
}

Test(ziggurat, alias_draw_columns_and_coins)
{
    /* n = 3: columns equally likely, the coin uniform within each. */
    mist_rng rng = mist_rng_substream(5u, 9u);
    enum { N = 3000000 };
    long count[3] = {0, 0, 0}, low[3] = {0, 0, 0};
    for (int i = 0; i < N; i++) {
        uint64_t d = mist_alias_draw(3, &rng);
        uint32_t c = (uint32_t)(d >> 32);
        cr_assert_lt(c, 3u);
        count[c]++;
        low[c] += (uint32_t)d < 0x40000000u; /* coin below 1/4 */
    }
    for (int c = 0; c < 3; c++) {
        cr_expect_lt(fabs(count[c] - N / 3.0), 4.0 * sqrt(N * 2.0 / 9.0), "column %d", c);
        cr_expect_lt(fabs(low[c] - 0.25 * count[c]), 4.0 * sqrt(0.1875 * count[c]), "coin %d", c);
    }
}
