#include "physics/validate_physics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xraylib.h>

#include "physics/interact.h"
#include "physics/rayleigh.h"
#include "physics/xsec.h"
#include "transport/raytrace.h"
#include "transport/tracker.h"
#include "transport/woodcock.h"

#define CHI2_Z 4.0 /* chi-square rows pass below the 4-sigma quantile */
#define STAT_LIMIT 4.0

/* ------------------------------------------------------------------------- */
/* Reference data                                                             */

/* NIST mass attenuation coefficients of liquid water, with coherent scattering [cm2/g]
 * (Hubbell & Seltzer, NIST Standard Reference Database 126, Table 4, "Water, Liquid").  The
 * values at 150, 500, 1000 and 1250 keV are those of ../shared/reference/physics-data.md s.1;
 * the others are transcribed from the same table [U: re-check]. */
static const double NIST_WATER_KEV[] = {100, 150, 200, 300, 400, 500, 600, 800, 1000, 1250, 1500};
static const double NIST_WATER_MU_RHO[] = {0.1707,  0.1505,  0.1370,  0.1186,  0.1061, 0.09687,
                                           0.08956, 0.07865, 0.07072, 0.06323, 0.05754};
#define NIST_WATER_N (sizeof NIST_WATER_KEV / sizeof NIST_WATER_KEV[0])

double mist_validate_nist_water(double e_keV)
{
    size_t i = 0;
    while (i + 2 < NIST_WATER_N && NIST_WATER_KEV[i + 1] < e_keV)
        i++;
    double s = log(NIST_WATER_MU_RHO[i + 1] / NIST_WATER_MU_RHO[i]) /
               log(NIST_WATER_KEV[i + 1] / NIST_WATER_KEV[i]);
    return NIST_WATER_MU_RHO[i] * pow(e_keV / NIST_WATER_KEV[i], s);
}

static mist_status water(mist_material *m, mist_error *err)
{
    return mist_material_from_formula("water", "H2O", 1.0, m, err);
}

/* ICRU Report 44 compositions (mass %), ../shared/reference/physics-data.md s.2. */
static mist_status icru_tissue(const char *which, mist_material *m, mist_error *err)
{
    static const char *const sym[] = {"H", "C", "N", "O", "Na", "Mg", "P", "S", "Cl", "K", "Ca"};
    static const double muscle[] = {10.2, 14.3, 3.4, 71.0, 0.1, 0, 0.2, 0.3, 0.1, 0.4, 0};
    static const double lung[] = {10.3, 10.5, 3.1, 74.9, 0.2, 0, 0.2, 0.3, 0.3, 0.2, 0};
    static const double bone[] = {3.4, 15.5, 4.2, 43.5, 0.1, 0.2, 10.3, 0.3, 0, 0, 22.5};
    if (strcmp(which, "muscle") == 0)
        return mist_material_from_fractions("muscle", 11, sym, muscle, 1.05, m, err);
    if (strcmp(which, "lung") == 0)
        return mist_material_from_fractions("lung", 11, sym, lung, 0.26, m, err);
    return mist_material_from_fractions("cortical_bone", 11, sym, bone, 1.92, m, err);
}

static mist_status air(mist_material *m, mist_error *err)
{
    return mist_material_from_nist("air", "Air, Dry (near sea level)", 0.0, m, err);
}

/* ------------------------------------------------------------------------- */
/* Statistics                                                                 */

double mist_validate_chi2_limit(double k, double z)
{
    double h = 2.0 / (9.0 * k);
    double c = 1.0 - h + z * sqrt(h);
    return k * c * c * c;
}

double mist_validate_chi2(const double *observed, const double *prob, size_t bins, double n_total,
                          double *dof)
{
    double psum = 0.0;
    for (size_t i = 0; i < bins; i++)
        psum += prob[i];
    double chi2 = 0.0, o = 0.0, e = 0.0;
    size_t groups = 0;
    for (size_t i = 0; i < bins; i++) {
        o += observed[i];
        e += n_total * prob[i] / psum;
        if (e >= 5.0) {
            chi2 += (o - e) * (o - e) / e;
            groups++;
            o = e = 0.0;
        }
    }
    if (e > 0.0 || o > 0.0) { /* leftover tail: its own group if it expects anything */
        if (e > 0.0) {
            chi2 += (o - e) * (o - e) / e;
            groups++;
        } else {
            chi2 += o * o; /* counts where none are expected: a gross failure */
        }
    }
    *dof = groups > 1 ? (double)(groups - 1) : 1.0;
    return chi2;
}

double mist_validate_chi2_two_sample(const double *a, const double *b, size_t bins, double *dof)
{
    double chi2 = 0.0, sa = 0.0, sb = 0.0;
    size_t groups = 0;
    for (size_t i = 0; i < bins; i++) {
        sa += a[i];
        sb += b[i];
        if (sa + sb >= 10.0 || (i + 1 == bins && sa + sb > 0.0)) {
            chi2 += (sa - sb) * (sa - sb) / (sa + sb);
            groups++;
            sa = sb = 0.0;
        }
    }
    *dof = groups > 1 ? (double)(groups - 1) : 1.0;
    return chi2;
}

mist_status mist_validate_chi2_row(mist_validation *v, const char *group, const char *quantity,
                                   const char *source, double chi2, double dof, mist_error *err)
{
    double sigma = sqrt(2.0 * dof);
    double tol = (mist_validate_chi2_limit(dof, CHI2_Z) - dof) / sigma;
    mist_status st = mist_validation_add(v, group, quantity, source, dof, chi2, sigma, tol, err);
    if (st == MIST_OK) /* one-sided: only a large chi2 fails */
        v->rows[v->n - 1].pass = isfinite(chi2) && chi2 <= mist_validate_chi2_limit(dof, CHI2_Z);
    return st;
}

/* ------------------------------------------------------------------------- */
/* Tables                                                                     */

mist_status mist_validate_water_table(double e_keV, mist_validation *v, mist_error *err)
{
    mist_material w;
    mist_status st = water(&w, err);
    if (st != MIST_OK)
        return st;
    mist_xsec *xs = malloc(sizeof *xs);
    if (!xs)
        return mist_error_set(err, MIST_ERR_NOMEM, "validation: out of memory");
    st = mist_xsec_build(&w, xs, err);
    if (st == MIST_OK) {
        /* mu [1/mm] -> mu/rho [cm2/g] */
        double sim = mist_xsec_mu(xs, MIST_XS_TOTAL, e_keV) * 10.0 / w.density_g_cm3;
        double ref = mist_validate_nist_water(e_keV);
        char q[256];
        snprintf(q, sizeof q, "water mu/rho at %g keV [cm2/g]", e_keV);
        st = mist_validation_add(v, "xsec", q, "NIST SRD 126 (Hubbell & Seltzer)", ref, sim, 0.0,
                                 0.01, err);
    }
    free(xs);
    return st;
}

mist_status mist_validate_photo_extrapolation(int Z, double e_keV, mist_validation *v,
                                              mist_error *err)
{
    xrl_error *xe = NULL;
    double ref = CS_Photo(Z, e_keV, &xe);
    if (xe || !(ref > 0.0)) {
        xrl_error_free(xe);
        return mist_error_set(err, MIST_ERR_INTERNAL, "xraylib has no photoelectric cross "
                              "section for Z=%d at %g keV", Z, e_keV);
    }
    mist_material m = {.name = "element", .density_g_cm3 = 1.0, .n_elements = 1, .Z = {Z},
                       .mass_fraction = {1.0}};
    double sim;
    mist_status st = mist_xsec_mass_atten(&m, MIST_XS_PHOTO, e_keV, &sim, err);
    if (st != MIST_OK)
        return st;
    char q[256];
    snprintf(q, sizeof q, "photoelectric Z=%d at %g keV [cm2/g], extrapolated from 800", Z, e_keV);
    return mist_validation_add(v, "xsec", q, "xraylib CS_Photo", ref, sim, 0.0, 0.02, err);
}

/* ------------------------------------------------------------------------- */
/* Samplers                                                                   */

#define COMPTON_BINS 40

/* xraylib's DCS_Compt and DCS_Rayl are per gram of the element (cm2/g/sr: the per-atom value
 * times N_A / A), so a compound's is the mass-fraction-weighted sum. */

static double compton_dcs(const mist_material *m, double e_keV, mist_compton_model model, double c)
{
    double theta = acos(fmin(1.0, fmax(-1.0, c)));
    if (theta < 1e-6)
        theta = 1e-6;
    if (model == MIST_COMPTON_KLEIN_NISHINA)
        return DCS_KN(e_keV, theta, NULL);
    double s = 0.0;
    for (int i = 0; i < m->n_elements; i++)
        s += m->mass_fraction[i] * DCS_Compt(m->Z[i], e_keV, theta, NULL);
    return s;
}

/* Simpson's rule with 2*half intervals. */
static double simpson(double (*f)(const void *, double), const void *ctx, double a, double b,
                      int half)
{
    int n = 2 * half;
    double h = (b - a) / n, s = f(ctx, a) + f(ctx, b);
    for (int i = 1; i < n; i++)
        s += (i % 2 ? 4.0 : 2.0) * f(ctx, a + i * h);
    return s * h / 3.0;
}

typedef struct compton_ctx {
    const mist_material *m;
    double e_keV;
    mist_compton_model model;
} compton_ctx;

/* The DCS as a function of s = sin(theta/2), with dcos = 4 s ds: smooth where q ~ s varies
 * fastest, near theta = 0, unlike the DCS in cos(theta). */
static double compton_f(const void *ctx, double s)
{
    const compton_ctx *k = ctx;
    return 4.0 * s * compton_dcs(k->m, k->e_keV, k->model, 1.0 - 2.0 * s * s);
}

mist_status mist_validate_compton(const mist_material *m, double e_keV, mist_compton_model model,
                                  uint64_t n, uint64_t seed, mist_validation *v,
                                  mist_error *err)
{
    mist_compton_table *tab = malloc(sizeof *tab);
    if (!tab)
        return mist_error_set(err, MIST_ERR_NOMEM, "validation: out of memory");
    mist_status st = mist_compton_build(m, tab, err);
    if (st != MIST_OK) {
        free(tab);
        return st;
    }
    double obs[COMPTON_BINS] = {0}, prob[COMPTON_BINS];
    uint64_t bad = 0;
    const double k = e_keV / MIST_ELECTRON_MASS_KEV;
    mist_rng rng = mist_rng_substream(seed, 0);
    for (uint64_t i = 0; i < n; i++) {
        double c, e1 = mist_compton_sample(tab, model, e_keV, &rng, &c);
        double rel = e_keV / (1.0 + k * (1.0 - c));
        if (!(c >= -1.0 && c <= 1.0) || !(fabs(e1 - rel) <= 1e-9 * e_keV) ||
            e1 < e_keV / (1.0 + 2.0 * k) * (1.0 - 1e-12) || e1 > e_keV)
            bad++;
        int b = (int)((c + 1.0) * 0.5 * COMPTON_BINS);
        obs[b < 0 ? 0 : (b >= COMPTON_BINS ? COMPTON_BINS - 1 : b)] += 1.0;
    }
    free(tab);
    compton_ctx ctx = {m, e_keV, model};
    for (int b = 0; b < COMPTON_BINS; b++) {
        double c0 = -1.0 + 2.0 * b / COMPTON_BINS, c1 = c0 + 2.0 / COMPTON_BINS;
        prob[b] = simpson(compton_f, &ctx, sqrt(0.5 * (1.0 - c1)), sqrt(0.5 * (1.0 - c0)), 8);
    }
    double dof, chi2 = mist_validate_chi2(obs, prob, COMPTON_BINS, (double)n, &dof);
    char q[256];
    snprintf(q, sizeof q, "Compton angle chi2, %s %g keV, %s%s", m->name, e_keV,
             model == MIST_COMPTON_KLEIN_NISHINA ? "Klein-Nishina" : "KN x S(q)",
             bad ? " (Compton relation violated)" : "");
    mist_status st2 = mist_validate_chi2_row(
        v, "compton", q,
        model == MIST_COMPTON_KLEIN_NISHINA ? "xraylib DCS_KN" : "xraylib DCS_Compt", chi2, dof,
        err);
    if (st2 == MIST_OK && bad)
        v->rows[v->n - 1].pass = 0;
    return st2;
}

#define RAYL_BINS 48
#define RAYL_LOG_X0 (-6.0) /* first log bin starts at x = (1 - cos)/2 = 1e-6 */

typedef struct rayl_ctx {
    const mist_material *m;
    double e_keV;
} rayl_ctx;

/* DCS in x = (1 - cos theta)/2, times x, as a function of ln x (smooth for Simpson). */
static double rayl_f(const void *ctx, double ln_x)
{
    const rayl_ctx *k = ctx;
    double x = exp(ln_x);
    double theta = 2.0 * asin(sqrt(fmin(1.0, x)));
    if (theta < 1e-7)
        theta = 1e-7;
    double s = 0.0;
    for (int i = 0; i < k->m->n_elements; i++)
        s += k->m->mass_fraction[i] * DCS_Rayl(k->m->Z[i], k->e_keV, theta, NULL);
    return s * x;
}

mist_status mist_validate_rayleigh(const mist_material *m, double e_keV, uint64_t n, uint64_t seed,
                                   mist_validation *v, mist_error *err)
{
    mist_rayleigh_table *tab = malloc(sizeof *tab);
    if (!tab)
        return mist_error_set(err, MIST_ERR_NOMEM, "validation: out of memory");
    mist_status st = mist_rayleigh_build(m, tab, err);
    if (st != MIST_OK) {
        free(tab);
        return st;
    }
    /* Bin 0: x < 1e-6; bins 1..RAYL_BINS-1: log-spaced up to x = 1. */
    double obs[RAYL_BINS] = {0}, prob[RAYL_BINS];
    const double per = (RAYL_BINS - 1) / -RAYL_LOG_X0;
    mist_rng rng = mist_rng_substream(seed, 0);
    for (uint64_t i = 0; i < n; i++) {
        double c = mist_rayleigh_sample(tab, e_keV, &rng);
        double x = 0.5 * (1.0 - c);
        int b = x < 1e-6 ? 0 : 1 + (int)((log10(x) - RAYL_LOG_X0) * per);
        obs[b >= RAYL_BINS ? RAYL_BINS - 1 : b] += 1.0;
    }
    free(tab);
    rayl_ctx ctx = {m, e_keV};
    /* Bin 0 from x = 1e-12 (the pdf is flat in x there: below contributes < 1e-6 of it). */
    prob[0] = simpson(rayl_f, &ctx, log(1e-12), log(1e-6), 16);
    for (int b = 1; b < RAYL_BINS; b++) {
        double l0 = (RAYL_LOG_X0 + (b - 1) / per) * log(10.0);
        double l1 = (RAYL_LOG_X0 + b / per) * log(10.0);
        prob[b] = simpson(rayl_f, &ctx, l0, l1, 8);
    }
    double dof, chi2 = mist_validate_chi2(obs, prob, RAYL_BINS, (double)n, &dof);
    char q[256];
    snprintf(q, sizeof q, "Rayleigh angle chi2, %s %g keV", m->name, e_keV);
    return mist_validate_chi2_row(v, "rayleigh", q, "xraylib DCS_Rayl (Thomson x F^2)", chi2, dof,
                                  err);
}

/* ------------------------------------------------------------------------- */
/* Transport                                                                  */

mist_status mist_validate_transmission(const mist_material *m, const mist_material *insert,
                                       double e_keV, double thickness_mm, int raytrace,
                                       uint64_t n, uint64_t seed, mist_validation *v,
                                       mist_error *err)
{
    /* 3 x 3 columns of 10 mm; along z 2 air voxels, 10 slab voxels, 2 air voxels; column (0,0)
     * is the insert all along z.  The beam runs along +z through the centre column. */
    const size_t dims[3] = {3, 3, 14};
    const double vox[3] = {10.0, 10.0, thickness_mm / 10.0};
    mist_voxel_grid *g;
    mist_status st = mist_voxel_grid_create_centered(dims, vox, &g, err);
    if (st != MIST_OK)
        return st;
    for (size_t k = 0; k < dims[2]; k++)
        for (size_t j = 0; j < 3; j++)
            for (size_t i = 0; i < 3; i++) {
                uint8_t l = (k >= 2 && k < 12) ? 1 : 0;
                if (i == 0 && j == 0)
                    l = 2;
                g->labels[mist_voxel_grid_index(g, i, j, k)] = l;
            }
    mist_material mats[3];
    st = air(&mats[0], err);
    if (st != MIST_OK) {
        mist_voxel_grid_free(g);
        return st;
    }
    mats[1] = *m;
    mats[2] = *insert;
    for (int l = 0; l < 3; l++)
        mist_voxel_grid_set_material(g, (uint8_t)l, l);
    mist_tracker *t;
    st = mist_tracker_create(g, mats, 3, NULL, &t, err);
    if (st != MIST_OK) {
        mist_voxel_grid_free(g);
        return st;
    }
    double lo[3], hi[3];
    mist_voxel_grid_bounds(g, lo, hi);
    const double start[3] = {0.0, 0.0, lo[2] - 5.0}, dir[3] = {0.0, 0.0, 1.0};
    mist_rng rng = mist_rng_substream(seed, 0);
    uint64_t through = 0;
    for (uint64_t i = 0; i < n; i++) {
        mist_photon p = mist_photon_make(start, dir, e_keV, 0.0);
        if (raytrace)
            mist_raytrace_track(t, &p, &rng);
        else
            mist_woodcock_track(t, &p, &rng);
        if (p.fate == MIST_FATE_ESCAPED && p.n_compton == 0 && p.n_rayleigh == 0)
            through++;
    }
    double mu_air = mist_xsec_mu(&t->materials[0].xsec, MIST_XS_TOTAL, e_keV);
    double mu = mist_xsec_mu(&t->materials[1].xsec, MIST_XS_TOTAL, e_keV);
    double expect = exp(-(mu * thickness_mm + mu_air * 4.0 * vox[2]));
    double frac = (double)through / (double)n;
    char q[256];
    snprintf(q, sizeof q, "narrow-beam transmission, %g mm %s %g keV (%s)", thickness_mm, m->name,
             e_keV, raytrace ? "ray trace" : "Woodcock");
    mist_tracker_free(t);
    mist_voxel_grid_free(g);
    return mist_validation_add(v, "transport", q, "exp(-mu x), mist tables", expect, frac,
                               sqrt(expect * (1.0 - expect) / (double)n), STAT_LIMIT, err);
}

#define WC_SPECTRUM_BINS 40
#define WC_HIST (WC_SPECTRUM_BINS + 3) /* + photoabsorbed, cut off, unscattered */

typedef struct wc_tally {
    double hist[WC_HIST];
    double unscattered;
    double n_escaped, sum_compton, sum_compton2;
} wc_tally;

/* Bone / lung / soft tissue in a 32^3 grid of 4 mm voxels, one voxel of air around. */
static mist_status woodcock_phantom(mist_voxel_grid **out, mist_material mats[4], mist_error *err)
{
    const size_t dims[3] = {32, 32, 32};
    const double vox[3] = {4.0, 4.0, 4.0};
    mist_status st = air(&mats[0], err);
    if (st == MIST_OK)
        st = icru_tissue("muscle", &mats[1], err);
    if (st == MIST_OK)
        st = icru_tissue("lung", &mats[2], err);
    if (st == MIST_OK)
        st = icru_tissue("bone", &mats[3], err);
    if (st == MIST_OK)
        st = mist_voxel_grid_create_centered(dims, vox, out, err);
    if (st != MIST_OK)
        return st;
    mist_voxel_grid *g = *out;
    for (size_t k = 0; k < dims[2]; k++)
        for (size_t j = 0; j < dims[1]; j++)
            for (size_t i = 0; i < dims[0]; i++) {
                double c[3];
                mist_voxel_grid_center(g, i, j, k, c);
                uint8_t l = 1;
                double lx = (c[0] + 22.0) / 22.0, ly = c[1] / 36.0, lz = c[2] / 44.0;
                if (lx * lx + ly * ly + lz * lz <= 1.0)
                    l = 2; /* lung ellipsoid */
                double bx = c[0] - 34.0, by = c[1] - 10.0;
                if (bx * bx + by * by <= 14.0 * 14.0 || (c[2] > 40.0 && c[2] < 52.0))
                    l = 3; /* bone rod along z and a bone plate across the top */
                if (i == 0 || j == 0 || k == 0 || i == dims[0] - 1 || j == dims[1] - 1 ||
                    k == dims[2] - 1)
                    l = 0;
                g->labels[mist_voxel_grid_index(g, i, j, k)] = l;
            }
    for (int l = 0; l < 4; l++)
        mist_voxel_grid_set_material(g, (uint8_t)l, l);
    return MIST_OK;
}

static void woodcock_run(const mist_tracker *t, int raytrace, double e_keV, uint64_t n,
                         uint64_t seed, wc_tally *tally)
{
    memset(tally, 0, sizeof *tally);
    const double src[3] = {6.0, -10.0, 3.0};
    mist_rng rng = mist_rng_substream(seed, raytrace ? 1 : 0);
    for (uint64_t i = 0; i < n; i++) {
        double dir[3];
        mist_rng_isotropic(&rng, dir);
        mist_photon p = mist_photon_make(src, dir, e_keV, 0.0);
        if (raytrace)
            mist_raytrace_track(t, &p, &rng);
        else
            mist_woodcock_track(t, &p, &rng);
        int b;
        if (p.fate == MIST_FATE_PHOTO) {
            b = WC_SPECTRUM_BINS;
        } else if (p.fate == MIST_FATE_CUTOFF) {
            b = WC_SPECTRUM_BINS + 1;
        } else if (p.n_compton == 0 && p.n_rayleigh == 0) {
            b = WC_SPECTRUM_BINS + 2;
            tally->unscattered += 1.0;
        } else {
            b = (int)(p.energy_keV / e_keV * WC_SPECTRUM_BINS);
            if (b >= WC_SPECTRUM_BINS)
                b = WC_SPECTRUM_BINS - 1;
        }
        tally->hist[b] += 1.0;
        if (p.fate == MIST_FATE_ESCAPED) {
            tally->n_escaped += 1.0;
            tally->sum_compton += p.n_compton;
            tally->sum_compton2 += (double)p.n_compton * p.n_compton;
        }
    }
}

mist_status mist_validate_woodcock(double e_keV, uint64_t n, uint64_t seed,
                                   mist_validation *v, mist_error *err)
{
    mist_voxel_grid *g = NULL;
    mist_material mats[4];
    mist_status st = woodcock_phantom(&g, mats, err);
    mist_tracker *t = NULL;
    if (st == MIST_OK)
        st = mist_tracker_create(g, mats, 4, NULL, &t, err);
    if (st != MIST_OK) {
        mist_voxel_grid_free(g);
        return st;
    }
    wc_tally w, r;
    woodcock_run(t, 0, e_keV, n, seed, &w);
    woodcock_run(t, 1, e_keV, n, seed, &r);
    mist_tracker_free(t);
    mist_voxel_grid_free(g);

    double N = (double)n;
    const char *src = "voxel-by-voxel ray tracing (same physics)";
    char q[256];
    double pw = w.unscattered / N, pr = r.unscattered / N, pp = 0.5 * (pw + pr);
    snprintf(q, sizeof q, "unscattered fraction %g keV, Woodcock vs ray trace", e_keV);
    st = mist_validation_add(v, "transport", q, src, pr, pw, sqrt(2.0 * pp * (1.0 - pp) / N),
                             STAT_LIMIT, err);
    if (st != MIST_OK)
        return st;

    double dof, chi2 = mist_validate_chi2_two_sample(w.hist, r.hist, WC_HIST, &dof);
    snprintf(q, sizeof q, "scattered spectrum + fates chi2 %g keV, Woodcock vs ray trace", e_keV);
    st = mist_validate_chi2_row(v, "transport", q, src, chi2, dof, err);
    if (st != MIST_OK)
        return st;

    double mw = w.sum_compton / w.n_escaped, mr = r.sum_compton / r.n_escaped;
    double vw = w.sum_compton2 / w.n_escaped - mw * mw, vr = r.sum_compton2 / r.n_escaped - mr * mr;
    snprintf(q, sizeof q, "mean Compton scatters of escaped photons %g keV, Woodcock", e_keV);
    return mist_validation_add(v, "transport", q, src, mr, mw,
                               sqrt(vw / w.n_escaped + vr / r.n_escaped), STAT_LIMIT, err);
}

/* ------------------------------------------------------------------------- */
/* The suite                                                                  */

mist_status mist_validate_physics(int quick, mist_validation *v, mist_error *err)
{
    const uint64_t n_sampler = quick ? 100000 : 1000000;
    const uint64_t n_beam = quick ? 100000 : 1000000;
    const uint64_t n_phantom = quick ? 20000 : 200000;
    mist_material w, pb, wo, bone;
    mist_status st = water(&w, err);
    if (st == MIST_OK)
        st = mist_material_from_formula("lead", "Pb", 11.35, &pb, err);
    if (st == MIST_OK)
        st = mist_material_from_formula("tungsten", "W", 19.3, &wo, err);
    if (st == MIST_OK)
        st = icru_tissue("bone", &bone, err);

    static const double water_e[] = {140.5, 150.0, 500.0, 511.0, 1000.0, 1250.0};
    for (size_t i = 0; st == MIST_OK && i < sizeof water_e / sizeof water_e[0]; i++)
        st = mist_validate_water_table(water_e[i], v, err);
    static const int photo_z[] = {82, 71, 53};
    for (size_t i = 0; st == MIST_OK && i < 3; i++)
        st = mist_validate_photo_extrapolation(photo_z[i], 950.0, v, err);
    const struct {
        const mist_material *m;
        double e;
        mist_compton_model model;
    } compton[] = {{&w, 140.5, MIST_COMPTON_SCATTER_FUNCTION},
                   {&w, 511.0, MIST_COMPTON_SCATTER_FUNCTION},
                   {&pb, 140.5, MIST_COMPTON_SCATTER_FUNCTION},
                   {&w, 511.0, MIST_COMPTON_KLEIN_NISHINA}};
    for (size_t i = 0; st == MIST_OK && i < 4; i++)
        st = mist_validate_compton(compton[i].m, compton[i].e, compton[i].model, n_sampler,
                                   100 + i, v, err);
    const struct {
        const mist_material *m;
        double e;
    } rayl[] = {{&w, 140.5}, {&w, 511.0}, {&pb, 140.5}};
    for (size_t i = 0; st == MIST_OK && i < 3; i++)
        st = mist_validate_rayleigh(rayl[i].m, rayl[i].e, n_sampler, 200 + i, v, err);
    const struct {
        const mist_material *m, *insert;
        double e, mm;
    } beam[] = {{&w, &bone, 140.5, 100.0},
                {&w, &bone, 511.0, 150.0},
                {&pb, &wo, 140.5, 0.5},
                {&pb, &wo, 511.0, 8.0}};
    for (size_t i = 0; st == MIST_OK && i < 4; i++)
        st = mist_validate_transmission(beam[i].m, beam[i].insert, beam[i].e, beam[i].mm, 0,
                                        n_beam, 300 + i, v, err);
    static const double wc_e[] = {140.5, 511.0};
    for (size_t i = 0; st == MIST_OK && i < 2; i++)
        st = mist_validate_woodcock(wc_e[i], n_phantom, 400 + i, v, err);
    return st;
}
