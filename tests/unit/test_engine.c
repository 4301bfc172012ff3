/* Batch engine, tallies and the acquisition's decay statistics (single rank). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "engine/acquisition.h"
#include "engine/engine.h"
#include "engine/tally.h"
#include "physics/nuclide.h"

/* A batch that records which substream it got: its first output, per batch. */
typedef struct probe {
    size_t id;
} probe;

static mist_status first_output(void *ctx, uint64_t batch, mist_rng *rng, mist_tallies *t,
                                double *work, mist_error *err)
{
    probe *p = ctx;
    mist_tally_data(t, p->id)[batch] = mist_rng_u32(rng);
    *work = 1;
    (void)err;
    return MIST_OK;
}

Test(engine, batch_b_uses_substream_b)
{
    mist_tallies t;
    memset(&t, 0, sizeof t);
    mist_error err;
    probe p;
    uint64_t n = 37;
    cr_assert_eq(mist_tallies_declare(&t, "/x", "1", 1, &n, &p.id, &err), MIST_OK);
    cr_assert_eq(mist_tallies_alloc(&t, &err), MIST_OK);
    mist_engine_opts o = {.seed = 5, .n_batches = n, .quiet = 1, .label = "t", .unit = "b"};
    mist_engine_stats s;
    cr_assert_eq(mist_engine_run(&o, first_output, &p, &t, &s, &err), MIST_OK);
    cr_expect_eq(s.batches_local, n);
    cr_expect_float_eq(s.work_total, (double)n, 0);
    for (uint64_t b = 0; b < n; b++) {
        mist_rng r = mist_rng_substream(5, b);
        cr_expect_eq(mist_tally_data(&t, p.id)[b], mist_rng_u32(&r), "batch %llu",
                     (unsigned long long)b);
    }
    mist_tallies_free(&t);
}

static mist_status failing(void *ctx, uint64_t batch, mist_rng *rng, mist_tallies *t,
                           double *work, mist_error *err)
{
    (void)ctx, (void)rng, (void)t, (void)work;
    if (batch == 3)
        return mist_error_set(err, MIST_ERR_INTERNAL, "batch %llu broke",
                              (unsigned long long)batch);
    return MIST_OK;
}

Test(engine, a_failing_batch_stops_the_run_with_its_message)
{
    mist_tallies t;
    memset(&t, 0, sizeof t);
    mist_error err;
    cr_assert_eq(mist_tallies_alloc(&t, &err), MIST_OK);
    mist_engine_opts o = {.seed = 1, .n_batches = 10, .quiet = 1, .label = "t", .unit = "b"};
    cr_expect_eq(mist_engine_run(&o, failing, NULL, &t, NULL, &err), MIST_ERR_INTERNAL);
    cr_expect_str_eq(err.msg, "batch 3 broke");
    mist_tallies_free(&t);
}

Test(tally, layout_and_sum)
{
    mist_tallies t;
    memset(&t, 0, sizeof t);
    mist_error err;
    size_t a, b;
    uint64_t d1[1] = {3}, d2[2] = {2, 5};
    cr_assert_eq(mist_tallies_declare(&t, "/a", "counts", 1, d1, &a, &err), MIST_OK);
    cr_assert_eq(mist_tallies_declare(&t, "/b", "counts", 2, d2, &b, &err), MIST_OK);
    cr_expect_eq(t.len, 13);
    cr_assert_eq(mist_tallies_alloc(&t, &err), MIST_OK);
    cr_expect_eq(mist_tallies_declare(&t, "/c", "x", 1, d1, &b, &err), MIST_ERR_INTERNAL);
    mist_tally_data(&t, b)[9] = 4;
    mist_tally_data(&t, a)[2] = 1;
    cr_expect_eq(mist_tally_sum(&t, b), 4);
    cr_expect_eq(mist_tally_sum(&t, a), 1);
    cr_expect_eq(t.data[3 + 9], 4);
    mist_tallies_free(&t);
}

/* A sparse array against a dense one fed the same adds: same counts, sums and non-zero
 * pairs while a table (which grows several times), and after turning dense on its own
 * (past half the dense size) or on request; cleared to zero. */
Test(tally, sparse_matches_dense)
{
    mist_tallies t;
    memset(&t, 0, sizeof t);
    mist_error err;
    size_t s, d;
    const uint64_t dims[2] = {300, 700}; /* 210000 bins: dense past 52500 bins held */
    cr_assert_eq(mist_tallies_declare_sparse(&t, "/s", "counts", 2, dims, &s, &err), MIST_OK);
    cr_assert_eq(mist_tallies_declare(&t, "/d", "counts", 2, dims, &d, &err), MIST_OK);
    cr_expect_eq(t.len, 210000, "sparse arrays take no room in the dense buffer");
    cr_assert_eq(mist_tallies_alloc(&t, &err), MIST_OK);
    cr_expect_null(mist_tally_data(&t, s));
    mist_rng rng = mist_rng_substream(5u, 0);
    int was_table = 0;
    for (int round = 0; round < 2; round++) {
        for (int k = 0; k < 120000; k++) {
            /* first repeated bins (a table), then bins all over (dense past 32768 held) */
            size_t i = k < 20000 ? (size_t)(mist_rng_u32(&rng) % 5000u) * 41u
                                 : (size_t)(mist_rng_u32(&rng) % 210000u);
            uint64_t n = 1 + mist_rng_u32(&rng) % 3u;
            cr_assert_eq(mist_tally_add(&t, s, i, n, &err), MIST_OK);
            mist_tally_data(&t, d)[i] += n;
            if (k == 20000) {
                if (round == 0) /* the second round is dense all along */
                    was_table = t.arrays[s].slots != NULL && t.arrays[s].cap > 4096;
                uint64_t *p = NULL, *q = NULL;
                size_t np = 0, nq = 0;
                cr_assert_eq(mist_tally_nonzero(&t, s, &p, &np, &err), MIST_OK);
                cr_assert_eq(mist_tally_nonzero(&t, d, &q, &nq, &err), MIST_OK);
                cr_expect_eq(np, nq);
                cr_expect(np == nq && !memcmp(p, q, 2 * np * sizeof *p), "same sorted pairs");
                free(p);
                free(q);
            }
        }
        cr_expect(was_table, "a grown table before turning dense");
        cr_expect_not_null(mist_tally_data(&t, s), "dense past half the dense size");
        cr_expect_eq(mist_tally_sum(&t, s), mist_tally_sum(&t, d));
        for (size_t i = 0; i < 210000; i += 97)
            cr_expect_eq(mist_tally_get(&t, s, i), mist_tally_data(&t, d)[i]);
        mist_tallies_clear(&t);
        cr_expect_eq(mist_tally_sum(&t, s), 0);
        cr_expect_eq(mist_tally_sum(&t, d), 0);
    }
    mist_tallies_free(&t);

    /* On request, and a small array dense from the start. */
    memset(&t, 0, sizeof t);
    const uint64_t small[1] = {100};
    size_t a;
    cr_assert_eq(mist_tallies_declare_sparse(&t, "/s", "counts", 2, dims, &s, &err), MIST_OK);
    cr_assert_eq(mist_tallies_declare_sparse(&t, "/a", "counts", 1, small, &a, &err), MIST_OK);
    cr_assert_eq(mist_tallies_alloc(&t, &err), MIST_OK);
    cr_expect_not_null(mist_tally_data(&t, a));
    cr_assert_eq(mist_tally_add(&t, s, 209999, 7, &err), MIST_OK);
    cr_assert_eq(mist_tally_add(&t, s, 0, 2, &err), MIST_OK);
    cr_assert_eq(mist_tally_add(&t, s, 0, 1, &err), MIST_OK);
    cr_expect_eq(mist_tally_get(&t, s, 0), 3);
    cr_expect_eq(mist_tally_get(&t, s, 1), 0);
    cr_expect_eq(t.arrays[s].nnz, 2);
    cr_assert_eq(mist_tallies_densify(&t, s, &err), MIST_OK);
    const uint64_t *v = mist_tally_data(&t, s);
    cr_assert_not_null(v);
    cr_expect(v[0] == 3 && v[209999] == 7 && v[1] == 0);
    cr_expect_eq(mist_tally_sum(&t, s), 10);
    mist_tallies_free(&t);
}

/* Expected decays: exact integral of A0 exp(-lambda t) over the frame. */
Test(acquisition, expected_decays_are_the_exact_integral)
{
    mist_tallies t;
    memset(&t, 0, sizeof t);
    mist_acquisition a;
    mist_error err;
    const mist_nuclide *f18 = mist_nuclide_find("F-18");
    cr_assert_not_null(f18);
    const double T = 109.77 * 60.0; /* F-18 half-life (NNDC), independent of the table */
    cr_assert_eq(mist_acquisition_init(&a, f18, 1e6, 3600, 600, 0.5, 8, 1, &t, &err), MIST_OK);
    double lambda = log(2.0) / T;
    double exact = 1e6 / lambda * (exp(-lambda * 3600) - exp(-lambda * 4200));
    cr_expect_float_eq(mist_acquisition_expected(&a, 3600, 4200), exact, 1e-9 * exact);
    /* Simulated fraction 0.5: batch b holds the first half of its 75 s slice. */
    double sum = 0, t_a, t_b;
    for (int b = 0; b < 8; b++) {
        mist_acquisition_window(&a, (uint64_t)b, &t_a, &t_b);
        cr_expect_float_eq(t_a, 3600 + 75.0 * b, 1e-9);
        cr_expect_float_eq(t_b, 3600 + 75.0 * b + 37.5, 1e-9);
        sum += 1e6 / lambda * (exp(-lambda * t_a) - exp(-lambda * t_b));
    }
    cr_expect_float_eq(mist_acquisition_expected_total(&a), sum, 1e-9 * sum);
    /* Half of the time at full activity: a bit more than half the decays of the frame. */
    cr_expect(sum > 0.5 * exact && sum < 0.51 * exact, "sum %g exact %g", sum, exact);
    /* A long-lived nuclide in a short frame keeps its precision (expm1):
     * I-125 (59.4 d) over 1 ms gives 1e6 Bq x 1e-3 s = 1000 decays to 1e-9. */
    cr_assert_eq(mist_acquisition_init(&a, mist_nuclide_find("I-125"), 1e6, 0, 1e-3, 1, 1, 1e-3,
                                       &t, &err), MIST_OK);
    cr_expect_float_eq(mist_acquisition_expected(&a, 0, 1e-3), 1e3, 1e-6);
    mist_tallies_free(&t);
}

Test(acquisition, decay_counts_and_times_follow_the_decay_law)
{
    mist_tallies t;
    memset(&t, 0, sizeof t);
    mist_acquisition a;
    mist_error err;
    /* C-11 (20.4 min) over 3 half-lives in 30 batches and 30 histogram bins:
     * ~2e6 decays (A0 / lambda x 7/8). */
    const mist_nuclide *c11 = mist_nuclide_find("C-11");
    const double T = c11->half_life_s;
    cr_assert_eq(mist_acquisition_init(&a, c11, 1200.0, 0, 3 * T, 1.0, 30, T / 10, &t, &err),
                 MIST_OK);
    cr_assert_eq(mist_tallies_alloc(&t, &err), MIST_OK);
    for (uint64_t b = 0; b < 30; b++) {
        mist_rng r = mist_rng_substream(11, b);
        double w;
        cr_assert_eq(mist_acquisition_batch(&a, b, &r, &t, &w, &err), MIST_OK);
    }
    double mu = mist_acquisition_expected(&a, 0, 3 * T);
    double n = (double)mist_tally_sum(&t, a.id_batch);
    cr_expect_lt(fabs(n - mu), 4 * sqrt(mu), "n %g mu %g", n, mu);
    cr_expect_eq(mist_tally_sum(&t, a.id_hist), (uint64_t)n);
    /* Histogram bins against the law (chi-square, 29 dof, 4 sigma). */
    const uint64_t *h = mist_tally_data(&t, a.id_hist);
    double chi2 = 0;
    for (int i = 0; i < 30; i++) {
        double e = mist_acquisition_expected(&a, T / 10 * i, T / 10 * (i + 1));
        chi2 += (h[i] - e) * (h[i] - e) / e;
    }
    cr_expect_lt(chi2, 30 + 4 * sqrt(60.0), "chi2 %g", chi2);
    mist_tallies_free(&t);
}
