#include "recon/bench_recon.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "recon/osem.h"
#include "recon/pet_lor.h"
#include "recon/pet_recon.h"

typedef struct bench_timing {
    double t[64];
    int last;
} bench_timing;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void on_iteration(void *ctx, int it, const float *img)
{
    bench_timing *t = ctx;
    if (it < 64) {
        t->t[it] = now_s();
        t->last = it;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

mist_status mist_bench_recon_pet(const mist_sino_geom *g, double radius_mm, double pitch_mm,
                                 const mist_img_geom *img, size_t subsets, int iterations,
                                 mist_bench_recon_result *res, mist_error *err)
{
    mist_pet_lors l;
    mist_status st = mist_pet_lors_init(&l, g, radius_mm, pitch_mm, err);
    if (st)
        return st;
    size_t nb = mist_pet_lors_count(&l), nv = mist_img_count(img);
    float *y = malloc(nb * sizeof *y), *x = malloc(nv * sizeof *x);
    mist_pet_recon r = {0};
    if (!y || !x)
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the recon benchmark");
    for (size_t i = 0; !st && i < nb; i++)
        y[i] = 1.0f;
    for (size_t i = 0; !st && i < nv; i++)
        x[i] = 1.0f;
    mist_pet_recon_input in = {
        .lors = &l, .img = *img, .prompts = y, .n_subsets = subsets, .rank = 0, .n_ranks = 1};
    if (!st)
        st = mist_pet_recon_init(&r, &in, err);
    free(y);
    bench_timing tm = {.last = -1};
    if (!st) {
        mist_osem_model m = mist_pet_recon_model(&r);
        if (iterations > 63)
            iterations = 63;
        st = mist_osem_run(&m, iterations, x, on_iteration, &tm, err);
    }
    if (!st && tm.last >= 1) {
        double dt[64];
        for (int i = 1; i <= tm.last; i++)
            dt[i - 1] = tm.t[i] - tm.t[i - 1];
        qsort(dt, (size_t)tm.last, sizeof dt[0], cmp_double);
        res->s_per_iteration = dt[tm.last / 2];
        res->bins = 0;
        for (size_t s = 0; s < r.n_subsets; s++)
            res->bins += r.subsets[s].n;
        /* bin index, y, m per bin (no additive term here; +4 bytes with one),
         * a sensitivity image per subset, the image, its back projection, the
         * back projection buffers of the chunks of rays (recon/pet_recon.h) and
         * the largest subset's projections. */
        double bytes = 12.0 * res->bins + (subsets + 2.0 + (double)r.n_chunk_bufs) * nv * 4.0 +
                       4.0 * (double)res->bins / subsets;
        res->memory_MiB = bytes / (1024.0 * 1024.0);
    }
    mist_pet_recon_free(&r);
    mist_pet_lors_free(&l);
    free(x);
    return st;
}

mist_status mist_bench_recon_pet_batched(const mist_sino_geom *g, double radius_mm,
                                         double pitch_mm, const mist_img_geom *img,
                                         size_t subsets, int rounds,
                                         mist_bench_recon_result *res, mist_error *err)
{
    mist_pet_lors l;
    mist_status st = mist_pet_lors_init(&l, g, radius_mm, pitch_mm, err);
    if (st)
        return st;
    const size_t K = MIST_PET_BATCH;
    size_t nb = mist_pet_lors_count(&l), nv = mist_img_count(img);
    float *y = malloc(nb * sizeof *y), *x = malloc(nv * K * sizeof *x);
    float *sens = malloc(nv * subsets * sizeof *sens);
    uint32_t *ord = NULL;
    mist_pet_recon r = {0};
    mist_pet_batch b = {0};
    if (!y || !x || !sens)
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the recon benchmark");
    for (size_t i = 0; !st && i < nb; i++)
        y[i] = 1.0f;
    mist_pet_recon_input in = {
        .lors = &l, .img = *img, .prompts = y, .n_subsets = subsets, .rank = 0, .n_ranks = 1};
    if (!st)
        st = mist_pet_recon_init(&r, &in, err);
    mist_osem_model m = mist_pet_recon_model(&r);
    if (!st)
        st = mist_osem_sensitivity(&m, sens, err);
    if (!st)
        st = mist_pet_batch_init(&b, &r, err);
    /* Every image: counts 1 to 3 on every ray, each walked in the model's order (dense). */
    size_t max_n = 1, entries = 0;
    for (size_t s = 0; !st && s < subsets; s++)
        max_n = r.subsets[s].n > max_n ? r.subsets[s].n : max_n;
    if (!st && !(ord = malloc(max_n * sizeof *ord)))
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the recon benchmark");
    for (size_t s = 0; !st && s < subsets; s++) {
        size_t n = r.subsets[s].n;
        for (size_t i = 0; i < n; i++)
            ord[i] = (uint32_t)i;
        for (size_t k = 0; k < K && !st; k++) {
            for (size_t i = 0; i < n; i++)
                y[i] = (float)(1 + (i * 7 + k) % 3);
            st = mist_pet_batch_add(&b, k, s, y, ord, n, err);
        }
        entries += b.walks[s].n;
    }
    double best[2] = {INFINITY, INFINITY};
    for (int rd = 0; rd < rounds && !st; rd++) {
        for (size_t j = 0; j < nv * K; j++)
            x[j] = 1.0f;
        double t0 = now_s();
        st = mist_osem_run_sens(&m, sens, 1, x, NULL, NULL, err);
        double t1 = now_s();
        if (!st)
            st = mist_pet_batch_osem(&b, sens, 1, K, x, err);
        double t2 = now_s();
        best[0] = t1 - t0 < best[0] ? t1 - t0 : best[0];
        best[1] = (t2 - t1) / (double)K < best[1] ? (t2 - t1) / (double)K : best[1];
    }
    if (!st) {
        res->s_per_iteration = best[1];
        res->s_single = best[0];
        res->bins = 0;
        for (size_t s = 0; s < r.n_subsets; s++)
            res->bins += r.subsets[s].n;
        double bytes = ((double)b.n_bufs + 2.0) * nv * K * 4.0 +
                       (double)res->bins * (4.0 * K + 4.0) + (double)entries * 20.0;
        res->memory_MiB = bytes / (1024.0 * 1024.0);
    }
    mist_pet_batch_free(&b);
    mist_pet_recon_free(&r);
    mist_pet_lors_free(&l);
    free(ord);
    free(sens);
    free(y);
    free(x);
    return st;
}
