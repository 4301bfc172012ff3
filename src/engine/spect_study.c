#include "engine/spect_study.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/scene.h"
#include "io/h5in.h"
#include "io/h5out.h"
#include "io/interfile_spect.h"
#include "io/phantom_io.h"
#include "io/yaml_doc.h"
#include "model/material.h"
#include "model/phantom_load.h"
#include "par/mpi_env.h"
#include "physics/nuclide.h"
#include "physics/xsec.h"
#include "physics/tracer.h"
#include "transport/source.h"
#include "transport/tracker.h"

int mist_scanner_is_spect(const char *path)
{
    mist_yaml_doc *doc = NULL;
    mist_error err;
    int is = 0;
    if (!mist_yaml_load_file(path, &doc, &err)) {
        const mist_yaml_node *m = mist_yaml_map_find(doc->root, "modality");
        is = m && m->kind == MIST_YAML_SCALAR && !strcmp(m->scalar, "spect");
    }
    mist_yaml_free(doc);
    return is;
}

typedef struct spect_run {
    mist_scene sc; /**< tracer, materials, phantom, activity map, medium, acquisition */
    mist_spect_camera camera;
    mist_spect_sim ss;
    mist_tallies tallies;
} spect_run;

static void run_free(spect_run *r)
{
    mist_spect_sim_free(&r->ss);
    mist_tallies_free(&r->tallies);
    mist_scene_free(&r->sc);
}

static mist_status setup(spect_run *r, const mist_study *study, mist_error *err)
{
    mist_status st = mist_spect_camera_load(study->scanner_path, &r->camera, err);
    if (!st)
        st = mist_scene_build(&r->sc, study, &r->tallies, err);
    mist_spect_orbit orbit = {
        .n_views = (uint32_t)study->acquisition.spect.views,
        .orbit_deg = study->acquisition.spect.orbit_deg,
        .radius_mm = study->acquisition.spect.radius_mm > 0 ? study->acquisition.spect.radius_mm
                                                            : r->camera.orbit_radius_mm,
        .model = (mist_collimator_model)study->acquisition.spect.collimator_model,
        .forced = study->acquisition.spect.forced_detection,
        .contour = study->acquisition.spect.contour,
        .clearance_mm = study->acquisition.spect.clearance_mm};
    if (!st)
        st = mist_spect_sim_init(&r->ss, &r->sc.acq, &r->camera, &orbit, &r->sc.materials, NULL,
                                 &r->tallies, err);
    if (!st)
        st = mist_spect_sim_set_medium(&r->ss, r->sc.tracker, err);
    if (st == MIST_ERR_INPUT && !strncmp(err->msg, "acquisition.", 12)) {
        /* The orbit's problems belong to the study file. */
        char msg[MIST_ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        mist_error_set(err, st, "%s: %s", study->source, msg);
    }
    if (!st) {
        mist_spect_sim_set_source(&r->ss, &r->sc.source);
        st = mist_tallies_alloc(&r->tallies, err);
    }
    return st;
}

/* One projection-shaped tally as counts: uint64, or float64 expected counts (FD). */
static mist_status write_proj(hid_t file, const mist_spect_sim *ss, mist_tallies *t, size_t id,
                              const char *name, mist_error *err)
{
    const mist_tally_array *a = &t->arrays[id];
    const uint64_t *v = mist_tally_data(t, id);
    char path[160];
    snprintf(path, sizeof path, "/spect/%s/%s", ss->cam->name, name);
    hid_t d;
    mist_status st;
    if (ss->orbit.forced) {
        double *x = malloc(a->len * sizeof *x);
        if (!x)
            return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < a->len; i++)
            x[i] = mist_spect_value(ss, v[i]);
        st = mist_h5_write(file, path, H5T_NATIVE_DOUBLE, a->ndim, a->dims, x,
                           "counts (expected, forced detection)", &d, err);
        free(x);
    } else {
        st = mist_h5_write(file, path, H5T_NATIVE_UINT64, a->ndim, a->dims, v, "counts", &d, err);
    }
    if (st)
        return st;
    double win[2 * MIST_SPECT_MAX_WINDOWS], ang[4096];
    char names[MIST_SPECT_MAX_WINDOWS * 26] = "";
    for (int k = 0; k < ss->n_windows; k++) {
        win[2 * k] = ss->win[k].lo_keV;
        win[2 * k + 1] = ss->win[k].hi_keV;
        strcat(names, ss->win[k].name);
        if (k + 1 < ss->n_windows)
            strcat(names, ",");
    }
    uint32_t nv = ss->orbit.n_views < 4096 ? ss->orbit.n_views : 4096;
    for (uint32_t k = 0; k < nv; k++)
        ang[k] = mist_spect_view_angle(ss, k) * 180.0 / 3.14159265358979323846;
    double pix = ss->cam->pixel_mm, rad = ss->orbit.radius_mm, orb = ss->orbit.orbit_deg;
    (void)((st = mist_h5_attr_double(d, "windows_keV", win, 2 * (size_t)ss->n_windows, err)) ||
           (st = mist_h5_attr_str(d, "window_names", names, err)) ||
           (st = mist_h5_attr_double(d, "view_angles_deg", ang, nv, err)) ||
           (st = mist_h5_attr_double(d, "pixel_mm", &pix, 1, err)) ||
           (st = mist_h5_attr_double(d, "radius_mm", &rad, 1, err)) ||
           (st = mist_h5_attr_double(d, "radii_mm", ss->radius_view_mm, nv, err)) ||
           (st = mist_h5_attr_str(d, "orbit", ss->orbit.contour ? "body contour" : "circular",
                                  err)) ||
           (st = mist_h5_attr_double(d, "orbit_deg", &orb, 1, err)) ||
           (st = mist_h5_attr_str(d, "collimator_model",
                                  ss->orbit.forced ? "fast (forced detection uses the table)"
                                  : ss->orbit.model == MIST_COLLIMATOR_FULL ? "full" : "fast",
                                  err)) ||
           (st = mist_h5_attr_int(d, "forced_detection", ss->orbit.forced, err)) ||
           (st = mist_h5_attr_str(d, "orientation",
                                  "view k at angle theta_k (view_angles_deg, from +x toward +y "
                                  "about z); face normal (cos, sin, 0) from the axis to the head; "
                                  "columns along (-sin, cos, 0), rows along +z; pixel (r, c) "
                                  "centred at ((c - (n_cols - 1)/2) pixel_mm, (r - (n_rows - 1)/2) "
                                  "pixel_mm)",
                                  err)));
    H5Dclose(d);
    return st;
}

mist_status mist_spect_write(hid_t file, const mist_spect_sim *ss, mist_tallies *t,
                             mist_error *err)
{
    mist_status st = write_proj(file, ss, t, ss->id_proj, "projections", err);
    if (!st)
        st = write_proj(file, ss, t, ss->id_primary, "primary", err);
    char path[160];
    hid_t d;
    const mist_tally_array *a = &t->arrays[ss->id_spectrum];
    snprintf(path, sizeof path, "/spect/%s/spectrum", ss->cam->name);
    if (!st && ss->orbit.forced) {
        double x[MIST_SPECT_SPECTRUM_BINS];
        for (size_t i = 0; i < MIST_SPECT_SPECTRUM_BINS; i++)
            x[i] = mist_spect_value(ss, mist_tally_data(t, ss->id_spectrum)[i]);
        st = mist_h5_write(file, path, H5T_NATIVE_DOUBLE, 1, a->dims, x,
                           "photons per keV (expected, forced detection)", NULL, err);
    } else if (!st) {
        st = mist_h5_write(file, path, H5T_NATIVE_UINT64, 1, a->dims,
                           mist_tally_data(t, ss->id_spectrum), "photons per keV", NULL, err);
    }
    a = &t->arrays[ss->id_counts];
    snprintf(path, sizeof path, "/spect/%s/counts", ss->cam->name);
    if (!st)
        st = mist_h5_write(file, path, H5T_NATIVE_UINT64, 1, a->dims,
                           mist_tally_data(t, ss->id_counts), "counts", &d, err);
    if (st)
        return st;
    const uint64_t *c = mist_tally_data(t, ss->id_counts);
    for (int i = 0; !st && i < MIST_SPECT_N_COUNTERS; i++)
        st = mist_h5_attr_u64(d, mist_spect_counter_names[i], &c[i], 1, err);
    H5Dclose(d);
    return st;
}

/* What SPECT reconstruction needs and may not compute itself (recon does not
 * link physics): /phantom/mu_<keV, %.1f> [1/cm] at each photopeak window's line
 * energy, and on /spect/<camera> the collimator, crystal and intrinsic
 * resolution, the heads, and per window (0 for the scatter windows): the
 * effective hole length L - 2/mu at the line energy, the geometric efficiency
 * g(L_eff) of Cherry et al., the photopeak efficiency of the crystal
 * (Monte Carlo, 20000 photons at normal incidence) and the line's yield. */
static mist_status write_recon_inputs(hid_t file, spect_run *r, mist_error *err)
{
    const mist_phantom *ph = r->sc.phantom;
    const mist_spect_sim *ss = &r->ss;
    const mist_spect_camera *c = &r->camera;
    const uint64_t dims[3] = {ph->n[2], ph->n[1], ph->n[0]};
    size_t nv = mist_phantom_count(ph);
    int nw = ss->n_windows;
    double l_eff[MIST_SPECT_MAX_WINDOWS] = {0}, geo[MIST_SPECT_MAX_WINDOWS] = {0},
           eff[MIST_SPECT_MAX_WINDOWS] = {0}, yield[MIST_SPECT_MAX_WINDOWS] = {0};
    float *mu = malloc((nv ? nv : 1) * sizeof *mu);
    mist_status st = mu ? MIST_OK : mist_error_set(err, MIST_ERR_NOMEM, "out of memory for mu");
    for (int w = 0; w < nw && !st; w++) {
        if (ss->win[w].kind != MIST_WINDOW_PEAK)
            continue;
        double e = ss->win[w].peak_keV;
        float mu_cm[256] = {0};
        for (size_t l = 0; l < ph->n_tissues && !st; l++) {
            const mist_material *m = mist_material_list_find(&r->sc.materials, ph->tissues[l].material);
            double mu_rho = 0.0;
            if (m)
                st = mist_xsec_mass_atten(m, MIST_XS_TOTAL, e, &mu_rho, err);
            mu_cm[l] = m ? (float)(mu_rho * m->density_g_cm3) : 0.0f;
        }
        for (size_t i = 0; i < nv && !st; i++)
            mu[i] = mu_cm[ph->labels[i]];
        char path[64];
        snprintf(path, sizeof path, "/phantom/mu_%.1f", e);
        hid_t d = H5I_INVALID_HID;
        if (!st && !mist_h5in_exists(file, path))
            st = mist_h5_write(file, path, H5T_NATIVE_FLOAT, 3, dims, mu, "1/cm", &d, err);
        if (!st && d >= 0) {
            (void)((st = mist_h5_attr_double(d, "voxel_size_mm", ph->voxel_mm, 3, err)) ||
                   (st = mist_h5_attr_double(d, "origin_mm", ph->origin_mm, 3, err)) ||
                   (st = mist_h5_attr_double(d, "energy_keV", &e, 1, err)));
            H5Dclose(d);
        }
        double mu_coll = mist_collimator_mu(&ss->coll, e);
        l_eff[w] = c->collimator.length_mm - 2.0 / mu_coll;
        geo[w] = mist_spect_analytic_efficiency(c, mu_coll);
        mist_rng rng = mist_rng_substream(20261127u, (uint64_t)w);
        eff[w] = mist_spect_photopeak_efficiency(ss, e, w, 20000, &rng);
        for (int l = 0; l < r->sc.nuclide->n_lines; l++)
            if (fabs(r->sc.nuclide->lines[l].energy_keV - e) < 0.5)
                yield[w] += r->sc.nuclide->lines[l].intensity;
    }
    free(mu);
    if (st)
        return st;
    char path[96];
    snprintf(path, sizeof path, "/spect/%s", c->name);
    hid_t g = H5Gopen2(file, path, H5P_DEFAULT);
    if (g < 0)
        return mist_error_set(err, MIST_ERR_IO, "cannot open %s", path);
    const double cc = c->gap_mm + 0.5 * c->crystal_mm;
    (void)((st = mist_h5_attr_int(g, "heads", c->n_heads, err)) ||
           (st = mist_h5_attr_double(g, "hole_mm", &c->collimator.hole_mm, 1, err)) ||
           (st = mist_h5_attr_double(g, "septa_mm", &c->collimator.septa_mm, 1, err)) ||
           (st = mist_h5_attr_double(g, "hole_length_mm", &c->collimator.length_mm, 1, err)) ||
           (st = mist_h5_attr_double(g, "gap_mm", &c->gap_mm, 1, err)) ||
           (st = mist_h5_attr_double(g, "crystal_mm", &c->crystal_mm, 1, err)) ||
           (st = mist_h5_attr_double(g, "back_to_crystal_mid_mm", &cc, 1, err)) ||
           (st = mist_h5_attr_double(g, "intrinsic_fwhm_mm", &c->intrinsic_fwhm_mm, 1, err)) ||
           (st = mist_h5_attr_double(g, "l_eff_mm", l_eff, (size_t)nw, err)) ||
           (st = mist_h5_attr_double(g, "geometric_efficiency", geo, (size_t)nw, err)) ||
           (st = mist_h5_attr_double(g, "photopeak_efficiency", eff, (size_t)nw, err)) ||
           (st = mist_h5_attr_double(g, "line_yield", yield, (size_t)nw, err)));
    H5Gclose(g);
    return st;
}

static mist_status write_result(mist_h5 *h5, const mist_study *study, spect_run *r,
                                mist_error *err)
{
    mist_tallies *t = &r->tallies;
    mist_status st = mist_write_root_attrs(h5->file, study, err);
    /* The acquisition's tallies (the /spect ones are written by mist_spect_write). */
    const size_t acq_ids[2] = {r->sc.acq.id_batch, r->sc.acq.id_hist};
    for (size_t i = 0; !st && i < 2; i++) {
        const mist_tally_array *arr = &t->arrays[acq_ids[i]];
        st = mist_h5_write_counts(h5->file, arr->path, arr->ndim, arr->dims,
                                  mist_tally_data(t, acq_ids[i]), arr->units, NULL, err);
    }
    if (!st)
        st = mist_spect_write(h5->file, &r->ss, t, err);
    if (!st)
        st = mist_scene_write_h5(h5->file, &r->sc, study, t, err);
    if (!st)
        st = write_recon_inputs(h5->file, r, err);
    return st;
}

/* Interfile 3.3 projections beside the result: OUT (without .h5).<window>.hs/.s. */
static mist_status write_interfile(const char *output, spect_run *r, mist_error *err)
{
    char prefix[4096];
    size_t len = strlen(output);
    if (len > 3 && !strcmp(output + len - 3, ".h5"))
        len -= 3;
    mist_status st = MIST_OK;
    for (int w = 0; !st && w < r->ss.n_windows; w++) {
        snprintf(prefix, sizeof prefix, "%.*s.%s", (int)len, output, r->ss.win[w].name);
        st = mist_interfile_spect_write(prefix, &r->ss, &r->tallies, w, err);
    }
    return st;
}

mist_status mist_spect_simulate(const mist_study *study, const mist_simulate_opts *opts,
                                mist_simulate_result *res, mist_error *err)
{
    memset(res, 0, sizeof *res);
    res->spect = 1;
    mist_mpi mpi = mist_mpi_world();
    spect_run r;
    memset(&r, 0, sizeof r);
    mist_h5 h5 = {.file = H5I_INVALID_HID};
    mist_status st = setup(&r, study, err);
    if (!st && mpi.rank == 0)
        st = mist_h5_create(&h5, opts->output, err);
    mist_mpi_share_error(st, err);
    st = mist_mpi_agree_status(st) ? err->code : MIST_OK;
    char checkpoint[4096];
    snprintf(checkpoint, sizeof checkpoint, "%s.checkpoint", opts->output);
    if (!st) {
        mist_engine_opts eo = {.seed = study->seed,
                               .n_batches = r.sc.acq.n_batches,
                               .quiet = opts->quiet,
                               .label = "simulate",
                               .unit = "photons",
                               .checkpoint_path = checkpoint,
                               .checkpoint_interval_s = study->acquisition.checkpoint_s,
                               .resume = opts->resume,
                               .run_key = study->study_yaml};
        mist_engine_stats stats;
        st = mist_engine_run(&eo, mist_spect_sim_batch, &r.ss, &r.tallies, &stats, err);
        res->wall_s = stats.wall_s;
    }
    if (!st && mpi.rank == 0) {
        res->decays = mist_tally_sum(&r.tallies, r.sc.acq.id_batch);
        const uint64_t *c = mist_tally_data(&r.tallies, r.ss.id_counts);
        res->spect_in_matrix = c[r.ss.orbit.forced ? MIST_SPECT_FORCED : MIST_SPECT_IN_MATRIX];
        st = write_result(&h5, study, &r, err);
        if (!st)
            st = mist_h5_commit(&h5, err);
        if (!st)
            remove(checkpoint);
        if (!st && study->acquisition.spect.interfile)
            st = write_interfile(opts->output, &r, err);
    }
    if (st && mpi.rank == 0)
        mist_h5_abort(&h5);
    mist_mpi_share_error(st, err);
    st = mist_mpi_agree_status(st) ? err->code : MIST_OK;
    snprintf(res->missing_stages, sizeof res->missing_stages, "%s",
             opts->with_recon ? "lesion analysis of SPECT images" : "");
    run_free(&r);
    return st;
}
