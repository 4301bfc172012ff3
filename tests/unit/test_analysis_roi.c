/* ROI metrics on analytic images with known answers: CRC = 1 for a piecewise-constant
 * image, a cold lesion's contrast, the mean of a Gaussian-blurred sphere against its
 * analytic profile, BV and voxel noise of white noise, SUVs, the lung residual. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/roi.h"
#include "core/rng.h"

#define PI 3.14159265358979323846

/* A phantom on grid g: label 1 background (label 3 in a cylinder of radius lung_r about
 * the z axis, when lung_r > 0), one spherical lesion (label 2) with its exact partial
 * volumes; concentrations [Bq/mL] conc[label]. */
typedef struct synth {
    mist_roi_grid g;
    uint8_t *labels;
    float *activity;
    uint64_t *pv_voxel;
    float *pv_fraction;
    uint8_t *pv_under;
    size_t n_pv;
    mist_roi_truth truth;
} synth;

static void synth_make(synth *s, const mist_roi_grid *g, const double c[3], double d,
                       const double conc[4], double lung_r)
{
    memset(s, 0, sizeof *s);
    s->g = *g;
    size_t n = g->n[0] * g->n[1] * g->n[2];
    double vmL = g->voxel_mm[0] * g->voxel_mm[1] * g->voxel_mm[2] * 1e-3;
    s->labels = malloc(n);
    s->activity = malloc(n * sizeof(float));
    for (size_t v = 0; v < n; v++) {
        size_t i = v % g->n[0], j = (v / g->n[0]) % g->n[1];
        double x = g->origin_mm[0] + i * g->voxel_mm[0], y = g->origin_mm[1] + j * g->voxel_mm[1];
        s->labels[v] = lung_r > 0 && hypot(x, y) < lung_r ? 3 : 1;
    }
    mist_roi sph = {0};
    mist_error err;
    cr_assert_eq(mist_roi_sphere(g, c, 0.5 * d, &sph, NULL, &err), MIST_OK);
    s->n_pv = sph.n;
    s->pv_voxel = malloc(sph.n * sizeof(uint64_t));
    s->pv_fraction = malloc(sph.n * sizeof(float));
    s->pv_under = malloc(sph.n);
    for (size_t v = 0; v < n; v++)
        s->activity[v] = (float)(conc[s->labels[v]] * vmL);
    for (size_t e = 0; e < sph.n; e++) {
        size_t v = sph.voxel[e];
        double f = sph.w[e];
        s->pv_voxel[e] = v;
        s->pv_fraction[e] = (float)f;
        s->pv_under[e] = s->labels[v];
        s->activity[v] = (float)((f * conc[2] + (1 - f) * conc[s->labels[v]]) * vmL);
        if (f >= 0.5)
            s->labels[v] = 2;
    }
    mist_roi_lesion_in les = {
        .name = "les", .diameter_mm = d, .label = 2, .pv_offset = 0, .pv_count = sph.n};
    memcpy(les.center_mm, c, sizeof les.center_mm);
    cr_assert_eq(mist_roi_truth_build(g, s->labels, s->activity, &les, 1, s->pv_voxel,
                                      s->pv_fraction, s->pv_under, s->n_pv, &s->truth, &err),
                 MIST_OK, "%s", err.msg);
    mist_roi_free(&sph);
}

static void synth_free(synth *s)
{
    mist_roi_truth_free(&s->truth);
    free(s->labels);
    free(s->activity);
    free(s->pv_voxel);
    free(s->pv_fraction);
    free(s->pv_under);
}

static const mist_roi_grid GRID64 = {{64, 64, 48}, {2, 2, 2}, {-63, -63, -47}};

/* Image = hot inside every voxel the lesion touches, background elsewhere. */
static float *piecewise_image(const synth *s, float hot, float bg)
{
    size_t n = s->g.n[0] * s->g.n[1] * s->g.n[2];
    float *img = malloc(n * sizeof *img);
    for (size_t v = 0; v < n; v++)
        img[v] = bg;
    for (size_t e = 0; e < s->n_pv; e++)
        img[s->pv_voxel[e]] = hot;
    return img;
}

Test(analysis_roi, truth_recovers_concentrations_and_background)
{
    synth s;
    const double c[3] = {0.3, -0.7, 0.2}, conc[4] = {0, 1000, 4000, 0};
    synth_make(&s, &GRID64, c, 16.0, conc, 0);
    cr_expect(fabs(s.truth.lesions[0].conc_Bq_mL - 4000) < 4000 * 1e-6, "a_H %g",
              s.truth.lesions[0].conc_Bq_mL);
    cr_expect(s.truth.lesions[0].background[1]);
    cr_expect(!s.truth.lesions[0].background[2] && !s.truth.lesions[0].background[0]);
    synth_free(&s);
}

Test(analysis_roi, piecewise_constant_image_has_crc_one)
{
    synth s;
    const double c[3] = {0.3, -0.7, 0.2}, conc[4] = {0, 1000, 4000, 0};
    synth_make(&s, &GRID64, c, 16.0, conc, 0);
    float *img = piecewise_image(&s, 4000.0f, 1000.0f);
    mist_roi_opts o = mist_roi_opts_default();
    o.suv_per_Bq_mL = 1e-3;
    mist_roi_metrics m;
    mist_error err;
    cr_assert_eq(mist_roi_lesion_metrics(img, &s.g, &s.truth, 0, &o, &m, &err), MIST_OK, "%s",
                 err.msg);
    cr_expect_eq(m.n_bg_rois, 60, "background ROIs: %zu", m.n_bg_rois);
    cr_expect(fabs(m.crc - 1.0) < 1e-5, "CRC %g", m.crc);
    cr_expect(fabs(m.c_b - 1000) < 1e-3 && fabs(m.a_b - 1000) < 1e-2);
    cr_expect(m.sd_b < 1e-6 && m.bv < 1e-9, "BV %g", m.bv);
    cr_expect(fabs(m.rc_mean - 1.0) < 1e-5 && fabs(m.rc_max - 1.0) < 1e-5);
    cr_expect(fabs(m.suv_mean - 4.0) < 1e-5 && fabs(m.suv_max - 4.0) < 1e-5 &&
                  fabs(m.suv_peak - 4.0) < 1e-5,
              "SUV %g %g %g", m.suv_mean, m.suv_max, m.suv_peak);
    free(img);
    synth_free(&s);
}

Test(analysis_roi, cold_lesion_contrast)
{
    synth s;
    const double c[3] = {0, 0, 0}, conc[4] = {0, 1000, 0, 0};
    synth_make(&s, &GRID64, c, 20.0, conc, 0);
    float *img = piecewise_image(&s, 300.0f, 1000.0f);
    mist_roi_opts o = mist_roi_opts_default();
    mist_roi_metrics m;
    mist_error err;
    cr_assert_eq(mist_roi_lesion_metrics(img, &s.g, &s.truth, 0, &o, &m, &err), MIST_OK);
    /* (C_H/C_B - 1) / (0 - 1) = 1 - 0.3 */
    cr_expect(fabs(m.crc - 0.7) < 1e-6, "cold CRC %g", m.crc);
    cr_expect(isnan(m.suv_mean));
    free(img);
    synth_free(&s);
}

/* Profile of a uniform sphere of radius R blurred by an isotropic Gaussian sigma. */
static double blurred_sphere(double r, double R, double s)
{
    double a = (R - r) / (sqrt(2) * s), b = (R + r) / (sqrt(2) * s);
    if (r < 1e-9) /* limit r -> 0 */
        return erf(R / (sqrt(2) * s)) - sqrt(2 / PI) * R / s * exp(-R * R / (2 * s * s));
    return 0.5 * (erf(a) + erf(b)) -
           s / (r * sqrt(2 * PI)) *
               (exp(-(R - r) * (R - r) / (2 * s * s)) - exp(-(R + r) * (R + r) / (2 * s * s)));
}

Test(analysis_roi, blurred_sphere_mean_matches_analytic_profile)
{
    /* Continuous answer: the mean of the profile over the sphere, (3/R^3) int p r^2 dr
     * (Simpson).  The ROI mean of an image sampled at voxel centres differs from it by
     * at most: partial voxels' share x max|p'| x half the voxel diagonal, plus the
     * midpoint-rule error of whole voxels, h^2/8 max|p''|. */
    const double R = 10.0, sig = 2.5, h = 0.5;
    const int N = 2000;
    double integral = 0, gmax = 0, hmax = 0;
    for (int i = 0; i <= N; i++) {
        double r = R * i / N, wt = (i == 0 || i == N) ? 1 : (i % 2 ? 4 : 2);
        integral += wt * blurred_sphere(r, R, sig) * r * r;
    }
    double expect = 3.0 / (R * R * R) * integral * (R / N) / 3.0;
    for (int i = 1; i < 4000; i++) {
        double r = 20.0 * i / 4000, dr = 1e-3;
        double p0 = blurred_sphere(r - dr, R, sig), p1 = blurred_sphere(r, R, sig),
               p2 = blurred_sphere(r + dr, R, sig);
        gmax = fmax(gmax, fabs(p2 - p0) / (2 * dr));
        hmax = fmax(hmax, fabs(p2 - 2 * p1 + p0) / (dr * dr));
    }
    mist_roi_grid g = {{56, 56, 56}, {h, h, h}, {-13.75, -13.75, -13.75}};
    size_t n = 56 * 56 * 56;
    float *img = malloc(n * sizeof *img);
    const double c[3] = {0.1, 0.2, -0.15};
    for (size_t v = 0; v < n; v++) {
        double p[3] = {g.origin_mm[0] + (v % 56) * h, g.origin_mm[1] + ((v / 56) % 56) * h,
                       g.origin_mm[2] + (v / 3136) * h};
        img[v] = (float)blurred_sphere(sqrt((p[0] - c[0]) * (p[0] - c[0]) +
                                            (p[1] - c[1]) * (p[1] - c[1]) +
                                            (p[2] - c[2]) * (p[2] - c[2])),
                                       R, sig);
    }
    mist_roi sph = {0};
    mist_error err;
    cr_assert_eq(mist_roi_sphere(&g, c, R, &sph, NULL, &err), MIST_OK);
    double partial = 0;
    for (size_t e = 0; e < sph.n; e++)
        partial += sph.w[e] < 1.0 ? sph.w[e] : 0.0;
    double bound = partial / sph.sum_w * gmax * h * sqrt(3) / 2 + h * h / 8 * hmax;
    double got = mist_roi_mean(&sph, img);
    cr_log_info("blurred sphere: mean %.6f, analytic %.6f, bound %.6f", got, expect, bound);
    cr_expect(fabs(got - expect) < bound, "mean %g, analytic %g, bound %g", got, expect, bound);
    /* The sphere's volume from its weights. */
    cr_expect(fabs(sph.sum_w * h * h * h - 4.0 / 3 * PI * R * R * R) <
                  0.002 * 4.0 / 3 * PI * R * R * R,
              "volume %g", sph.sum_w * h * h * h);
    mist_roi_free(&sph);
    free(img);
}

Test(analysis_roi, white_noise_background_variability)
{
    /* i.i.d. voxels of mean mu and SD sigma: voxel noise = sigma/mu; the SD of a disk
     * ROI's mean is sigma / sqrt(n_eff), so BV = (sigma/mu) / sqrt(n_eff).  Standard
     * errors over R realisations of K ROIs: BV ~ BV / sqrt(2 (K - 1) R), voxel noise ~
     * noise / sqrt(2 N_vox R). */
    synth s;
    const double c[3] = {0, 0, 0}, conc[4] = {0, 1000, 4000, 0};
    synth_make(&s, &GRID64, c, 12.0, conc, 0);
    const double mu = 1000, sigma = 150;
    const int R = 8;
    size_t n = 64 * 64 * 48;
    float *img = malloc(n * sizeof *img);
    mist_rng rng;
    mist_rng_seed(&rng, 21, 7);
    mist_roi_opts o = mist_roi_opts_default();
    double bv = 0, noise = 0, neff = 0, nvox = 0;
    size_t K = 0;
    for (int r = 0; r < R; r++) {
        for (size_t v = 0; v < n; v++)
            img[v] = (float)(mu + sigma * mist_rng_normal(&rng));
        mist_roi_metrics m;
        mist_error err;
        cr_assert_eq(mist_roi_lesion_metrics(img, &s.g, &s.truth, 0, &o, &m, &err), MIST_OK);
        bv += m.bv / R;
        noise += m.noise / R;
        neff = m.bg_roi_neff;
        K = m.n_bg_rois;
        nvox = m.bg_roi_neff * (double)m.n_bg_rois;
    }
    cr_assert_eq(K, 60);
    double bv_expect = sigma / mu / sqrt(neff), noise_expect = sigma / mu;
    cr_log_info("BV %.5f (expected %.5f, n_eff %.1f), noise %.5f", bv, bv_expect, neff, noise);
    double se_bv = bv_expect / sqrt(2.0 * (K - 1) * R),
           se_noise = noise_expect / sqrt(2 * nvox * R);
    cr_expect(fabs(bv - bv_expect) < 4 * se_bv, "BV %g, expected %g +- %g", bv, bv_expect, se_bv);
    cr_expect(fabs(noise - noise_expect) < 4 * se_noise, "noise %g, expected %g +- %g", noise,
              noise_expect, se_noise);
    free(img);
    synth_free(&s);
}

Test(analysis_roi, lung_residual_of_a_uniform_spill)
{
    synth s;
    const double c[3] = {40, 0, 0}, conc[4] = {0, 1000, 4000, 0};
    synth_make(&s, &GRID64, c, 10.0, conc, 25.0);
    size_t n = 64 * 64 * 48;
    float *img = malloc(n * sizeof *img);
    for (size_t v = 0; v < n; v++)
        img[v] = s.labels[v] == 3 ? 120.0f : 1000.0f;
    double res;
    size_t ns;
    mist_error err;
    cr_assert_eq(mist_roi_lung_residual(img, &s.g, &s.truth, 3, 1000.0, &res, &ns, &err), MIST_OK);
    cr_expect_eq(ns, 48);
    cr_expect(fabs(res - 0.12) < 1e-7, "residual %g", res);
    free(img);
    synth_free(&s);
}

Test(analysis_roi, lesion_outside_the_image_is_an_error)
{
    synth s;
    const double c[3] = {0, 0, 0}, conc[4] = {0, 1000, 4000, 0};
    synth_make(&s, &GRID64, c, 12.0, conc, 0);
    mist_roi_grid small = {{8, 8, 8}, {2, 2, 2}, {40, 40, 40}};
    float img[512] = {0};
    mist_roi_metrics m;
    mist_error err;
    mist_roi_opts o = mist_roi_opts_default();
    cr_expect_eq(mist_roi_lesion_metrics(img, &small, &s.truth, 0, &o, &m, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "not wholly inside the image"), "%s", err.msg);
    synth_free(&s);
}

Test(analysis_roi, blurred_sphere_crc_end_to_end)
{
    /* A 4:1 sphere (R = 6 mm) blurred by a Gaussian of sigma = 2 mm: image = a_B + (a_H -
     * a_B) p(r), so CRC = the mean of p over the sphere (Simpson), up to the sampling bound
     * of blurred_sphere_mean_matches_analytic_profile and the spill into the background ROIs
     * (>= 10 mm outside the sphere): C_B = a_B (1 + 3 p(R + 10)) shifts the CRC by at most
     * (C_H / a_B) p(R + 10) <= 4 p(R + 10). */
    const double R = 6.0, sig = 2.0, h = 0.5, a_b = 1000, a_h = 4000;
    mist_roi_grid g = {{150, 150, 96}, {h, h, h}, {-37.25, -37.25, -23.75}};
    synth s;
    const double c[3] = {0.2, -0.1, 0.05}, conc[4] = {0, a_b, a_h, 0};
    synth_make(&s, &g, c, 2 * R, conc, 0);
    const int N = 2000;
    double integral = 0, gmax = 0, hmax = 0;
    for (int i = 0; i <= N; i++) {
        double r = R * i / N, wt = (i == 0 || i == N) ? 1 : (i % 2 ? 4 : 2);
        integral += wt * blurred_sphere(r, R, sig) * r * r;
    }
    double expect = 3.0 / (R * R * R) * integral * (R / N) / 3.0;
    for (int i = 1; i < 4000; i++) {
        double r = 20.0 * i / 4000, dr = 1e-3;
        double p0 = blurred_sphere(r - dr, R, sig), p1 = blurred_sphere(r, R, sig),
               p2 = blurred_sphere(r + dr, R, sig);
        gmax = fmax(gmax, fabs(p2 - p0) / (2 * dr));
        hmax = fmax(hmax, fabs(p2 - 2 * p1 + p0) / (dr * dr));
    }
    size_t n = g.n[0] * g.n[1] * g.n[2];
    float *img = malloc(n * sizeof *img);
    for (size_t v = 0; v < n; v++) {
        double p[3] = {g.origin_mm[0] + (v % g.n[0]) * h,
                       g.origin_mm[1] + ((v / g.n[0]) % g.n[1]) * h,
                       g.origin_mm[2] + (v / (g.n[0] * g.n[1])) * h};
        double r = sqrt((p[0] - c[0]) * (p[0] - c[0]) + (p[1] - c[1]) * (p[1] - c[1]) +
                        (p[2] - c[2]) * (p[2] - c[2]));
        img[v] = (float)(a_b + (a_h - a_b) * blurred_sphere(r, R, sig));
    }
    mist_roi sph = {0};
    mist_error err;
    cr_assert_eq(mist_roi_sphere(&g, c, R, &sph, NULL, &err), MIST_OK);
    double partial = 0;
    for (size_t e = 0; e < sph.n; e++)
        partial += sph.w[e] < 1.0 ? sph.w[e] : 0.0;
    double bound = partial / sph.sum_w * gmax * h * sqrt(3) / 2 + h * h / 8 * hmax +
                   4 * blurred_sphere(R + 10.0, R, sig);
    mist_roi_free(&sph);
    mist_roi_opts o = mist_roi_opts_default();
    mist_roi_metrics m;
    cr_assert_eq(mist_roi_lesion_metrics(img, &g, &s.truth, 0, &o, &m, &err), MIST_OK, "%s",
                 err.msg);
    cr_log_info("blurred CRC %.5f, analytic %.5f, bound %.5f (%zu ROIs)", m.crc, expect, bound,
                m.n_bg_rois);
    cr_expect_eq(m.n_bg_rois, 60);
    cr_expect(fabs(m.crc - expect) < bound, "CRC %g, analytic %g, bound %g", m.crc, expect, bound);
    free(img);
    synth_free(&s);
}
