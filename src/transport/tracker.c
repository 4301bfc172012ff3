#include "transport/tracker.h"

#include "core/geom.h"

#include <math.h>
#include <stdlib.h>

/* Ziggurat of 256 layers for exp(-x) (Marsaglia & Tsang 2000): R, the base layer's right
 * edge, and V, each layer's area, from their paper.  Layer edges follow from equal areas,
 * x[i+1] = -ln(exp(-x[i]) + V / x[i]); the top layer, [0, x[255]], then has area V to a
 * relative 1.5e-12, so the sampler's law is exact far below any statistical test. */
#define ZIG_R 7.69711747013104972
#define ZIG_V 3.949659822581572e-3

static void ziggurat_build(mist_tracker *t)
{
    t->zig_x[0] = ZIG_V / exp(-ZIG_R); /* base layer as a rectangle of area V */
    t->zig_x[1] = ZIG_R;
    for (int i = 2; i < MIST_TRACKER_ZIG_LAYERS; i++)
        t->zig_x[i] = -log(exp(-t->zig_x[i - 1]) + ZIG_V / t->zig_x[i - 1]);
    t->zig_x[MIST_TRACKER_ZIG_LAYERS] = 0.0;
    for (int i = 0; i <= MIST_TRACKER_ZIG_LAYERS; i++)
        t->zig_f[i] = exp(-t->zig_x[i]);
}

/* mu of material m [1/mm] over energy bin b: its least and largest value.  The log-log
 * interpolant is monotone between grid points, so the extremes lie at the bin's ends or at
 * grid points inside it. */
static void bin_range(const mist_tracker *t, size_t m, int b, double *lo, double *hi)
{
    double e0 = ldexp(1.0 + (double)(b % MIST_TRACKER_EBIN_PER_OCTAVE) / MIST_TRACKER_EBIN_PER_OCTAVE,
                      b / MIST_TRACKER_EBIN_PER_OCTAVE) * MIST_XSEC_E_MIN_KEV;
    double e1 = ldexp(1.0 + (double)(b % MIST_TRACKER_EBIN_PER_OCTAVE + 1) / MIST_TRACKER_EBIN_PER_OCTAVE,
                      b / MIST_TRACKER_EBIN_PER_OCTAVE) * MIST_XSEC_E_MIN_KEV;
    const mist_xsec *xs = &t->materials[m].xsec;
    double a = mist_xsec_mu(xs, MIST_XS_TOTAL, e0), c = mist_xsec_mu(xs, MIST_XS_TOTAL, e1);
    *lo = fmin(a, c);
    *hi = fmax(a, c);
    int i0 = (int)(log2(e0 / MIST_XSEC_E_MIN_KEV) * MIST_XSEC_PER_OCTAVE) - 1;
    int i1 = (int)(log2(e1 / MIST_XSEC_E_MIN_KEV) * MIST_XSEC_PER_OCTAVE) + 2;
    for (int i = i0 < 0 ? 0 : i0; i <= i1 && i < MIST_XSEC_N; i++) {
        double e = mist_xsec_grid_energy(i);
        if (e > e0 && e < e1) {
            double v = mist_xsec_mu(xs, MIST_XS_TOTAL, e);
            *lo = fmin(*lo, v);
            *hi = fmax(*hi, v);
        }
    }
}

/* The least Compton fraction of material m over energy bin b (mist_xsec_fractions: linear
 * in log E between grid points, so the least value lies at the bin's ends or at grid points
 * inside it). */
static double bin_compton_min(const mist_tracker *t, size_t m, int b)
{
    double e0 = ldexp(1.0 + (double)(b % MIST_TRACKER_EBIN_PER_OCTAVE) / MIST_TRACKER_EBIN_PER_OCTAVE,
                      b / MIST_TRACKER_EBIN_PER_OCTAVE) * MIST_XSEC_E_MIN_KEV;
    double e1 = ldexp(1.0 + (double)(b % MIST_TRACKER_EBIN_PER_OCTAVE + 1) / MIST_TRACKER_EBIN_PER_OCTAVE,
                      b / MIST_TRACKER_EBIN_PER_OCTAVE) * MIST_XSEC_E_MIN_KEV;
    const mist_xsec *xs = &t->materials[m].xsec;
    double co, ph, mn;
    mist_xsec_fractions(xs, mist_xsec_locate(e0), &co, &ph);
    mn = co;
    mist_xsec_fractions(xs, mist_xsec_locate(e1), &co, &ph);
    mn = fmin(mn, co);
    int i0 = (int)(log2(e0 / MIST_XSEC_E_MIN_KEV) * MIST_XSEC_PER_OCTAVE) - 1;
    int i1 = (int)(log2(e1 / MIST_XSEC_E_MIN_KEV) * MIST_XSEC_PER_OCTAVE) + 2;
    for (int i = i0 < 0 ? 0 : i0; i <= i1 && i < MIST_XSEC_N; i++) {
        double e = mist_xsec_grid_energy(i);
        if (e > e0 && e < e1) {
            mist_xsec_fractions(xs, mist_xsec_locate(e), &co, &ph);
            mn = fmin(mn, co);
        }
    }
    return mn;
}

/* The bins' flight majorants and squeeze thresholds.  The majorant is the largest mu of the
 * materials in the grid over the bin, raised by 1e-9 of itself (far above the 4e-16 rounding
 * of the interpolation, so no computed mu exceeds it, and 4 x 2^-32 above every ratio, so
 * hi fits 32 bits); the thresholds bound mu / majorant from below (lowered by 1e-9) and
 * above: with k the draw and u = (k + 1/2) 2^-32, k < lo = floor(2^32 min) gives
 * u < min <= mu / majorant, and k >= hi = ceil(2^32 max) gives u > mu / majorant. */
static void bin_majorants_build(mist_tracker *t, const unsigned char *used)
{
    for (int b = 0; b < MIST_TRACKER_N_EBINS; b++) {
        double mx = 0.0, lo, hi;
        for (size_t m = 0; m < t->n_materials; m++)
            if (used[m]) {
                bin_range(t, m, b, &lo, &hi);
                mx = fmax(mx, hi);
            }
        mx *= 1.0 + 1e-9;
        t->inv_bin_majorant[b] = 1.0 / mx;
        for (size_t m = 0; m < t->n_materials; m++) {
            bin_range(t, m, b, &lo, &hi);
            double r_lo = lo * (1.0 - 1e-9) / mx * 4294967296.0, r_hi = hi / mx * 4294967296.0;
            mist_tracker_squeeze *q = &t->squeeze[m * MIST_TRACKER_N_EBINS + (size_t)b];
            q->lo = r_lo >= 4294967295.0 ? 0xFFFFFFFFu : (uint32_t)floor(r_lo);
            q->hi = r_hi >= 4294967295.0 ? 0xFFFFFFFFu : (uint32_t)ceil(r_hi);
            /* Compton for sure when k < compton = floor(2^32 (min - 1e-12)): then u = (k + 1/2)
             * 2^-32 < min <= the fraction at any energy of the bin (1e-12 covers the rounding
             * of the interpolation). */
            double r_co = (bin_compton_min(t, m, b) - 1e-12) * 4294967296.0;
            q->compton = r_co <= 0.0 ? 0u : r_co >= 4294967295.0 ? 0xFFFFFFFFu : (uint32_t)floor(r_co);
        }
    }
}

mist_status mist_tracker_create(const mist_voxel_grid *grid, const mist_material *materials,
                                size_t n_materials, const mist_physics_options *opt,
                                mist_tracker **out, mist_error *err)
{
    *out = NULL;
    if (n_materials == 0 || n_materials > 255)
        return mist_error_set(err, MIST_ERR_INPUT, "tracker: %zu materials, expected 1..255",
                              n_materials);
    mist_physics_options o = opt ? *opt : mist_physics_default_options();
    if (!(o.cutoff_keV >= MIST_XSEC_E_MIN_KEV && o.cutoff_keV < MIST_XSEC_E_MAX_KEV))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "physics: energy cut-off %g keV, expected %g..%g keV", o.cutoff_keV,
                              MIST_XSEC_E_MIN_KEV, MIST_XSEC_E_MAX_KEV);

    /* Which labels occur, and do they all have a material? */
    unsigned char present[256] = {0};
    size_t count = mist_voxel_grid_count(grid);
    for (size_t v = 0; v < count; v++)
        present[grid->labels[v]] = 1;
    unsigned char used[256] = {0};
    for (int l = 0; l < 256; l++) {
        if (!present[l])
            continue;
        int m = grid->label_material[l];
        if (m < 0 || (size_t)m >= n_materials)
            return mist_error_set(err, MIST_ERR_INPUT,
                                  "voxel grid: label %d is used but has no material (index %d of %zu)",
                                  l, m, n_materials);
        used[m] = 1;
    }

    mist_tracker *t = calloc(1, sizeof *t);
    if (t)
        t->materials = calloc(n_materials, sizeof *t->materials);
    if (!t || !t->materials) {
        free(t);
        return mist_error_set(err, MIST_ERR_NOMEM, "tracker: out of memory for %zu materials",
                              n_materials);
    }
    t->grid = grid;
    t->n_materials = n_materials;
    t->options = o;
    for (size_t m = 0; m < n_materials; m++) {
        mist_status st = mist_physics_material_build(&materials[m], &t->materials[m], err);
        if (st != MIST_OK) {
            mist_tracker_free(t);
            return st;
        }
    }
    for (int l = 0; l < 256; l++)
        t->label_material[l] = (uint8_t)(grid->label_material[l] < 0 ? 0 : grid->label_material[l]);
    for (int i = 0; i < MIST_XSEC_N; i++) {
        double mx = -INFINITY;
        for (size_t m = 0; m < n_materials; m++)
            if (used[m] && t->materials[m].xsec.ln_mu[MIST_XS_TOTAL][i] > mx)
                mx = t->materials[m].xsec.ln_mu[MIST_XS_TOTAL][i];
        t->ln_majorant[i] = mx;
        t->neg_ln_majorant[i] = -mx;
    }
    /* Flight majorants per energy bin, and the squeeze thresholds of every material. */
    t->squeeze = malloc(n_materials * MIST_TRACKER_N_EBINS * sizeof *t->squeeze);
    if (!t->squeeze) {
        mist_tracker_free(t);
        return mist_error_set(err, MIST_ERR_NOMEM, "tracker: out of memory for %zu materials",
                              n_materials);
    }
    bin_majorants_build(t, used);
    size_t n_blocks = 1;
    for (int a = 0; a < 3; a++) {
        t->nb[a] = (grid->n[a] + (1u << MIST_TRACKER_BLOCK_LOG2) - 1) >> MIST_TRACKER_BLOCK_LOG2;
        n_blocks *= t->nb[a];
    }
    t->block_label = malloc(n_blocks * sizeof *t->block_label);
    if (!t->block_label) {
        mist_tracker_free(t);
        return mist_error_set(err, MIST_ERR_NOMEM, "tracker: out of memory for %zu blocks",
                              n_blocks);
    }
    for (size_t b = 0; b < n_blocks; b++)
        t->block_label[b] = 0x100u; /* "empty so far" */
    for (size_t k = 0; k < grid->n[2]; k++)
        for (size_t j = 0; j < grid->n[1]; j++)
            for (size_t i = 0; i < grid->n[0]; i++) {
                size_t b = ((k >> MIST_TRACKER_BLOCK_LOG2) * t->nb[1] +
                            (j >> MIST_TRACKER_BLOCK_LOG2)) * t->nb[0] +
                           (i >> MIST_TRACKER_BLOCK_LOG2);
                unsigned l = grid->labels[mist_voxel_grid_index(grid, i, j, k)];
                if (t->block_label[b] == 0x100u)
                    t->block_label[b] = (uint16_t)l;
                else if (t->block_label[b] != l)
                    t->block_label[b] = MIST_TRACKER_MIXED;
            }
    ziggurat_build(t);
    mist_voxel_grid_bounds(grid, t->lo_mm, t->hi_mm);
    for (int a = 0; a < 3; a++) {
        t->inv_voxel_mm[a] = 1.0 / grid->voxel_mm[a];
        t->n_voxels[a] = (double)grid->n[a];
    }
    *out = t;
    return MIST_OK;
}

void mist_tracker_free(mist_tracker *t)
{
    if (!t)
        return;
    free(t->materials);
    free(t->block_label);
    free(t->squeeze);
    free(t);
}

double mist_tracker_exit_distance(const mist_tracker *t, const double pos_mm[3],
                                  const double dir[3])
{
    /* No branch on the signs of dir (random, so mispredicted half the time): along each axis
     * the exit is the farther of the two slab planes.  With dir[a] = 0 the products are
     * -inf and +inf, or NaN for a position on a plane; a NaN never wins a comparison below,
     * so such an axis never limits s. */
    double s = INFINITY;
    for (int a = 0; a < 3; a++) {
        double inv = 1.0 / dir[a];
        double d0 = (t->lo_mm[a] - pos_mm[a]) * inv, d1 = (t->hi_mm[a] - pos_mm[a]) * inv;
        double d = d0 > d1 ? d0 : d1;
        s = d < s ? d : s;
    }
    return s > 0.0 ? s : 0.0;
}

int mist_tracker_enter(const mist_tracker *t, mist_photon *p)
{
    /* Strictly inside (the common case: sources lie in the grid): nothing to do. */
    if (p->pos_mm[0] > t->lo_mm[0] && p->pos_mm[0] < t->hi_mm[0] && p->pos_mm[1] > t->lo_mm[1] &&
        p->pos_mm[1] < t->hi_mm[1] && p->pos_mm[2] > t->lo_mm[2] && p->pos_mm[2] < t->hi_mm[2])
        return 1;
    double t_near, t_far;
    if (!mist_ray_box(t->lo_mm, t->hi_mm, p->pos_mm, p->dir, &t_near, &t_far)) {
        p->fate = MIST_FATE_ESCAPED;
        return 0;
    }
    if (t_near > 0.0)
        for (int a = 0; a < 3; a++)
            p->pos_mm[a] += t_near * p->dir[a];
    return 1;
}

