/* Observers and their linear algebra: Cholesky, NPW and Hotelling d' on synthetic
 * Gaussian data with a known d', Mann-Whitney AUC against Phi(d'/sqrt 2), bootstrap
 * coverage, Laguerre-Gauss channel orthonormality.  Tolerances are 4 standard errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/linalg.h"
#include "analysis/observer.h"
#include "core/rng.h"

Test(analysis_linalg, cholesky_solves_known_system)
{
    /* A = [[4,2,0],[2,5,3],[0,3,6]], x = [1,-2,3] -> b = A x = [0,1,12]. */
    double a[9] = {4, 2, 0, 2, 5, 3, 0, 3, 6}, b[3] = {0, 1, 12};
    mist_error err;
    cr_assert_eq(mist_linalg_cholesky(a, 3, &err), MIST_OK);
    cr_expect_float_eq(a[0], 2.0, 1e-14); /* L00 */
    cr_expect_float_eq(a[3], 1.0, 1e-14); /* L10 */
    cr_expect_float_eq(a[4], 2.0, 1e-14); /* L11 */
    mist_linalg_cholesky_solve(a, 3, b);
    cr_expect_float_eq(b[0], 1.0, 1e-12);
    cr_expect_float_eq(b[1], -2.0, 1e-12);
    cr_expect_float_eq(b[2], 3.0, 1e-12);
}

Test(analysis_linalg, cholesky_rejects_indefinite)
{
    double a[4] = {1, 2, 2, 1};
    mist_error err;
    cr_expect_eq(mist_linalg_cholesky(a, 2, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "positive definite"));
}

Test(analysis_linalg, covariance_of_known_rows)
{
    double x[6] = {1, 2, 3, 6, 5, 10}; /* rows (1,2),(3,6),(5,10) */
    double m[2], c[4] = {0};
    mist_linalg_mean(x, 3, 2, m);
    cr_expect_float_eq(m[0], 3.0, 1e-14);
    cr_expect_float_eq(m[1], 6.0, 1e-14);
    mist_linalg_cov_add(x, 3, 2, m, 1.0, c);
    cr_expect_float_eq(c[0], 4.0, 1e-14);
    cr_expect_float_eq(c[1], 8.0, 1e-14);
    cr_expect_float_eq(c[2], 8.0, 1e-14);
    cr_expect_float_eq(c[3], 16.0, 1e-14);
}

/* Hanley & McNeil (1982) standard error of the Mann-Whitney AUC. */
static double hanley_mcneil_se(double a, size_t n0, size_t n1)
{
    double q1 = a / (2 - a), q2 = 2 * a * a / (1 + a);
    return sqrt((a * (1 - a) + (n1 - 1.0) * (q1 - a * a) + (n0 - 1.0) * (q2 - a * a)) /
                ((double)n0 * n1));
}

Test(analysis_observer, npw_white_noise_dprime_is_signal_norm_over_sigma)
{
    enum { NPIX = 64, N = 2000 };
    const double sigma = 3.0;
    double s[NPIX], norm2 = 0;
    for (int p = 0; p < NPIX; p++) {
        s[p] = 0.8 * exp(-0.5 * (p - 31.5) * (p - 31.5) / 36.0);
        norm2 += s[p] * s[p];
    }
    double d_true = sqrt(norm2) / sigma;
    float *g0 = malloc(sizeof(float) * N * NPIX), *g1 = malloc(sizeof(float) * N * NPIX);
    mist_rng r;
    mist_rng_seed(&r, 11, 1);
    for (int i = 0; i < N * NPIX; i++) {
        g0[i] = (float)(10.0 + sigma * mist_rng_normal(&r));
        g1[i] = (float)(10.0 + s[i % NPIX] + sigma * mist_rng_normal(&r));
    }
    mist_observer_opts o = mist_observer_opts_default();
    o.bootstrap = 200;
    mist_observer_result res;
    mist_error err;
    cr_assert_eq(mist_observer_npw(g0, N, g1, N, NPIX, s, &o, &res, &err), MIST_OK, "%s", err.msg);
    /* Var(d') ~ (2 + d^2/2) / N for n0 = n1 = N normal statistics. */
    double se = sqrt((2.0 + 0.5 * d_true * d_true) / N);
    cr_expect(fabs(res.d_prime - d_true) < 4 * se, "d' %g, expected %g +- %g", res.d_prime, d_true,
              se);
    double auc_true = mist_phi(d_true / sqrt(2.0));
    double se_auc = hanley_mcneil_se(auc_true, N, N);
    cr_expect(fabs(res.auc - auc_true) < 4 * se_auc, "AUC %g, expected %g +- %g", res.auc, auc_true,
              se_auc);
    cr_expect(res.d_prime_ci[0] < res.d_prime && res.d_prime < res.d_prime_ci[1]);
    cr_expect(res.auc_ci[0] < res.auc && res.auc < res.auc_ci[1]);
    free(g0);
    free(g1);
}

Test(analysis_observer, auc_mann_whitney_exact_small_cases)
{
    double t0[4] = {1, 2, 3, 4}, t1[3] = {2, 5, 6};
    /* pairs (t1 > t0): 2 beats 1, ties 2 (1/2); 5 and 6 beat all 4 -> (1 + 0.5 + 8) / 12. */
    double auc;
    mist_error err;
    cr_assert_eq(mist_observer_auc(t0, 4, t1, 3, &auc, &err), MIST_OK);
    cr_expect_float_eq(auc, 9.5 / 12.0, 1e-14);
    cr_assert_eq(mist_observer_auc(t1, 3, t0, 4, &auc, &err), MIST_OK);
    cr_expect_float_eq(auc, 2.5 / 12.0, 1e-14);
}

/* AR(1) channel outputs: Sigma_ab = rho^|a-b|, whose inverse is tridiagonal:
 * Sigma^-1 = 1/(1-rho^2) tridiag(-rho; 1, 1+rho^2, ..., 1+rho^2, 1; -rho). */
static double ar1_quadratic_inverse(const double *x, int n, double rho)
{
    double q = 0;
    for (int a = 0; a < n; a++) {
        double diag = (a == 0 || a == n - 1) ? 1.0 : 1.0 + rho * rho;
        q += diag * x[a] * x[a];
        if (a + 1 < n)
            q -= 2 * rho * x[a] * x[a + 1];
    }
    return q / (1 - rho * rho);
}

static void ar1_draw(mist_rng *r, int n, double rho, const double *mean, double *out)
{
    double prev = mist_rng_normal(r);
    out[0] = mean[0] + prev;
    for (int a = 1; a < n; a++) {
        prev = rho * prev + sqrt(1 - rho * rho) * mist_rng_normal(r);
        out[a] = mean[a] + prev;
    }
}

Test(analysis_observer, hotelling_dprime_known_covariance_unbiased)
{
    enum { NC = 5, N = 100, REPS = 200 };
    const double rho = 0.6;
    double mu1[NC] = {0.30, 0.25, 0.10, -0.05, 0.20}, mu0[NC] = {0};
    double d2_true = ar1_quadratic_inverse(mu1, NC, rho);
    double nu = 2.0 * N - 2;
    double resub_expect = nu / (nu - NC - 1) * (d2_true + NC * 2.0 / N);
    static double v0[N * NC], v1[N * NC];
    double sum = 0, sum2 = 0, sumD = 0, sumD2 = 0;
    mist_rng r;
    mist_rng_seed(&r, 5, 2);
    mist_observer_opts o = {.bootstrap = 0};
    for (int rep = 0; rep < REPS; rep++) {
        for (int i = 0; i < N; i++) {
            ar1_draw(&r, NC, rho, mu0, v0 + i * NC);
            ar1_draw(&r, NC, rho, mu1, v1 + i * NC);
        }
        mist_observer_result res;
        mist_error err;
        cr_assert_eq(mist_observer_hotelling(v0, N, v1, N, NC, &o, &res, &err), MIST_OK, "%s",
                     err.msg);
        sum += res.d2_unbiased;
        sum2 += res.d2_unbiased * res.d2_unbiased;
        double D = res.d_prime * res.d_prime;
        sumD += D;
        sumD2 += D * D;
    }
    double mean = sum / REPS, se = sqrt((sum2 / REPS - mean * mean) / (REPS - 1));
    cr_expect(fabs(mean - d2_true) < 4 * se, "unbiased d'^2 mean %g, true %g +- %g", mean, d2_true,
              se);
    double meanD = sumD / REPS, seD = sqrt((sumD2 / REPS - meanD * meanD) / (REPS - 1));
    cr_expect(fabs(meanD - resub_expect) < 4 * seD, "resubstitution d'^2 %g, expected %g +- %g",
              meanD, resub_expect, seD);
}

Test(analysis_observer, bootstrap_intervals_cover_the_truth)
{
    enum { N = 100, REPS = 100 };
    const double d = 1.5;
    double t0[N], t1[N];
    mist_rng r;
    mist_rng_seed(&r, 3, 3);
    mist_observer_opts o = {.bootstrap = 400, .ci_level = 0.95, .seed = 9};
    int cover_d = 0, cover_a = 0;
    double auc_true = mist_phi(d / sqrt(2.0));
    for (int rep = 0; rep < REPS; rep++) {
        for (int i = 0; i < N; i++) {
            t0[i] = mist_rng_normal(&r);
            t1[i] = d + mist_rng_normal(&r);
        }
        mist_observer_result res;
        mist_error err;
        o.seed = (uint64_t)rep + 100;
        cr_assert_eq(mist_observer_score(t0, N, t1, N, &o, &res, &err), MIST_OK);
        cover_d += res.d_prime_ci[0] <= d && d <= res.d_prime_ci[1];
        cover_a += res.auc_ci[0] <= auc_true && auc_true <= res.auc_ci[1];
    }
    /* Binomial SD of the coverage: sqrt(0.95 * 0.05 / 100) = 0.022; 4 SD below 0.95. */
    double lo = 0.95 - 4 * sqrt(0.95 * 0.05 / REPS);
    cr_expect((double)cover_d / REPS >= lo, "d' coverage %d/%d", cover_d, REPS);
    cr_expect((double)cover_a / REPS >= lo, "AUC coverage %d/%d", cover_a, REPS);
}

/* The NPW with its estimated (left-one-out) template, on signal-free white-noise images:
 * the true d' is 0, and the bootstrap interval must cover it at its level.  The interval
 * re-estimates the template on every resample; holding it fixed (resampling only the
 * statistics) leaves out the template's own noise and under-covers. */
Test(analysis_observer, npw_estimated_template_interval_covers_zero_without_signal)
{
    enum { NPIX = 16, N = 20, REPS = 200 };
    static float g0[N * NPIX], g1[N * NPIX];
    mist_rng r;
    mist_rng_seed(&r, 11, 5);
    mist_observer_opts o = {.bootstrap = 400, .ci_level = 0.95, .seed = 1};
    int cover = 0;
    for (int rep = 0; rep < REPS; rep++) {
        for (int i = 0; i < N * NPIX; i++) {
            g0[i] = (float)(10.0 + mist_rng_normal(&r));
            g1[i] = (float)(10.0 + mist_rng_normal(&r));
        }
        mist_observer_result res;
        mist_error err;
        o.seed = (uint64_t)rep + 1000;
        cr_assert_eq(mist_observer_npw(g0, N, g1, N, NPIX, NULL, &o, &res, &err), MIST_OK, "%s",
                     err.msg);
        cover += res.d_prime_ci[0] <= 0.0 && 0.0 <= res.d_prime_ci[1];
    }
    /* Binomial SD of the coverage: sqrt(0.95 * 0.05 / 200) = 0.015; 4 SD below 0.95. */
    double lo = 0.95 - 4 * sqrt(0.95 * 0.05 / REPS);
    cr_log_info("NPW null interval coverage %d/%d (bound %.3f)", cover, REPS, lo);
    cr_expect((double)cover / REPS >= lo, "coverage %d/%d below %.3f", cover, REPS, lo);
}

Test(analysis_observer, laguerre_gauss_channels_are_orthonormal)
{
    enum { NX = 160, NC = 6 };
    const double px = 0.25, a = 8.0;
    double *u = malloc(sizeof(double) * NC * NX * NX);
    mist_observer_lg_channels(NX, NX, px, (NX - 1) / 2.0, (NX - 1) / 2.0, a, NC, u);
    for (int p = 0; p < NC; p++)
        for (int q = 0; q <= p; q++) {
            double s = 0;
            for (int i = 0; i < NX * NX; i++)
                s += u[p * NX * NX + i] * u[q * NX * NX + i] * px * px;
            cr_expect(fabs(s - (p == q)) < 1e-6, "<u%d,u%d> = %g", p, q, s);
        }
    free(u);
}

Test(analysis_observer, cho_on_white_noise_images_matches_channelized_truth)
{
    /* White noise sigma: channel covariance sigma^2 U U^T and mean difference U s, so
     * d'^2 = (U s)^T (U U^T)^-1 (U s) / sigma^2, computed here from the channels. */
    enum { NX = 16, NPIX = NX * NX, NC = 4, N = 200, REPS = 40 };
    const double sigma = 2.0, px = 1.0;
    double *u = malloc(sizeof(double) * NC * NPIX), s[NPIX];
    mist_observer_lg_channels(NX, NX, px, 7.5, 7.5, 6.0, NC, u);
    for (int j = 0; j < NX; j++)
        for (int i = 0; i < NX; i++) {
            double r2 = (i - 7.5) * (i - 7.5) + (j - 7.5) * (j - 7.5);
            s[j * NX + i] = 0.6 * exp(-0.5 * r2 / 4.0);
        }
    double uut[NC * NC], us[NC];
    for (int p = 0; p < NC; p++) {
        us[p] = 0;
        for (int i = 0; i < NPIX; i++)
            us[p] += u[p * NPIX + i] * s[i];
        for (int q = 0; q < NC; q++) {
            uut[p * NC + q] = 0;
            for (int i = 0; i < NPIX; i++)
                uut[p * NC + q] += u[p * NPIX + i] * u[q * NPIX + i];
        }
    }
    mist_error err;
    cr_assert_eq(mist_linalg_cholesky(uut, NC, &err), MIST_OK);
    double y[NC];
    memcpy(y, us, sizeof y);
    mist_linalg_forward(uut, NC, y);
    double d2_true = mist_linalg_dot(y, y, NC) / (sigma * sigma);
    float *g0 = malloc(sizeof(float) * N * NPIX), *g1 = malloc(sizeof(float) * N * NPIX);
    mist_rng r;
    mist_rng_seed(&r, 17, 4);
    mist_observer_opts o = {.bootstrap = 0};
    double sum = 0, sum2 = 0;
    for (int rep = 0; rep < REPS; rep++) {
        for (int i = 0; i < N * NPIX; i++) {
            g0[i] = (float)(sigma * mist_rng_normal(&r));
            g1[i] = (float)(s[i % NPIX] + sigma * mist_rng_normal(&r));
        }
        mist_observer_result res;
        cr_assert_eq(mist_observer_cho(g0, N, g1, N, NPIX, u, NC, &o, &res, &err), MIST_OK, "%s",
                     err.msg);
        sum += res.d2_unbiased;
        sum2 += res.d2_unbiased * res.d2_unbiased;
    }
    double mean = sum / REPS, se = sqrt((sum2 / REPS - mean * mean) / (REPS - 1));
    cr_expect(fabs(mean - d2_true) < 4 * se, "CHO d'^2 %g, channelized truth %g +- %g", mean,
              d2_true, se);
    free(u);
    free(g0);
    free(g1);
}

/* 3D white-noise images nx x ny x nz (2 mm voxels) with an optional Gaussian blob of
 * amplitude amp, SD 3 mm, at (bx, by) mm in slice kz. */
enum { LX = 32, LY = 32, LZ = 5 };
static const size_t LN[3] = {LX, LY, LZ};
static const double LVOX[3] = {2, 2, 2}, LORG[3] = {-31, -31, -4};

static void blob_image(mist_rng *r, float *img, double sigma, double amp, double bx, double by,
                       int kz)
{
    for (int k = 0; k < LZ; k++)
        for (int j = 0; j < LY; j++)
            for (int i = 0; i < LX; i++) {
                double x = LORG[0] + 2 * i, y = LORG[1] + 2 * j;
                double s =
                    k == kz ? amp * exp(-((x - bx) * (x - bx) + (y - by) * (y - by)) / 18.0) : 0.0;
                img[(k * LY + j) * LX + i] = (float)(100.0 + s + sigma * mist_rng_normal(r));
            }
}

static void lesion_run(double amp, double bx, double by, size_t n, mist_observer_result *npw,
                       mist_observer_result *cho, double *s2_patch)
{
    const double center[3] = {1.0, -1.0, 0.0}, sigma = 5.0;
    float **imgs = malloc(2 * n * sizeof *imgs);
    mist_rng r;
    mist_rng_seed(&r, 77, 1);
    for (size_t m = 0; m < 2 * n; m++) {
        imgs[m] = malloc(sizeof(float) * LX * LY * LZ);
        blob_image(&r, imgs[m], sigma, m < n ? 0.0 : amp, bx, by, 2);
    }
    mist_observer_lesion_opts o = mist_observer_lesion_opts_default();
    o.stats.bootstrap = 100;
    mist_error err;
    cr_assert_eq(mist_observer_lesion((const float *const *)imgs, n,
                                      (const float *const *)(imgs + n), n, LN, LVOX, LORG, center,
                                      8.0, &o, npw, cho, &err),
                 MIST_OK, "%s", err.msg);
    /* |s|^2 over the patch the observer uses: 4 diameters = 32 mm -> 17 x 17 pixels
     * around voxel (16, 15). */
    *s2_patch = 0;
    for (int j = 15 - 8; j <= 15 + 8; j++)
        for (int i = 16 - 8; i <= 16 + 8; i++) {
            double x = LORG[0] + 2 * i, y = LORG[1] + 2 * j;
            double s = amp * exp(-((x - bx) * (x - bx) + (y - by) * (y - by)) / 18.0);
            *s2_patch += s * s;
        }
    for (size_t m = 0; m < 2 * n; m++)
        free(imgs[m]);
    free(imgs);
}

Test(analysis_observer, lesion_npw_with_estimated_template_matches_theory)
{
    /* NPW with the leave-one-out template: d' = |s|^2 / (sigma sqrt(|s|^2 + npix sigma^2
     * (2/n))); its SE ~ sqrt((2 + d'^2/2) / n). */
    const size_t n = 150;
    const double sigma = 5.0, npix = 17 * 17;
    mist_observer_result npw, cho;
    double s2;
    lesion_run(4.0, 1.0, -1.0, n, &npw, &cho, &s2);
    double d = s2 / (sigma * sqrt(s2 + npix * sigma * sigma * 2.0 / n));
    double se = sqrt((2 + 0.5 * d * d) / n);
    cr_log_info("lesion NPW d' %.3f (theory %.3f +- %.3f), CHO d' %.3f, d'^2 unbiased %.3f",
                npw.d_prime, d, se, cho.d_prime, cho.d2_unbiased);
    cr_expect(fabs(npw.d_prime - d) < 4 * se, "NPW d' %g, theory %g +- %g", npw.d_prime, d, se);
    cr_expect(cho.d_prime > 0 && isfinite(cho.d2_unbiased));
}

Test(analysis_observer, lesion_elsewhere_is_not_detected)
{
    /* The blob sits 40 mm away, outside the patch: no signal. NPW d' is 0 within
     * 4 sqrt(2/n); the CHO's bias-corrected d'^2 is 0 within 4 SD of
     * (nc chi^2 noise) sqrt(2 nc) (2/n). */
    const size_t n = 150;
    mist_observer_result npw, cho;
    double s2;
    lesion_run(12.0, 1.0 + 40.0, -1.0, n, &npw, &cho, &s2);
    cr_expect(s2 < 1e-12);
    cr_expect(fabs(npw.d_prime) < 4 * sqrt(2.0 / n), "NPW d' %g", npw.d_prime);
    double sd = sqrt(2.0 * 6) * 2.0 / n;
    cr_expect(fabs(cho.d2_unbiased) < 4 * sd, "CHO d'^2 %g +- %g", cho.d2_unbiased, sd);
}

Test(analysis_observer, lesion_patch_outside_image_is_an_error)
{
    float *img = calloc(LX * LY * LZ, sizeof(float));
    const float *set[2] = {img, img};
    const double edge[3] = {-30, 0, 0};
    mist_observer_lesion_opts o = mist_observer_lesion_opts_default();
    mist_observer_result a, b;
    mist_error err;
    cr_expect_eq(mist_observer_lesion(set, 2, set, 2, LN, LVOX, LORG, edge, 8.0, &o, &a, &b, &err),
                 MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "does not fit"), "%s", err.msg);
    free(img);
}
