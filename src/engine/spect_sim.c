#include "engine/spect_sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/geom.h"
#include "physics/compton.h"
#include "transport/collide.h"
#include "transport/woodcock.h"

#define MIST_PI 3.14159265358979323846
#define FWHM_TO_SIGMA 0.42466090014400953 /* 1 / (2 sqrt(2 ln 2)) */
#define NORM_E_MIN_KEV 5.0                /* FD normalisation table: 5 .. 2048 keV, log grid */
#define NORM_E_MAX_KEV 2048.0

const char *const mist_spect_counter_names[MIST_SPECT_N_COUNTERS] = {
    "decays", "photons", "on_face", "through_collimator", "detected", "in_matrix", "forced"};

/* One head at the current stop: its face normal n and column axis u (rows along z). */
typedef struct head_frame {
    double n[3], u[3];
    double R; /**< [mm] axis to face */
    uint32_t view;
} head_frame;

double mist_spect_view_angle(const mist_spect_sim *ss, uint32_t view)
{
    return (double)view * ss->orbit.orbit_deg * MIST_PI / 180.0 / ss->orbit.n_views;
}

mist_status mist_spect_sim_init(mist_spect_sim *ss, const mist_acquisition *acq,
                                const mist_spect_camera *cam, const mist_spect_orbit *orbit,
                                const mist_material_list *materials,
                                const double source_mm[3], mist_tallies *t, mist_error *err)
{
    memset(ss, 0, sizeof *ss);
    ss->acq = acq;
    ss->cam = cam;
    ss->orbit = *orbit;
    ss->source_density_g_cm3 = 1.0;
    if (source_mm)
        memcpy(ss->source_mm, source_mm, sizeof ss->source_mm);
    if (orbit->n_views % cam->n_heads)
        return mist_error_set(err, MIST_ERR_INPUT,
                              "acquisition.spect.views: %u views do not divide among the %u heads "
                              "of camera %s; expected a multiple of %u",
                              orbit->n_views, cam->n_heads, cam->name, cam->n_heads);
    ss->n_stops = orbit->n_views / cam->n_heads;
    if (acq->n_batches % ss->n_stops)
        return mist_error_set(err, MIST_ERR_INPUT,
                              "acquisition.batches: %llu batches do not divide into the %u stops "
                              "of the orbit (%u views, %u heads); expected a multiple of %u",
                              (unsigned long long)acq->n_batches, ss->n_stops, orbit->n_views,
                              cam->n_heads, ss->n_stops);
    ss->batches_per_stop = acq->n_batches / ss->n_stops;
    ss->radius_view_mm = malloc(orbit->n_views * sizeof *ss->radius_view_mm);
    if (!ss->radius_view_mm)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    for (uint32_t v = 0; v < orbit->n_views; v++)
        ss->radius_view_mm[v] = orbit->radius_mm;
    ss->n_windows = mist_spect_windows(cam, acq->nuclide, ss->win);
    if (!ss->n_windows)
        return mist_error_set(err, MIST_ERR_INPUT,
                              "%s has no gamma line of at least 50 keV and 5 %% to image",
                              acq->nuclide->name);
    const mist_material *xm = mist_material_list_find(materials, cam->crystal_material);
    if (!xm)
        return mist_error_set(err, MIST_ERR_INPUT,
                              "camera %s: crystal material '%s' is not in the material list",
                              cam->name, cam->crystal_material);
    mist_emission_options eo = mist_emission_default_options();
    mist_status st;
    if ((st = mist_physics_material_build(xm, &ss->crystal, err)) ||
        (st = mist_collimator_init(&ss->coll, &cam->collimator, materials, err)) ||
        (st = mist_emitter_init(&ss->emitter, acq->nuclide, &eo, err)))
        return st;
    ss->options = mist_physics_default_options();
    if (orbit->forced &&
        (st = mist_collimator_prepare_fd(&ss->coll, ss->win[0].peak_keV, err)))
        return st;

    char path[128];
    uint64_t dims[4] = {(uint64_t)ss->n_windows, orbit->n_views, cam->n_rows, cam->n_cols};
    const char *units = orbit->forced ? "counts x 2^20" : "counts";
    snprintf(path, sizeof path, "/spect/%s/projections", cam->name);
    st = mist_tallies_declare(t, path, units, 4, dims, &ss->id_proj, err);
    snprintf(path, sizeof path, "/spect/%s/primary", cam->name);
    if (!st)
        st = mist_tallies_declare(t, path, units, 4, dims, &ss->id_primary, err);
    uint64_t bins = MIST_SPECT_SPECTRUM_BINS, nc = MIST_SPECT_N_COUNTERS;
    snprintf(path, sizeof path, "/spect/%s/spectrum", cam->name);
    if (!st)
        st = mist_tallies_declare(t, path, orbit->forced ? "photons/keV x 2^20" : "photons per keV",
                                  1, &bins, &ss->id_spectrum, err);
    snprintf(path, sizeof path, "/spect/%s/counts", cam->name);
    if (!st)
        st = mist_tallies_declare(t, path, "counts", 1, &nc, &ss->id_counts, err);
    return st;
}

void mist_spect_sim_free(mist_spect_sim *ss)
{
    mist_collimator_free(&ss->coll);
    free(ss->radius_view_mm);
    free(ss->norm_c);
    free(ss->norm_r);
    memset(ss, 0, sizeof *ss);
}

/* ---- Forced-detection angular laws ---------------------------------------------------- */

/* Klein-Nishina dsigma/dOmega without r_e^2 / 2: (E'/E)^2 (E'/E + E/E' - sin^2). */
static double kn(double e_keV, double cos_t)
{
    double r = 1.0 / (1.0 + e_keV / MIST_ELECTRON_MASS_KEV * (1.0 - cos_t));
    return r * r * (r + 1.0 / r - (1.0 - cos_t * cos_t));
}

/* F_mat^2 at x = q^2 from the Rayleigh table (linear in each cell). */
static double rayleigh_f2(const mist_rayleigh_table *t, double x)
{
    int j;
    if (x < t->x[1])
        j = 0;
    else {
        j = 1 + (int)((log(x) - t->ln_x_min) * t->inv_dln_x);
        if (j > MIST_RAYLEIGH_NX - 2)
            j = MIST_RAYLEIGH_NX - 2;
        while (j > 0 && t->x[j] > x)
            j--;
        while (j < MIST_RAYLEIGH_NX - 2 && t->x[j + 1] <= x)
            j++;
    }
    double f = (x - t->x[j]) / (t->x[j + 1] - t->x[j]);
    if (f > 1.0)
        f = 1.0;
    return t->f2[j] + f * (t->f2[j + 1] - t->f2[j]);
}

/* Unnormalised angular laws of Compton and Rayleigh scattering in material m. */
static double law_compton(const mist_spect_sim *ss, const mist_physics_material *m, double e,
                          double cos_t)
{
    double v = kn(e, cos_t);
    if (ss->medium->options.compton_model == MIST_COMPTON_SCATTER_FUNCTION)
        v *= mist_compton_s_norm(&m->compton, mist_compton_q(e, cos_t));
    return v;
}

static double law_rayleigh(const mist_physics_material *m, double e, double cos_t)
{
    double q = mist_compton_q(e, cos_t);
    return 0.5 * (1.0 + cos_t * cos_t) * rayleigh_f2(&m->rayleigh, q * q);
}

static double norm_energy(int i)
{
    return NORM_E_MIN_KEV * pow(NORM_E_MAX_KEV / NORM_E_MIN_KEV, (double)i / (MIST_SPECT_NORM_NE - 1));
}

/* 2 pi times the integral over cos(theta) of both laws, by the substitution
 * cos = 1 - 2 s^2 (s = sin(theta / 2), which resolves the forward peak of F^2). */
static void build_norms(mist_spect_sim *ss, size_t mat)
{
    const mist_physics_material *m = &ss->medium->materials[mat];
    const int ns = 2000;
    for (int i = 0; i < MIST_SPECT_NORM_NE; i++) {
        double e = norm_energy(i), sc = 0, sr = 0;
        for (int k = 0; k < ns; k++) {
            double s = (k + 0.5) / ns, c = 1.0 - 2.0 * s * s, jac = 4.0 * s / ns;
            sc += law_compton(ss, m, e, c) * jac;
            sr += law_rayleigh(m, e, c) * jac;
        }
        ss->norm_c[mat * MIST_SPECT_NORM_NE + (size_t)i] = 2.0 * MIST_PI * sc;
        ss->norm_r[mat * MIST_SPECT_NORM_NE + (size_t)i] = 2.0 * MIST_PI * sr;
    }
}

static double norm_at(const double *row, double e)
{
    double x = log(e / NORM_E_MIN_KEV) / log(NORM_E_MAX_KEV / NORM_E_MIN_KEV) *
               (MIST_SPECT_NORM_NE - 1);
    if (x < 0)
        x = 0;
    if (x > MIST_SPECT_NORM_NE - 1.000001)
        x = MIST_SPECT_NORM_NE - 1.000001;
    int i = (int)x;
    return row[i] + (x - i) * (row[i + 1] - row[i]);
}

mist_status mist_spect_sim_set_medium(mist_spect_sim *ss, const mist_tracker *medium,
                                      mist_error *err)
{
    ss->medium = medium;
    if (!medium)
        return MIST_OK;
    /* The body (voxels denser than 0.1 g/cm3) seen along z: its columns' centres. */
    const mist_voxel_grid *gr = medium->grid;
    size_t nx = gr->n[0], ny = gr->n[1], ncol = 0;
    double *cx = malloc(nx * ny * 2 * sizeof *cx);
    if (!cx)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    for (size_t j = 0; j < ny; j++)
        for (size_t i = 0; i < nx; i++) {
            int body = 0;
            for (size_t k = 0; k < gr->n[2] && !body; k++) {
                uint8_t l = gr->labels[mist_voxel_grid_index(gr, i, j, k)];
                body = medium->materials[medium->label_material[l]].material.density_g_cm3 > 0.1;
            }
            if (body) {
                cx[2 * ncol] = gr->origin_mm[0] + (double)i * gr->voxel_mm[0];
                cx[2 * ncol + 1] = gr->origin_mm[1] + (double)j * gr->voxel_mm[1];
                ncol++;
            }
        }
    for (uint32_t v = 0; v < ss->orbit.n_views; v++) {
        double a = mist_spect_view_angle(ss, v), n0 = cos(a), n1 = sin(a);
        double half = 0.5 * (fabs(n0) * gr->voxel_mm[0] + fabs(n1) * gr->voxel_mm[1]), ext = 0;
        for (size_t c = 0; c < ncol; c++) {
            double e = cx[2 * c] * n0 + cx[2 * c + 1] * n1 + half;
            if (e > ext)
                ext = e;
        }
        if (ss->orbit.contour)
            ss->radius_view_mm[v] = ext + ss->orbit.clearance_mm;
        if (ext >= ss->radius_view_mm[v]) {
            free(cx);
            return mist_error_set(err, MIST_ERR_INPUT,
                                  "acquisition.spect.radius_mm: the phantom's body reaches %.1f mm "
                                  "from the rotation axis (z) toward view %u; expected an orbit "
                                  "radius larger than that, got %.1f mm",
                                  ext, v, ss->radius_view_mm[v]);
        }
    }
    free(cx);
    if (!ss->orbit.forced)
        return MIST_OK;
    /* Materials present in the grid. */
    const mist_voxel_grid *g = medium->grid;
    uint8_t seen[256] = {0};
    size_t nv = mist_voxel_grid_count(g);
    for (size_t i = 0; i < nv; i++)
        seen[g->labels[i]] = 1;
    uint8_t mat_seen[256] = {0};
    ss->n_used = 0;
    for (int l = 0; l < 256; l++)
        if (seen[l] && !mat_seen[medium->label_material[l]]) {
            mat_seen[medium->label_material[l]] = 1;
            ss->used[ss->n_used++] = medium->label_material[l];
        }
    free(ss->norm_c);
    free(ss->norm_r);
    ss->norm_c = calloc(medium->n_materials * MIST_SPECT_NORM_NE, sizeof *ss->norm_c);
    ss->norm_r = calloc(medium->n_materials * MIST_SPECT_NORM_NE, sizeof *ss->norm_r);
    if (!ss->norm_c || !ss->norm_r)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < ss->n_used; i++)
        build_norms(ss, (size_t)ss->used[i]);
    return MIST_OK;
}

/* ---- Camera ------------------------------------------------------------------------ */

static inline void tally_add(uint64_t *a, double w, int forced, mist_rng *rng)
{
    if (!forced)
        (*a)++;
    else
        *a += (uint64_t)(w * MIST_SPECT_FD_SCALE + mist_rng_uniform(rng));
}

/* Track photon p (head frame, at or before the crystal's front plane) through the crystal;
 * the energy it deposits and their centroid (u, v).  Returns the deposited energy. */
static double crystal(const mist_spect_sim *ss, mist_photon *p, mist_rng *rng, double *cu,
                      double *cv)
{
    const mist_spect_camera *c = ss->cam;
    double z0 = c->collimator.length_mm + c->gap_mm;
    const double lo[3] = {-0.5 * c->fov_mm[0], -0.5 * c->fov_mm[1], z0};
    const double hi[3] = {0.5 * c->fov_mm[0], 0.5 * c->fov_mm[1], z0 + c->crystal_mm};
    double t0, t1;
    if (!mist_ray_box(lo, hi, p->pos_mm, p->dir, &t0, &t1))
        return 0.0;
    if (t0 > 0)
        for (int i = 0; i < 3; i++)
            p->pos_mm[i] += t0 * p->dir[i];
    double remaining = t1 - (t0 > 0 ? t0 : 0), e_sum = 0, su = 0, sv = 0;
    p->edep_keV = 0;
    while (p->fate == MIST_FATE_ALIVE) {
        mist_xsec_point e = mist_xsec_locate(p->energy_keV);
        double s = -log(mist_rng_uniform_pos(rng)) / mist_xsec_mu_at(&ss->crystal.xsec,
                                                                      MIST_XS_TOTAL, e);
        if (s >= remaining)
            break;
        for (int i = 0; i < 3; i++)
            p->pos_mm[i] += s * p->dir[i];
        double before = p->edep_keV;
        mist_collide(&ss->options, &ss->crystal, p, e, rng);
        double dep = p->edep_keV - before;
        e_sum += dep;
        su += dep * p->pos_mm[0];
        sv += dep * p->pos_mm[1];
        if (p->fate != MIST_FATE_ALIVE || !mist_ray_box(lo, hi, p->pos_mm, p->dir, &t0, &t1))
            break;
        remaining = t1;
    }
    if (e_sum > 0) {
        *cu = su / e_sum;
        *cv = sv / e_sum;
    }
    return e_sum;
}

/* Measured energy and position of a deposit into windows, projections and the spectrum. */
static void readout(const mist_spect_sim *ss, uint32_t view, double e_keV, double u, double v,
                    double w, int primary, mist_tallies *t, mist_rng *rng)
{
    const mist_spect_camera *c = ss->cam;
    int fd = ss->orbit.forced;
    if (c->energy_resolution > 0)
        e_keV += c->energy_resolution * sqrt(MIST_SPECT_REF_KEV * e_keV) * FWHM_TO_SIGMA *
                 mist_rng_normal(rng);
    if (c->intrinsic_fwhm_mm > 0) {
        double s = c->intrinsic_fwhm_mm * FWHM_TO_SIGMA;
        u += s * mist_rng_normal(rng);
        v += s * mist_rng_normal(rng);
    }
    if (e_keV >= 0 && e_keV < MIST_SPECT_SPECTRUM_BINS)
        tally_add(&mist_tally_data(t, ss->id_spectrum)[(size_t)e_keV], w, fd, rng);
    double fc = floor(u / c->pixel_mm + 0.5 * c->n_cols), fr = floor(v / c->pixel_mm + 0.5 * c->n_rows);
    if (!(fc >= 0 && fc < c->n_cols && fr >= 0 && fr < c->n_rows))
        return;
    if (!fd)
        mist_tally_data(t, ss->id_counts)[MIST_SPECT_IN_MATRIX]++;
    size_t pix = (size_t)fr * c->n_cols + (size_t)fc, plane = (size_t)c->n_rows * c->n_cols;
    uint64_t *proj = mist_tally_data(t, ss->id_proj), *prim = mist_tally_data(t, ss->id_primary);
    for (int k = 0; k < ss->n_windows; k++) {
        if (!(e_keV >= ss->win[k].lo_keV && e_keV < ss->win[k].hi_keV))
            continue;
        size_t i = ((size_t)k * ss->orbit.n_views + view) * plane + pix;
        if (!fd) {
            proj[i]++;
            prim[i] += (uint64_t)primary;
        } else {
            uint64_t q = (uint64_t)(w * MIST_SPECT_FD_SCALE + mist_rng_uniform(rng));
            proj[i] += q;
            if (primary)
                prim[i] += q;
        }
    }
}

/* A photon in the head frame at the collimator face (w = 0, dir[2] > 0): through the
 * collimator (analog) and into the crystal. */
static void detect_analog(const mist_spect_sim *ss, uint32_t view, mist_photon *p, int primary,
                          mist_tallies *t, mist_rng *rng)
{
    uint64_t *counts = mist_tally_data(t, ss->id_counts);
    const mist_spect_camera *c = ss->cam;
    counts[MIST_SPECT_ON_FACE]++;
    if (ss->orbit.model == MIST_COLLIMATOR_FAST) {
        double tr = mist_collimator_transmission(&ss->coll, p->dir[0] / p->dir[2],
                                                 p->dir[1] / p->dir[2], p->energy_keV);
        if (!(mist_rng_uniform(rng) < tr))
            return;
        double s = (c->collimator.length_mm + c->gap_mm) / p->dir[2];
        for (int i = 0; i < 3; i++)
            p->pos_mm[i] += s * p->dir[i];
    } else {
        if (!mist_collimator_track(&ss->coll, p, rng))
            return;
        double s = c->gap_mm / p->dir[2];
        for (int i = 0; i < 3; i++)
            p->pos_mm[i] += s * p->dir[i];
    }
    counts[MIST_SPECT_THROUGH]++;
    double cu = 0, cv = 0, e = crystal(ss, p, rng, &cu, &cv);
    if (e <= 0)
        return;
    counts[MIST_SPECT_DETECTED]++;
    readout(ss, view, e, cu, cv, 1.0, primary, t, rng);
}

/* Which head the straight path of p (world frame, outside or on the grid) meets first; moves
 * the photon into that head's frame at its face.  Returns the head or -1. */
static int to_head(const mist_spect_sim *ss, const head_frame *hf, mist_photon *p)
{
    const mist_spect_camera *c = ss->cam;
    double best = INFINITY;
    int hit = -1;
    double lp[3] = {0}, ld[3] = {0};
    for (uint32_t h = 0; h < c->n_heads; h++) {
        const double *n = hf[h].n, *u = hf[h].u;
        double dn = p->dir[0] * n[0] + p->dir[1] * n[1];
        if (dn <= 0)
            continue;
        /* s < 0: the photon crossed the face plane in the air around the body. */
        double s = (hf[h].R - (p->pos_mm[0] * n[0] + p->pos_mm[1] * n[1])) / dn;
        if (s >= best)
            continue;
        double q[3] = {p->pos_mm[0] + s * p->dir[0], p->pos_mm[1] + s * p->dir[1],
                       p->pos_mm[2] + s * p->dir[2]};
        double qu = q[0] * u[0] + q[1] * u[1];
        if (fabs(qu) > 0.5 * c->fov_mm[0] || fabs(q[2]) > 0.5 * c->fov_mm[1])
            continue;
        best = s;
        hit = (int)h;
        lp[0] = qu;
        lp[1] = q[2];
        ld[0] = p->dir[0] * u[0] + p->dir[1] * u[1];
        ld[1] = p->dir[2];
        ld[2] = dn;
    }
    if (hit >= 0) {
        memcpy(p->pos_mm, lp, sizeof lp);
        memcpy(p->dir, ld, sizeof ld);
    }
    return hit;
}

/* ---- Forced detection ------------------------------------------------------------ */

/* Line integral of mu [dimensionless] from pos (inside the grid) along unit d to the grid's
 * boundary, voxel by voxel (Amanatides & Woo, Eurographics 1987); mu_mat by material. */
static double line_integral(const mist_tracker *tr, const double pos[3], const double d[3],
                            const double *mu_mat)
{
    const mist_voxel_grid *g = tr->grid;
    long idx[3], step[3];
    double tmax[3], tdelta[3];
    for (int a = 0; a < 3; a++) {
        long v = (long)floor((pos[a] - tr->lo_mm[a]) * tr->inv_voxel_mm[a]);
        if (v < 0)
            v = 0;
        if (v >= (long)g->n[a])
            v = (long)g->n[a] - 1;
        idx[a] = v;
        if (d[a] > 0) {
            step[a] = 1;
            tmax[a] = (tr->lo_mm[a] + (double)(v + 1) * g->voxel_mm[a] - pos[a]) / d[a];
            tdelta[a] = g->voxel_mm[a] / d[a];
        } else if (d[a] < 0) {
            step[a] = -1;
            tmax[a] = (tr->lo_mm[a] + (double)v * g->voxel_mm[a] - pos[a]) / d[a];
            tdelta[a] = -g->voxel_mm[a] / d[a];
        } else {
            step[a] = 0;
            tmax[a] = INFINITY;
            tdelta[a] = INFINITY;
        }
        if (tmax[a] < 0)
            tmax[a] = 0;
    }
    double tcur = 0, sum = 0;
    for (;;) {
        uint8_t label =
            g->labels[((size_t)idx[2] * g->n[1] + (size_t)idx[1]) * g->n[0] + (size_t)idx[0]];
        int a = tmax[0] < tmax[1] ? (tmax[0] < tmax[2] ? 0 : 2) : (tmax[1] < tmax[2] ? 1 : 2);
        sum += mu_mat[tr->label_material[label]] * (tmax[a] - tcur);
        tcur = tmax[a];
        idx[a] += step[a];
        if (idx[a] < 0 || idx[a] >= (long)g->n[a])
            break;
        tmax[a] += tdelta[a];
    }
    return sum;
}

/* Score one forced photon of energy e along the head's slopes (tu, tv) from world point pos,
 * with weight w (before collimator and attenuation). */
static void force_one(const mist_spect_sim *ss, const head_frame *hf, const double pos[3],
                      const double omega[3], double tu, double tv, double e, double w,
                      int primary, mist_tallies *t, mist_rng *rng)
{
    const mist_spect_camera *c = ss->cam;
    w *= mist_collimator_transmission(&ss->coll, tu, tv, e);
    if (!(w > 0))
        return;
    if (ss->medium) {
        double mu_mat[256];
        mist_xsec_point xp = mist_xsec_locate(e);
        for (size_t i = 0; i < ss->n_used; i++)
            mu_mat[ss->used[i]] =
                mist_xsec_mu_at(&ss->medium->materials[ss->used[i]].xsec, MIST_XS_TOTAL, xp);
        w *= exp(-line_integral(ss->medium, pos, omega, mu_mat));
    }
    double depth = hf->R - (pos[0] * hf->n[0] + pos[1] * hf->n[1]);
    if (depth <= 0)
        return; /* a collision in the air beyond the face plane */
    double k = sqrt(1.0 + tu * tu + tv * tv);
    mist_photon p;
    memset(&p, 0, sizeof p);
    p.pos_mm[0] = pos[0] * hf->u[0] + pos[1] * hf->u[1] + depth * tu;
    p.pos_mm[1] = pos[2] + depth * tv;
    p.pos_mm[2] = 0;
    if (fabs(p.pos_mm[0]) > 0.5 * c->fov_mm[0] || fabs(p.pos_mm[1]) > 0.5 * c->fov_mm[1])
        return;
    double s = c->collimator.length_mm + c->gap_mm;
    p.pos_mm[0] += s * tu;
    p.pos_mm[1] += s * tv;
    p.pos_mm[2] = s;
    p.dir[0] = tu / k;
    p.dir[1] = tv / k;
    p.dir[2] = 1.0 / k;
    p.energy_keV = e;
    p.weight = 1.0;
    mist_tally_data(t, ss->id_counts)[MIST_SPECT_FORCED]++;
    double cu = 0, cv = 0, dep = crystal(ss, &p, rng, &cu, &cv);
    if (dep > 0)
        readout(ss, hf->view, dep, cu, cv, w, primary, t, rng);
}

/* Forced detection from a point: emission (mat < 0, isotropic) or a real collision in material
 * mat of a photon of energy e going along dir. */
static void force(const mist_spect_sim *ss, const head_frame *hf, const double pos[3], double e,
                  const double dir[3], int mat, int primary, mist_tallies *t, mist_rng *rng)
{
    for (uint32_t h = 0; h < ss->cam->n_heads; h++) {
        double tu, tv, g = mist_collimator_sample_slope(&ss->coll, rng, &tu, &tv);
        double k = sqrt(1.0 + tu * tu + tv * tv);
        const double *n = hf[h].n, *u = hf[h].u;
        double omega[3] = {(n[0] + tu * u[0]) / k, (n[1] + tu * u[1]) / k, tv / k};
        /* Sampling density per steradian: g (per unit slope area) times k^3. */
        double q = g * k * k * k;
        if (mat < 0) {
            force_one(ss, &hf[h], pos, omega, tu, tv, e, 1.0 / (4.0 * MIST_PI * q), primary, t,
                      rng);
            continue;
        }
        const mist_physics_material *m = &ss->medium->materials[mat];
        double co, ph, ct = dir[0] * omega[0] + dir[1] * omega[1] + dir[2] * omega[2];
        mist_xsec_fractions(&m->xsec, mist_xsec_locate(e), &co, &ph);
        const double *nc = ss->norm_c + (size_t)mat * MIST_SPECT_NORM_NE;
        const double *nr = ss->norm_r + (size_t)mat * MIST_SPECT_NORM_NE;
        double pc = co * law_compton(ss, m, e, ct) / norm_at(nc, e);
        double e1 = mist_compton_energy(e, ct);
        if (e1 >= ss->medium->options.cutoff_keV)
            force_one(ss, &hf[h], pos, omega, tu, tv, e1, pc / q, 0, t, rng);
        double pr = (1.0 - co - ph) * law_rayleigh(m, e, ct) / norm_at(nr, e);
        if (pr > 0)
            force_one(ss, &hf[h], pos, omega, tu, tv, e, pr / q, 0, t, rng);
    }
}

/* The analog walk of a photon through the phantom, forcing at every real collision. */
static void walk_forced(const mist_spect_sim *ss, const head_frame *hf, mist_photon *p,
                        mist_tallies *t, mist_rng *rng)
{
    const mist_tracker *tr = ss->medium;
    if (!mist_tracker_enter(tr, p))
        return;
    while (p->fate == MIST_FATE_ALIVE) {
        mist_xsec_point e = mist_xsec_locate(p->energy_keV);
        double maj = mist_tracker_majorant(tr, e);
        double s = mist_tracker_exponential(tr, rng) / maj;
        if (s >= mist_tracker_exit_distance(tr, p->pos_mm, p->dir))
            return;
        for (int i = 0; i < 3; i++)
            p->pos_mm[i] += s * p->dir[i];
        int m = mist_tracker_material_at(tr, p->pos_mm);
        const mist_physics_material *pm = &tr->materials[m];
        double mu = mist_xsec_mu_at(&pm->xsec, MIST_XS_TOTAL, e);
        if (mu < maj && mist_rng_uniform(rng) * maj >= mu)
            continue; /* virtual collision */
        force(ss, hf, p->pos_mm, p->energy_keV, p->dir, m, 0, t, rng);
        mist_tracker_collide(tr, pm, p, e, rng);
    }
}

/* ---- Batch ----------------------------------------------------------------------- */

mist_status mist_spect_sim_batch(void *ctx, uint64_t batch, mist_rng *rng, mist_tallies *t,
                                 double *work, mist_error *err)
{
    (void)err;
    mist_spect_sim *ss = ctx;
    const mist_spect_camera *c = ss->cam;
    mist_acq_window w;
    mist_acquisition_begin(ss->acq, batch, rng, t, &w);
    uint64_t *counts = mist_tally_data(t, ss->id_counts);
    counts[MIST_SPECT_DECAYS] += w.n_decays;
    uint32_t stop = (uint32_t)(batch / ss->batches_per_stop);
    head_frame hf[MIST_SPECT_MAX_HEADS];
    for (uint32_t h = 0; h < c->n_heads; h++) {
        hf[h].view = h * ss->n_stops + stop;
        hf[h].R = ss->radius_view_mm[hf[h].view];
        double a = mist_spect_view_angle(ss, hf[h].view);
        hf[h].n[0] = cos(a);
        hf[h].n[1] = sin(a);
        hf[h].n[2] = 0;
        hf[h].u[0] = -sin(a);
        hf[h].u[1] = cos(a);
        hf[h].u[2] = 0;
    }
    uint64_t photons = 0;
    mist_decay decay;
    for (uint64_t i = 0; i < w.n_decays; i++) {
        double t_decay = mist_acquisition_time(&w, rng);
        mist_acquisition_record(ss->acq, t, t_decay);
        if (ss->source) {
            double at[3], rho;
            mist_source_sample(ss->source, rng, at, &rho);
            mist_emission_sample(&ss->emitter, rng, at, rho, &decay);
        } else {
            mist_emission_sample(&ss->emitter, rng, ss->source_mm, ss->source_density_g_cm3,
                                 &decay);
        }
        photons += (uint64_t)decay.n_photons;
        for (int k = 0; k < decay.n_photons; k++) {
            const mist_emitted_photon *ph = &decay.photons[k];
            mist_photon p = mist_photon_make(ph->pos_mm, ph->dir, ph->energy_keV,
                                             t_decay + ph->time_s);
            if (ss->orbit.forced) {
                force(ss, hf, ph->pos_mm, ph->energy_keV, NULL, -1, 1, t, rng);
                if (ss->medium)
                    walk_forced(ss, hf, &p, t, rng);
                continue;
            }
            if (ss->medium) {
                mist_woodcock_track(ss->medium, &p, rng);
                if (p.fate != MIST_FATE_ESCAPED)
                    continue;
            }
            int primary = p.n_compton + p.n_rayleigh == 0;
            int h = to_head(ss, hf, &p);
            if (h < 0)
                continue;
            p.fate = MIST_FATE_ALIVE;
            detect_analog(ss, hf[h].view, &p, primary, t, rng);
        }
    }
    counts[MIST_SPECT_PHOTONS] += photons;
    *work = (double)photons;
    return MIST_OK;
}

double mist_spect_photopeak_efficiency(const mist_spect_sim *ss, double e_keV, int window, long n,
                                       mist_rng *rng)
{
    const mist_spect_camera *c = ss->cam;
    long hits = 0;
    for (long i = 0; i < n; i++) {
        mist_photon p;
        memset(&p, 0, sizeof p);
        p.pos_mm[0] = 10.0 * (mist_rng_uniform(rng) - 0.5);
        p.pos_mm[1] = 10.0 * (mist_rng_uniform(rng) - 0.5);
        p.pos_mm[2] = c->collimator.length_mm + c->gap_mm;
        p.dir[2] = 1.0;
        p.energy_keV = e_keV;
        p.weight = 1.0;
        double cu, cv, e = crystal(ss, &p, rng, &cu, &cv);
        if (e <= 0)
            continue;
        if (c->energy_resolution > 0)
            e += c->energy_resolution * sqrt(MIST_SPECT_REF_KEV * e) * FWHM_TO_SIGMA *
                 mist_rng_normal(rng);
        hits += e >= ss->win[window].lo_keV && e < ss->win[window].hi_keV;
    }
    return (double)hits / (double)n;
}
