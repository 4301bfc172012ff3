#include "engine/validate.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/rng.h"
#include "engine/acquisition.h"
#include "engine/tally.h"
#include "par/mpi_env.h"
#include "engine/validate_pet.h"
#include "engine/validate_spect.h"
#include "physics/validate_physics.h"

static mist_status check_rng(mist_validation *v, mist_error *err)
{
    /* pcg32-demo, seed 42 stream 54 (O'Neill 2014; ../shared/reference/physics-data.md). */
    const uint32_t expect[6] = {0xa15c02b7u, 0x7b47f409u, 0xba1d3330u,
                                0x83d2f293u, 0xbfa4784bu, 0xcbed606eu};
    mist_rng r;
    mist_rng_seed(&r, 42u, 54u);
    int match = 0;
    for (int i = 0; i < 6; i++)
        match += mist_rng_u32(&r) == expect[i];
    mist_status st = mist_validation_add(v, "rng", "pcg32 outputs matching the published vector",
                                         "pcg32-demo (seed 42, stream 54)", 6, match, 0, 0, err);
    if (st)
        return st;
    mist_rng a, b;
    mist_rng_seed(&a, 42u, 54u);
    b = a;
    for (int i = 0; i < 100000; i++)
        (void)mist_rng_u32(&a);
    mist_rng_advance(&b, 100000);
    return mist_validation_add(v, "rng", "jump-ahead 1e5 steps equals stepping (state match)",
                               "Brown 1994", 1, a.state == b.state, 0, 0, err);
}

/* Decays in a Ga-68 frame against the exact decay law (ln 2 / T, Poisson counts). */
static mist_status check_decay(int quick, mist_validation *v, mist_error *err)
{
    mist_tallies t;
    memset(&t, 0, sizeof t);
    mist_acquisition a;
    /* Ga-68 over one half-life of frame time: the exponential shape is obvious. */
    const mist_nuclide *ga68 = mist_nuclide_find("Ga-68");
    if (!ga68)
        return mist_error_set(err, MIST_ERR_INTERNAL, "Ga-68 missing from the nuclide library");
    const double half_life_s = ga68->half_life_s;
    double target = quick ? 2.0e5 : 2.0e6;
    double a0 = target / (half_life_s / log(2.0) * 0.5);
    mist_status st = mist_acquisition_init(&a, ga68, a0, 0.0, half_life_s, 1.0, 16,
                                           half_life_s / 20.0, &t, err);
    if (!st)
        st = mist_tallies_alloc(&t, err);
    for (uint64_t b = 0; !st && b < a.n_batches; b++) {
        mist_rng rng = mist_rng_substream(20261127u, b);
        double work;
        st = mist_acquisition_batch(&a, b, &rng, &t, &work, err);
    }
    if (st) {
        mist_tallies_free(&t);
        return st;
    }
    double mu = mist_acquisition_expected(&a, 0.0, half_life_s);
    double n = (double)mist_tally_sum(&t, a.id_batch);
    st = mist_validation_add(v, "decay", "decays in one half-life frame (Poisson mean)",
                             "A0/lambda (1 - e^-lambda T)", mu, n, sqrt(mu), 4.0, err);
    /* The first half of the frame holds (1 - 2^-1/2) / (1 - 2^-1) of the decays. */
    const uint64_t *h = mist_tally_data(&t, a.id_hist);
    double first = 0;
    for (uint64_t i = 0; i < a.n_bins / 2; i++)
        first += (double)h[i];
    double p = (1.0 - pow(2.0, -0.5)) / 0.5;
    if (!st)
        st = mist_validation_add(v, "decay", "share of a frame's decays in its first half",
                                 "exponential decay law", p, first / n, sqrt(p * (1 - p) / n), 4.0,
                                 err);
    /* Chi-square of the 20-bin time histogram against the decay law, as a z-score. */
    double chi2 = 0.0;
    for (uint64_t i = 0; i < a.n_bins; i++) {
        double e = n * (pow(2.0, -(double)i / 20.0) - pow(2.0, -(double)(i + 1) / 20.0)) / 0.5;
        chi2 += ((double)h[i] - e) * ((double)h[i] - e) / e;
    }
    double dof = (double)a.n_bins - 1.0;
    if (!st)
        st = mist_validation_add(v, "decay", "decay-time histogram chi-square (20 bins)",
                                 "exponential decay law", dof, chi2, sqrt(2.0 * dof), 4.0, err);
    mist_tallies_free(&t);
    if (st)
        return st;

    /* A simulated fraction of 5%: 40 windows of full activity, 5% of each slice. */
    memset(&t, 0, sizeof t);
    st = mist_acquisition_init(&a, ga68, a0 * 20.0, 0.0, half_life_s, 0.05, 40, half_life_s, &t,
                               err);
    if (!st)
        st = mist_tallies_alloc(&t, err);
    for (uint64_t b = 0; !st && b < a.n_batches; b++) {
        mist_rng rng = mist_rng_substream(20261128u, b);
        double work;
        st = mist_acquisition_batch(&a, b, &rng, &t, &work, err);
    }
    if (!st) {
        /* Window b: [b T/40, b T/40 + 0.05 T/40) at full activity, summed analytically. */
        double lambda = log(2.0) / half_life_s, exact = 0.0;
        for (int b = 0; b < 40; b++)
            exact += a0 * 20.0 / lambda *
                     (exp(-lambda * half_life_s * b / 40.0) -
                      exp(-lambda * half_life_s * (b + 0.05) / 40.0));
        double got = (double)mist_tally_sum(&t, a.id_batch);
        st = mist_validation_add(v, "decay", "decays in 40 windows of 5% of each slice",
                                 "sum of exact window integrals", exact, got, sqrt(exact), 4.0,
                                 err);
    }
    mist_tallies_free(&t);
    return st;
}

mist_status mist_validate_foundation(int quick, mist_validation *v, mist_error *err)
{
    mist_status st = check_rng(v, err);
    return st ? st : check_decay(quick, v, err);
}

static void print_table(const mist_validation *v)
{
    printf("%-7s %-72s %12s %12s %10s  %s\n", "group", "quantity", "expected", "simulated",
           "deviation", "result");
    for (size_t i = 0; i < v->n; i++) {
        const mist_validation_row *r = &v->rows[i];
        char dev[32];
        if (r->sigma > 0)
            snprintf(dev, sizeof dev, "%+.2f sd", r->deviation);
        else
            snprintf(dev, sizeof dev, "%+.2f%%", 100.0 * r->deviation);
        printf("%-7s %-72.72s %12.6g %12.6g %10s  %s\n", r->group, r->quantity, r->expected,
               r->simulated, dev, r->pass ? "pass" : "FAIL");
    }
    printf("%zu checks, %zu passed, %zu failed\n", v->n, v->n - mist_validation_failures(v),
           mist_validation_failures(v));
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        putchar(*s);
    }
    putchar('"');
}

static void print_json(const mist_validation *v)
{
    printf("{\"checks\": [");
    for (size_t i = 0; i < v->n; i++) {
        const mist_validation_row *r = &v->rows[i];
        printf("%s\n  {\"group\": ", i ? "," : "");
        json_str(r->group);
        printf(", \"quantity\": ");
        json_str(r->quantity);
        printf(", \"source\": ");
        json_str(r->source);
        printf(", \"expected\": %.17g, \"simulated\": %.17g, \"sigma\": %.17g, "
               "\"deviation\": %.17g, \"deviation_unit\": \"%s\", \"tolerance\": %g, \"pass\": %s}",
               r->expected, r->simulated, r->sigma, r->deviation, r->sigma > 0 ? "sigma" : "relative",
               r->tolerance, r->pass ? "true" : "false");
    }
    printf("\n], \"passed\": %zu, \"failed\": %zu}\n", v->n - mist_validation_failures(v),
           mist_validation_failures(v));
}

int mist_validate_command(int quick, int json)
{
    if (mist_mpi_world().rank != 0)
        return 0;
    mist_validation v = {0};
    mist_error err;
    mist_status st = mist_validate_foundation(quick, &v, &err);
    if (!st)
        st = mist_validate_physics(quick, &v, &err);
    if (!st)
        st = mist_validate_pet(quick, &v, &err);
    if (!st)
        st = mist_validate_spect(quick, &v, &err);
    if (st) {
        fprintf(stderr, "mist validate: %s: %s\n", mist_status_name(st), err.msg);
        mist_validation_free(&v);
        return mist_status_exit_code(st);
    }
    if (json)
        print_json(&v);
    else
        print_table(&v);
    int code = mist_validation_failures(&v) ? 1 : 0;
    mist_validation_free(&v);
    return code;
}
