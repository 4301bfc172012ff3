/* Poisson realisations: mean and variance within 4 standard errors, reproducible by
 * (seed, realisation), independent across realisations, bad input refused. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/realization.h"

/* Sample mean and variance of out[n]; checks both against lambda within 4 SE:
 * SE(mean) = sqrt(lambda / n); SE(var) = sqrt((mu4 - sigma^4) / n) with the Poisson
 * mu4 = lambda + 3 lambda^2, i.e. sqrt((lambda + 2 lambda^2) / n). */
static void check_moments(const uint64_t *out, size_t n, double lambda)
{
    double m = 0, v = 0;
    for (size_t i = 0; i < n; i++)
        m += (double)out[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        v += ((double)out[i] - m) * ((double)out[i] - m);
    v /= (double)(n - 1);
    double se_m = sqrt(lambda / n), se_v = sqrt((lambda + 2 * lambda * lambda) / n);
    cr_expect(fabs(m - lambda) < 4 * se_m, "mean %g, lambda %g +- %g", m, lambda, se_m);
    cr_expect(fabs(v - lambda) < 4 * se_v, "variance %g, lambda %g +- %g", v, lambda, se_v);
}

Test(analysis_realization, poisson_moments_small_and_large_means)
{
    enum { N = 200000 };
    const double lambdas[] = {0.3, 3.7, 57.0};
    double *e = malloc(N * sizeof *e);
    uint64_t *out = malloc(N * sizeof *out);
    mist_error err;
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < N; i++)
            e[i] = lambdas[k];
        cr_assert_eq(mist_realization_poisson(e, N, 42, (uint64_t)k, out, &err), MIST_OK);
        check_moments(out, N, lambdas[k]);
    }
    free(e);
    free(out);
}

Test(analysis_realization, from_counts_scales_the_level)
{
    enum { N = 100000 };
    uint64_t *c = malloc(N * sizeof *c), *out = malloc(N * sizeof *out);
    for (size_t i = 0; i < N; i++)
        c[i] = 400;
    mist_error err;
    cr_assert_eq(mist_realization_from_counts(c, N, 0.05, 9, 0, out, &err), MIST_OK);
    check_moments(out, N, 20.0);
    free(c);
    free(out);
}

Test(analysis_realization, reproducible_and_independent)
{
    enum { N = 50000 };
    double *e = malloc(N * sizeof *e);
    uint64_t *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b), *c = malloc(N * sizeof *c);
    for (size_t i = 0; i < N; i++)
        e[i] = 10.0;
    mist_error err;
    cr_assert_eq(mist_realization_poisson(e, N, 5, 3, a, &err), MIST_OK);
    cr_assert_eq(mist_realization_poisson(e, N, 5, 3, b, &err), MIST_OK);
    cr_assert_eq(mist_realization_poisson(e, N, 5, 4, c, &err), MIST_OK);
    cr_expect(!memcmp(a, b, N * sizeof *a), "same seed and realisation must repeat");
    /* Independent realisations: the correlation of a and c is 0 within 4 / sqrt(N). */
    double sa = 0, sc = 0, sac = 0, saa = 0, scc = 0;
    for (size_t i = 0; i < N; i++) {
        sa += a[i];
        sc += c[i];
    }
    sa /= N;
    sc /= N;
    for (size_t i = 0; i < N; i++) {
        sac += (a[i] - sa) * (c[i] - sc);
        saa += (a[i] - sa) * (a[i] - sa);
        scc += (c[i] - sc) * (c[i] - sc);
    }
    double r = sac / sqrt(saa * scc);
    cr_expect(fabs(r) < 4 / sqrt((double)N), "correlation %g", r);
    free(e);
    free(a);
    free(b);
    free(c);
}

Test(analysis_realization, zero_expectation_and_bad_input)
{
    double e[3] = {0.0, 0.0, 0.0};
    uint64_t out[3] = {7, 7, 7};
    mist_error err;
    cr_assert_eq(mist_realization_poisson(e, 3, 1, 0, out, &err), MIST_OK);
    cr_expect(out[0] == 0 && out[1] == 0 && out[2] == 0);
    e[1] = -1.0;
    cr_expect_eq(mist_realization_poisson(e, 3, 1, 0, out, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "element 1"), "%s", err.msg);
    e[1] = NAN;
    cr_expect_eq(mist_realization_poisson(e, 3, 1, 0, out, &err), MIST_ERR_INPUT);
    uint64_t c[1] = {5};
    cr_expect_eq(mist_realization_from_counts(c, 1, 0.0, 1, 0, out, &err), MIST_ERR_INPUT);
}
