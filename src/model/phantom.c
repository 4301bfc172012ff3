#include "model/phantom.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

mist_status mist_phantom_create(const char *name, const size_t n[3], const double voxel_mm[3],
                                const double origin_mm[3], mist_phantom **out, mist_error *err)
{
    *out = NULL;
    for (int a = 0; a < 3; a++) {
        if (n[a] == 0 || !(voxel_mm[a] > 0.0) || !isfinite(origin_mm[a]))
            return mist_error_set(err, MIST_ERR_INPUT,
                                  "phantom grid needs positive sizes (axis %d: %zu voxels of %g mm)",
                                  a, n[a], voxel_mm[a]);
    }
    double total = (double)n[0] * (double)n[1] * (double)n[2];
    if (total > 2147483648.0)
        return mist_error_set(err, MIST_ERR_INPUT,
                              "phantom grid of %zu x %zu x %zu voxels is too large (over 2^31)",
                              n[0], n[1], n[2]);
    mist_phantom *p = calloc(1, sizeof *p);
    if (!p)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the phantom");
    snprintf(p->name, sizeof p->name, "%s", name ? name : "");
    memcpy(p->n, n, sizeof p->n);
    memcpy(p->voxel_mm, voxel_mm, sizeof p->voxel_mm);
    memcpy(p->origin_mm, origin_mm, sizeof p->origin_mm);
    p->labels = calloc(mist_phantom_count(p), 1);
    if (!p->labels) {
        free(p);
        return mist_error_set(err, MIST_ERR_NOMEM,
                              "out of memory for a %zu x %zu x %zu voxel phantom", n[0], n[1], n[2]);
    }
    p->tissues[MIST_PHANTOM_AIR] = *mist_tissue_find_builtin("air");
    p->n_tissues = 1;
    *out = p;
    return MIST_OK;
}

void mist_phantom_free(mist_phantom *p)
{
    if (!p)
        return;
    free(p->labels);
    free(p->lesions);
    free(p->pv_voxel);
    free(p->pv_fraction);
    free(p->pv_under);
    free(p);
}

void mist_phantom_center_mm(const mist_phantom *p, size_t i, size_t j, size_t k, double out_mm[3])
{
    out_mm[0] = p->origin_mm[0] + (double)i * p->voxel_mm[0];
    out_mm[1] = p->origin_mm[1] + (double)j * p->voxel_mm[1];
    out_mm[2] = p->origin_mm[2] + (double)k * p->voxel_mm[2];
}

int mist_phantom_locate(const mist_phantom *p, const double pos_mm[3], size_t ijk[3])
{
    for (int a = 0; a < 3; a++) {
        double f = floor((pos_mm[a] - p->origin_mm[a]) / p->voxel_mm[a] + 0.5);
        if (!(f >= 0.0 && f < (double)p->n[a]))
            return 0;
        ijk[a] = (size_t)f;
    }
    return 1;
}

int mist_phantom_tissue_find(const mist_phantom *p, const char *name)
{
    for (size_t i = 0; i < p->n_tissues; i++)
        if (!strcmp(p->tissues[i].name, name))
            return (int)i;
    return -1;
}

mist_status mist_phantom_tissue_label(mist_phantom *p, const char *name, uint8_t *label,
                                      mist_error *err)
{
    int at = mist_phantom_tissue_find(p, name);
    if (at >= 0)
        return *label = (uint8_t)at, MIST_OK;
    const mist_tissue *t = mist_tissue_find_builtin(name);
    if (!t)
        return mist_error_set(err, MIST_ERR_INPUT, "unknown tissue class '%s'", name);
    if (p->n_tissues >= MIST_PHANTOM_MAX_TISSUES)
        return mist_error_set(err, MIST_ERR_INPUT, "too many tissue classes (at most %d)",
                              MIST_PHANTOM_MAX_TISSUES);
    p->tissues[p->n_tissues] = *t;
    *label = (uint8_t)p->n_tissues++;
    return MIST_OK;
}

mist_status mist_phantom_tissue_add(mist_phantom *p, const mist_tissue *t, uint8_t *label,
                                    mist_error *err)
{
    mist_status st = mist_tissue_check(t, err);
    if (st)
        return st;
    int at = mist_phantom_tissue_find(p, t->name);
    if (at == MIST_PHANTOM_AIR)
        return mist_error_set(err, MIST_ERR_INPUT, "tissue 'air' (label 0) cannot be redefined");
    if (at < 0) {
        if (p->n_tissues >= MIST_PHANTOM_MAX_TISSUES)
            return mist_error_set(err, MIST_ERR_INPUT, "too many tissue classes (at most %d)",
                                  MIST_PHANTOM_MAX_TISSUES);
        at = (int)p->n_tissues++;
    }
    p->tissues[at] = *t;
    if (label)
        *label = (uint8_t)at;
    return MIST_OK;
}

static mist_status pv_reserve(mist_phantom *p, size_t extra, mist_error *err)
{
    if (p->n_pv + extra <= p->pv_cap)
        return MIST_OK;
    size_t cap = p->pv_cap ? p->pv_cap : 4096;
    while (cap < p->n_pv + extra)
        cap *= 2;
    uint64_t *v = realloc(p->pv_voxel, cap * sizeof *v);
    if (v)
        p->pv_voxel = v;
    float *f = realloc(p->pv_fraction, cap * sizeof *f);
    if (f)
        p->pv_fraction = f;
    uint8_t *u = realloc(p->pv_under, cap);
    if (u)
        p->pv_under = u;
    if (!v || !f || !u)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for lesion partial volumes");
    p->pv_cap = cap;
    return MIST_OK;
}

/* Range of voxel indices along axis a whose voxels meet [lo, hi] mm; 0 when it leaves the grid. */
static int voxel_range(const mist_phantom *p, int a, double lo, double hi, size_t *first,
                       size_t *last)
{
    double f = floor((lo - p->origin_mm[a]) / p->voxel_mm[a] + 0.5);
    double l = floor((hi - p->origin_mm[a]) / p->voxel_mm[a] + 0.5);
    if (f < 0.0 || l >= (double)p->n[a])
        return 0;
    *first = (size_t)f;
    *last = (size_t)l;
    return 1;
}

/* Fraction of voxel (box lo..hi in coordinates scaled so the ellipsoid is the unit ball)
 * inside the unit ball: 0 or 1 exactly when the box is wholly out or in, else supersampled. */
static double box_fraction(const double lo[3], const double hi[3])
{
    double dmin = 0.0, dmax = 0.0;
    for (int a = 0; a < 3; a++) {
        double near = lo[a] > 0.0 ? lo[a] : (hi[a] < 0.0 ? -hi[a] : 0.0);
        double far = fmax(fabs(lo[a]), fabs(hi[a]));
        dmin += near * near;
        dmax += far * far;
    }
    if (dmin >= 1.0)
        return 0.0;
    if (dmax <= 1.0)
        return 1.0;
    enum { S = MIST_PHANTOM_PV_SUPERSAMPLE };
    double sq[3][S];
    for (int a = 0; a < 3; a++)
        for (int m = 0; m < S; m++) {
            double u = lo[a] + (hi[a] - lo[a]) * ((double)m + 0.5) / S;
            sq[a][m] = u * u;
        }
    unsigned inside = 0;
    for (int c = 0; c < S; c++)
        for (int b = 0; b < S; b++) {
            double r2 = sq[2][c] + sq[1][b];
            if (r2 >= 1.0)
                continue;
            for (int m = 0; m < S; m++)
                inside += r2 + sq[0][m] <= 1.0;
        }
    return (double)inside / (double)(S * S * S);
}

mist_status mist_phantom_add_lesion(mist_phantom *p, const char *name, const char *tissue,
                                    const double center_mm[3], const double semi_axes_mm[3],
                                    int require_body, mist_error *err)
{
    for (int a = 0; a < 3; a++)
        if (!(semi_axes_mm[a] > 0.0) || !isfinite(semi_axes_mm[a]) || !isfinite(center_mm[a]))
            return mist_error_set(err, MIST_ERR_INPUT,
                                  "lesion '%s': sizes must be positive and finite", name);
    uint8_t label;
    mist_status st = mist_phantom_tissue_label(p, tissue, &label, err);
    if (st)
        return mist_error_set(err, st, "lesion '%s': unknown tissue class '%s'", name, tissue);
    size_t c[3];
    if (!mist_phantom_locate(p, center_mm, c))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "lesion '%s': centre (%g, %g, %g) mm lies outside the phantom grid",
                              name, center_mm[0], center_mm[1], center_mm[2]);
    if (require_body && p->labels[mist_phantom_index(p, c[0], c[1], c[2])] == MIST_PHANTOM_AIR)
        return mist_error_set(err, MIST_ERR_INPUT,
                              "lesion '%s': centre (%g, %g, %g) mm lies outside the body (in air)",
                              name, center_mm[0], center_mm[1], center_mm[2]);
    size_t first[3], last[3];
    for (int a = 0; a < 3; a++)
        if (!voxel_range(p, a, center_mm[a] - semi_axes_mm[a], center_mm[a] + semi_axes_mm[a],
                         &first[a], &last[a]))
            return mist_error_set(err, MIST_ERR_INPUT,
                                  "lesion '%s' (centre (%g, %g, %g) mm, semi-axes %g, %g, %g mm) "
                                  "extends beyond the phantom grid",
                                  name, center_mm[0], center_mm[1], center_mm[2], semi_axes_mm[0],
                                  semi_axes_mm[1], semi_axes_mm[2]);
    if (p->n_lesions == p->lesions_cap) {
        size_t cap = p->lesions_cap ? 2 * p->lesions_cap : 8;
        mist_phantom_lesion *l = realloc(p->lesions, cap * sizeof *l);
        if (!l)
            return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for lesions");
        p->lesions = l;
        p->lesions_cap = cap;
    }
    size_t box = (last[0] - first[0] + 1) * (last[1] - first[1] + 1) * (last[2] - first[2] + 1);
    if ((st = pv_reserve(p, box, err)))
        return st;

    mist_phantom_lesion *les = &p->lesions[p->n_lesions];
    memset(les, 0, sizeof *les);
    snprintf(les->name, sizeof les->name, "%s", name);
    snprintf(les->tissue, sizeof les->tissue, "%s", tissue);
    les->label = label;
    memcpy(les->center_mm, center_mm, sizeof les->center_mm);
    memcpy(les->semi_axes_mm, semi_axes_mm, sizeof les->semi_axes_mm);
    les->diameter_mm = 2.0 * cbrt(semi_axes_mm[0] * semi_axes_mm[1] * semi_axes_mm[2]);
    les->pv_offset = p->n_pv;

    double sum = 0.0;
    for (size_t k = first[2]; k <= last[2]; k++)
        for (size_t j = first[1]; j <= last[1]; j++)
            for (size_t i = first[0]; i <= last[0]; i++) {
                double ctr[3], lo[3], hi[3];
                mist_phantom_center_mm(p, i, j, k, ctr);
                for (int a = 0; a < 3; a++) {
                    lo[a] = (ctr[a] - 0.5 * p->voxel_mm[a] - center_mm[a]) / semi_axes_mm[a];
                    hi[a] = (ctr[a] + 0.5 * p->voxel_mm[a] - center_mm[a]) / semi_axes_mm[a];
                }
                double f = box_fraction(lo, hi);
                if (f <= 0.0)
                    continue;
                size_t v = mist_phantom_index(p, i, j, k);
                p->pv_voxel[p->n_pv] = v;
                p->pv_fraction[p->n_pv] = (float)f;
                p->pv_under[p->n_pv] = p->labels[v];
                p->n_pv++;
                if (f >= 0.5)
                    p->labels[v] = label;
                sum += f;
            }
    les->pv_count = p->n_pv - les->pv_offset;
    les->volume_mm3 = sum * p->voxel_mm[0] * p->voxel_mm[1] * p->voxel_mm[2];
    p->n_lesions++;
    return MIST_OK;
}

mist_status mist_phantom_add_study_lesions(mist_phantom *p, const mist_lesion *lesions, size_t n,
                                           mist_error *err)
{
    for (size_t l = 0; l < n; l++) {
        double r = 0.5 * lesions[l].diameter_mm;
        double axes[3] = {r, r, r};
        mist_status st = mist_phantom_add_lesion(p, lesions[l].name, lesions[l].tissue,
                                                 lesions[l].center_mm, axes, 1, err);
        if (st)
            return st;
    }
    return MIST_OK;
}

void mist_phantom_label_counts(const mist_phantom *p, uint64_t counts[256])
{
    memset(counts, 0, 256 * sizeof counts[0]);
    size_t n = mist_phantom_count(p);
    for (size_t v = 0; v < n; v++)
        counts[p->labels[v]]++;
}

void mist_phantom_density(const mist_phantom *p, float *out)
{
    float rho[256] = {0};
    for (size_t t = 0; t < p->n_tissues; t++)
        rho[t] = (float)p->tissues[t].density_g_cm3;
    size_t n = mist_phantom_count(p);
    for (size_t v = 0; v < n; v++)
        out[v] = rho[p->labels[v]];
    for (size_t l = 0; l < p->n_lesions; l++) {
        const mist_phantom_lesion *les = &p->lesions[l];
        for (size_t e = les->pv_offset; e < les->pv_offset + les->pv_count; e++) {
            float f = p->pv_fraction[e];
            out[p->pv_voxel[e]] = f * rho[les->label] + (1.0f - f) * rho[p->pv_under[e]];
        }
    }
}
