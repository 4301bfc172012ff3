#include "engine/validate_spect.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/progress.h"
#include "io/study.h"
#include "transport/tracker.h"
#include "transport/voxel_grid.h"


void mist_spect_point_free(mist_spect_point *p)
{
    if (p->ss)
        mist_spect_sim_free(p->ss);
    free(p->ss);
    mist_tallies_free(&p->t);
    mist_tracker_free(p->tracker);
    mist_voxel_grid_free(p->grid);
    mist_material_list_free(&p->materials);
    memset(p, 0, sizeof *p);
}

mist_status mist_spect_point_make(mist_spect_point *p, const mist_spect_point_opts *o,
                                  mist_error *err)
{
    memset(p, 0, sizeof *p);
    char mats[4096];
    mist_status st = mist_material_list_load(
        &p->materials, mist_data_path(mats, sizeof mats, "geometry/materials.yaml"), err);
    if (!st)
        st = mist_spect_camera_load(o->camera_file, &p->cam, err);
    if (st)
        return st;
    if (o->pixel_mm > 0) {
        p->cam.pixel_mm = o->pixel_mm;
        p->cam.n_cols = p->cam.n_rows = o->pixels;
    }
    const mist_nuclide *nuc = mist_nuclide_find(o->nuclide);
    if (!nuc)
        return mist_error_set(err, MIST_ERR_INTERNAL, "nuclide %s missing", o->nuclide);
    if (o->water_diameter_mm > 0) {
        const double vox = 2.5;
        size_t nxy = (size_t)ceil(o->water_diameter_mm / vox) + 2, nz = 40;
        const size_t n[3] = {nxy, nxy, nz};
        const double vs[3] = {vox, vox, vox};
        if ((st = mist_voxel_grid_create_centered(n, vs, &p->grid, err)))
            return st;
        const mist_material *air = mist_material_list_find(&p->materials, "air"),
                            *water = mist_material_list_find(&p->materials, "water");
        mist_voxel_grid_set_material(p->grid, 0, (int)(air - p->materials.items));
        mist_voxel_grid_set_material(p->grid, 1, (int)(water - p->materials.items));
        double r = 0.5 * o->water_diameter_mm;
        for (size_t k = 0; k < nz; k++)
            for (size_t j = 0; j < nxy; j++)
                for (size_t i = 0; i < nxy; i++) {
                    double c[3];
                    mist_voxel_grid_center(p->grid, i, j, k, c);
                    p->grid->labels[mist_voxel_grid_index(p->grid, i, j, k)] =
                        c[0] * c[0] + c[1] * c[1] <= r * r;
                }
        if ((st = mist_tracker_create(p->grid, p->materials.items, p->materials.n, NULL,
                                      &p->tracker, err)))
            return st;
    }
    /* The decays over 1 s of constant activity (the half-lives are hours). */
    if ((st = mist_acquisition_init(&p->acq, nuc, o->decays, 0.0, 1.0, 1.0, o->batches, 1.0,
                                    &p->t, err)))
        return st;
    mist_spect_orbit orbit = {.n_views = o->views, .orbit_deg = 360.0, .radius_mm = o->radius_mm,
                              .model = o->model, .forced = o->forced};
    p->ss = calloc(1, sizeof *p->ss);
    if (!p->ss)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    if ((st = mist_spect_sim_init(p->ss, &p->acq, &p->cam, &orbit, &p->materials, o->source_mm,
                                  &p->t, err)) ||
        (st = mist_spect_sim_set_medium(p->ss, p->tracker, err)))
        return st;
    return mist_tallies_alloc(&p->t, err);
}

mist_status mist_spect_point_run(mist_spect_point *p, uint64_t seed, mist_error *err)
{
    memset(p->t.data, 0, p->t.len * sizeof *p->t.data);
    double t0 = mist_time_now_s();
    for (uint64_t b = 0; b < p->acq.n_batches; b++) {
        mist_rng rng = mist_rng_substream(seed, b);
        double work;
        mist_status st = mist_spect_sim_batch(p->ss, b, &rng, &p->t, &work, err);
        if (st)
            return st;
    }
    p->wall_s = mist_time_now_s() - t0;
    return MIST_OK;
}

double mist_spect_point_sum(const mist_spect_point *p, size_t id, int w, uint32_t v, uint32_t c0,
                            uint32_t c1)
{
    const mist_spect_sim *ss = p->ss;
    const uint64_t *a = p->t.data + p->t.arrays[id].offset;
    size_t nr = ss->cam->n_rows, nc = ss->cam->n_cols;
    double s = 0;
    for (size_t r = 0; r < nr; r++)
        for (size_t c = c0; c < c1 && c < nc; c++)
            s += mist_spect_value(ss, a[(((size_t)w * ss->orbit.n_views + v) * nr + r) * nc + c]);
    return s;
}

/* FWHM [mm] of a profile of n bins of pixel_mm: the peak height from a least-squares parabola
 * through the bins within 2 mm of the largest (the largest bin alone is biased high by noise),
 * then linear interpolation at half of it on each side. */
static double profile_fwhm(const double *prof, uint32_t n, double pixel_mm)
{
    double peak = 0, half, left = NAN, right = NAN;
    uint32_t im = 0;
    for (uint32_t c = 0; c < n; c++)
        if (prof[c] > peak) {
            peak = prof[c];
            im = c;
        }
    long h = (long)(2.0 / pixel_mm);
    double s[5] = {0}, sy[3] = {0};
    for (long c = (long)im - h; c <= (long)im + h; c++) {
        if (c < 0 || c >= (long)n)
            continue;
        double x = (double)(c - (long)im), y = prof[c];
        s[0] += 1;
        s[1] += x;
        s[2] += x * x;
        s[3] += x * x * x;
        s[4] += x * x * x * x;
        sy[0] += y;
        sy[1] += x * y;
        sy[2] += x * x * y;
    }
    /* Normal equations of y = a + b x + c x^2 (Cramer's rule). */
    double m[3][3] = {{s[0], s[1], s[2]}, {s[1], s[2], s[3]}, {s[2], s[3], s[4]}};
    double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                 m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                 m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    if (fabs(det) > 0) {
        double a = (sy[0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                    m[0][1] * (sy[1] * m[2][2] - m[1][2] * sy[2]) +
                    m[0][2] * (sy[1] * m[2][1] - m[1][1] * sy[2])) / det;
        double b = (m[0][0] * (sy[1] * m[2][2] - m[1][2] * sy[2]) -
                    sy[0] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                    m[0][2] * (m[1][0] * sy[2] - sy[1] * m[2][0])) / det;
        double c = (m[0][0] * (m[1][1] * sy[2] - sy[1] * m[2][1]) -
                    m[0][1] * (m[1][0] * sy[2] - sy[1] * m[2][0]) +
                    sy[0] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])) / det;
        double xv = c < 0 ? -b / (2 * c) : 0;
        if (fabs(xv) <= h)
            peak = a + b * xv + c * xv * xv;
    }
    half = 0.5 * peak;
    for (uint32_t c = im; c > 0; c--)
        if (prof[c - 1] < half) {
            left = (c - 1) + (half - prof[c - 1]) / (prof[c] - prof[c - 1]);
            break;
        }
    for (uint32_t c = im; c + 1 < n; c++)
        if (prof[c + 1] < half) {
            right = c + (prof[c] - half) / (prof[c] - prof[c + 1]);
            break;
        }
    return (right - left) * pixel_mm;
}

/* FWHM [mm] of the point-spread function of window 0, view 0 along the columns: the profile of
 * the rows within +-band_mm of the source's row (band 0: all rows, the line-spread profile). */
static double psf_fwhm(const mist_spect_point *p, int window, double band_mm)
{
    const mist_spect_sim *ss = p->ss;
    uint32_t nc = p->cam.n_cols, nr = p->cam.n_rows;
    double *prof = calloc(nc, sizeof *prof);
    if (!prof)
        return NAN;
    const uint64_t *a = mist_tally_data((mist_tallies *)&p->t, ss->id_proj) +
                        (size_t)window * ss->orbit.n_views * nr * nc;
    long half_rows = (long)floor(band_mm / p->cam.pixel_mm);
    for (uint32_t r = 0; r < nr; r++) {
        long dr = (long)r - (long)(nr / 2);
        if (band_mm > 0 && (dr < -half_rows - 1 || dr > half_rows))
            continue;
        for (uint32_t c = 0; c < nc; c++)
            prof[c] += mist_spect_value(ss, a[(size_t)r * nc + c]);
    }
    double f = profile_fwhm(prof, nc, p->cam.pixel_mm);
    free(prof);
    return f;
}

/* The photon line of energy e_keV of a nuclide: its yield per decay (nuclide.c's table). */
static double line_yield(const mist_nuclide *n, double e_keV)
{
    for (int l = 0; l < n->n_lines; l++)
        if (fabs(n->lines[l].energy_keV - e_keV) < 0.5)
            return n->lines[l].intensity;
    return 0.0;
}

/* One collimator with one photon line: nuclide, line energy, the line's photopeak window. */
static mist_status check_collimator(int quick, const char *file, const char *label,
                                    const char *nuclide, double e_keV, int window,
                                    mist_validation *v, mist_error *err)
{
    char path[4096];
    mist_data_path(path, sizeof path, file);
    const double b = 100.0, radius = 250.0;
    mist_spect_point_opts o = {.camera_file = path,
                               .nuclide = nuclide,
                               .decays = quick ? 2.0e5 : 1.0e6,
                               .batches = 4,
                               .views = 2,
                               .radius_mm = radius,
                               .source_mm = {radius - b, 0, 0},
                               .pixel_mm = 0.4,
                               .pixels = 320,
                               .model = MIST_COLLIMATOR_FAST,
                               .forced = 1};
    mist_spect_point p;
    mist_status st = mist_spect_point_make(&p, &o, err);
    if (!st)
        st = mist_spect_point_run(&p, 20261127u, err);
    if (st) {
        mist_spect_point_free(&p);
        return st;
    }
    const mist_spect_camera *c = &p.cam;
    double mu = mist_collimator_mu(&p.ss->coll, e_keV);
    double yield = line_yield(p.acq.nuclide, e_keV);
    double rg = mist_spect_analytic_resolution_mm(c, mu, b);
    double rsys = sqrt(rg * rg + c->intrinsic_fwhm_mm * c->intrinsic_fwhm_mm);
    double fwhm = psf_fwhm(&p, window, 0.0), fwhm_c = psf_fwhm(&p, window, 1.0);
    char q[112];
    snprintf(q, sizeof q, "%s: system FWHM [mm], %s %.1f keV point in air at 100 mm (centre %.2f)",
             label, nuclide, e_keV, fwhm_c);
    st = mist_validation_add(v, "spect", q, "R_g = d(L_eff+b+c)/L_eff (+) R_i, Cherry et al.", rsys,
                             fwhm, 0, 0.05, err);
    /* Sensitivity: counts in the photopeak window of view 0 per decay, x 1e6 decays/s/MBq. */
    double decays = (double)mist_tally_sum(&p.t, p.acq.id_batch);
    double sens = mist_spect_point_sum(&p, p.ss->id_proj, window, 0, 0, c->n_cols) / decays * 1e6;
    mist_rng rng = mist_rng_substream(20261128u, 0);
    double eff = mist_spect_photopeak_efficiency(p.ss, e_keV, window, quick ? 20000 : 100000, &rng);
    double expect = mist_spect_analytic_efficiency(c, mu) * yield * eff * 1e6;
    double pen = mist_collimator_penetration_share(&p.ss->coll, e_keV);
    snprintf(q, sizeof q,
             "%s: sensitivity at 100 mm [cps/MBq], %.1f keV window (pp eff. %.3f, penetr. %.1f%%)",
             label, e_keV, eff, 100.0 * pen);
    char src[96];
    snprintf(src, sizeof src, "g(L_eff) x yield %.3f x photopeak eff., Cherry et al.", yield);
    if (!st)
        st = mist_validation_add(v, "spect", q, src, expect, sens, 0, 0.10, err);
    /* The analog acquisition gives the same sensitivity (LEHR, full runs only). */
    if (!st && !quick && !strcmp(file, "geometry/spect_symbia_lehr.yaml")) {
        mist_spect_point a;
        o.forced = 0;
        o.decays = 2.0e7;
        o.batches = 8;
        o.pixel_mm = 0;
        st = mist_spect_point_make(&a, &o, err);
        if (!st)
            st = mist_spect_point_run(&a, 20261129u, err);
        if (!st) {
            double n = mist_spect_point_sum(&a, a.ss->id_proj, 0, 0, 0, a.cam.n_cols);
            double d = (double)mist_tally_sum(&a.t, a.acq.id_batch);
            st = mist_validation_add(v, "spect", "Symbia LEHR: analog sensitivity [cps/MBq] = forced",
                                     "forced detection (row above)", sens, n / d * 1e6,
                                     sqrt(n) / d * 1e6, 4.0, err);
        }
        mist_spect_point_free(&a);
    }
    mist_spect_point_free(&p);
    return st;
}

/* Tc-99m at the centre of a 150 mm water cylinder, LEHR, full MC collimator, analog. */
static mist_status check_spectrum(int quick, mist_validation *v, mist_error *err)
{
    char path[4096];
    mist_data_path(path, sizeof path, "geometry/spect_symbia_lehr.yaml");
    mist_spect_point_opts o = {.camera_file = path,
                               .nuclide = "Tc-99m",
                               .decays = quick ? 1.0e7 : 3.0e7,
                               .batches = 8,
                               .views = 2,
                               .radius_mm = 120.0,
                               .water_diameter_mm = 150.0,
                               .model = MIST_COLLIMATOR_FULL,
                               .forced = 0};
    mist_spect_point p;
    mist_status st = mist_spect_point_make(&p, &o, err);
    if (!st)
        st = mist_spect_point_run(&p, 20261130u, err);
    if (st) {
        mist_spect_point_free(&p);
        return st;
    }
    const uint64_t *s = mist_tally_data(&p.t, p.ss->id_spectrum);
    /* Photopeak: the spectrum's largest 3 keV sum above 100 keV. */
    double best = -1;
    int at = 0;
    for (int e = 101; e < 200; e++) {
        double x = (double)(s[e - 1] + s[e] + s[e + 1]);
        if (x > best) {
            best = x;
            at = e;
        }
    }
    st = mist_validation_add(v, "spect", "spectrum: photopeak position [keV], Tc-99m in 150 mm water",
                             "140.5 keV line (NNDC)", 140.511, at + 0.5, 0, 0.015, err);
    /* Lead K X-rays: excess in 70-90 keV over the line through the 55-65 and 95-105 keV means. */
    double lo = 0, hi = 0, mid = 0;
    for (int e = 55; e < 65; e++)
        lo += (double)s[e];
    for (int e = 95; e < 105; e++)
        hi += (double)s[e];
    for (int e = 70; e < 90; e++)
        mid += (double)s[e];
    double cont = (lo + hi) / 10.0 * 10.0; /* 20 keV of the mean level of the two 10 keV bands */
    double excess = mid - cont, sd = sqrt(mid + cont);
    char q[112];
    snprintf(q, sizeof q, "spectrum: Pb K X-ray excess in 70-90 keV, %.0f +- %.0f counts (>= 4 sd)",
             excess, sd);
    if (!st)
        st = mist_validation_add(v, "spect", q, "Pb K lines 72.8-84.9 keV (xraylib)", 1,
                                 excess >= 4 * sd, 0, 0, err);
    /* Compton region: scattered photons between 90 and 126 keV. */
    double compton = 0;
    for (int e = 90; e < 126; e++)
        compton += (double)s[e];
    snprintf(q, sizeof q, "spectrum: Compton region 90-126 keV holds counts (%.0f, >= 4 sd)",
             compton);
    if (!st)
        st = mist_validation_add(v, "spect", q, "scatter in the water cylinder", 1,
                                 compton >= 16.0, 0, 0, err);
    /* Scatter fraction in the photopeak window: truth against TEW. */
    double pk = 0, prim = 0, low = 0, up = 0;
    for (uint32_t view = 0; view < 2; view++) {
        pk += mist_spect_point_sum(&p, p.ss->id_proj, 0, view, 0, p.cam.n_cols);
        prim += mist_spect_point_sum(&p, p.ss->id_primary, 0, view, 0, p.cam.n_cols);
        low += mist_spect_point_sum(&p, p.ss->id_proj, 1, view, 0, p.cam.n_cols);
        up += mist_spect_point_sum(&p, p.ss->id_proj, 2, view, 0, p.cam.n_cols);
    }
    const mist_energy_window *w = p.ss->win;
    double wp = w[0].hi_keV - w[0].lo_keV, wl = w[1].hi_keV - w[1].lo_keV,
           wu = w[2].hi_keV - w[2].lo_keV;
    double tew = (low / wl + up / wu) * wp / 2.0 / pk, sf = 1.0 - prim / pk;
    double sd_sf = sqrt(sf * (1 - sf) / pk) + sqrt(low + up) / wl * wp / 2.0 / pk;
    snprintf(q, sizeof q, "scatter fraction in the 140.5 keV window (%.0f counts)", pk);
    if (!st)
        st = mist_validation_add(v, "spect", q, "TEW estimate (Ogawa 1991), +-4 sd + 25 % (model)",
                                 tew, sf, sd_sf + 0.0625 * tew, 4.0, err);
    mist_spect_point_free(&p);
    return st;
}

mist_status mist_validate_spect(int quick, mist_validation *v, mist_error *err)
{
    /* Tc-99m 140.5 keV (window 0) on every collimator; In-111 245.35 keV (window 3, behind the
     * 171 keV photopeak and its TEW windows) on the medium-energy ones. */
    static const struct {
        const char *file, *label, *nuclide;
        double e_keV;
        int window;
    } runs[] = {{"geometry/spect_symbia_lehr.yaml", "Symbia LEHR", "Tc-99m", 140.511, 0},
                {"geometry/spect_symbia_leap.yaml", "Symbia LEAP", "Tc-99m", 140.511, 0},
                {"geometry/spect_symbia_me.yaml", "Symbia ME", "Tc-99m", 140.511, 0},
                {"geometry/spect_ge_lehr.yaml", "GE LEHR", "Tc-99m", 140.511, 0},
                {"geometry/spect_ge_megp.yaml", "GE MEGP", "Tc-99m", 140.511, 0},
                {"geometry/spect_symbia_me.yaml", "Symbia ME", "In-111", 245.35, 3},
                {"geometry/spect_ge_megp.yaml", "GE MEGP", "In-111", 245.35, 3}};
    mist_status st = MIST_OK;
    for (size_t i = 0; !st && i < sizeof runs / sizeof runs[0]; i++)
        st = check_collimator(quick, runs[i].file, runs[i].label, runs[i].nuclide, runs[i].e_keV,
                              runs[i].window, v, err);
    return st ? st : check_spectrum(quick, v, err);
}
