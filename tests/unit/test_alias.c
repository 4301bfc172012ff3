/* Alias sampler: frequencies match the weights (chi-square), degenerate
 * cases, input errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "physics/alias.h"

/* Upper 4-sigma point of chi-square with k dof (Wilson-Hilferty). */
static double chi2_limit(double k)
{
    double z = 4.0, a = 2.0 / (9.0 * k);
    return k * pow(1.0 - a + z * sqrt(a), 3.0);
}

static void check_weights(const double *w, size_t n, uint64_t seed, long draws)
{
    mist_alias *t;
    mist_error err;
    cr_assert_eq(mist_alias_build(w, n, &t, &err), MIST_OK, "%s", err.msg);
    long *count = calloc(n, sizeof *count);
    mist_rng rng = mist_rng_substream(seed, 0);
    for (long i = 0; i < draws; i++)
        count[mist_alias_sample(t, &rng)]++;
    double chi2 = 0.0;
    int dof = -1;
    for (size_t i = 0; i < n; i++) {
        double expect = draws * w[i] / t->total;
        if (w[i] == 0.0) {
            cr_assert_eq(count[i], 0, "zero weight %zu was drawn", i);
            continue;
        }
        chi2 += (count[i] - expect) * (count[i] - expect) / expect;
        dof++;
    }
    if (dof > 0)
        cr_assert_lt(chi2, chi2_limit(dof), "chi2 %g with %d dof", chi2, dof);
    free(count);
    mist_alias_free(t);
}

Test(alias, matches_weights_chi_square)
{
    enum { N = 1000 };
    double w[N];
    mist_rng rng = mist_rng_substream(7, 0);
    for (int i = 0; i < N; i++) /* a wide spread of weights, some zero */
        w[i] = (i % 17 == 0) ? 0.0 : exp(6.0 * mist_rng_uniform(&rng));
    check_weights(w, N, 11, 4000000);
}

Test(alias, skewed_and_small_tables)
{
    double one[1] = {3.0};
    check_weights(one, 1, 1, 1000);
    double skew[5] = {1e-3, 1.0, 1e3, 0.0, 5.0};
    check_weights(skew, 5, 2, 2000000);
    double flat[7] = {1, 1, 1, 1, 1, 1, 1};
    check_weights(flat, 7, 3, 700000);
}

Test(alias, rejects_bad_weights)
{
    mist_alias *t = (mist_alias *)1;
    mist_error err;
    double w[3] = {1.0, -2.0, 1.0};
    cr_assert_eq(mist_alias_build(w, 3, &t, &err), MIST_ERR_INPUT);
    cr_assert_null(t);
    cr_assert(strstr(err.msg, "weight 1") != NULL, "%s", err.msg);
    double z[2] = {0.0, 0.0};
    cr_assert_eq(mist_alias_build(z, 2, &t, &err), MIST_ERR_INPUT);
    double nan_w[2] = {1.0, NAN};
    cr_assert_eq(mist_alias_build(nan_w, 2, &t, &err), MIST_ERR_INPUT);
    cr_assert_eq(mist_alias_build(w, 0, &t, &err), MIST_ERR_INPUT);
}
