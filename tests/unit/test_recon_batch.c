/* Batched OSEM (recon/pet_recon.h): K reconstructions of different data walked together
 * give, image by image, bit-identical results to mist_osem_run_sens of each alone, for
 * orders of the rays that agree, differ (shuffled, reversed) or leave rays out, with 1 and
 * 2 threads. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "recon/osem.h"
#include "recon/pet_lor.h"
#include "recon/pet_recon.h"

/* A small ring (192 crystals, R = 200 mm, 8 rings of 6 mm, span 3) and a 4 mm grid. */
typedef struct fixture {
    mist_sino_geom g;
    mist_pet_lors l;
    mist_img_geom img;
    mist_pet_recon r;
    float *ones, *add;
} fixture;

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

static void fixture_init(fixture *f, size_t subsets)
{
    mist_error err;
    cr_assert_eq(mist_sino_init(&f->g, 192, 8, 96, 3, 5, 200.0, &err), MIST_OK, "%s", err.msg);
    cr_assert_eq(mist_pet_lors_init(&f->l, &f->g, 200.0, 6.0, &err), MIST_OK, "%s", err.msg);
    f->img = (mist_img_geom){{40, 40, 8}, {4.0f, 4.0f, 6.0f}, {0}};
    for (int k = 0; k < 3; k++)
        f->img.origin_mm[k] = -0.5f * (f->img.n[k] - 1) * f->img.voxel_mm[k];
    size_t nb = mist_pet_lors_count(&f->l);
    f->ones = malloc(nb * sizeof *f->ones);
    f->add = malloc(nb * sizeof *f->add);
    for (size_t i = 0; i < nb; i++) {
        f->ones[i] = 1.0f;
        f->add[i] = 0.05f + 0.01f * (float)(i % 7);
    }
    mist_pet_recon_input in = {.lors = &f->l,
                               .img = f->img,
                               .prompts = f->ones,
                               .additive = f->add,
                               .n_subsets = subsets,
                               .rank = 0,
                               .n_ranks = 1};
    cr_assert_eq(mist_pet_recon_init(&f->r, &in, &err), MIST_OK, "%s", err.msg);
}

static void fixture_free(fixture *f)
{
    mist_pet_recon_free(&f->r);
    mist_pet_lors_free(&f->l);
    mist_sino_free(&f->g);
    free(f->ones);
    free(f->add);
}

/* Image k's counts on the subset's rays: 0 to 5, zero on a share that grows with k (image
 * 3: every ray has counts). */
static float counts(size_t k, size_t s, size_t i)
{
    uint64_t h = mix((k + 1) * 0x9e3779b97f4a7c15ULL ^ (s << 40) ^ i);
    if (k != 3 && h % 100 < 5 + 10 * k)
        return 0.0f;
    return (float)(1 + (h >> 8) % 5);
}

/* Image k's order of its rays with counts: ascending, shuffled (k = 1), reversed (k = 2), or
 * ascending with its second half first (k = 4). */
static int all_ascending; /* 1: every image's order ascending (as mist observe's) */

static size_t order_of(size_t k, const float *y, size_t n, uint32_t *ord)
{
    if (all_ascending)
        k = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (y[i] > 0)
            ord[m++] = (uint32_t)i;
    if (k == 1)
        for (size_t i = m; i > 1; i--) {
            size_t j = mix(i * 31 + 7) % i;
            uint32_t t = ord[i - 1];
            ord[i - 1] = ord[j];
            ord[j] = t;
        }
    else if (k == 2)
        for (size_t i = 0; i < m / 2; i++) {
            uint32_t t = ord[i];
            ord[i] = ord[m - 1 - i];
            ord[m - 1 - i] = t;
        }
    else if (k == 4) {
        uint32_t *t = malloc((m + 1) * sizeof *t);
        memcpy(t, ord + m / 2, (m - m / 2) * sizeof *t);
        memcpy(t + (m - m / 2), ord, (m / 2) * sizeof *t);
        memcpy(ord, t, m * sizeof *t);
        free(t);
    }
    return m;
}

/* The reference: image k alone, the model's subset arrays arranged so that its order comes
 * first (as mist observe arranges them), then restored. */
static void single(fixture *f, size_t k, const float *sens, int iterations, float *img)
{
    mist_pet_recon *r = &f->r;
    size_t nv = mist_img_count(&f->img);
    typedef struct saved {
        uint32_t *bin;
        float *y, *m, *a;
        size_t n_data;
    } saved;
    saved sv[8];
    cr_assert_leq(r->n_subsets, 8);
    for (size_t s = 0; s < r->n_subsets; s++) {
        mist_pet_subset *p = &r->subsets[s];
        sv[s] = (saved){p->bin, p->y, p->m, p->a, p->n_data};
        float *y = malloc(p->n * sizeof *y);
        uint32_t *ord = malloc(p->n * sizeof *ord);
        uint8_t *used = calloc(p->n, 1);
        for (size_t i = 0; i < p->n; i++)
            y[i] = counts(k, s, i);
        size_t m = order_of(k, y, p->n, ord);
        for (size_t i = 0; i < m; i++)
            used[ord[i]] = 1;
        for (size_t i = 0, j = m; i < p->n; i++)
            if (!used[i])
                ord[j++] = (uint32_t)i;
        p->bin = malloc(p->n * sizeof *p->bin);
        p->y = malloc(p->n * sizeof *p->y);
        p->m = malloc(p->n * sizeof *p->m);
        p->a = malloc(p->n * sizeof *p->a);
        for (size_t i = 0; i < p->n; i++) {
            p->bin[i] = sv[s].bin[ord[i]];
            p->y[i] = y[ord[i]];
            p->m[i] = sv[s].m[ord[i]];
            p->a[i] = sv[s].a[ord[i]];
        }
        p->n_data = m;
        free(y);
        free(ord);
        free(used);
    }
    for (size_t j = 0; j < nv; j++)
        img[j] = 1.0f;
    mist_osem_model model = mist_pet_recon_model(r);
    mist_error err;
    cr_assert_eq(mist_osem_run_sens(&model, sens, iterations, img, NULL, NULL, &err), MIST_OK,
                 "%s", err.msg);
    for (size_t s = 0; s < r->n_subsets; s++) {
        mist_pet_subset *p = &r->subsets[s];
        free(p->bin);
        free(p->y);
        free(p->m);
        free(p->a);
        p->bin = sv[s].bin;
        p->y = sv[s].y;
        p->m = sv[s].m;
        p->a = sv[s].a;
        p->n_data = sv[s].n_data;
    }
}

static void batched(fixture *f, mist_pet_batch *b, size_t n_img, const float *sens,
                    int iterations, float *img)
{
    mist_pet_recon *r = &f->r;
    mist_error err;
    for (size_t k = 0; k < n_img; k++)
        for (size_t s = 0; s < r->n_subsets; s++) {
            const mist_pet_subset *p = &r->subsets[s];
            float *y = malloc(p->n * sizeof *y);
            uint32_t *ord = malloc(p->n * sizeof *ord);
            for (size_t i = 0; i < p->n; i++)
                y[i] = counts(k, s, i);
            size_t m = order_of(k, y, p->n, ord);
            cr_assert_eq(mist_pet_batch_add(b, k, s, y, ord, m, &err), MIST_OK, "%s", err.msg);
            free(y);
            free(ord);
        }
    size_t nv = mist_img_count(&f->img);
    for (size_t j = 0; j < n_img * nv; j++)
        img[j] = 1.0f;
    cr_assert_eq(mist_pet_batch_osem(b, sens, iterations, n_img, img, &err), MIST_OK, "%s",
                 err.msg);
}

static void check(size_t subsets, size_t n_img)
{
    fixture f;
    fixture_init(&f, subsets);
    size_t nv = mist_img_count(&f.img);
    /* enough rays per subset for several chunks of the back projection */
    cr_assert_gt(f.r.subsets[0].n, 2 * 8192);
    mist_osem_model model = mist_pet_recon_model(&f.r);
    float *sens = malloc(subsets * nv * sizeof *sens);
    mist_error err;
    cr_assert_eq(mist_osem_sensitivity(&model, sens, &err), MIST_OK, "%s", err.msg);
    float *ref = malloc(n_img * nv * sizeof *ref), *out = malloc(n_img * nv * sizeof *out);
    for (size_t k = 0; k < n_img; k++)
        single(&f, k, sens, 2, ref + k * nv);
    mist_pet_batch b;
    cr_assert_eq(mist_pet_batch_init(&b, &f.r, &err), MIST_OK, "%s", err.msg);
    for (int threads = 1; threads <= 2; threads++) {
#ifdef _OPENMP
        omp_set_num_threads(threads);
#endif
        memset(out, 0, n_img * nv * sizeof *out);
        batched(&f, &b, n_img, sens, 2, out);
        for (size_t k = 0; k < n_img; k++) {
            double sum = 0;
            for (size_t j = 0; j < nv; j++)
                sum += out[k * nv + j];
            cr_assert_gt(sum, 0.0, "image %zu is empty", k);
            cr_assert(memcmp(ref + k * nv, out + k * nv, nv * sizeof *out) == 0,
                      "%zu subsets, %d threads: image %zu of %zu differs from its single "
                      "reconstruction",
                      subsets, threads, k, n_img);
        }
        /* ascending orders merge into the union of the images' rays, each once */
        for (size_t s = 0; all_ascending && s < subsets; s++)
            cr_assert_leq(b.walks[s].n, f.r.subsets[s].n);
        cr_log_info("%zu subsets, %zu images: subset 0 walks %zu entries for %zu rays",
                    subsets, n_img, b.walks[0].n, f.r.subsets[0].n);
    }
    mist_pet_batch_free(&b);
    free(ref);
    free(out);
    free(sens);
    fixture_free(&f);
}

Test(pet_batch, images_equal_their_single_reconstructions)
{
    check(2, MIST_PET_BATCH);
}

Test(pet_batch, a_partial_batch_and_one_subset_equal_their_single_reconstructions)
{
    check(1, 3);
}

Test(pet_batch, ascending_orders_walk_each_ray_once)
{
    all_ascending = 1;
    check(2, MIST_PET_BATCH);
    all_ascending = 0;
}

Test(pet_batch, refuses_a_psf_model)
{
    fixture f;
    fixture_init(&f, 1);
    f.r.psf_fwhm_mm = 3.0;
    mist_pet_batch b;
    mist_error err;
    cr_assert_eq(mist_pet_batch_supported(&f.r), 0);
    cr_assert_neq(mist_pet_batch_init(&b, &f.r, &err), MIST_OK);
    f.r.psf_fwhm_mm = 0;
    fixture_free(&f);
}
