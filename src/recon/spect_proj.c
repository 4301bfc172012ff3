#include "recon/spect_proj.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAXW 128 /* weights per axis of one voxel's response (wider responses are cut) */

static const double PI = 3.14159265358979323846;

double mist_spect_cdr_fwhm(const mist_spect_proj *p, double d_mm)
{
    double rg = p->hole_mm * (p->l_eff_mm + d_mm + p->back_mm) / p->l_eff_mm;
    return sqrt(rg * rg + p->intrinsic_fwhm_mm * p->intrinsic_fwhm_mm);
}

/* Bilinear mu in slice z at (x, y) [mm]; zero outside. */
static double mu_at(const mist_img_geom *g, const float *mu, int z, double x, double y)
{
    double fx = (x - g->origin_mm[0]) / g->voxel_mm[0], fy = (y - g->origin_mm[1]) / g->voxel_mm[1];
    int ix = (int)floor(fx), iy = (int)floor(fy);
    double ax = fx - ix, ay = fy - iy, s = 0.0;
    const float *sl = mu + (size_t)z * g->n[0] * g->n[1];
    for (int j = 0; j < 2; j++) {
        int yy = iy + j;
        if (yy < 0 || yy >= g->n[1])
            continue;
        for (int i = 0; i < 2; i++) {
            int xx = ix + i;
            if (xx < 0 || xx >= g->n[0])
                continue;
            s += (i ? ax : 1 - ax) * (j ? ay : 1 - ay) * sl[(size_t)yy * g->n[0] + xx];
        }
    }
    return s;
}

/* erf(x) from the table: linear between nodes, +-1 beyond. */
static double erf_tab(const mist_spect_proj *p, double x)
{
    double f = (x + MIST_SPECT_ERF_MAX) * (MIST_SPECT_ERF_N - 1) / (2.0 * MIST_SPECT_ERF_MAX);
    if (f <= 0)
        return -1.0;
    if (f >= MIST_SPECT_ERF_N - 1)
        return 1.0;
    int i = (int)f;
    double a = f - i;
    return p->erf_table[i] + a * (p->erf_table[i + 1] - p->erf_table[i]);
}

/* Gaussian of sigma centred at c [mm] integrated over the pixels of an axis of n pixels of pix
 * centred on 0; cut at 4 sigma.  Returns the count of weights, *first the first pixel. */
static int gauss_weights(const mist_spect_proj *p, double c, double sigma, int n, double pix,
                         int *first, float *w)
{
    double half = 0.5 * (n - 1);
    int lo = (int)floor((c - 4.0 * sigma) / pix + half + 0.5);
    int hi = (int)floor((c + 4.0 * sigma) / pix + half + 0.5);
    if (lo < 0)
        lo = 0;
    if (hi > n - 1)
        hi = n - 1;
    if (hi - lo + 1 > MAXW) {
        int mid = (int)floor(c / pix + half + 0.5);
        lo = mid - MAXW / 2 > lo ? mid - MAXW / 2 : lo;
        hi = lo + MAXW - 1 < hi ? lo + MAXW - 1 : hi;
    }
    if (hi < lo)
        return 0;
    double k = 1.0 / (sqrt(2.0) * sigma);
    double e0 = erf_tab(p, ((lo - half - 0.5) * pix - c) * k);
    for (int i = lo; i <= hi; i++) {
        double e1 = erf_tab(p, ((i - half + 0.5) * pix - c) * k);
        w[i - lo] = (float)(0.5 * (e1 - e0));
        e0 = e1;
    }
    *first = lo;
    return hi - lo + 1;
}

/* The response of voxel (x, y, z index iz) in view k: column and row weights. */
static int voxel_response(const mist_spect_proj *p, size_t k, int ix, int iy, int iz, int *c0,
                          float *wc, int *nc, int *r0, float *wr)
{
    const mist_img_geom *g = &p->img;
    double x = g->origin_mm[0] + ix * g->voxel_mm[0], y = g->origin_mm[1] + iy * g->voxel_mm[1];
    double z = g->origin_mm[2] + iz * g->voxel_mm[2];
    double d = p->radius_mm[k] - (x * p->cos_t[k] + y * p->sin_t[k]);
    if (d < 0)
        return 0;
    double u = -x * p->sin_t[k] + y * p->cos_t[k];
    double sigma = mist_spect_cdr_fwhm(p, d) / sqrt(8.0 * log(2.0));
    *nc = gauss_weights(p, u, sigma, p->n_cols, p->pixel_mm, c0, wc);
    if (!*nc)
        return 0;
    return gauss_weights(p, z, sigma, p->n_rows, p->pixel_mm, r0, wr);
}

void mist_spect_fwd_view(const mist_spect_proj *p, size_t k, const float *img, float *proj)
{
    const mist_img_geom *g = &p->img;
    size_t nv = mist_img_count(g);
    const float *att = p->att ? p->att + k * nv : NULL;
    float wc[MAXW], wr[MAXW];
    memset(proj, 0, (size_t)p->n_rows * p->n_cols * sizeof *proj);
    size_t j = 0;
    for (int iz = 0; iz < g->n[2]; iz++)
        for (int iy = 0; iy < g->n[1]; iy++)
            for (int ix = 0; ix < g->n[0]; ix++, j++) {
                float v = img[j];
                if (v == 0.0f)
                    continue;
                if (att)
                    v *= att[j];
                int c0, nc, r0;
                int nr = voxel_response(p, k, ix, iy, iz, &c0, wc, &nc, &r0, wr);
                for (int r = 0; r < nr; r++) {
                    float *row = proj + (size_t)(r0 + r) * p->n_cols + c0;
                    float vr = v * wr[r];
                    for (int c = 0; c < nc; c++)
                        row[c] += vr * wc[c];
                }
            }
}

void mist_spect_back_view(const mist_spect_proj *p, size_t k, const float *proj, float *img)
{
    const mist_img_geom *g = &p->img;
    size_t nv = mist_img_count(g);
    const float *att = p->att ? p->att + k * nv : NULL;
    float wc[MAXW], wr[MAXW];
    size_t j = 0;
    for (int iz = 0; iz < g->n[2]; iz++)
        for (int iy = 0; iy < g->n[1]; iy++)
            for (int ix = 0; ix < g->n[0]; ix++, j++) {
                int c0, nc, r0;
                int nr = voxel_response(p, k, ix, iy, iz, &c0, wc, &nc, &r0, wr);
                float s = 0.0f;
                for (int r = 0; r < nr; r++) {
                    const float *row = proj + (size_t)(r0 + r) * p->n_cols + c0;
                    float sr = 0.0f;
                    for (int c = 0; c < nc; c++)
                        sr += row[c] * wc[c];
                    s += sr * wr[r];
                }
                img[j] += att ? s * att[j] : s;
            }
}

/* a_k for every voxel of view k: the mu integral from the voxel centre along n to the edge. */
static void attenuation_view(mist_spect_proj *p, size_t k, const float *mu, float *out)
{
    const mist_img_geom *g = &p->img;
    double h = 0.5 * (g->voxel_mm[0] < g->voxel_mm[1] ? g->voxel_mm[0] : g->voxel_mm[1]);
    double x_lo = g->origin_mm[0] - g->voxel_mm[0], x_hi = g->origin_mm[0] + g->n[0] * g->voxel_mm[0];
    double y_lo = g->origin_mm[1] - g->voxel_mm[1], y_hi = g->origin_mm[1] + g->n[1] * g->voxel_mm[1];
    double c = p->cos_t[k], s = p->sin_t[k];
    size_t j = 0;
    for (int iz = 0; iz < g->n[2]; iz++)
        for (int iy = 0; iy < g->n[1]; iy++)
            for (int ix = 0; ix < g->n[0]; ix++, j++) {
                double x0 = g->origin_mm[0] + ix * g->voxel_mm[0];
                double y0 = g->origin_mm[1] + iy * g->voxel_mm[1];
                double sum = 0.0;
                for (double t = 0.5 * h;; t += h) {
                    double x = x0 + t * c, y = y0 + t * s;
                    if (x < x_lo || x > x_hi || y < y_lo || y > y_hi)
                        break;
                    sum += mu_at(g, mu, iz, x, y);
                }
                out[j] = (float)exp(-sum * h);
            }
}

mist_status mist_spect_proj_init(mist_spect_proj *p, const mist_img_geom *img,
                                 const mist_spect_geom *g, const float *mu_mm, mist_error *err)
{
    memset(p, 0, sizeof *p);
    if (g->n_views < 1 || g->n_rows < 1 || g->n_cols < 1 || !(g->pixel_mm > 0) ||
        !(g->hole_mm > 0) || !(g->l_eff_mm > 0) || g->back_mm < 0 || g->intrinsic_fwhm_mm < 0)
        return mist_error_set(err, MIST_ERR_INPUT,
                              "SPECT projector: expected views, rows, columns, pixel size, hole "
                              "diameter and effective hole length > 0");
    *p = (mist_spect_proj){.img = *img,
                           .n_views = g->n_views,
                           .n_rows = g->n_rows,
                           .n_cols = g->n_cols,
                           .pixel_mm = g->pixel_mm,
                           .hole_mm = g->hole_mm,
                           .l_eff_mm = g->l_eff_mm,
                           .back_mm = g->back_mm,
                           .intrinsic_fwhm_mm = g->intrinsic_fwhm_mm};
    size_t nv = mist_img_count(img);
    for (int i = 0; i < MIST_SPECT_ERF_N; i++)
        p->erf_table[i] =
            erf(-MIST_SPECT_ERF_MAX + 2.0 * MIST_SPECT_ERF_MAX * i / (MIST_SPECT_ERF_N - 1));
    p->cos_t = malloc(g->n_views * sizeof *p->cos_t);
    p->sin_t = malloc(g->n_views * sizeof *p->sin_t);
    p->radius_mm = malloc(g->n_views * sizeof *p->radius_mm);
    if (mu_mm)
        p->att = malloc(g->n_views * (nv ? nv : 1) * sizeof *p->att);
    if (!p->cos_t || !p->sin_t || !p->radius_mm || (mu_mm && !p->att)) {
        mist_spect_proj_free(p);
        return mist_error_set(err, MIST_ERR_NOMEM,
                              "out of memory for the SPECT projector (%zu views x %zu voxels)",
                              g->n_views, nv);
    }
    for (size_t k = 0; k < g->n_views; k++) {
        p->cos_t[k] = cos(g->angle_deg[k] * PI / 180.0);
        p->sin_t[k] = sin(g->angle_deg[k] * PI / 180.0);
        p->radius_mm[k] = g->radius_mm[k];
        if (mu_mm)
            attenuation_view(p, k, mu_mm, p->att + k * nv);
    }
    return MIST_OK;
}

void mist_spect_proj_free(mist_spect_proj *p)
{
    free(p->cos_t);
    free(p->sin_t);
    free(p->radius_mm);
    free(p->att);
    memset(p, 0, sizeof *p);
}
