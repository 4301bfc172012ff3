/* PET system model: LOR ends against crystal positions, adjointness of the
 * model's projectors, the MPI split of the rays, and noiseless MLEM/OSEM of
 * a uniform water cylinder with attenuation (and with an additive
 * background) recovering the true activity. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/rng.h"
#include "recon/filter.h"
#include "recon/osem.h"
#include "recon/pet_lor.h"
#include "recon/pet_recon.h"

#define PI 3.14159265358979323846

Test(pet_lor, ends_are_the_crystals_of_the_bin)
{
    /* Span 1: each bin is one crystal pair; its first end must be the first
     * crystal in the LOR order and its second the other one. */
    const uint32_t n = 32, rings = 4;
    const double R = 150.0, pitch = 5.0;
    mist_sino_geom g;
    mist_error err;
    cr_assert_eq(mist_sino_init(&g, n, rings, 24, 1, 3, R, &err), MIST_OK, "%s", err.msg);
    mist_pet_lors l;
    cr_assert_eq(mist_pet_lors_init(&l, &g, R, pitch, &err), MIST_OK, "%s", err.msg);
    size_t checked = 0;
    for (uint32_t ca = 0; ca < n * rings; ca++) {
        for (uint32_t cb = 0; cb < n * rings; cb++) {
            int64_t b = mist_sino_bin(&g, ca, cb);
            if (b < 0)
                continue;
            uint32_t f = mist_sino_a_first(&g, ca, cb) ? ca : cb, s = f == ca ? cb : ca;
            float p1[3], p2[3];
            mist_pet_lor_ends(&l, (size_t)b, p1, p2);
            const uint32_t c[2] = {f, s};
            const float *p[2] = {p1, p2};
            for (int e = 0; e < 2; e++) {
                double th = 2 * PI * (c[e] % n) / n,
                       z = (c[e] / n + 0.5) * pitch - 0.5 * rings * pitch;
                cr_assert_float_eq(p[e][0], R * cos(th), 1e-3, "pair %u %u end %d", ca, cb, e);
                cr_assert_float_eq(p[e][1], R * sin(th), 1e-3, "pair %u %u end %d", ca, cb, e);
                cr_assert_float_eq(p[e][2], z, 1e-4, "pair %u %u end %d", ca, cb, e);
            }
            checked++;
        }
    }
    cr_assert_gt(checked, 1000);
    mist_pet_lors_free(&l);
    mist_sino_free(&g);
}

/* A small ring (192 crystals, R = 200 mm, 8 rings of 6 mm, span 3) and a
 * 4 mm image grid around a 120 mm water cylinder. */
typedef struct fixture {
    mist_sino_geom g;
    mist_pet_lors l;
    mist_img_geom img;
    float *x, *mu; /* true activity, mu [1/mm] */
} fixture;

static void fixture_init(fixture *f)
{
    mist_error err;
    cr_assert_eq(mist_sino_init(&f->g, 192, 8, 96, 3, 5, 200.0, &err), MIST_OK, "%s", err.msg);
    cr_assert_eq(mist_pet_lors_init(&f->l, &f->g, 200.0, 6.0, &err), MIST_OK, "%s", err.msg);
    f->img = (mist_img_geom){{40, 40, 8}, {4.0f, 4.0f, 6.0f}, {0}};
    for (int k = 0; k < 3; k++)
        f->img.origin_mm[k] = -0.5f * (f->img.n[k] - 1) * f->img.voxel_mm[k];
    size_t nv = mist_img_count(&f->img);
    f->x = calloc(nv, sizeof *f->x);
    f->mu = calloc(nv, sizeof *f->mu);
    for (int k = 0; k < 8; k++)
        for (int j = 0; j < 40; j++)
            for (int i = 0; i < 40; i++) {
                float x = f->img.origin_mm[0] + 4.0f * i, y = f->img.origin_mm[1] + 4.0f * j;
                if (x * x + y * y <= 60.0f * 60.0f) {
                    f->x[(k * 40 + j) * 40 + i] = 5.0f;
                    f->mu[(k * 40 + j) * 40 + i] = 0.0096f; /* water at 511 keV [1/mm] */
                }
            }
}

static void fixture_free(fixture *f)
{
    mist_pet_lors_free(&f->l);
    mist_sino_free(&f->g);
    free(f->x);
    free(f->mu);
}

/* Mean of the true and the reconstructed image over the central ROI:
 * radius 40 mm, the 4 central slices. */
static void roi_means(const fixture *f, const float *img, double *truth, double *recon)
{
    double st = 0, sr = 0;
    size_t n = 0;
    for (int k = 2; k < 6; k++)
        for (int j = 0; j < 40; j++)
            for (int i = 0; i < 40; i++) {
                float x = f->img.origin_mm[0] + 4.0f * i, y = f->img.origin_mm[1] + 4.0f * j;
                if (x * x + y * y > 40.0f * 40.0f)
                    continue;
                size_t v = ((size_t)k * 40 + j) * 40 + i;
                st += f->x[v];
                sr += img[v];
                n++;
            }
    *truth = st / n;
    *recon = sr / n;
}

static void check_model_adjoint(double psf_fwhm_mm)
{
    fixture f;
    fixture_init(&f);
    size_t nb = mist_pet_lors_count(&f.l), nv = mist_img_count(&f.img);
    float *ones = malloc(nb * sizeof *ones);
    for (size_t i = 0; i < nb; i++)
        ones[i] = 1.0f;
    mist_pet_recon r;
    mist_error err;
    mist_pet_recon_input in = {.lors = &f.l,
                               .img = f.img,
                               .prompts = ones,
                               .mu_mm = f.mu,
                               .psf_fwhm_mm = psf_fwhm_mm,
                               .n_subsets = 4,
                               .rank = 0,
                               .n_ranks = 1};
    cr_assert_eq(mist_pet_recon_init(&r, &in, &err), MIST_OK, "%s", err.msg);
    mist_osem_model m = mist_pet_recon_model(&r);
    mist_rng rng;
    mist_rng_seed(&rng, 99, 1);
    float *x = malloc(nv * sizeof *x), *bp = calloc(nv, sizeof *bp);
    for (size_t i = 0; i < nv; i++)
        x[i] = (float)mist_rng_uniform(&rng);
    for (size_t s = 0; s < m.n_subsets; s++) {
        mist_osem_subset sub = m.subset(m.ctx, s);
        cr_assert_gt(sub.n, 1000);
        float *ax = malloc(sub.n * sizeof *ax), *y = malloc(sub.n * sizeof *y);
        for (size_t i = 0; i < sub.n; i++)
            y[i] = (float)mist_rng_uniform(&rng);
        m.fwd(m.ctx, s, sub.n, x, ax);
        for (size_t i = 0; i < nv; i++)
            bp[i] = 0;
        m.back(m.ctx, s, sub.n, y, bp);
        double lhs = 0, rhs = 0;
        for (size_t i = 0; i < sub.n; i++)
            lhs += (double)ax[i] * y[i];
        for (size_t i = 0; i < nv; i++)
            rhs += (double)x[i] * bp[i];
        cr_log_info("PSF %g mm, subset %zu: relative adjointness error %.2e", psf_fwhm_mm, s,
                    fabs(lhs - rhs) / lhs);
        cr_assert_lt(fabs(lhs - rhs) / lhs, 1e-5, "subset %zu: %.9g vs %.9g", s, lhs, rhs);
        /* Attenuation factors lie in (0, 1] times the ring-pair weight. */
        for (size_t i = 0; i < sub.n; i++)
            cr_assert(sub.m[i] > 0 && sub.m[i] <= 3.0f + 1e-6f);
        free(ax);
        free(y);
    }
    mist_pet_recon_free(&r);
    free(ones);
    free(x);
    free(bp);
    fixture_free(&f);
}

Test(pet_recon, model_projectors_are_adjoint)
{
    check_model_adjoint(0.0);
}

Test(pet_recon, psf_model_projectors_are_adjoint)
{
    check_model_adjoint(7.0); /* blur wider than a voxel, reaching the image edges */
}

Test(pet_recon, ranks_share_the_rays_of_each_subset)
{
    /* Two ranks' shares are disjoint, cover the one-rank set, and their back
     * projections add up to the one-rank back projection.  Every third bin
     * has no counts. */
    fixture f;
    fixture_init(&f);
    size_t nb = mist_pet_lors_count(&f.l), nv = mist_img_count(&f.img);
    float *ones = malloc(nb * sizeof *ones);
    int *seen = calloc(nb, sizeof *seen);
    for (size_t i = 0; i < nb; i++)
        ones[i] = i % 3 ? 1.0f : 0.0f;
    mist_error err;
    mist_pet_recon r1, r2[2];
    mist_pet_recon_input in = {
        .lors = &f.l, .img = f.img, .prompts = ones, .n_subsets = 3, .rank = 0, .n_ranks = 1};
    cr_assert_eq(mist_pet_recon_init(&r1, &in, &err), MIST_OK, "%s", err.msg);
    in.n_ranks = 2;
    for (int k = 0; k < 2; k++) {
        in.rank = k;
        cr_assert_eq(mist_pet_recon_init(&r2[k], &in, &err), MIST_OK, "%s", err.msg);
    }
    float *b1 = calloc(nv, sizeof *b1), *b2 = calloc(nv, sizeof *b2);
    for (size_t s = 0; s < 3; s++) {
        const mist_pet_subset *a = &r1.subsets[s], *p = &r2[0].subsets[s], *q = &r2[1].subsets[s];
        cr_assert_eq(p->n + q->n, a->n);
        cr_assert_eq(p->n_data + q->n_data, a->n_data);
        cr_assert(a->n_data > 0 && a->n_data < a->n);
        /* Every bin of the subset on exactly one rank; counts first on each. */
        for (size_t i = 0; i < a->n; i++)
            seen[a->bin[i]] += 1;
        for (int k = 0; k < 2; k++) {
            const mist_pet_subset *h = &r2[k].subsets[s];
            for (size_t i = 0; i < h->n; i++) {
                seen[h->bin[i]] -= 1;
                cr_assert_eq(h->y[i] > 0, i < h->n_data);
            }
        }
        for (size_t i = 0; i < nb; i++)
            cr_assert_eq(seen[i], 0, "bin %zu", i);
        mist_osem_model m1 = mist_pet_recon_model(&r1);
        m1.back(m1.ctx, s, a->n, a->m, b1);
        for (int k = 0; k < 2; k++) {
            mist_osem_model mk = mist_pet_recon_model(&r2[k]);
            mk.back(mk.ctx, s, r2[k].subsets[s].n, r2[k].subsets[s].m, b2);
        }
    }
    for (size_t i = 0; i < nv; i++)
        cr_assert_float_eq(b1[i], b2[i], 1e-5f * (1.0f + fabsf(b1[i])), "voxel %zu", i);
    mist_pet_recon_free(&r1);
    mist_pet_recon_free(&r2[0]);
    mist_pet_recon_free(&r2[1]);
    free(seen);
    free(ones);
    free(b1);
    free(b2);
    fixture_free(&f);
}

/* MLEM (2 iterations, 1 subset: 16 chunks of rays per back projection) of noiseless data
 * with `threads` threads (ignored without OpenMP); the image in out; fused = 0 runs OSEM's
 * three separate steps (forward, ratio, back) instead of the model's fused update. */
static void mlem_with_threads(const fixture *f, int threads, int fused, float *out)
{
#ifdef _OPENMP
    int before = omp_get_max_threads();
    omp_set_num_threads(threads);
#else
    (void)threads;
#endif
    size_t nb = mist_pet_lors_count(&f->l), nv = mist_img_count(&f->img);
    float *y = malloc(nb * sizeof *y);
    mist_pet_forward(&f->l, &f->img, f->x, f->mu, NULL, y);
    mist_pet_recon r;
    mist_error err;
    mist_pet_recon_input in = {.lors = &f->l, .img = f->img, .prompts = y, .mu_mm = f->mu,
                               .n_subsets = 1, .rank = 0, .n_ranks = 1};
    cr_assert_eq(mist_pet_recon_init(&r, &in, &err), MIST_OK, "%s", err.msg);
    cr_assert_gt(r.n_chunk_bufs, 2, "the back projection should be cut into chunks");
    mist_osem_model m = mist_pet_recon_model(&r);
    cr_assert_not_null(m.update);
    if (!fused)
        m.update = NULL;
    for (size_t i = 0; i < nv; i++)
        out[i] = 1.0f;
    cr_assert_eq(mist_osem_run(&m, 2, out, NULL, NULL, &err), MIST_OK, "%s", err.msg);
    mist_pet_recon_free(&r);
    free(y);
#ifdef _OPENMP
    omp_set_num_threads(before);
#endif
}

Test(pet_recon, image_is_the_same_for_any_thread_count)
{
    /* The rays are shared over threads, and the back projection's chunks are fixed by the
     * ray count alone: 1, 2 and 3 threads give bit-identical images, and so does OSEM's
     * forward - ratio - back sequence instead of the fused update. */
    fixture f;
    fixture_init(&f);
    size_t nv = mist_img_count(&f.img);
    float *a = malloc(nv * sizeof *a), *b = malloc(nv * sizeof *b);
    mlem_with_threads(&f, 1, 1, a);
    for (int t = 2; t <= 3; t++) {
        mlem_with_threads(&f, t, 1, b);
        cr_assert(memcmp(a, b, nv * sizeof *a) == 0, "%d threads: a different image", t);
    }
    /* The fused update gives the image of the three separate steps. */
    mlem_with_threads(&f, 2, 0, b);
    cr_assert(memcmp(a, b, nv * sizeof *a) == 0, "fused update: a different image");
    double sum = 0;
    for (size_t i = 0; i < nv; i++)
        sum += a[i];
    cr_assert_gt(sum, 0.0);
    free(a);
    free(b);
    fixture_free(&f);
}

/* Noiseless data from the model itself, reconstructed with it. */
static void reconstruct_cylinder_psf(size_t subsets, int iterations, float background, int att_corr,
                                     double psf_fwhm_mm, double *bias)
{
    fixture f;
    fixture_init(&f);
    size_t nb = mist_pet_lors_count(&f.l), nv = mist_img_count(&f.img);
    float *y = malloc(nb * sizeof *y), *a = NULL, *gx = malloc(nv * sizeof *gx);
    float line[64];
    for (size_t i = 0; i < nv; i++)
        gx[i] = f.x[i];
    mist_gauss_psf(&f.img, gx, line, psf_fwhm_mm); /* data through the same PSF model */
    mist_pet_forward(&f.l, &f.img, gx, f.mu, NULL, y);
    free(gx);
    if (background > 0) {
        a = malloc(nb * sizeof *a);
        for (size_t i = 0; i < nb; i++) {
            a[i] = background;
            y[i] += background;
        }
    }
    mist_error err;
    mist_pet_recon r;
    mist_pet_recon_input in = {.lors = &f.l,
                               .img = f.img,
                               .prompts = y,
                               .additive = a,
                               .mu_mm = att_corr ? f.mu : NULL,
                               .psf_fwhm_mm = psf_fwhm_mm,
                               .n_subsets = subsets,
                               .rank = 0,
                               .n_ranks = 1};
    cr_assert_eq(mist_pet_recon_init(&r, &in, &err), MIST_OK, "%s", err.msg);
    mist_osem_model m = mist_pet_recon_model(&r);
    float *img = malloc(nv * sizeof *img);
    for (size_t i = 0; i < nv; i++)
        img[i] = 1.0f;
    cr_assert_eq(mist_osem_run(&m, iterations, img, NULL, NULL, &err), MIST_OK, "%s", err.msg);
    double truth, rec;
    roi_means(&f, img, &truth, &rec);
    *bias = rec / truth - 1.0;
    cr_log_info("%zu subsets x %d iterations, PSF %g mm: central ROI %.5f vs truth %.5f (bias "
                "%+.4f)",
                subsets, iterations, psf_fwhm_mm, rec, truth, *bias);
    mist_pet_recon_free(&r);
    free(y);
    free(a);
    free(img);
    fixture_free(&f);
}

static void reconstruct_cylinder(size_t subsets, int iterations, float background, int att_corr,
                                 double *bias)
{
    reconstruct_cylinder_psf(subsets, iterations, background, att_corr, 0.0, bias);
}

Test(pet_recon, noiseless_osem_with_psf_recovers_a_uniform_cylinder)
{
    double bias;
    reconstruct_cylinder_psf(8, 6, 0.0f, 1, 7.0, &bias);
    cr_assert_lt(fabs(bias), 0.02, "central ROI bias %.4f", bias);
}

Test(pet_recon, noiseless_mlem_recovers_a_uniform_cylinder_with_attenuation)
{
    double bias;
    reconstruct_cylinder(1, 12, 0.0f, 1, &bias);
    cr_assert_lt(fabs(bias), 0.02, "central ROI bias %.4f", bias);
    /* Without attenuation correction the centre comes out far too low
     * (exp(-0.0096 * 120) = 0.32 through the centre). */
    reconstruct_cylinder(1, 12, 0.0f, 0, &bias);
    cr_assert_lt(bias, -0.4, "central ROI bias without attenuation correction %.4f", bias);
}

Test(pet_recon, noiseless_osem_with_background_recovers_a_uniform_cylinder)
{
    /* A flat background of ~20% of the mean true counts per bin, modelled as
     * known randoms + scatter. */
    double bias;
    reconstruct_cylinder(8, 6, 20.0f, 1, &bias);
    cr_assert_lt(fabs(bias), 0.02, "central ROI bias %.4f", bias);
}

Test(pet_recon, tof_model_is_adjoint_and_recovers_a_uniform_cylinder)
{
    /* 7 TOF bins of 40 mm, 60 mm FWHM kernel; noiseless TOF data with
     * attenuation, TOF OSEM. */
    fixture f;
    fixture_init(&f);
    mist_tof tof = {.n_tof = 7, .bin_mm = 40.0f, .sigma_mm = 60.0f / 2.3548f};
    size_t nb = mist_pet_lors_count(&f.l), nv = mist_img_count(&f.img);
    float *y = malloc(7 * nb * sizeof *y), *img = malloc(nv * sizeof *img);
    mist_pet_forward(&f.l, &f.img, f.x, f.mu, &tof, y);
    /* The TOF data summed over TOF are the non-TOF data. */
    float *y1 = malloc(nb * sizeof *y1);
    mist_pet_forward(&f.l, &f.img, f.x, f.mu, NULL, y1);
    double s7 = 0, s1 = 0;
    for (size_t i = 0; i < 7 * nb; i++)
        s7 += y[i];
    for (size_t i = 0; i < nb; i++)
        s1 += y1[i];
    cr_assert_lt(fabs(s7 / s1 - 1), 1e-5, "%.9g vs %.9g", s7, s1);
    mist_error err;
    mist_pet_recon r;
    mist_pet_recon_input in = {.lors = &f.l,
                               .img = f.img,
                               .prompts = y,
                               .mu_mm = f.mu,
                               .tof = tof,
                               .n_subsets = 8,
                               .rank = 0,
                               .n_ranks = 1};
    cr_assert_eq(mist_pet_recon_init(&r, &in, &err), MIST_OK, "%s", err.msg);
    mist_osem_model m = mist_pet_recon_model(&r);
    /* Adjointness of the TOF model on subset 0. */
    mist_osem_subset sub = m.subset(m.ctx, 0);
    float *ax = malloc(sub.n * sizeof *ax), *w = malloc(sub.n * sizeof *w);
    float *bp = calloc(nv, sizeof *bp);
    for (size_t i = 0; i < sub.n; i++)
        w[i] = (float)((i * 7919) % 1000) / 1000.0f;
    m.fwd(m.ctx, 0, sub.n, f.x, ax);
    m.back(m.ctx, 0, sub.n, w, bp);
    double lhs = 0, rhs = 0;
    for (size_t i = 0; i < sub.n; i++)
        lhs += (double)ax[i] * w[i];
    for (size_t i = 0; i < nv; i++)
        rhs += (double)f.x[i] * bp[i];
    cr_log_info("TOF model adjointness: relative error %.2e", fabs(lhs - rhs) / lhs);
    cr_assert_lt(fabs(lhs - rhs) / lhs, 1e-5);
    for (size_t i = 0; i < nv; i++)
        img[i] = 1.0f;
    cr_assert_eq(mist_osem_run(&m, 2, img, NULL, NULL, &err), MIST_OK, "%s", err.msg);
    double truth, rec;
    roi_means(&f, img, &truth, &rec);
    cr_log_info("TOF OSEM 8 subsets x 2: central ROI %.5f vs truth %.5f (bias %+.4f)", rec, truth,
                rec / truth - 1);
    cr_assert_lt(fabs(rec / truth - 1), 0.02);
    mist_pet_recon_free(&r);
    free(y);
    free(y1);
    free(img);
    free(ax);
    free(w);
    free(bp);
    fixture_free(&f);
}

/* The OSEM ratio (recon/osem.h): exact where finite, 0 without expected counts, and capped
 * where the expected counts of a bin with data underflow (before the cap: inf, then NaN in
 * the image from 0 x inf; the observer study of a breast-ring point hit it). */
Test(pet_recon, osem_ratio_is_capped_where_expected_counts_underflow)
{
    cr_assert_eq(mist_osem_ratio(6.0f, 2.0f), 3.0f);
    cr_assert_eq(mist_osem_ratio(5.0f, 0.0f), 0.0f);
    cr_assert_eq(mist_osem_ratio(5.0f, -1.0f), 0.0f);
    float tiny = 1e-40f; /* a denormal expected count */
    float q = mist_osem_ratio(200.0f, tiny);
    cr_assert(isfinite(q) && q == MIST_OSEM_MAX_RATIO, "%g", q);
    /* 0 x the capped ratio stays 0 (0 x inf was NaN). */
    cr_assert_eq(0.0f * q, 0.0f);
    /* A back projection of a few capped ratios stays finite in float. */
    cr_assert(isfinite(1000.0f * q * 2.0f));
}
