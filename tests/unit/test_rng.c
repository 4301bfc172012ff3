/* PCG random numbers: reference vector, jump-ahead, uniformity, sampler moments. */
#include <criterion/criterion.h>
#include <math.h>

#include "core/rng.h"

Test(rng, pcg32_reference_vector)
{
    /* pcg32-demo, seed 42 stream 54 (../shared/reference/physics-data.md section 6). */
    const uint32_t expect[6] = {0xa15c02b7u, 0x7b47f409u, 0xba1d3330u,
                                0x83d2f293u, 0xbfa4784bu, 0xcbed606eu};
    mist_rng r;
    mist_rng_seed(&r, 42u, 54u);
    for (int i = 0; i < 6; i++)
        cr_expect_eq(mist_rng_u32(&r), expect[i], "output %d", i);
}

Test(rng, advance_equals_stepping)
{
    const uint64_t deltas[] = {0, 1, 2, 3, 17, 1000, 65537, 1234567};
    for (size_t k = 0; k < sizeof deltas / sizeof deltas[0]; k++) {
        mist_rng a, b;
        mist_rng_seed(&a, 7u, 3u);
        b = a;
        for (uint64_t i = 0; i < deltas[k]; i++)
            (void)mist_rng_u32(&a);
        mist_rng_advance(&b, deltas[k]);
        cr_expect_eq(a.state, b.state, "delta %llu", (unsigned long long)deltas[k]);
        cr_expect_eq(mist_rng_u32(&a), mist_rng_u32(&b));
    }
}

Test(rng, advance_full_period_wraps)
{
    /* Advancing by 2^63 twice returns to the start: the period is 2^64. */
    mist_rng a, b;
    mist_rng_seed(&a, 99u, 1u);
    b = a;
    mist_rng_advance(&b, 1ULL << 63);
    cr_expect_neq(a.state, b.state);
    mist_rng_advance(&b, 1ULL << 63);
    cr_expect_eq(a.state, b.state);
}

Test(rng, substreams_are_offsets_of_one_sequence)
{
    mist_rng s0 = mist_rng_substream(5u, 0u);
    mist_rng s3 = mist_rng_substream(5u, 3u);
    mist_rng_advance(&s0, 3ULL * MIST_RNG_SUBSTREAM_STRIDE);
    cr_expect_eq(s0.state, s3.state);
    cr_expect_eq(s0.inc, s3.inc);
    mist_rng s1 = mist_rng_substream(5u, 1u), s2 = mist_rng_substream(6u, 1u);
    cr_expect_neq(mist_rng_u32(&s1), mist_rng_u32(&s2));
}

/* Chi-square of n uniform draws in k bins; returns the statistic. */
static double chi2_uniform(mist_rng *r, int n, int k)
{
    static long counts[1000];
    for (int i = 0; i < k; i++)
        counts[i] = 0;
    for (int i = 0; i < n; i++) {
        double u = mist_rng_uniform(r);
        cr_assert(u >= 0.0 && u < 1.0);
        counts[(int)(u * k)]++;
    }
    double e = (double)n / k, chi2 = 0.0;
    for (int i = 0; i < k; i++)
        chi2 += (counts[i] - e) * (counts[i] - e) / e;
    return chi2;
}

Test(rng, uniform_chi_square)
{
    /* k-1 = 99 degrees of freedom: mean 99, sd sqrt(198) = 14.1; 4 sigma bound. */
    mist_rng r = mist_rng_substream(2024u, 0u);
    double chi2 = chi2_uniform(&r, 1000000, 100);
    cr_expect_lt(fabs(chi2 - 99.0), 4.0 * sqrt(198.0), "chi2 = %g", chi2);
}

Test(rng, uniform_uses_53_bits)
{
    /* The low bits of the mantissa must vary: count draws whose 53-bit integer is odd. */
    mist_rng r = mist_rng_substream(1u, 0u);
    int odd = 0, n = 100000;
    for (int i = 0; i < n; i++)
        odd += (int)((uint64_t)(mist_rng_uniform(&r) * 0x1.0p53) & 1u);
    /* binomial(n, 1/2): sd = sqrt(n)/2 */
    cr_expect_lt(fabs(odd - n / 2.0), 4.0 * sqrt((double)n) / 2.0, "odd = %d", odd);
}

Test(rng, bounded_is_uniform)
{
    mist_rng r = mist_rng_substream(3u, 0u);
    long counts[7] = {0};
    int n = 700000;
    for (int i = 0; i < n; i++) {
        uint32_t v = mist_rng_bounded(&r, 7u);
        cr_assert_lt(v, 7u);
        counts[v]++;
    }
    double chi2 = 0.0, e = n / 7.0;
    for (int i = 0; i < 7; i++)
        chi2 += (counts[i] - e) * (counts[i] - e) / e;
    cr_expect_lt(chi2, 6.0 + 4.0 * sqrt(12.0), "chi2 = %g", chi2); /* 6 dof */
}

Test(rng, exponential_moments)
{
    /* Exp(mean m): mean m, variance m^2; the sample mean's sd is m/sqrt(n). */
    mist_rng r = mist_rng_substream(4u, 0u);
    const int n = 1000000;
    const double m = 2.5;
    double s = 0.0, s2 = 0.0;
    for (int i = 0; i < n; i++) {
        double x = mist_rng_exponential(&r, m);
        cr_assert(x >= 0.0 && isfinite(x));
        s += x;
        s2 += x * x;
    }
    double mean = s / n, var = s2 / n - mean * mean;
    cr_expect_lt(fabs(mean - m), 4.0 * m / sqrt(n), "mean %g", mean);
    /* Var of the sample variance for Exp: (mu4 - sigma^4)/n = 8 m^4 / n. */
    cr_expect_lt(fabs(var - m * m), 4.0 * sqrt(8.0 * pow(m, 4) / n), "var %g", var);
}

Test(rng, normal_moments)
{
    mist_rng r = mist_rng_substream(5u, 0u);
    const int n = 1000000;
    double s = 0.0, s2 = 0.0, s4 = 0.0;
    for (int i = 0; i < n; i++) {
        double x = mist_rng_normal(&r);
        s += x;
        s2 += x * x;
        s4 += x * x * x * x;
    }
    double mean = s / n, m2 = s2 / n, m4 = s4 / n;
    cr_expect_lt(fabs(mean), 4.0 / sqrt(n), "mean %g", mean);
    cr_expect_lt(fabs(m2 - 1.0), 4.0 * sqrt(2.0 / n), "E[x^2] %g", m2);   /* var(x^2) = 2 */
    cr_expect_lt(fabs(m4 - 3.0), 4.0 * sqrt(96.0 / n), "E[x^4] %g", m4); /* var(x^4) = 105-9 */
}

Test(rng, isotropic_directions)
{
    /* Unit length; each component has mean 0 and E[x^2] = 1/3 (var of x^2 = 4/45). */
    mist_rng r = mist_rng_substream(6u, 0u);
    const int n = 1000000;
    double s[3] = {0}, s2[3] = {0};
    for (int i = 0; i < n; i++) {
        double d[3];
        mist_rng_isotropic(&r, d);
        cr_assert_lt(fabs(d[0] * d[0] + d[1] * d[1] + d[2] * d[2] - 1.0), 1e-12);
        for (int k = 0; k < 3; k++) {
            s[k] += d[k];
            s2[k] += d[k] * d[k];
        }
    }
    for (int k = 0; k < 3; k++) {
        cr_expect_lt(fabs(s[k] / n), 4.0 * sqrt(1.0 / 3.0 / n), "mean[%d]", k);
        cr_expect_lt(fabs(s2[k] / n - 1.0 / 3.0), 4.0 * sqrt(4.0 / 45.0 / n), "msq[%d]", k);
    }
}

static void poisson_check(double mean, int n, uint64_t seed)
{
    mist_rng r = mist_rng_substream(seed, 0u);
    double s = 0.0, s2 = 0.0;
    for (int i = 0; i < n; i++) {
        double k = (double)mist_rng_poisson(&r, mean);
        s += k;
        s2 += k * k;
    }
    double m = s / n, v = s2 / n - m * m;
    /* Sample mean sd: sqrt(mean/n); sample variance sd: sqrt((mu4 - var^2)/n) with
     * mu4 = mean(1 + 3 mean) for the Poisson distribution. */
    cr_expect_lt(fabs(m - mean), 4.0 * sqrt(mean / n), "mean %g vs %g", m, mean);
    double sd_var = sqrt((mean * (1.0 + 3.0 * mean) - mean * mean) / n);
    cr_expect_lt(fabs(v - mean), 4.0 * sd_var, "variance %g vs %g", v, mean);
}

Test(rng, poisson_moments)
{
    poisson_check(0.3, 400000, 11u);
    poisson_check(4.0, 400000, 12u);
    poisson_check(10.0, 400000, 13u);
    poisson_check(137.5, 400000, 14u);
    poisson_check(2.5e6, 400000, 15u);
}

Test(rng, poisson_small_mean_pmf)
{
    /* PTRS is exact, check its pmf at mean 12 by chi-square over k = 0..30. */
    mist_rng r = mist_rng_substream(16u, 0u);
    const int n = 500000, kmax = 30;
    const double mean = 12.0;
    long counts[31] = {0};
    for (int i = 0; i < n; i++) {
        uint64_t k = mist_rng_poisson(&r, mean);
        counts[k > (uint64_t)kmax ? (uint64_t)kmax : k]++;
    }
    double chi2 = 0.0, cdf = 0.0;
    for (int k = 0; k <= kmax; k++) {
        double p = (k < kmax) ? exp(k * log(mean) - mean - lgamma(k + 1.0)) : 1.0 - cdf;
        cdf += p;
        double e = n * p;
        chi2 += (counts[k] - e) * (counts[k] - e) / e;
    }
    cr_expect_lt(chi2, 30.0 + 4.0 * sqrt(60.0), "chi2 = %g", chi2); /* 30 dof */
}
