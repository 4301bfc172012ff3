#include "analysis/roi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846
#define SHELL_MM 5.0              /* width of the shell that names a lesion's background */
#define SHELL_SHARE 0.10          /* share of that shell a tissue needs to count */
#define LUNG_ROI_DIAMETER_MM 30.0 /* NEMA NU 2 lung residual ROI */

static const double SLICE_OFFSETS_MM[MIST_ROI_SLICES] = {0.0, -10.0, 10.0, -20.0, 20.0};

mist_roi_opts mist_roi_opts_default(void)
{
    return (mist_roi_opts){.margin_mm = 10.0, .rois_per_slice = 12, .suv_per_Bq_mL = 0.0};
}

void mist_roi_free(mist_roi *roi)
{
    free(roi->voxel);
    free(roi->w);
    memset(roi, 0, sizeof *roi);
}

static mist_status roi_push(mist_roi *roi, size_t v, double w, mist_error *err)
{
    if (roi->n == roi->cap) {
        size_t cap = roi->cap ? 2 * roi->cap : 64;
        size_t *nv = realloc(roi->voxel, cap * sizeof *nv);
        if (nv)
            roi->voxel = nv;
        double *nw = realloc(roi->w, cap * sizeof *nw);
        if (nw)
            roi->w = nw;
        if (!nv || !nw)
            return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for an ROI");
        roi->cap = cap;
    }
    roi->voxel[roi->n] = v;
    roi->w[roi->n++] = w;
    roi->sum_w += w;
    return MIST_OK;
}

/* Index range of the voxels along axis a whose extent meets [lo, hi]; 0 when none is
 * in the grid.  *clip set when the range had to be cut at the grid's ends. */
static int axis_range(const mist_roi_grid *g, int a, double lo, double hi, size_t *i0, size_t *i1,
                      int *clip)
{
    double f0 = floor((lo - g->origin_mm[a]) / g->voxel_mm[a] + 0.5);
    double f1 = floor((hi - g->origin_mm[a]) / g->voxel_mm[a] + 0.5);
    double n = (double)g->n[a];
    if (f0 < 0.0 || f1 > n - 1.0)
        *clip = 1;
    if (f1 < 0.0 || f0 > n - 1.0)
        return 0;
    *i0 = (size_t)(f0 < 0.0 ? 0.0 : f0);
    *i1 = (size_t)(f1 > n - 1.0 ? n - 1.0 : f1);
    return 1;
}

/* Fraction of the box [lo, hi] (dims axes) within radius r of c. */
static double box_fraction(const double lo[3], const double hi[3], const double c[3], double r,
                           int dims)
{
    double near2 = 0.0, far2 = 0.0, r2 = r * r;
    for (int a = 0; a < dims; a++) {
        double dn = fmax(0.0, fmax(lo[a] - c[a], c[a] - hi[a]));
        double df = fmax(fabs(lo[a] - c[a]), fabs(hi[a] - c[a]));
        near2 += dn * dn;
        far2 += df * df;
    }
    if (near2 >= r2)
        return 0.0;
    if (far2 <= r2)
        return 1.0;
    const int S = MIST_ROI_SUBSAMPLE;
    double h[3];
    for (int a = 0; a < dims; a++)
        h[a] = (hi[a] - lo[a]) / S;
    long inside = 0, total = 0;
    int sz = dims == 3 ? S : 1;
    for (int sk = 0; sk < sz; sk++) {
        double dz = dims == 3 ? lo[2] + (sk + 0.5) * h[2] - c[2] : 0.0;
        for (int sj = 0; sj < S; sj++) {
            double dy = lo[1] + (sj + 0.5) * h[1] - c[1];
            for (int si = 0; si < S; si++) {
                double dx = lo[0] + (si + 0.5) * h[0] - c[0];
                inside += dx * dx + dy * dy + dz * dz <= r2;
                total++;
            }
        }
    }
    return (double)inside / (double)total;
}

static void voxel_box(const mist_roi_grid *g, size_t i, size_t j, size_t k, double lo[3],
                      double hi[3])
{
    size_t ijk[3] = {i, j, k};
    for (int a = 0; a < 3; a++) {
        double c = g->origin_mm[a] + (double)ijk[a] * g->voxel_mm[a];
        lo[a] = c - 0.5 * g->voxel_mm[a];
        hi[a] = c + 0.5 * g->voxel_mm[a];
    }
}

static mist_status shape_roi(const mist_roi_grid *g, const double c[3], double r, int dims,
                             mist_roi *roi, int *clipped, mist_error *err)
{
    roi->n = 0;
    roi->sum_w = 0.0;
    int clip = 0;
    size_t lo[3], hi[3];
    int any = 1;
    for (int a = 0; a < 2; a++)
        any &= axis_range(g, a, c[a] - r, c[a] + r, &lo[a], &hi[a], &clip);
    any &= axis_range(g, 2, dims == 3 ? c[2] - r : c[2], dims == 3 ? c[2] + r : c[2], &lo[2],
                      &hi[2], &clip);
    if (clipped)
        *clipped = clip;
    if (!any)
        return MIST_OK;
    if (dims == 2)
        hi[2] = lo[2]; /* the one slice holding c[2] */
    for (size_t k = lo[2]; k <= hi[2]; k++)
        for (size_t j = lo[1]; j <= hi[1]; j++)
            for (size_t i = lo[0]; i <= hi[0]; i++) {
                double blo[3], bhi[3];
                voxel_box(g, i, j, k, blo, bhi);
                double w = box_fraction(blo, bhi, c, r, dims);
                mist_status st;
                if (w > 0.0 && (st = roi_push(roi, (k * g->n[1] + j) * g->n[0] + i, w, err)))
                    return st;
            }
    return MIST_OK;
}

mist_status mist_roi_sphere(const mist_roi_grid *g, const double c_mm[3], double radius_mm,
                            mist_roi *roi, int *clipped, mist_error *err)
{
    return shape_roi(g, c_mm, radius_mm, 3, roi, clipped, err);
}

mist_status mist_roi_disk(const mist_roi_grid *g, const double c_mm[3], double radius_mm,
                          mist_roi *roi, int *clipped, mist_error *err)
{
    return shape_roi(g, c_mm, radius_mm, 2, roi, clipped, err);
}

int mist_roi_sphere_inside(const mist_roi_grid *g, const double c_mm[3], double radius_mm)
{
    int clip = 0;
    size_t lo, hi;
    for (int a = 0; a < 3; a++)
        if (!axis_range(g, a, c_mm[a] - radius_mm, c_mm[a] + radius_mm, &lo, &hi, &clip))
            return 0;
    return !clip;
}

double mist_roi_mean(const mist_roi *roi, const float *img)
{
    if (!roi->n || !(roi->sum_w > 0.0))
        return NAN;
    double s = 0.0;
    for (size_t e = 0; e < roi->n; e++)
        s += roi->w[e] * img[roi->voxel[e]];
    return s / roi->sum_w;
}

/* ---- truth ------------------------------------------------------------------------------ */

static size_t grid_count(const mist_roi_grid *g)
{
    return g->n[0] * g->n[1] * g->n[2];
}

static void voxel_center(const mist_roi_grid *g, size_t v, double c[3])
{
    size_t i = v % g->n[0], j = (v / g->n[0]) % g->n[1], k = v / (g->n[0] * g->n[1]);
    c[0] = g->origin_mm[0] + (double)i * g->voxel_mm[0];
    c[1] = g->origin_mm[1] + (double)j * g->voxel_mm[1];
    c[2] = g->origin_mm[2] + (double)k * g->voxel_mm[2];
}

static double dist3(const double a[3], const double b[3])
{
    return sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                (a[2] - b[2]) * (a[2] - b[2]));
}

/* Labels filling >= SHELL_SHARE of the shell r < d <= r + SHELL_MM around lesion l. */
static void background_labels(const mist_roi_truth *t, mist_roi_lesion *les)
{
    const mist_roi_grid *g = &t->grid;
    double r = 0.5 * les->diameter_mm;
    double vmax = fmax(g->voxel_mm[0], fmax(g->voxel_mm[1], g->voxel_mm[2]));
    double outer = r + fmax(SHELL_MM, 2.0 * vmax);
    uint64_t counts[256] = {0}, total = 0;
    size_t lo[3], hi[3];
    int clip = 0;
    memset(les->background, 0, sizeof les->background);
    for (int a = 0; a < 3; a++)
        if (!axis_range(g, a, les->center_mm[a] - outer, les->center_mm[a] + outer, &lo[a], &hi[a],
                        &clip))
            return;
    for (size_t k = lo[2]; k <= hi[2]; k++)
        for (size_t j = lo[1]; j <= hi[1]; j++)
            for (size_t i = lo[0]; i <= hi[0]; i++) {
                size_t v = (k * g->n[1] + j) * g->n[0] + i;
                double c[3];
                voxel_center(g, v, c);
                double d = dist3(c, les->center_mm);
                if (d <= r || d > outer || t->lesion_mask[v] || t->labels[v] == 0)
                    continue;
                counts[t->labels[v]]++;
                total++;
            }
    for (int l = 1; l < 256; l++)
        les->background[l] = total && (double)counts[l] >= SHELL_SHARE * (double)total;
}

void mist_roi_truth_free(mist_roi_truth *t)
{
    free(t->labels);
    free(t->conc_Bq_mL);
    free(t->lesion_mask);
    free(t->lesions);
    memset(t, 0, sizeof *t);
}

mist_status mist_roi_truth_build(const mist_roi_grid *g, const uint8_t *labels,
                                 const float *activity_Bq, const mist_roi_lesion_in *lesions,
                                 size_t n_lesions, const uint64_t *pv_voxel,
                                 const float *pv_fraction, const uint8_t *pv_under, size_t n_pv,
                                 mist_roi_truth *t, mist_error *err)
{
    memset(t, 0, sizeof *t);
    t->grid = *g;
    size_t n = grid_count(g);
    double voxel_mL = g->voxel_mm[0] * g->voxel_mm[1] * g->voxel_mm[2] * 1e-3;
    t->labels = malloc(n);
    t->conc_Bq_mL = malloc(n * sizeof *t->conc_Bq_mL);
    t->lesion_mask = calloc(n, 1);
    t->lesions = calloc(n_lesions ? n_lesions : 1, sizeof *t->lesions);
    if (!t->labels || !t->conc_Bq_mL || !t->lesion_mask || !t->lesions) {
        mist_roi_truth_free(t);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the phantom truth");
    }
    t->n_lesions = n_lesions;
    memcpy(t->labels, labels, n);
    for (size_t v = 0; v < n; v++)
        t->conc_Bq_mL[v] = (float)(activity_Bq[v] / voxel_mL);
    for (size_t e = 0; e < n_pv; e++) {
        if (pv_voxel[e] >= n) {
            mist_roi_truth_free(t);
            return mist_error_set(err, MIST_ERR_INPUT,
                                  "lesion partial volume %zu names voxel %llu, outside the %zu "
                                  "voxels of the phantom",
                                  e, (unsigned long long)pv_voxel[e], n);
        }
        t->lesion_mask[pv_voxel[e]] = 1;
    }
    /* Each tissue's concentration from the voxels no lesion touches. */
    double sum[256] = {0}, conc[256];
    uint64_t cnt[256] = {0};
    for (size_t v = 0; v < n; v++)
        if (!t->lesion_mask[v]) {
            sum[labels[v]] += t->conc_Bq_mL[v];
            cnt[labels[v]]++;
        }
    for (int l = 0; l < 256; l++)
        conc[l] = cnt[l] ? sum[l] / (double)cnt[l] : NAN;
    for (size_t l = 0; l < n_lesions; l++) {
        const mist_roi_lesion_in *in = &lesions[l];
        mist_roi_lesion *out = &t->lesions[l];
        if (in->pv_offset + in->pv_count > n_pv) {
            mist_error_set(err, MIST_ERR_INPUT,
                           "lesion %s: partial volumes %zu..%zu beyond the %zu written", in->name,
                           in->pv_offset, in->pv_offset + in->pv_count, n_pv);
            mist_roi_truth_free(t);
            return MIST_ERR_INPUT;
        }
        snprintf(out->name, sizeof out->name, "%s", in->name);
        memcpy(out->center_mm, in->center_mm, sizeof out->center_mm);
        out->diameter_mm = in->diameter_mm;
        /* Least squares over the lesion's voxels: c_v = f a_H + (1 - f) a_under. */
        double num = 0.0, den = 0.0;
        for (size_t e = in->pv_offset; e < in->pv_offset + in->pv_count; e++) {
            double f = pv_fraction[e], cu = f < 1.0 ? conc[pv_under[e]] : 0.0;
            if (!isfinite(cu))
                continue;
            num += f * (t->conc_Bq_mL[pv_voxel[e]] - (1.0 - f) * cu);
            den += f * f;
        }
        out->conc_Bq_mL = den > 0.0 ? num / den : NAN;
        background_labels(t, out);
    }
    return MIST_OK;
}

/* ---- lesion metrics --------------------------------------------------------------------- */

/* Every phantom pixel the disk touches (slice at c[2]) holds a background label and no
 * lesion; the disk lies inside the phantom grid. */
static int disk_in_background(const mist_roi_truth *t, const mist_roi_lesion *les,
                              const double c[3], double r)
{
    const mist_roi_grid *g = &t->grid;
    size_t lo[3], hi[3];
    int clip = 0;
    for (int a = 0; a < 2; a++)
        if (!axis_range(g, a, c[a] - r, c[a] + r, &lo[a], &hi[a], &clip))
            return 0;
    if (!axis_range(g, 2, c[2], c[2], &lo[2], &hi[2], &clip) || clip)
        return 0;
    size_t k = lo[2];
    for (size_t j = lo[1]; j <= hi[1]; j++)
        for (size_t i = lo[0]; i <= hi[0]; i++) {
            double blo[3], bhi[3];
            voxel_box(g, i, j, k, blo, bhi);
            if (box_fraction(blo, bhi, c, r, 2) <= 0.0)
                continue;
            size_t v = (k * g->n[1] + j) * g->n[0] + i;
            if (t->lesion_mask[v] || !les->background[t->labels[v]])
                return 0;
        }
    return 1;
}

static int far_from_lesions(const mist_roi_truth *t, const double c[3], double r_roi, double margin)
{
    for (size_t l = 0; l < t->n_lesions; l++)
        if (dist3(c, t->lesions[l].center_mm) < 0.5 * t->lesions[l].diameter_mm + margin + r_roi)
            return 0;
    return 1;
}

typedef struct bg_acc {
    double *means;        /* [capacity] ROI means (image), for a two-pass SD */
    double sum_m, sum_t;  /* ROI means (image), ROI means (truth) */
    double sw, swx, swx2; /* voxel sums over all ROIs */
    double var_factor;    /* sum over ROIs of sum w^2 / (sum w)^2 */
    size_t k;
} bg_acc;

static mist_status add_bg_roi(const float *img, const mist_roi *ri, const mist_roi_truth *t,
                              const mist_roi *rt, bg_acc *acc)
{
    double m = mist_roi_mean(ri, img), mt = mist_roi_mean(rt, t->conc_Bq_mL), sw2 = 0.0;
    acc->means[acc->k] = m;
    acc->sum_m += m;
    acc->sum_t += mt;
    for (size_t e = 0; e < ri->n; e++) {
        double w = ri->w[e], x = img[ri->voxel[e]];
        acc->sw += w;
        acc->swx += w * x;
        acc->swx2 += w * x * x;
        sw2 += w * w;
    }
    acc->var_factor += sw2 / (ri->sum_w * ri->sum_w);
    acc->k++;
    return MIST_OK;
}

static mist_status background_rois(const float *img, const mist_roi_grid *ig,
                                   const mist_roi_truth *t, const mist_roi_lesion *les,
                                   const mist_roi_opts *o, bg_acc *acc, mist_error *err)
{
    double r_roi = 0.5 * les->diameter_mm, r_les = 0.5 * les->diameter_mm;
    double gap = fmax(ig->voxel_mm[0], ig->voxel_mm[1]);
    double step = 2.0 * r_roi + gap;
    double ext_x = (double)t->grid.n[0] * t->grid.voxel_mm[0],
           ext_y = (double)t->grid.n[1] * t->grid.voxel_mm[1];
    double rho_max = hypot(ext_x, ext_y);
    mist_roi ri = {0}, rt = {0};
    mist_status st = MIST_OK;
    size_t cap = (size_t)o->rois_per_slice;
    double(*acc_xy)[2] = malloc((cap ? cap : 1) * sizeof *acc_xy);
    if (!acc_xy)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for background ROIs");
    for (int s = 0; s < MIST_ROI_SLICES; s++) {
        size_t got = 0;
        for (int m = 0; got < cap; m++) {
            double rho = r_les + o->margin_mm + r_roi + m * step;
            if (rho > rho_max)
                break;
            int n_ang = (int)floor(2.0 * PI * rho / step);
            if (n_ang < 1)
                n_ang = 1;
            for (int a = 0; a < n_ang && got < cap; a++) {
                double th = 2.0 * PI * (a + 0.5 * (m % 2)) / n_ang;
                double c[3] = {les->center_mm[0] + rho * cos(th), les->center_mm[1] + rho * sin(th),
                               les->center_mm[2] + SLICE_OFFSETS_MM[s]};
                int overlap = 0;
                for (size_t q = 0; q < got && !overlap; q++)
                    overlap = hypot(c[0] - acc_xy[q][0], c[1] - acc_xy[q][1]) < 2.0 * r_roi;
                if (overlap || !far_from_lesions(t, c, r_roi, o->margin_mm) ||
                    !disk_in_background(t, les, c, r_roi))
                    continue;
                int clip_i = 0, clip_t = 0;
                if ((st = mist_roi_disk(ig, c, r_roi, &ri, &clip_i, err)) ||
                    (st = mist_roi_disk(&t->grid, c, r_roi, &rt, &clip_t, err)))
                    goto done;
                if (clip_i || clip_t || !ri.n || !rt.n)
                    continue;
                add_bg_roi(img, &ri, t, &rt, acc);
                acc_xy[got][0] = c[0];
                acc_xy[got][1] = c[1];
                got++;
            }
        }
    }
done:
    mist_roi_free(&ri);
    mist_roi_free(&rt);
    free(acc_xy);
    return st;
}

/* Max over voxels whose centre is in the sphere (or the voxel holding the centre), and the
 * highest 1 mL sphere mean centred on one of those voxels. */
static mist_status max_and_peak(const float *img, const mist_roi_grid *ig, const mist_roi *sph,
                                const mist_roi_lesion *les, double *max, double *peak,
                                mist_error *err)
{
    double r = 0.5 * les->diameter_mm;
    /* The 1 mL kernel: a sphere on a small grid of the image's voxels, centred on a voxel. */
    mist_roi_grid kg = *ig;
    long half[3];
    for (int a = 0; a < 3; a++) {
        half[a] = (long)ceil(MIST_ROI_PEAK_ML_RADIUS_MM / ig->voxel_mm[a]) + 1;
        kg.n[a] = (size_t)(2 * half[a] + 1);
        kg.origin_mm[a] = -(double)half[a] * ig->voxel_mm[a];
    }
    mist_roi ker = {0};
    const double zero[3] = {0, 0, 0};
    mist_status st = mist_roi_sphere(&kg, zero, MIST_ROI_PEAK_ML_RADIUS_MM, &ker, NULL, err);
    if (st)
        return st;
    *max = -INFINITY;
    *peak = -INFINITY;
    size_t best_v = SIZE_MAX;
    double best_d = INFINITY;
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t e = 0; e < sph->n; e++) {
            size_t v = sph->voxel[e];
            double c[3];
            voxel_center(ig, v, c);
            double d = dist3(c, les->center_mm);
            if (pass == 0) {
                if (d < best_d) {
                    best_d = d;
                    best_v = v;
                }
                if (d > r)
                    continue;
            } else if (v != best_v) {
                continue;
            }
            if (img[v] > *max)
                *max = img[v];
            /* 1 mL sphere mean at voxel v. */
            long vi = (long)(v % ig->n[0]), vj = (long)((v / ig->n[0]) % ig->n[1]),
                 vk = (long)(v / (ig->n[0] * ig->n[1]));
            double s = 0.0, sw = 0.0;
            for (size_t q = 0; q < ker.n; q++) {
                size_t kv = ker.voxel[q];
                long ki = (long)(kv % kg.n[0]) - half[0],
                     kj = (long)((kv / kg.n[0]) % kg.n[1]) - half[1],
                     kk = (long)(kv / (kg.n[0] * kg.n[1])) - half[2];
                long i = vi + ki, j = vj + kj, k = vk + kk;
                if (i < 0 || j < 0 || k < 0 || i >= (long)ig->n[0] || j >= (long)ig->n[1] ||
                    k >= (long)ig->n[2])
                    continue;
                s += ker.w[q] * img[((size_t)k * ig->n[1] + (size_t)j) * ig->n[0] + (size_t)i];
                sw += ker.w[q];
            }
            if (sw > 0.0 && s / sw > *peak)
                *peak = s / sw;
        }
        if (*max > -INFINITY) /* some voxel centre was inside: no need for the fallback */
            break;
    }
    mist_roi_free(&ker);
    return MIST_OK;
}

mist_status mist_roi_lesion_metrics(const float *img, const mist_roi_grid *ig,
                                    const mist_roi_truth *t, size_t l, const mist_roi_opts *o,
                                    mist_roi_metrics *m, mist_error *err)
{
    const mist_roi_lesion *les = &t->lesions[l];
    mist_roi sph = {0};
    int clipped = 0;
    mist_status st =
        mist_roi_sphere(ig, les->center_mm, 0.5 * les->diameter_mm, &sph, &clipped, err);
    if (!st && (!sph.n || clipped))
        st = mist_error_set(err, MIST_ERR_INPUT,
                            "lesion %s (%.1f mm at %.1f, %.1f, %.1f mm) is not wholly inside the "
                            "image",
                            les->name, les->diameter_mm, les->center_mm[0], les->center_mm[1],
                            les->center_mm[2]);
    if (st) {
        mist_roi_free(&sph);
        return st;
    }
    memset(m, 0, sizeof *m);
    m->a_h = les->conc_Bq_mL;
    m->c_h = mist_roi_mean(&sph, img);
    st = max_and_peak(img, ig, &sph, les, &m->max, &m->peak, err);
    mist_roi_free(&sph);
    bg_acc acc = {0};
    if (!st && !(acc.means = malloc((size_t)(o->rois_per_slice > 0 ? o->rois_per_slice : 1) *
                                    MIST_ROI_SLICES * sizeof *acc.means)))
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for background ROIs");
    if (!st)
        st = background_rois(img, ig, t, les, o, &acc, err);
    if (st) {
        free(acc.means);
        return st;
    }
    double K = (double)acc.k;
    m->n_bg_rois = acc.k;
    m->c_b = acc.k ? acc.sum_m / K : NAN;
    m->a_b = acc.k ? acc.sum_t / K : NAN;
    m->sd_b = NAN;
    if (acc.k > 1) {
        double ss = 0.0;
        for (size_t q = 0; q < acc.k; q++)
            ss += (acc.means[q] - m->c_b) * (acc.means[q] - m->c_b);
        m->sd_b = sqrt(ss / (K - 1.0));
        /* Below float32 resolution of the image the spread is rounding, not noise. */
        if (m->sd_b < 1e-6 * fabs(m->c_b))
            m->sd_b = 0.0;
    }
    free(acc.means);
    m->bg_roi_neff = acc.k ? K / acc.var_factor : NAN;
    double var_vox =
        acc.sw > 0.0 ? acc.swx2 / acc.sw - 2.0 * m->c_b * acc.swx / acc.sw + m->c_b * m->c_b : NAN;
    m->noise = sqrt(fmax(0.0, var_vox)) / m->c_b;
    double true_ratio = m->a_h / m->a_b - 1.0;
    m->crc = true_ratio != 0.0 ? (m->c_h / m->c_b - 1.0) / true_ratio : NAN;
    m->bv = m->sd_b / m->c_b;
    m->cnr = (m->c_h - m->c_b) / m->sd_b;
    m->rc_mean = m->c_h / m->a_h;
    m->rc_max = m->max / m->a_h;
    double suv = o->suv_per_Bq_mL > 0.0 ? o->suv_per_Bq_mL : NAN;
    m->suv_max = m->max * suv;
    m->suv_mean = m->c_h * suv;
    m->suv_peak = m->peak * suv;
    return MIST_OK;
}

mist_status mist_roi_lung_residual(const float *img, const mist_roi_grid *ig,
                                   const mist_roi_truth *t, uint8_t label, double c_b,
                                   double *residual, size_t *n_slices, mist_error *err)
{
    const mist_roi_grid *g = &t->grid;
    mist_roi_lesion lung = {0};
    lung.background[label] = 1;
    double r = 0.5 * LUNG_ROI_DIAMETER_MM, sum = 0.0;
    size_t used = 0;
    mist_roi ri = {0};
    mist_status st = MIST_OK;
    for (size_t k = 0; k < ig->n[2]; k++) {
        double z = ig->origin_mm[2] + (double)k * ig->voxel_mm[2];
        double fk = floor((z - g->origin_mm[2]) / g->voxel_mm[2] + 0.5);
        if (fk < 0.0 || fk > (double)g->n[2] - 1.0)
            continue;
        size_t kp = (size_t)fk;
        double sx = 0.0, sy = 0.0;
        size_t cnt = 0;
        for (size_t j = 0; j < g->n[1]; j++)
            for (size_t i = 0; i < g->n[0]; i++)
                if (t->labels[(kp * g->n[1] + j) * g->n[0] + i] == label) {
                    sx += g->origin_mm[0] + (double)i * g->voxel_mm[0];
                    sy += g->origin_mm[1] + (double)j * g->voxel_mm[1];
                    cnt++;
                }
        if (!cnt)
            continue;
        double c[3] = {sx / (double)cnt, sy / (double)cnt, z};
        if (!disk_in_background(t, &lung, c, r))
            continue;
        int clip = 0;
        if ((st = mist_roi_disk(ig, c, r, &ri, &clip, err)))
            break;
        if (clip || !ri.n)
            continue;
        sum += mist_roi_mean(&ri, img) / c_b;
        used++;
    }
    mist_roi_free(&ri);
    *n_slices = used;
    *residual = used ? sum / (double)used : NAN;
    return st;
}
