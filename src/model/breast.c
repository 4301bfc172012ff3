#include "model/breast.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "model/noise.h"

#define PI 3.14159265358979323846

/* RNG substreams of the seed, one per random ingredient. */
enum { STREAM_TEXTURE = 1, STREAM_LIGAMENTS = 2, STREAM_NODES = 3 };

/*
 * Anatomical sizes.  These are modelling assumptions (typical adult female values, not
 * measurements of one reference body) unless a source is named.
 */
#define TORSO_HALF_WIDTH_MM 170.0 /* assumption: chest width ~34 cm at the 4th rib */
#define TORSO_HALF_DEPTH_MM 110.0 /* assumption: chest depth ~22 cm */
#define TORSO_EXPONENT 4.0        /* superellipse: flat front, rounded sides (assumption) */
#define STERNUM_HALF_WIDTH_MM 15.0 /* assumption: sternal body ~3 cm wide */
#define HEART_OFFSET_MM 30.0       /* assumption: heart centre ~3 cm left of the midline */
#define HEART_CENTER_Z_MM (-30.0)  /* assumption: heart centre below nipple level */
static const double HEART_SEMI_MM[3] = {55.0, 40.0, 50.0}; /* assumption: ~11 x 8 x 10 cm */
#define MYOCARDIUM_MM 10.0 /* assumption: left-ventricular wall ~1 cm; one shell, no chambers */
#define LIVER_OFFSET_MM 40.0 /* assumption: liver centre ~4 cm right of the midline */
static const double LIVER_CENTER_YZ_MM[2] = {-90.0, -125.0}; /* assumption: dome near 5th rib */
static const double LIVER_SEMI_MM[3] = {100.0, 75.0, 90.0};  /* assumption: ~20 x 15 x 18 cm */
static const double ABDOMEN_SEMI_MM[3] = {200.0, 110.0, 90.0}; /* below the diaphragm dome */
/* Axillary fat pad, relative to the torso's lateral edge and the breast's top (assumption). */
#define AXILLA_INSET_MM 25.0
#define AXILLA_Y_MM (-55.0)
#define AXILLA_ABOVE_BREAST_MM 15.0
static const double AXILLA_SEMI_MM[3] = {25.0, 30.0, 35.0};
/* Default breast proportions a : L : c (assumption: base ~12 cm wide, ~8 cm deep prone). */
static const double BREAST_ASPECT[3] = {1.0, 1.3, 0.95};

void mist_breast_defaults(mist_breast_params *p)
{
    memset(p, 0, sizeof *p);
    p->seed = 1;
    p->voxel_mm = 1.0;
    p->side = MIST_BREAST_LEFT;
    p->shape_exponent = 2.0;
    mist_breast_semi_axes_for_volume(600.0, p->shape_exponent, p->semi_axes_mm); /* assumption:
        a mid-sized breast (typical volumes 300-1000 mL) */
    p->ptosis_mm = 15.0;        /* assumption: mild ptosis */
    p->skin_mm = 1.5;           /* the project default (issue 4) */
    p->nipple_length_mm = 4.0;  /* VICTRE default nipple length (physics-data.md) */
    p->nipple_radius_mm = 4.0;  /* VICTRE default nipple radius */
    p->fat_fraction = 0.85;     /* BI-RADS b (VICTRE) */
    p->texture_scale_mm = 30.0; /* assumption: lobe-sized first octave */
    p->texture_octaves = 5;
    p->texture_persistence = 0.5;
    p->centrality = 1.0;
    p->ligaments = 1;
    p->ligament_mm = 0.8;         /* assumption: Cooper's ligaments are sub-millimetre sheets */
    p->ligament_scale_mm = 40.0;  /* assumption: spacing of a few cm */
    p->chest_depth_mm = 100.0;
    p->midline_mm = 100.0;        /* assumption: nipple ~10 cm from the midline (inter-nipple
                                     distance ~20 cm) */
    p->subcutaneous_fat_mm = 5.0; /* assumption */
    p->pectoralis_mm = 12.0;      /* assumption: pectoralis major ~1-1.5 cm */
    p->rib_layer_mm = 10.0;       /* assumption */
    p->rib_pitch_mm = 25.0;       /* assumption: rib spacing ~2.5 cm anteriorly */
    p->rib_height_mm = 12.0;      /* assumption */
    p->rib_thickness_mm = 8.0;    /* assumption; ribs drawn as solid cortical bone */
    p->nodes_level1 = 4;          /* assumption: a few visible nodes per level */
    p->nodes_level2 = 3;
    p->node_diameter_mm[0] = 5.0; /* assumption: normal nodes ~5-10 mm */
    p->node_diameter_mm[1] = 9.0;
}

double mist_breast_birads_fat_fraction(char birads)
{
    /* FDA VICTRE breast phantom target fat fractions (physics-data.md, section 2). */
    switch (birads) {
    case 'a': return 0.95;
    case 'b': return 0.85;
    case 'c': return 0.66;
    case 'd': return 0.40;
    default: return -1.0;
    }
}

void mist_breast_semi_axes_for_volume(double volume_mL, double shape_exponent, double out_mm[3])
{
    /* Volume of the half superquadric: pi a c L p / (p + 1). */
    double p = shape_exponent;
    double k = PI * BREAST_ASPECT[0] * BREAST_ASPECT[1] * BREAST_ASPECT[2] * p / (p + 1.0);
    double a = cbrt(volume_mL * 1000.0 / k);
    for (int i = 0; i < 3; i++)
        out_mm[i] = a * BREAST_ASPECT[i];
}

static mist_status bad(mist_error *err, const char *what, double v, const char *range)
{
    return mist_error_set(err, MIST_ERR_INPUT, "breast parameter %s = %g is outside %s", what, v,
                          range);
}

mist_status mist_breast_check(const mist_breast_params *p, mist_error *err)
{
    if (!(p->voxel_mm >= 0.5 && p->voxel_mm <= 2.0))
        return bad(err, "voxel_mm", p->voxel_mm, "[0.5, 2]");
    const char *ax[3] = {"semi_axes_mm[0]", "semi_axes_mm[1]", "semi_axes_mm[2]"};
    for (int i = 0; i < 3; i++)
        if (!(p->semi_axes_mm[i] >= 20.0 && p->semi_axes_mm[i] <= 150.0))
            return bad(err, ax[i], p->semi_axes_mm[i], "[20, 150] mm");
    if (!(p->shape_exponent >= 1.5 && p->shape_exponent <= 8.0))
        return bad(err, "shape_exponent", p->shape_exponent, "[1.5, 8]");
    if (!(p->ptosis_mm >= 0.0 && p->ptosis_mm <= 0.8 * p->semi_axes_mm[2]))
        return bad(err, "ptosis_mm", p->ptosis_mm, "[0, 0.8 c]");
    if (!(p->skin_mm >= 0.0 && p->skin_mm <= 5.0))
        return bad(err, "skin_mm", p->skin_mm, "[0, 5] mm");
    if (!(p->fat_fraction >= 0.0 && p->fat_fraction <= 1.0))
        return bad(err, "fat_fraction", p->fat_fraction, "[0, 1]");
    if (!(p->texture_scale_mm > 0.0) || p->texture_octaves < 1 || p->texture_octaves > 10)
        return bad(err, "texture", p->texture_scale_mm, "scale > 0 with 1-10 octaves");
    if (p->nodes_level1 < 0 || p->nodes_level2 < 0 ||
        p->nodes_level1 + p->nodes_level2 > MIST_BREAST_MAX_NODES)
        return bad(err, "nodes per level", p->nodes_level1 + p->nodes_level2,
                   "0-16 nodes in all");
    if (!(p->node_diameter_mm[0] >= 2.0 && p->node_diameter_mm[1] >= p->node_diameter_mm[0] &&
          p->node_diameter_mm[1] <= 20.0))
        return bad(err, "node_diameter_mm", p->node_diameter_mm[0], "2 <= min <= max <= 20 mm");
    if (!(p->chest_depth_mm >= 20.0 && p->chest_depth_mm <= 200.0))
        return bad(err, "chest_depth_mm", p->chest_depth_mm, "[20, 200] mm");
    if (!(p->midline_mm >= p->semi_axes_mm[0] * 0.5 && p->midline_mm <= 200.0))
        return bad(err, "midline_mm", p->midline_mm, "[a/2, 200] mm");
    double wall = p->skin_mm + p->subcutaneous_fat_mm + p->pectoralis_mm + p->rib_layer_mm;
    if (!(p->subcutaneous_fat_mm >= 0.0 && p->pectoralis_mm >= 0.0 && p->rib_layer_mm >= 0.0 &&
          wall <= 60.0))
        return bad(err, "chest wall thickness", wall, "[0, 60] mm");
    if (!(p->rib_pitch_mm > p->rib_height_mm && p->rib_height_mm >= 0.0 &&
          p->rib_thickness_mm >= 0.0 && p->rib_thickness_mm <= p->rib_layer_mm))
        return bad(err, "rib_pitch_mm", p->rib_pitch_mm,
                   "pitch > rib height, rib thickness <= rib layer");
    if (!(p->ligament_mm > 0.0 && p->ligament_scale_mm > 0.0))
        return bad(err, "ligament_mm", p->ligament_mm, "(0, inf)");
    if (!(p->centrality >= 0.0 && p->centrality <= 10.0))
        return bad(err, "centrality", p->centrality, "[0, 10]");
    if (!(p->texture_persistence > 0.0 && p->texture_persistence <= 1.0))
        return bad(err, "texture_persistence", p->texture_persistence, "(0, 1]");
    if (!(p->nipple_length_mm >= 0.0 && p->nipple_length_mm <= 20.0 &&
          p->nipple_radius_mm >= 0.0 && p->nipple_radius_mm <= 15.0))
        return bad(err, "nipple size", p->nipple_length_mm, "length [0, 20], radius [0, 15] mm");
    return MIST_OK;
}

/* Geometry derived from the parameters, shared by the generator and lesion placement. */
typedef struct geom {
    double a, L, c, p, ptosis;
    double x_mid, y_torso;      /**< [mm] torso centre (x on the midline) */
    double heart[3], liver[3], abdomen[3], axilla[3]; /**< [mm] centres */
    double lo[3], hi[3];        /**< [mm] field of view */
} geom;

static void make_geom(const mist_breast_params *p, geom *g)
{
    g->a = p->semi_axes_mm[0];
    g->L = p->semi_axes_mm[1];
    g->c = p->semi_axes_mm[2];
    g->p = p->shape_exponent;
    g->ptosis = p->ptosis_mm;
    g->x_mid = -p->midline_mm;
    /* Torso superellipse centre chosen so its front surface passes through the breast base
     * centre (0, 0). */
    double u = p->midline_mm / TORSO_HALF_WIDTH_MM;
    g->y_torso = -TORSO_HALF_DEPTH_MM * pow(fmax(0.0, 1.0 - pow(u, TORSO_EXPONENT)),
                                            1.0 / TORSO_EXPONENT);
    double s = p->side == MIST_BREAST_LEFT ? 1.0 : -1.0; /* +1: patient's left is +x */
    double cavity_front = -(p->skin_mm + p->subcutaneous_fat_mm + p->pectoralis_mm +
                            p->rib_layer_mm);
    g->heart[0] = g->x_mid + s * HEART_OFFSET_MM;
    g->heart[1] = cavity_front - HEART_SEMI_MM[1] - 2.0;
    g->heart[2] = HEART_CENTER_Z_MM;
    g->liver[0] = g->x_mid - s * LIVER_OFFSET_MM;
    g->liver[1] = LIVER_CENTER_YZ_MM[0];
    g->liver[2] = LIVER_CENTER_YZ_MM[1];
    g->abdomen[0] = g->x_mid;
    g->abdomen[1] = LIVER_CENTER_YZ_MM[0];
    g->abdomen[2] = LIVER_CENTER_YZ_MM[1];
    g->axilla[0] = g->x_mid + TORSO_HALF_WIDTH_MM - AXILLA_INSET_MM;
    g->axilla[1] = AXILLA_Y_MM;
    g->axilla[2] = g->c + AXILLA_ABOVE_BREAST_MM;
    /* Field of view: breast + nipple with a margin of air, the chest behind it to
     * chest_depth_mm, the axilla above. */
    g->lo[0] = fmin(-(g->a + 40.0), g->x_mid - 1.5 * STERNUM_HALF_WIDTH_MM);
    g->hi[0] = fmax(g->a + 10.0, g->x_mid + TORSO_HALF_WIDTH_MM + 5.0);
    g->lo[1] = -p->chest_depth_mm;
    g->hi[1] = g->L + p->nipple_length_mm + 6.0;
    g->lo[2] = -(g->c + g->ptosis + 10.0);
    g->hi[2] = g->axilla[2] + AXILLA_SEMI_MM[2] + 5.0;
}

/* Depth [mm] of (x, y) below the torso surface (negative outside): the t at which the
 * superellipse shrunk by t on both semi-axes passes through the point (bisection). */
static double torso_depth(const geom *g, double x, double y)
{
    double dx = fabs(x - g->x_mid), dy = fabs(y - g->y_torso);
    double A = TORSO_HALF_WIDTH_MM, B = TORSO_HALF_DEPTH_MM;
    double g0 = pow(dx / A, TORSO_EXPONENT) + pow(dy / B, TORSO_EXPONENT);
    if (g0 > 1.0)
        return -1.0;
    double lo = 0.0, hi = fmin(A, B);
    for (int it = 0; it < 30; it++) {
        double t = 0.5 * (lo + hi);
        double gt = pow(dx / (A - t), TORSO_EXPONENT) + pow(dy / (B - t), TORSO_EXPONENT);
        if (gt > 1.0)
            hi = t;
        else
            lo = t;
    }
    return lo;
}

static double ell2(const double p[3], const double c[3], const double s[3])
{
    double x = (p[0] - c[0]) / s[0], y = (p[1] - c[1]) / s[1], z = (p[2] - c[2]) / s[2];
    return x * x + y * y + z * z;
}

/* Axial shift [mm] of the breast at height y (ptosis) and its derivative. */
static inline double ptosis_shift(const geom *g, double y, double *dshift)
{
    double t = y > 0.0 ? fmin(y / g->L, 1.0) : 0.0;
    *dshift = (y > 0.0 && y < g->L) ? 2.0 * g->ptosis * t / g->L : 0.0;
    return g->ptosis * t * t;
}

typedef struct labels_t {
    uint8_t air, adipose, glandular, skin, muscle, bone, lung, myocardium, blood, liver, node;
} labels_t;

static mist_status get_labels(mist_phantom *ph, labels_t *l, mist_error *err)
{
    mist_status st;
    if ((st = mist_phantom_tissue_label(ph, "adipose", &l->adipose, err)) ||
        (st = mist_phantom_tissue_label(ph, "glandular", &l->glandular, err)) ||
        (st = mist_phantom_tissue_label(ph, "skin", &l->skin, err)) ||
        (st = mist_phantom_tissue_label(ph, "muscle", &l->muscle, err)) ||
        (st = mist_phantom_tissue_label(ph, "bone", &l->bone, err)) ||
        (st = mist_phantom_tissue_label(ph, "lung", &l->lung, err)) ||
        (st = mist_phantom_tissue_label(ph, "myocardium", &l->myocardium, err)) ||
        (st = mist_phantom_tissue_label(ph, "blood", &l->blood, err)) ||
        (st = mist_phantom_tissue_label(ph, "liver", &l->liver, err)) ||
        (st = mist_phantom_tissue_label(ph, "lymph_node", &l->node, err)))
        return st;
    l->air = MIST_PHANTOM_AIR;
    return MIST_OK;
}

/* Label of a torso voxel (not breast) at depth dt >= 0 below the torso surface. */
static uint8_t torso_label(const mist_breast_params *p, const geom *g, const labels_t *lab,
                           const double r[3], double dt)
{
    double w1 = p->skin_mm, w2 = w1 + p->subcutaneous_fat_mm, w3 = w2 + p->pectoralis_mm,
           w4 = w3 + p->rib_layer_mm;
    if (dt < w1)
        return lab->skin;
    if (dt < w4 && ell2(r, g->axilla, AXILLA_SEMI_MM) <= 1.0)
        return lab->adipose;
    if (dt < w2)
        return lab->adipose;
    if (dt < w3)
        return lab->muscle;
    if (dt < w4) {
        if (fabs(r[0] - g->x_mid) < STERNUM_HALF_WIDTH_MM)
            return lab->bone;
        double m = r[2] / p->rib_pitch_mm - 0.5;
        double dz = (m - floor(m + 0.5)) * p->rib_pitch_mm;
        double du = dt - w3 - 0.5 * p->rib_layer_mm;
        double hz = 0.5 * p->rib_height_mm, hu = 0.5 * p->rib_thickness_mm;
        if (hz > 0.0 && hu > 0.0 && (dz * dz) / (hz * hz) + (du * du) / (hu * hu) <= 1.0)
            return lab->bone;
        return lab->muscle;
    }
    double e = ell2(r, g->heart, HEART_SEMI_MM);
    if (e <= 1.0) {
        double inner[3] = {HEART_SEMI_MM[0] - MYOCARDIUM_MM, HEART_SEMI_MM[1] - MYOCARDIUM_MM,
                           HEART_SEMI_MM[2] - MYOCARDIUM_MM};
        return ell2(r, g->heart, inner) <= 1.0 ? lab->blood : lab->myocardium;
    }
    if (ell2(r, g->abdomen, ABDOMEN_SEMI_MM) <= 1.0)
        return ell2(r, g->liver, LIVER_SEMI_MM) <= 1.0 ? lab->liver : lab->muscle;
    return lab->lung;
}

/* Value at rank k (0-based, ascending) of v[0..n-1]; reorders v (Wirth's selection,
 * "Algorithms + Data Structures = Programs", 1976). */
static float select_rank(float *v, size_t n, size_t k)
{
    long l = 0, m = (long)n - 1, kk = (long)k;
    while (l < m) {
        float x = v[kk];
        long i = l, j = m;
        do {
            while (v[i] < x)
                i++;
            while (x < v[j])
                j--;
            if (i <= j) {
                float t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < kk)
            l = i;
        if (kk < i)
            m = j;
    }
    return v[kk];
}

/* Fill the breast's interior with fibroglandular texture: the interior voxels are
 * idx[0..n-1]; returns the number made glandular. */
static mist_status texture(const mist_breast_params *p, const geom *g, const labels_t *lab,
                           mist_phantom *ph, const size_t *idx, size_t n, uint64_t *n_gland,
                           mist_error *err)
{
    *n_gland = 0;
    if (n == 0)
        return MIST_OK;
    float *val = malloc(n * sizeof *val);
    float *tmp = malloc(n * sizeof *tmp);
    float *qabs = p->ligaments ? malloc(n * sizeof *qabs) : NULL;
    if (!val || !tmp || (p->ligaments && !qabs)) {
        free(val);
        free(tmp);
        free(qabs);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the breast texture");
    }
    mist_noise tex, lig;
    mist_noise_seed(&tex, p->seed, STREAM_TEXTURE);
    mist_noise_seed(&lig, p->seed, STREAM_LIGAMENTS);
    const size_t nx = ph->n[0], ny = ph->n[1];
    for (size_t e = 0; e < n; e++) {
        size_t v = idx[e];
        size_t i = v % nx, j = (v / nx) % ny, k = v / (nx * ny);
        double r[3];
        mist_phantom_center_mm(ph, i, j, k, r);
        if (qabs)
            qabs[e] = (float)fabs(mist_noise_fractal(&lig, r, p->ligament_scale_mm, 2, 0.5));
        double ds;
        double zp = r[2] + ptosis_shift(g, r[1], &ds);
        double t = r[1] > 0.0 ? fmin(r[1] / g->L, 1.0) : 0.0;
        double prof = sqrt(fmax(1e-6, 1.0 - pow(t, g->p)));
        double rho = sqrt((r[0] / g->a) * (r[0] / g->a) + (zp / g->c) * (zp / g->c)) / prof;
        /* Bias: denser toward the central axis and toward the nipple (assumption, after the
         * VICTRE and anatomical descriptions of the subareolar/central glandular cone). */
        double bias = 0.15 * p->centrality * ((1.0 - fmin(rho, 1.0)) + 0.5 * t - 0.5);
        val[e] = (float)(mist_noise_fractal(&tex, r, p->texture_scale_mm, p->texture_octaves,
                                            p->texture_persistence) +
                         bias);
    }
    size_t want = (size_t)llround((1.0 - p->fat_fraction) * (double)n);
    /* Ligament sheets: |q| < w on a 2-octave field; its gradient is about 1.5 / scale per
     * mm, so w = thickness * 0.75 / scale gives sheets about `thickness` thick (an estimate,
     * not a calibration).  They take at most half of the glandular budget, so that a fatty
     * breast still meets its target fraction: w shrinks to the quantile that leaves them
     * want / 2 voxels. */
    float lig_w = qabs ? (float)(p->ligament_mm * 0.75 / p->ligament_scale_mm) : 0.0f;
    size_t n_lig = 0;
    if (qabs) {
        for (size_t e = 0; e < n; e++)
            n_lig += qabs[e] < lig_w;
        if (n_lig > want / 2) {
            memcpy(tmp, qabs, n * sizeof *tmp);
            lig_w = want / 2 ? select_rank(tmp, n, want / 2) : 0.0f;
            n_lig = 0;
            for (size_t e = 0; e < n; e++)
                n_lig += qabs[e] < lig_w;
        }
    }
    size_t m = 0;
    for (size_t e = 0; e < n; e++) {
        if (qabs && qabs[e] < lig_w)
            val[e] = INFINITY;
        else
            tmp[m++] = val[e];
    }
    size_t from_noise = want > n_lig ? want - n_lig : 0;
    float thr = INFINITY;
    if (from_noise > 0 && m > 0) {
        if (from_noise > m)
            from_noise = m;
        thr = select_rank(tmp, m, m - from_noise);
    }
    uint64_t count = 0;
    for (size_t e = 0; e < n; e++) {
        int gland = val[e] == INFINITY || (from_noise > 0 && val[e] >= thr);
        ph->labels[idx[e]] = gland ? lab->glandular : lab->adipose;
        count += (uint64_t)gland;
    }
    free(qabs);
    free(val);
    free(tmp);
    *n_gland = count;
    return MIST_OK;
}

/* Place and draw the normal axillary nodes (rejection sampling inside each level's region
 * of the axillary fat pad, no overlaps). */
static void draw_nodes(const mist_breast_params *p, const geom *g, const labels_t *lab,
                       mist_phantom *ph, mist_breast_anatomy *an)
{
    /* Level I lateral and lower, level II deeper (behind pectoralis minor), medial and
     * higher: regions inside the pad (assumption). */
    const double region_c[2][3] = {{g->axilla[0] + 8.0, g->axilla[1], g->axilla[2] - 10.0},
                                   {g->axilla[0] - 10.0, g->axilla[1] - 5.0, g->axilla[2] + 12.0}};
    const double region_s[2][3] = {{14.0, 18.0, 18.0}, {10.0, 14.0, 14.0}};
    const int count[2] = {p->nodes_level1, p->nodes_level2};
    mist_rng rng = mist_rng_substream(p->seed, STREAM_NODES);
    an->n_nodes = 0;
    for (int lev = 0; lev < 2; lev++) {
        for (int q = 0; q < count[lev]; q++) {
            for (int tries = 0; tries < 200; tries++) {
                double d = p->node_diameter_mm[0] +
                           (p->node_diameter_mm[1] - p->node_diameter_mm[0]) *
                               mist_rng_uniform(&rng);
                double r[3];
                for (int a = 0; a < 3; a++)
                    r[a] = region_c[lev][a] + region_s[lev][a] * (2.0 * mist_rng_uniform(&rng) - 1.0);
                if (ell2(r, region_c[lev], region_s[lev]) > 1.0)
                    continue;
                size_t ijk[3];
                if (!mist_phantom_locate(ph, r, ijk) ||
                    ph->labels[mist_phantom_index(ph, ijk[0], ijk[1], ijk[2])] != lab->adipose)
                    continue;
                int clash = 0;
                for (size_t o = 0; o < an->n_nodes && !clash; o++) {
                    double dx = r[0] - an->node_center_mm[o][0], dy = r[1] - an->node_center_mm[o][1],
                           dz = r[2] - an->node_center_mm[o][2];
                    clash = sqrt(dx * dx + dy * dy + dz * dz) < 0.5 * (d + an->node_diameter_mm[o]) + 2.0;
                }
                if (clash)
                    continue;
                size_t o = an->n_nodes++;
                memcpy(an->node_center_mm[o], r, sizeof r);
                an->node_diameter_mm[o] = d;
                an->node_level[o] = lev + 1;
                break;
            }
        }
    }
    /* Draw them: voxels whose centre lies in the sphere. */
    for (size_t o = 0; o < an->n_nodes; o++) {
        double rad = 0.5 * an->node_diameter_mm[o];
        double lo[3], hi[3];
        for (int a = 0; a < 3; a++) {
            lo[a] = an->node_center_mm[o][a] - rad;
            hi[a] = an->node_center_mm[o][a] + rad;
        }
        size_t a0[3], a1[3];
        if (!mist_phantom_locate(ph, lo, a0) || !mist_phantom_locate(ph, hi, a1))
            continue;
        for (size_t k = a0[2]; k <= a1[2]; k++)
            for (size_t j = a0[1]; j <= a1[1]; j++)
                for (size_t i = a0[0]; i <= a1[0]; i++) {
                    double r[3];
                    mist_phantom_center_mm(ph, i, j, k, r);
                    double dx = r[0] - an->node_center_mm[o][0], dy = r[1] - an->node_center_mm[o][1],
                           dz = r[2] - an->node_center_mm[o][2];
                    size_t v = mist_phantom_index(ph, i, j, k);
                    if (dx * dx + dy * dy + dz * dz <= rad * rad && ph->labels[v] != lab->skin)
                        ph->labels[v] = lab->node;
                }
    }
}

mist_status mist_breast_generate(const mist_breast_params *p, mist_phantom **out,
                                 mist_breast_anatomy *anat, mist_error *err)
{
    *out = NULL;
    mist_status st = mist_breast_check(p, err);
    if (st)
        return st;
    geom g;
    make_geom(p, &g);
    size_t n[3];
    double vox[3] = {p->voxel_mm, p->voxel_mm, p->voxel_mm}, origin[3];
    for (int a = 0; a < 3; a++) {
        n[a] = (size_t)ceil((g.hi[a] - g.lo[a]) / p->voxel_mm);
        /* centre the grid on the box */
        origin[a] = 0.5 * (g.lo[a] + g.hi[a]) - 0.5 * (double)(n[a] - 1) * p->voxel_mm;
    }
    mist_phantom *ph = NULL;
    if ((st = mist_phantom_create("breast_prone", n, vox, origin, &ph, err)))
        return st;
    labels_t lab;
    if ((st = get_labels(ph, &lab, err))) {
        mist_phantom_free(ph);
        return st;
    }
    const size_t nx = n[0], ny = n[1], nz = n[2];
    /* Per column (x, y): depth below the torso surface.  Per row y: breast profile terms. */
    double *depth = malloc(nx * ny * sizeof *depth);
    double *fy = malloc(ny * sizeof *fy), *dfy = malloc(ny * sizeof *dfy);
    double *shift = malloc(ny * sizeof *shift), *dshift = malloc(ny * sizeof *dshift);
    size_t cap = 1u << 20, n_int = 0;
    size_t *idx = malloc(cap * sizeof *idx);
    if (!depth || !fy || !dfy || !shift || !dshift || !idx) {
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the breast generator");
        goto done;
    }
    for (size_t j = 0; j < ny; j++) {
        double y = origin[1] + (double)j * p->voxel_mm;
        double t = y > 0.0 ? y / g.L : 0.0;
        fy[j] = y > 0.0 ? pow(t, g.p) : 0.0;
        dfy[j] = y > 0.0 ? g.p * pow(t, g.p - 1.0) / g.L : 0.0;
        shift[j] = ptosis_shift(&g, y, &dshift[j]);
        for (size_t i = 0; i < nx; i++)
            depth[j * nx + i] = torso_depth(&g, origin[0] + (double)i * p->voxel_mm, y);
    }
    const double attach = p->skin_mm + p->subcutaneous_fat_mm; /* breast replaces these */
    double dtip;
    const double tip_shift = ptosis_shift(&g, g.L, &dtip);
    for (size_t k = 0; k < nz; k++) {
        double z = origin[2] + (double)k * p->voxel_mm;
        for (size_t j = 0; j < ny; j++) {
            double y = origin[1] + (double)j * p->voxel_mm;
            double zp = z + shift[j];
            double tz = zp / g.c, gz = 2.0 * zp / (g.c * g.c);
            double base = tz * tz + fy[j];
            for (size_t i = 0; i < nx; i++) {
                double x = origin[0] + (double)i * p->voxel_mm;
                size_t v = (k * ny + j) * nx + i;
                double dt = depth[j * nx + i];
                double tx = x / g.a;
                double F = tx * tx + base;
                uint8_t label = MIST_PHANTOM_AIR;
                if (F <= 1.0 && dt < attach) {
                    double gx = 2.0 * x / (g.a * g.a), gy = dfy[j] + gz * dshift[j];
                    double gn = sqrt(gx * gx + gy * gy + gz * gz);
                    double db = gn > 0.0 ? (1.0 - F) / gn : INFINITY;
                    if (db < p->skin_mm) {
                        label = lab.skin;
                    } else {
                        label = lab.adipose;
                        if (n_int == cap) {
                            size_t *nidx = realloc(idx, 2 * cap * sizeof *idx);
                            if (!nidx) {
                                st = mist_error_set(err, MIST_ERR_NOMEM,
                                                    "out of memory for the breast interior");
                                goto done;
                            }
                            idx = nidx;
                            cap *= 2;
                        }
                        idx[n_int++] = v;
                    }
                } else if (dt >= 0.0) {
                    double r[3] = {x, y, z};
                    label = torso_label(p, &g, &lab, r, dt);
                } else if (y > g.L - 2.0 * p->skin_mm && y <= g.L + p->nipple_length_mm) {
                    double dz = z + tip_shift;
                    if (x * x + dz * dz <= p->nipple_radius_mm * p->nipple_radius_mm)
                        label = lab.skin; /* nipple: skin tissue (assumption) */
                }
                ph->labels[v] = label;
            }
        }
    }
    uint64_t n_gland = 0;
    if ((st = texture(p, &g, &lab, ph, idx, n_int, &n_gland, err)))
        goto done;
    mist_breast_anatomy an;
    memset(&an, 0, sizeof an);
    an.params = *p;
    an.nipple_mm[0] = 0.0;
    an.nipple_mm[1] = g.L + p->nipple_length_mm;
    an.nipple_mm[2] = -tip_shift;
    an.interior_voxels = n_int;
    an.glandular_voxels = n_gland;
    an.glandular_fraction = n_int ? (double)n_gland / (double)n_int : 0.0;
    draw_nodes(p, &g, &lab, ph, &an);
    if (anat)
        *anat = an;
done:
    free(depth);
    free(fy);
    free(dfy);
    free(shift);
    free(dshift);
    free(idx);
    if (st)
        mist_phantom_free(ph);
    else
        *out = ph;
    return st;
}

void mist_breast_locate(const mist_breast_anatomy *anat, mist_breast_quadrant q, double depth,
                        double radial, double out_mm[3])
{
    geom g;
    make_geom(&anat->params, &g);
    double t = fmin(fmax(depth, 0.0), 1.0);
    double prof = sqrt(fmax(0.0, 1.0 - pow(t, g.p)));
    double sx = 0.0, sz = 0.0;
    switch (q) {
    case MIST_QUADRANT_UOQ: sx = 1.0, sz = 1.0; break;
    case MIST_QUADRANT_UIQ: sx = -1.0, sz = 1.0; break;
    case MIST_QUADRANT_LOQ: sx = 1.0, sz = -1.0; break;
    case MIST_QUADRANT_LIQ: sx = -1.0, sz = -1.0; break;
    case MIST_QUADRANT_CENTRAL: break;
    }
    double y = t * g.L, ds;
    out_mm[0] = sx * radial * prof * g.a * 0.70710678118654752440;
    out_mm[1] = y;
    out_mm[2] = sz * radial * prof * g.c * 0.70710678118654752440 - ptosis_shift(&g, y, &ds);
}

mist_status mist_breast_node(const mist_breast_anatomy *anat, int level, size_t index,
                             double center_mm[3], double *diameter_mm, mist_error *err)
{
    size_t seen = 0;
    for (size_t o = 0; o < anat->n_nodes; o++) {
        if (anat->node_level[o] != level)
            continue;
        if (seen++ == index) {
            memcpy(center_mm, anat->node_center_mm[o], 3 * sizeof(double));
            *diameter_mm = anat->node_diameter_mm[o];
            return MIST_OK;
        }
    }
    return mist_error_set(err, MIST_ERR_INPUT,
                          "axillary level %d has %zu normal node%s, so node %zu does not exist",
                          level, seen, seen == 1 ? "" : "s", index);
}
