/* Inline exp/log (core/fastmath.h) against libm: relative error at the rounding level. */
#include <criterion/criterion.h>
#include <math.h>

#include "core/fastmath.h"
#include "core/rng.h"

#define N_ARGS 1000000

static double rel_err(double got, double ref)
{
    if (got == ref)
        return 0.0;
    return fabs(got - ref) / fabs(ref);
}

Test(fastmath, exp_matches_libm)
{
    mist_rng rng;
    mist_rng_seed(&rng, 1u, 2u);
    double worst = 0.0, worst_small = 0.0;
    for (int i = 0; i < N_ARGS; i++) {
        double x = (2.0 * mist_rng_uniform(&rng) - 1.0) * 707.9;
        worst = fmax(worst, rel_err(mist_fast_exp(x), exp(x)));
        double y = (2.0 * mist_rng_uniform(&rng) - 1.0) * 2.0; /* the range the physics uses */
        worst_small = fmax(worst_small, rel_err(mist_fast_exp(y), exp(y)));
    }
    cr_log_info("exp: worst relative error %.3g on [-708, 708], %.3g on [-2, 2]", worst,
                worst_small);
    cr_expect_lt(worst, 4e-16);
    cr_expect_lt(worst_small, 4e-16);
    cr_expect_eq(mist_fast_exp(0.0), 1.0);
    cr_expect_eq(mist_fast_exp(-INFINITY), 0.0);
    cr_expect(isinf(mist_fast_exp(1000.0)));
    cr_expect(isnan(mist_fast_exp(NAN)));
}

Test(fastmath, log_matches_libm)
{
    mist_rng rng;
    mist_rng_seed(&rng, 3u, 4u);
    double worst = 0.0, worst_near1 = 0.0, worst_abs_near1 = 0.0;
    for (int i = 0; i < N_ARGS; i++) {
        double x = exp((2.0 * mist_rng_uniform(&rng) - 1.0) * 690.0);
        worst = fmax(worst, rel_err(mist_fast_log(x), log(x)));
        double u = mist_rng_uniform(&rng); /* (0, 1]: the uniforms the samplers take logs of */
        worst = fmax(worst, rel_err(mist_fast_log(1.0 - u), log(1.0 - u)));
        double y = 1.0 + (2.0 * mist_rng_uniform(&rng) - 1.0) * 0.01;
        worst_near1 = fmax(worst_near1, rel_err(mist_fast_log(y), log(y)));
        worst_abs_near1 = fmax(worst_abs_near1, fabs(mist_fast_log(y) - log(y)));
    }
    cr_log_info("log: worst relative error %.3g; near 1: %.3g relative, %.3g absolute", worst,
                worst_near1, worst_abs_near1);
    cr_expect_lt(worst, 4e-16);
    cr_expect_lt(worst_near1, 4e-16);
    cr_expect_eq(mist_fast_log(1.0), 0.0);
    cr_expect(isinf(mist_fast_log(0.0)));
    cr_expect(isnan(mist_fast_log(-1.0)));
    cr_expect_lt(rel_err(mist_fast_log(0x1p-1070), log(0x1p-1070)), 4e-16); /* subnormal */
}

Test(fastmath, sincos_matches_libm)
{
    mist_rng rng;
    mist_rng_seed(&rng, 5u, 6u);
    double worst = 0.0;
    for (int i = 0; i < N_ARGS; i++) {
        uint32_t b = mist_rng_u32(&rng);
        if (i < 2)
            b = i ? 0xFFFFFFFFu : 0u; /* both ends */
        /* The reference angle in long double: in double, 2 pi (b + 1/2) / 2^32 itself would
         * be rounded by up to 4.4e-16 near 2 pi. */
        long double phi = ((long double)b + 0.5L) * (6.283185307179586476925286766559005768L /
                                                     4294967296.0L);
        double c, s;
        mist_fast_sincos_2pi_u32(b, &c, &s);
        worst = fmax(worst, (double)fmaxl(fabsl(c - cosl(phi)), fabsl(s - sinl(phi))));
    }
    cr_log_info("sincos: worst absolute error %.3g", worst);
    cr_expect_lt(worst, 4e-16);
}
