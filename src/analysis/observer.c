#include "analysis/observer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/linalg.h"
#include "core/rng.h"

#define PI 3.14159265358979323846

mist_observer_opts mist_observer_opts_default(void)
{
    return (mist_observer_opts){.bootstrap = 1000, .ci_level = 0.95, .seed = 1};
}

double mist_phi(double x)
{
    return 0.5 * erfc(-x / sqrt(2.0));
}

/* ---- scoring test statistics ---------------------------------------------------------- */

typedef struct tagged {
    double t;
    int cls;
} tagged;

static int cmp_tagged(const void *a, const void *b)
{
    double x = ((const tagged *)a)->t, y = ((const tagged *)b)->t;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Mann-Whitney AUC by midranks; s is scratch of n0 + n1 entries.  NAN when a statistic is
 * not finite (no order: the tie loop below would not advance on a NaN). */
static double auc_mw(const double *t0, size_t n0, const double *t1, size_t n1, tagged *s)
{
    size_t n = n0 + n1;
    for (size_t i = 0; i < n0; i++)
        if (!isfinite(t0[i]))
            return NAN;
    for (size_t i = 0; i < n1; i++)
        if (!isfinite(t1[i]))
            return NAN;
    for (size_t i = 0; i < n0; i++)
        s[i] = (tagged){t0[i], 0};
    for (size_t i = 0; i < n1; i++)
        s[n0 + i] = (tagged){t1[i], 1};
    qsort(s, n, sizeof *s, cmp_tagged);
    double rank_sum1 = 0.0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        size_t ones = 0;
        while (j < n && s[j].t == s[i].t)
            ones += (size_t)s[j++].cls;
        double midrank = 0.5 * (double)(i + 1 + j); /* ranks i+1 .. j */
        rank_sum1 += midrank * (double)ones;
        i = j;
    }
    return (rank_sum1 - 0.5 * (double)n1 * (double)(n1 + 1)) / ((double)n0 * (double)n1);
}

static void mean_var(const double *t, size_t n, double *mean, double *var)
{
    double m = 0.0, v = 0.0;
    for (size_t i = 0; i < n; i++)
        m += t[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        v += (t[i] - m) * (t[i] - m);
    *mean = m;
    *var = v / (double)(n - 1);
}

static double dprime(const double *t0, size_t n0, const double *t1, size_t n1)
{
    double m0, v0, m1, v1;
    mean_var(t0, n0, &m0, &v0);
    mean_var(t1, n1, &m1, &v1);
    double sd = sqrt(0.5 * (v0 + v1));
    return sd > 0.0 ? (m1 - m0) / sd : (m1 > m0 ? INFINITY : m1 < m0 ? -INFINITY : 0.0);
}

/* Percentile interval of x[n] (sorted in place), linear interpolation between order statistics. */
static void percentile_ci(double *x, size_t n, double level, double ci[2])
{
    qsort(x, n, sizeof *x, cmp_double);
    double q[2] = {0.5 * (1.0 - level), 1.0 - 0.5 * (1.0 - level)};
    for (int k = 0; k < 2; k++) {
        double pos = q[k] * (double)(n - 1);
        size_t lo = (size_t)floor(pos);
        size_t hi = lo + 1 < n ? lo + 1 : lo;
        ci[k] = x[lo] + (pos - (double)lo) * (x[hi] - x[lo]);
    }
}

static mist_status check_counts(size_t n0, size_t n1, mist_error *err)
{
    if (n0 < 2 || n1 < 2)
        return mist_error_set(err, MIST_ERR_INPUT,
                              "an observer needs at least 2 images per class (have %zu absent, "
                              "%zu present)",
                              n0, n1);
    return MIST_OK;
}

mist_status mist_observer_auc(const double *t0, size_t n0, const double *t1, size_t n1, double *auc,
                              mist_error *err)
{
    if (!n0 || !n1)
        return mist_error_set(err, MIST_ERR_INPUT, "AUC needs statistics of both classes");
    tagged *s = malloc((n0 + n1) * sizeof *s);
    if (!s)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the AUC");
    *auc = auc_mw(t0, n0, t1, n1, s);
    free(s);
    return MIST_OK;
}

static void fill_point(mist_observer_result *res, const double *t0, size_t n0, const double *t1,
                       size_t n1, tagged *s)
{
    res->n0 = n0;
    res->n1 = n1;
    res->d_prime = dprime(t0, n0, t1, n1);
    res->auc = auc_mw(t0, n0, t1, n1, s);
    res->auc_from_dprime = mist_phi(res->d_prime / sqrt(2.0));
    res->d_prime_ci[0] = res->d_prime_ci[1] = NAN;
    res->auc_ci[0] = res->auc_ci[1] = NAN;
}

mist_status mist_observer_score(const double *t0, size_t n0, const double *t1, size_t n1,
                                const mist_observer_opts *opts, mist_observer_result *res,
                                mist_error *err)
{
    mist_status st = check_counts(n0, n1, err);
    if (st)
        return st;
    size_t nb = opts ? opts->bootstrap : 0;
    tagged *s = malloc((n0 + n1) * sizeof *s);
    double *r0 = malloc((n0 + n1) * sizeof *r0);
    double *bd = malloc((nb ? nb : 1) * sizeof *bd), *ba = malloc((nb ? nb : 1) * sizeof *ba);
    if (!s || !r0 || !bd || !ba) {
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the observer statistics");
        goto done;
    }
    res->d2_unbiased = NAN;
    fill_point(res, t0, n0, t1, n1, s);
    if (nb) {
        double *r1 = r0 + n0;
        mist_rng rng;
        mist_rng_seed(&rng, opts->seed, 0x6f6273u);
        for (size_t b = 0; b < nb; b++) {
            for (size_t i = 0; i < n0; i++)
                r0[i] = t0[mist_rng_bounded(&rng, (uint32_t)n0)];
            for (size_t i = 0; i < n1; i++)
                r1[i] = t1[mist_rng_bounded(&rng, (uint32_t)n1)];
            bd[b] = dprime(r0, n0, r1, n1);
            ba[b] = auc_mw(r0, n0, r1, n1, s);
        }
        percentile_ci(bd, nb, opts->ci_level, res->d_prime_ci);
        percentile_ci(ba, nb, opts->ci_level, res->auc_ci);
    }
done:
    free(s);
    free(r0);
    free(bd);
    free(ba);
    return st;
}

/* ---- NPW ------------------------------------------------------------------------------- */

/* NPW statistics t[n0 + n1] of the rows i0[k] of g0 and i1[k] of g1 (NULL: rows 0..n-1;
 * a bootstrap resample repeats rows, c0[row] / c1[row] times): the template is templ or,
 * when NULL, the estimated mean difference of these rows, left-one-case-out (each case
 * scored with the template of the other cases: every copy of it left out, or a repeated
 * case would score itself).  m0, m1, w: scratch [npix]. */
static void npw_stats(const float *g0, const size_t *i0, const uint32_t *c0, size_t n0,
                      const float *g1, const size_t *i1, const uint32_t *c1, size_t n1,
                      size_t npix, const double *templ, double *m0, double *m1, double *w,
                      double *t)
{
    for (size_t p = 0; p < npix; p++)
        m0[p] = m1[p] = 0.0;
    for (size_t i = 0; i < n0; i++) {
        const float *g = g0 + (i0 ? i0[i] : i) * npix;
        for (size_t p = 0; p < npix; p++)
            m0[p] += g[p] / (double)n0;
    }
    for (size_t i = 0; i < n1; i++) {
        const float *g = g1 + (i1 ? i1[i] : i) * npix;
        for (size_t p = 0; p < npix; p++)
            m1[p] += g[p] / (double)n1;
    }
    for (size_t p = 0; p < npix; p++)
        w[p] = templ ? templ[p] : m1[p] - m0[p];
    for (size_t i = 0; i < n0 + n1; i++) {
        int present = i >= n0;
        const float *g = present ? g1 + (i1 ? i1[i - n0] : i - n0) * npix
                                 : g0 + (i0 ? i0[i] : i) * npix;
        const double *m = present ? m1 : m0;
        /* Images centred on the mean of the class means, c: a constant shift of every t for a
         * fixed template, but it keeps the left-one-out template's noise from multiplying
         * the images' mean level. */
        double s = 0.0, mg = 0.0, gg = 0.0;
        for (size_t p = 0; p < npix; p++) {
            double c = 0.5 * (m0[p] + m1[p]), gc = g[p] - c;
            s += w[p] * gc;
            mg += (m[p] - c) * gc;
            gg += gc * gc;
        }
        if (!templ) {
            /* Leave-one-case-out template: without the c copies of case i its class mean is
             * (n m - c g) / (n - c), so w_{-i} = w +- c (m - g) / (n - c) (+ present,
             * - absent).  A class made of one case repeated has no other: no adjustment. */
            size_t n = present ? n1 : n0;
            double c = present ? (c1 ? c1[i1[i - n0]] : 1) : (c0 ? c0[i0[i]] : 1);
            double adj = c < (double)n ? c * (mg - gg) / ((double)n - c) : 0.0;
            s += present ? adj : -adj;
        }
        t[i] = s;
    }
}

mist_status mist_observer_npw(const float *g0, size_t n0, const float *g1, size_t n1, size_t npix,
                              const double *templ, const mist_observer_opts *opts,
                              mist_observer_result *res, mist_error *err)
{
    mist_status st = check_counts(n0, n1, err);
    if (st)
        return st;
    size_t nb = opts ? opts->bootstrap : 0;
    double *w = malloc(3 * npix * sizeof *w);
    double *t = malloc((n0 + n1) * sizeof *t);
    size_t *idx = malloc((n0 + n1) * sizeof *idx);
    uint32_t *cnt = malloc((n0 + n1) * sizeof *cnt);
    tagged *sc = malloc((n0 + n1) * sizeof *sc);
    double *bd = malloc((nb ? nb : 1) * sizeof *bd), *ba = malloc((nb ? nb : 1) * sizeof *ba);
    if (!w || !t || !idx || !cnt || !sc || !bd || !ba) {
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the NPW observer");
        goto done;
    }
    double *m0 = w + npix, *m1 = w + 2 * npix; /* class means */
    npw_stats(g0, NULL, NULL, n0, g1, NULL, NULL, n1, npix, templ, m0, m1, w, t);
    res->d2_unbiased = NAN;
    fill_point(res, t, n0, t + n0, n1, sc);
    if (!nb)
        goto done;
    /* Bootstrap over cases: each resample of images is scored as the data were, its
     * template (when estimated) re-estimated from the resample, so the CI carries the
     * template's own noise. */
    mist_rng rng;
    mist_rng_seed(&rng, opts->seed, 0x6f6273u);
    for (size_t b = 0; b < nb; b++) {
        memset(cnt, 0, (n0 + n1) * sizeof *cnt);
        for (size_t i = 0; i < n0; i++)
            cnt[idx[i] = mist_rng_bounded(&rng, (uint32_t)n0)]++;
        for (size_t i = 0; i < n1; i++)
            cnt[n0 + (idx[n0 + i] = mist_rng_bounded(&rng, (uint32_t)n1))]++;
        npw_stats(g0, idx, cnt, n0, g1, idx + n0, cnt + n0, n1, npix, templ, m0, m1, w, t);
        bd[b] = dprime(t, n0, t + n0, n1);
        ba[b] = auc_mw(t, n0, t + n0, n1, sc);
    }
    percentile_ci(bd, nb, opts->ci_level, res->d_prime_ci);
    percentile_ci(ba, nb, opts->ci_level, res->auc_ci);
done:
    free(w);
    free(t);
    free(idx);
    free(cnt);
    free(sc);
    free(bd);
    free(ba);
    return st;
}

/* ---- Hotelling / CHO ------------------------------------------------------------------- */

typedef struct hotelling_work {
    double *m0, *m1, *dv, *cov, *w, *t;
    tagged *s;
} hotelling_work;

/* Train on rows v0, v1 (given as row-index lists into the full sets, so bootstrap
 * resamples need no copies) and fill res (point values only).  x0, x1: scratch
 * [n][nc] for the selected rows. */
static mist_status hotelling_fit(const double *v0, const size_t *i0, size_t n0, const double *v1,
                                 const size_t *i1, size_t n1, size_t nc, double *x0, double *x1,
                                 hotelling_work *wk, mist_observer_result *res, mist_error *err)
{
    for (size_t i = 0; i < n0; i++)
        memcpy(x0 + i * nc, v0 + (i0 ? i0[i] : i) * nc, nc * sizeof *x0);
    for (size_t i = 0; i < n1; i++)
        memcpy(x1 + i * nc, v1 + (i1 ? i1[i] : i) * nc, nc * sizeof *x1);
    mist_linalg_mean(x0, n0, nc, wk->m0);
    mist_linalg_mean(x1, n1, nc, wk->m1);
    memset(wk->cov, 0, nc * nc * sizeof *wk->cov);
    double nu = (double)(n0 + n1 - 2);
    /* Pooled covariance: ((n0-1) S0 + (n1-1) S1) / nu. */
    mist_linalg_cov_add(x0, n0, nc, wk->m0, (double)(n0 - 1) / nu, wk->cov);
    mist_linalg_cov_add(x1, n1, nc, wk->m1, (double)(n1 - 1) / nu, wk->cov);
    for (size_t c = 0; c < nc; c++)
        wk->dv[c] = wk->w[c] = wk->m1[c] - wk->m0[c];
    mist_error chol;
    mist_status st = mist_linalg_cholesky(wk->cov, nc, &chol);
    if (st)
        return mist_error_set(err, st, "channel covariance: %s", chol.msg);
    mist_linalg_cholesky_solve(wk->cov, nc, wk->w);
    for (size_t i = 0; i < n0; i++)
        wk->t[i] = mist_linalg_dot(wk->w, x0 + i * nc, nc);
    for (size_t i = 0; i < n1; i++)
        wk->t[n0 + i] = mist_linalg_dot(wk->w, x1 + i * nc, nc);
    fill_point(res, wk->t, n0, wk->t + n0, n1, wk->s);
    double D = mist_linalg_dot(wk->w, wk->dv, nc);
    res->d2_unbiased =
        D * (nu - (double)nc - 1.0) / nu - (double)nc * (1.0 / (double)n0 + 1.0 / (double)n1);
    return MIST_OK;
}

mist_status mist_observer_hotelling(const double *v0, size_t n0, const double *v1, size_t n1,
                                    size_t nc, const mist_observer_opts *opts,
                                    mist_observer_result *res, mist_error *err)
{
    mist_status st = check_counts(n0, n1, err);
    if (st)
        return st;
    if (nc == 0 || n0 + n1 < nc + 4)
        return mist_error_set(err, MIST_ERR_INPUT,
                              "a Hotelling observer with %zu channels needs more than %zu images "
                              "(have %zu)",
                              nc, nc + 3, n0 + n1);
    size_t nb = opts ? opts->bootstrap : 0;
    hotelling_work wk = {0};
    size_t n = n0 + n1;
    double *x = malloc(n * nc * sizeof *x);
    size_t *idx = malloc(n * sizeof *idx);
    double *bd = malloc((nb ? nb : 1) * sizeof *bd), *ba = malloc((nb ? nb : 1) * sizeof *ba);
    wk.m0 = malloc(nc * sizeof(double));
    wk.m1 = malloc(nc * sizeof(double));
    wk.dv = malloc(nc * sizeof(double));
    wk.w = malloc(nc * sizeof(double));
    wk.cov = malloc(nc * nc * sizeof(double));
    wk.t = malloc(n * sizeof(double));
    wk.s = malloc(n * sizeof(tagged));
    if (!x || !idx || !bd || !ba || !wk.m0 || !wk.m1 || !wk.dv || !wk.w || !wk.cov || !wk.t ||
        !wk.s) {
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the Hotelling observer");
        goto done;
    }
    st = hotelling_fit(v0, NULL, n0, v1, NULL, n1, nc, x, x + n0 * nc, &wk, res, err);
    if (st || !nb)
        goto done;
    mist_rng rng;
    mist_rng_seed(&rng, opts->seed, 0x63686fu);
    mist_observer_result r;
    size_t used = 0;
    for (size_t b = 0; b < nb; b++) {
        for (size_t i = 0; i < n0; i++)
            idx[i] = mist_rng_bounded(&rng, (uint32_t)n0);
        for (size_t i = 0; i < n1; i++)
            idx[n0 + i] = mist_rng_bounded(&rng, (uint32_t)n1);
        /* A resample with too few distinct cases can have a singular covariance: skip it. */
        if (hotelling_fit(v0, idx, n0, v1, idx + n0, n1, nc, x, x + n0 * nc, &wk, &r, NULL))
            continue;
        bd[used] = r.d_prime;
        ba[used++] = r.auc;
    }
    if (used) {
        percentile_ci(bd, used, opts->ci_level, res->d_prime_ci);
        percentile_ci(ba, used, opts->ci_level, res->auc_ci);
    }
done:
    free(x);
    free(idx);
    free(bd);
    free(ba);
    free(wk.m0);
    free(wk.m1);
    free(wk.dv);
    free(wk.w);
    free(wk.cov);
    free(wk.t);
    free(wk.s);
    return st;
}

mist_status mist_observer_cho(const float *g0, size_t n0, const float *g1, size_t n1, size_t npix,
                              const double *u, size_t nc, const mist_observer_opts *opts,
                              mist_observer_result *res, mist_error *err)
{
    double *v = malloc((n0 + n1) * nc * sizeof *v);
    if (!v)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the channel outputs");
    for (size_t i = 0; i < n0 + n1; i++) {
        const float *g = i < n0 ? g0 + i * npix : g1 + (i - n0) * npix;
        for (size_t c = 0; c < nc; c++) {
            double s = 0.0;
            for (size_t p = 0; p < npix; p++)
                s += u[c * npix + p] * g[p];
            v[i * nc + c] = s;
        }
    }
    mist_status st = mist_observer_hotelling(v, n0, v + n0 * nc, n1, nc, opts, res, err);
    free(v);
    return st;
}

void mist_observer_lg_channels(size_t nx, size_t ny, double pixel_mm, double cx, double cy,
                               double a_mm, size_t nc, double *u)
{
    for (size_t j = 0; j < ny; j++)
        for (size_t i = 0; i < nx; i++) {
            double dx = ((double)i - cx) * pixel_mm, dy = ((double)j - cy) * pixel_mm;
            double x = 2.0 * PI * (dx * dx + dy * dy) / (a_mm * a_mm);
            double g = sqrt(2.0) / a_mm * exp(-0.5 * x);
            double lm1 = 0.0, l = 1.0; /* L_{p-1}, L_p */
            for (size_t p = 0; p < nc; p++) {
                u[p * nx * ny + j * nx + i] = g * l;
                double next = ((2.0 * (double)p + 1.0 - x) * l - (double)p * lm1) / (double)(p + 1);
                lm1 = l;
                l = next;
            }
        }
}

mist_observer_lesion_opts mist_observer_lesion_opts_default(void)
{
    return (mist_observer_lesion_opts){.n_channels = 6,
                                       .channel_a_mm = 0.0,
                                       .patch_mm = 0.0,
                                       .stats = mist_observer_opts_default()};
}

mist_status mist_observer_lesion(const float *const *absent, size_t n0, const float *const *present,
                                 size_t n1, const size_t n[3], const double voxel_mm[3],
                                 const double origin_mm[3], const double center_mm[3],
                                 double diameter_mm, const mist_observer_lesion_opts *o,
                                 mist_observer_result *npw, mist_observer_result *cho,
                                 mist_error *err)
{
    mist_status st = check_counts(n0, n1, err);
    if (st)
        return st;
    if (fabs(voxel_mm[0] - voxel_mm[1]) > 1e-9 * voxel_mm[0])
        return mist_error_set(err, MIST_ERR_INPUT,
                              "the observers need square pixels (voxels %g x %g mm)", voxel_mm[0],
                              voxel_mm[1]);
    double px = voxel_mm[0];
    double side = o->patch_mm > 0.0 ? o->patch_mm : 4.0 * diameter_mm;
    long half = (long)ceil(0.5 * side / px);
    if (half < 4)
        half = 4;
    long c[3];
    for (int a = 0; a < 3; a++)
        c[a] = lround((center_mm[a] - origin_mm[a]) / voxel_mm[a]);
    if (c[0] - half < 0 || c[1] - half < 0 || c[0] + half >= (long)n[0] ||
        c[1] + half >= (long)n[1] || c[2] < 0 || c[2] >= (long)n[2])
        return mist_error_set(err, MIST_ERR_INPUT,
                              "a %ld x %ld pixel patch around the lesion at (%g, %g, %g) mm does "
                              "not fit in the image",
                              2 * half + 1, 2 * half + 1, center_mm[0], center_mm[1], center_mm[2]);
    size_t w = (size_t)(2 * half + 1), npix = w * w, nimg = n0 + n1;
    float *g = malloc(nimg * npix * sizeof *g);
    double *u = malloc(o->n_channels * npix * sizeof *u);
    if (!g || !u) {
        free(g);
        free(u);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the observer patches");
    }
    for (size_t m = 0; m < nimg; m++) {
        const float *img = m < n0 ? absent[m] : present[m - n0];
        for (size_t j = 0; j < w; j++) {
            size_t y = (size_t)(c[1] - half) + j, x0 = (size_t)(c[0] - half);
            memcpy(g + m * npix + j * w, img + ((size_t)c[2] * n[1] + y) * n[0] + x0,
                   w * sizeof *g);
        }
    }
    /* Channels centred on the lesion's own position within the patch (sub-pixel). */
    double cx = (center_mm[0] - origin_mm[0]) / px - (double)(c[0] - half);
    double cy = (center_mm[1] - origin_mm[1]) / px - (double)(c[1] - half);
    double a_mm = o->channel_a_mm > 0.0 ? o->channel_a_mm : diameter_mm;
    mist_observer_lg_channels(w, w, px, cx, cy, a_mm, o->n_channels, u);
    st = mist_observer_npw(g, n0, g + n0 * npix, n1, npix, NULL, &o->stats, npw, err);
    if (!st)
        st = mist_observer_cho(g, n0, g + n0 * npix, n1, npix, u, o->n_channels, &o->stats, cho,
                               err);
    free(g);
    free(u);
    return st;
}
