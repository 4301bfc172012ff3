/* Coincidence sorting: truth classes, multiples, energy window, dead-time
 * models (Knoll's formulas) and randoms rates (renewal-theory expectations). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "detector/coinc.h"

/* Collects coincidences into arrays. */
typedef struct sink {
    mist_coinc pr[64], de[64];
    size_t np, nd;
} sink;

static void collect(void *ctx, const mist_coinc *c, int delayed)
{
    sink *k = ctx;
    if (delayed && k->nd < 64)
        k->de[k->nd++] = *c;
    else if (!delayed && k->np < 64)
        k->pr[k->np++] = *c;
}

static void count_only(void *ctx, const mist_coinc *c, int delayed)
{
    (void)ctx, (void)c, (void)delayed;
}

static mist_coinc_params params(void)
{
    mist_coinc_params p = {.window_s = 4e-9, .delay_s = 100e-9, .e_lo_keV = 435, .e_hi_keV = 650,
                           .dead_time_s = 0, .multiples = MIST_MULTIPLES_KILL_ALL, .crystals_per_ring = 1000, .block_transaxial = 10,
                           .block_axial = 1, .blocks_per_ring = 100, .n_blocks = 100};
    return p;
}

static mist_single single(double t, uint64_t ev, uint32_t crystal, float e, uint8_t flags)
{
    mist_single s = {.time_s = t, .event = ev, .crystal = crystal, .energy_keV = e, .flags = flags};
    return s;
}

Test(coinc, classes_and_multiples)
{
    mist_coinc_params p = params();
    mist_single s[] = {
        single(1e-6, 1, 10, 511, 0), single(1e-6 + 1e-9, 1, 500, 500, 0), /* true */
        single(2e-6, 2, 11, 511, MIST_SINGLE_PHANTOM_SCATTER), single(2e-6 + 2e-9, 2, 600, 480, 0),
        single(3e-6, 3, 12, 511, MIST_SINGLE_DETECTOR_SCATTER), single(3e-6, 3, 700, 511, 0),
        single(4e-6, 4, 13, 511, 0), single(4e-6 + 3e-9, 5, 800, 511, 0), /* random */
        single(5e-6, 6, 14, 511, 0), single(5e-6 + 1e-9, 6, 900, 511, 0),
        single(5e-6 + 2e-9, 7, 950, 511, 0),                                /* multiple */
        single(6e-6, 8, 15, 300, 0), single(6e-6 + 1e-9, 8, 990, 511, 0),  /* low energy */
        single(7e-6, 9, 16, 511, MIST_SINGLE_NOT_ANNIHILATION),
        single(7e-6 + 1e-9, 9, 991, 511, 0), /* prompt gamma + 511: random class */
    };
    size_t n = sizeof s / sizeof s[0];
    double busy[100];
    sink k = {.np = 0};
    mist_coinc_counts c = {0};
    mist_coinc_sort(&p, s, n, busy, collect, &k, &c);
    mist_coinc *pr = k.pr;
    size_t nd = k.nd;
    cr_assert_eq(k.np, 5);
    cr_expect_eq(pr[0].cls, MIST_COINC_TRUE);
    cr_expect_eq(pr[0].crystal[0], 10);
    cr_expect_eq(pr[0].crystal[1], 500);
    cr_expect_float_eq(pr[0].dt_s, 1e-9, 1e-15);
    cr_expect_eq(pr[1].cls, MIST_COINC_PHANTOM_SCATTER);
    cr_expect_eq(pr[2].cls, MIST_COINC_DETECTOR_SCATTER);
    cr_expect_eq(pr[3].cls, MIST_COINC_RANDOM);
    cr_expect_eq(pr[4].cls, MIST_COINC_RANDOM);
    cr_expect_eq(c.multiples, 1);
    cr_expect_eq(c.lost_energy, 1);
    cr_expect_eq(c.singles_in, n);
    cr_expect_eq(c.singles, n - 1);
    cr_expect_eq(c.prompts, 5);
    cr_expect_eq(c.by_class[MIST_COINC_RANDOM], 2);
    cr_expect_eq(nd, 0, "events 1 us apart never meet in a 100 ns delayed window");
}

Test(coinc, delayed_window_pairs_singles_delay_apart)
{
    mist_coinc_params p = params();
    mist_single s[] = {single(1e-6, 1, 1, 511, 0), single(1e-6 + 101e-9, 2, 2, 511, 0)};
    double busy[100];
    sink k = {.np = 0};
    mist_coinc_counts c = {0};
    mist_coinc_sort(&p, s, 2, busy, collect, &k, &c);
    cr_expect_eq(k.np, 0);
    cr_assert_eq(k.nd, 1);
    cr_expect_float_eq(k.de[0].dt_s, 1e-9, 1e-15);
}

Test(coinc, dead_time_models_on_a_sequence)
{
    /* Block 0 sees singles at 0, 0.6d, 1.2d, 1.8d (d = dead time). */
    mist_coinc_params p = params();
    p.dead_time_s = 1e-6;
    mist_single s[4];
    for (int i = 0; i < 4; i++)
        s[i] = single(0.6e-6 * i, (uint64_t)i, 0, 511, 0);
    double busy[100];
    mist_coinc_counts c = {0};
    mist_coinc_sort(&p, s, 4, busy, count_only, NULL, &c);
    cr_expect_eq(c.singles, 2, "non-paralysable keeps 0 and 1.2d");
    p.dead_time_model = MIST_DEAD_PARALYSABLE;
    mist_coinc_counts c2 = {0};
    for (int i = 0; i < 4; i++)
        s[i] = single(0.6e-6 * i, (uint64_t)i, 0, 511, 0);
    mist_coinc_sort(&p, s, 4, busy, count_only, NULL, &c2);
    cr_expect_eq(c2.singles, 1, "paralysable keeps only the first");
    cr_expect_eq(c2.lost_dead_time, 3);
}

/* A Poisson stream of n singles at rate r (one per event), random crystals. */
static mist_single *poisson_stream(uint64_t seed, double rate, size_t n, uint32_t n_crystals)
{
    mist_single *s = malloc(n * sizeof *s);
    mist_rng r = mist_rng_substream(seed, 0);
    double t = 0;
    for (size_t i = 0; i < n; i++) {
        t += mist_rng_exponential(&r, 1.0 / rate);
        s[i] = single(t, i, mist_rng_bounded(&r, n_crystals), 511, 0);
    }
    return s;
}

Test(coinc, dead_time_rates_follow_knoll)
{
    /* Knoll, Radiation Detection and Measurement, ch. 4: measured rate m of a
     * true rate r with dead time d: m = r / (1 + r d) (non-paralysable),
     * m = r exp(-r d) (paralysable).  r d = 0.5, one block, 2e5 singles. */
    const double rate = 5e5, d = 1e-6;
    const size_t n = 200000;
    double busy[1];
    for (int model = 0; model < 2; model++) {
        mist_single *s = poisson_stream(40 + (uint64_t)model, rate, n, 1);
        double T = s[n - 1].time_s;
        mist_coinc_params p = params();
        p.dead_time_s = d;
        p.dead_time_model = (mist_dead_time_model)model;
        p.n_blocks = 1;
        p.crystals_per_ring = p.block_transaxial = p.blocks_per_ring = 1;
        p.window_s = 0; /* no coincidence work needed */
        mist_coinc_counts c = {0};
        mist_coinc_sort(&p, s, n, busy, count_only, NULL, &c);
        double m = model ? rate * exp(-rate * d) : rate / (1 + rate * d);
        double mean = m * T;
        /* Non-paralysable: renewal counts, variance mean / (1 + r d)^2;
         * paralysable: thinned Poisson, variance = mean. */
        double sd = model ? sqrt(mean) : sqrt(mean) / (1 + rate * d);
        cr_expect_lt(fabs((double)c.singles - mean), 4 * sd, "model %d: %llu vs %g", model,
                     (unsigned long long)c.singles, mean);
        free(s);
    }
}

Test(coinc, randoms_rate_kill_all)
{
    /* Singles only (no true pairs): every prompt is a random.  A window opener
     * is followed by a dead stretch tau, so openers come at rate r / (1 + r tau)
     * and each holds Poisson(r tau) others: prompts at r/(1+r tau) r tau e^{-r tau}.
     * The delayed channel has the same expectation.  Two rates a decade apart
     * show the quadratic growth. */
    const double tau = 4e-9;
    const size_t n = 400000;
    const double rates[2] = {2.5e6, 2.5e7}; /* r tau = 0.01, 0.1 */
    double busy[100];
    for (int k = 0; k < 2; k++) {
        mist_single *s = poisson_stream(50 + (uint64_t)k, rates[k], n, 10000);
        double T = s[n - 1].time_s, r = rates[k], rt = r * tau;
        mist_coinc_params p = params();
        mist_coinc_counts c = {0};
        mist_coinc_sort(&p, s, n, busy, count_only, NULL, &c);
        double expect = r / (1 + rt) * rt * exp(-rt) * T;
        cr_expect_lt(fabs((double)c.prompts - expect), 4 * sqrt(expect), "r tau %g: prompts %llu vs %g",
                     rt, (unsigned long long)c.prompts, expect);
        cr_expect_lt(fabs((double)c.delayed - expect), 4 * sqrt(expect), "r tau %g: delayed %llu vs %g",
                     rt, (unsigned long long)c.delayed, expect);
        cr_expect_eq(c.by_class[MIST_COINC_RANDOM], c.prompts);
        free(s);
    }
}

Test(coinc, all_pairs_policy)
{
    /* Three singles within one window give three prompts; pairs delay apart a
     * delayed coincidence each. */
    mist_coinc_params p = params();
    p.multiples = MIST_MULTIPLES_ALL_PAIRS;
    mist_single s[] = {single(1e-6, 1, 1, 511, 0), single(1e-6 + 1e-9, 1, 2, 511, 0),
                       single(1e-6 + 2e-9, 2, 3, 511, 0), single(1e-6 + 102.5e-9, 3, 4, 511, 0)};
    double busy[100];
    sink k = {.np = 0};
    mist_coinc_counts c = {0};
    mist_coinc_sort(&p, s, 4, busy, collect, &k, &c);
    cr_expect_eq(k.np, 3);
    cr_expect_eq(c.by_class[MIST_COINC_TRUE], 1);
    cr_expect_eq(c.by_class[MIST_COINC_RANDOM], 2);
    cr_expect_eq(c.multiples, 1);
    cr_expect_eq(k.nd, 3, "singles 1, 2 and 3 each see single 4 in their delayed window");
}

Test(coinc, randoms_rate_all_pairs)
{
    /* All pairs of a Poisson stream of rate r less than tau apart: each single
     * is followed by Poisson(r tau) others, so prompts = delayed = N r tau in
     * expectation, exactly, at any rate. */
    const double tau = 4e-9;
    const size_t n = 400000;
    const double rates[2] = {2.5e6, 2.5e7};
    double busy[100];
    for (int k = 0; k < 2; k++) {
        mist_single *s = poisson_stream(60 + (uint64_t)k, rates[k], n, 10000);
        mist_coinc_params p = params();
        p.multiples = MIST_MULTIPLES_ALL_PAIRS;
        mist_coinc_counts c = {0};
        mist_coinc_sort(&p, s, n, busy, count_only, NULL, &c);
        double expect = (double)n * rates[k] * tau;
        /* Pairs of a Poisson stream closer than tau (a U-statistic): variance
         * = r^2 T tau + 4 r^3 T tau^2 = mean (1 + 4 r tau). */
        double sd = sqrt(expect * (1 + 4 * rates[k] * tau));
        cr_expect_lt(fabs((double)c.prompts - expect), 4 * sd, "r tau %g: prompts %llu vs %g",
                     rates[k] * tau, (unsigned long long)c.prompts, expect);
        cr_expect_lt(fabs((double)c.delayed - expect), 4 * sd, "r tau %g: delayed %llu vs %g",
                     rates[k] * tau, (unsigned long long)c.delayed, expect);
        free(s);
    }
}

Test(coinc, radix_time_sort_equals_qsort)
{
    /* 20000 singles with times of a 1 ms batch window (some negative, from the time blur
     * near the frame start, and runs of equal times with different events and crystals):
     * the radix sort (work space given) leaves them in exactly qsort's order. */
    mist_coinc_params p = params();
    p.multiples = MIST_MULTIPLES_ALL_PAIRS;
    enum { N = 20000 };
    mist_single *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    void *work = malloc(mist_coinc_work_bytes(N));
    cr_assert(a && b && work);
    mist_rng rng = mist_rng_substream(5, 0);
    for (size_t i = 0; i < N; i++) {
        double t = 1e-3 * mist_rng_uniform(&rng) - 1e-9;
        if (i % 50 == 1)
            t = a[i - 1].time_s; /* a tie */
        if (i % 977 == 3)
            t = i % 2 ? 0.0 : -0.0;
        a[i] = single(t, (uint64_t)(mist_rng_uniform(&rng) * 1000), (uint32_t)(i * 7919 % 1000),
                      511, 0);
    }
    memcpy(b, a, N * sizeof *a);
    double busy[100];
    mist_coinc_counts ca = {0}, cb = {0};
    mist_coinc_sort(&p, a, N, busy, count_only, NULL, &ca);
    mist_coinc_sort_work(&p, b, N, busy, work, count_only, NULL, &cb);
    for (size_t i = 0; i < N; i++) {
        cr_assert_eq(a[i].time_s, b[i].time_s, "single %zu", i);
        cr_assert_eq(a[i].event, b[i].event, "single %zu", i);
        cr_assert_eq(a[i].crystal, b[i].crystal, "single %zu", i);
    }
    cr_expect_eq(ca.prompts, cb.prompts);
    cr_expect_eq(ca.delayed, cb.delayed);
    free(a);
    free(b);
    free(work);
}
