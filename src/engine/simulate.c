#include "engine/simulate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detector/pet_scanner.h"
#include "engine/acquisition.h"
#include "engine/engine.h"
#include "engine/scene.h"
#include "engine/pet_sim.h"
#include "engine/spect_study.h"
#include "io/phantom_io.h"
#include "io/yaml_doc.h"
#include "mist_version.h"
#include "model/material.h"
#include "model/phantom_load.h"
#include "par/mpi_env.h"
#include "physics/nuclide.h"
#include "physics/tracer.h"
#include "physics/xsec.h"
#include "transport/source.h"
#include "transport/tracker.h"

mist_status mist_write_root_attrs(hid_t file, const mist_study *study, mist_error *err)
{
    char created[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    uint64_t seed = study->seed;
    mist_status st;
    if ((st = mist_h5_attr_str(file, "mist_version", MIST_VERSION, err)) ||
        (st = mist_h5_attr_str(file, "git_commit", MIST_GIT_COMMIT, err)) ||
        (st = mist_h5_attr_str(file, "study_name", study->name, err)) ||
        (st = mist_h5_attr_str(file, "study_source", study->source, err)) ||
        (st = mist_h5_attr_str(file, "study_yaml", study->study_yaml, err)) ||
        (st = mist_h5_attr_u64(file, "seed", &seed, 1, err)) ||
        (st = mist_h5_attr_int(file, "mpi_ranks", mist_mpi_world().size, err)) ||
        (st = mist_h5_attr_str(file, "created_utc", created, err)))
        return st;
    return MIST_OK;
}

/* Everything a simulation sets up once, and frees at the end. */
typedef struct sim {
    mist_scene sc; /**< tracer, materials, phantom, activity map, medium, acquisition */
    mist_pet_scanner scanner;
    mist_pet_sim pet;
    mist_listmode listmode; /**< used when the study asks for list-mode */
    mist_tallies tallies;
} sim;

static void sim_free(sim *s)
{
    mist_pet_sim_free(&s->pet);
    mist_listmode_free(&s->listmode);
    mist_tallies_free(&s->tallies);
    mist_scene_free(&s->sc);
}

/* The scanner file's modality ("pet" or "spect"). */
static mist_status scanner_modality(const char *path, char *out, size_t size, mist_error *err)
{
    mist_yaml_doc *doc = NULL;
    mist_status st = mist_yaml_load_file(path, &doc, err);
    const char *m = NULL;
    if (!st)
        st = mist_yaml_get_string(doc->root, "", "modality", MIST_REQUIRED, NULL, &m, err);
    if (!st)
        snprintf(out, size, "%s", m);
    mist_yaml_free(doc);
    return st;
}

static mist_status setup(sim *s, const mist_study *study, int no_dead_time, mist_error *err)
{
    char modality[16];
    mist_status st = mist_tracer_load(study->tracer.probe_path, &s->sc.tracer, err);
    if (!st)
        s->sc.nuclide = mist_tracer_nuclide(s->sc.tracer);
    if (!st)
        st = scanner_modality(study->scanner_path, modality, sizeof modality, err);
    if (!st && strcmp(modality, "pet"))
        st = mist_error_set(err, MIST_ERR_NOT_BUILT,
                            "%s: %s acquisition is not built yet (PET scanners are)",
                            study->scanner_path, modality);
    if (!st)
        st = mist_pet_scanner_load(study->scanner_path, &s->scanner, err);
    if (!st && no_dead_time)
        s->scanner.dead_time_s = 0.0;
    if (!st)
        st = mist_scene_build(&s->sc, study, &s->tallies, err);
    mist_emission_options opt = mist_emission_default_options();
    const double origin[3] = {0, 0, 0};
    if (!st)
        st = mist_pet_sim_init(&s->pet, &s->sc.acq, &s->scanner, &s->sc.materials, &opt, origin, 1.0,
                               mist_acquisition_expected_total(&s->sc.acq) / (double)s->sc.acq.n_batches,
                               &s->tallies, err);
    if (!st) {
        mist_pet_sim_set_medium(&s->pet, s->sc.tracker);
        mist_pet_sim_set_pose(&s->pet, study->scanner_axis, study->scanner_center_mm);
        mist_pet_sim_set_source(&s->pet, &s->sc.source);
        st = mist_tallies_alloc(&s->tallies, err);
    }
    if (!st && study->acquisition.listmode) {
        st = mist_listmode_init(&s->listmode, s->sc.acq.n_batches, err);
        mist_pet_sim_set_listmode(&s->pet, &s->listmode);
    }
    return st;
}

/* TOF sinograms: the bin width, timing resolution and tau convention on each. */
static mist_status write_tof_attrs(hid_t file, const mist_pet_sim *ps, mist_error *err)
{
    if (ps->sino.n_tof <= 1)
        return MIST_OK;
    static const char *const names[] = {"prompts",           "trues",   "scatters",
                                        "detector_scatters", "randoms", "delayed"};
    double bin_ps = ps->sino.tof_bin_s * 1e12, fwhm_ps = ps->scanner->tof_fwhm_s * 1e12;
    mist_status st = MIST_OK;
    for (size_t i = 0; !st && i < 6; i++) {
        char path[96];
        snprintf(path, sizeof path, "/pet/%s/%s", ps->scanner->name, names[i]);
        hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
        if (d < 0)
            return mist_error_set(err, MIST_ERR_IO, "cannot open %s", path);
        (void)((st = mist_h5_attr_double(d, "tof_bin_ps", &bin_ps, 1, err)) ||
               (st = mist_h5_attr_double(d, "tof_resolution_ps", &fwhm_ps, 1, err)) ||
               (st = mist_h5_attr_str(d, "tof_convention",
                                      "axis 0 = TOF bin k of tau = t(first) - t(second) in the LOR "
                                      "order of the sinogram (along (-sin phi, cos phi)), centre "
                                      "(k - (n_tof - 1) / 2) tof_bin_ps; tau = 2 x / c for an "
                                      "annihilation x mm along that direction from the LOR "
                                      "midpoint; outer bins hold everything beyond them",
                                      err)));
        H5Dclose(d);
    }
    return st;
}

/* What reconstruction needs and cannot derive without the physics and the
 * scanner file (recon/ never links physics/ or transport/): the phantom's
 * linear attenuation coefficient at 511 keV per voxel (xraylib total, with
 * the density of the tissue's material, as the photons see it) and the
 * sinogram geometry as attributes of /pet/<scanner>. */
static mist_status write_recon_inputs(hid_t file, const sim *s, mist_error *err)
{
    const mist_phantom *ph = s->sc.phantom;
    float mu_cm[256] = {0};
    mist_status st = MIST_OK;
    for (size_t l = 0; l < ph->n_tissues && !st; l++) {
        const mist_material *m = mist_material_list_find(&s->sc.materials, ph->tissues[l].material);
        double mu_rho = 0.0;
        if (m)
            st = mist_xsec_mass_atten(m, MIST_XS_TOTAL, 511.0, &mu_rho, err);
        mu_cm[l] = m ? (float)(mu_rho * m->density_g_cm3) : 0.0f;
    }
    size_t nv = mist_phantom_count(ph);
    float *mu = st ? NULL : malloc(nv * sizeof *mu);
    if (!st && !mu)
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for /phantom/mu_511");
    for (size_t i = 0; !st && i < nv; i++)
        mu[i] = mu_cm[ph->labels[i]];
    const uint64_t dims[3] = {ph->n[2], ph->n[1], ph->n[0]};
    hid_t d;
    if (!st)
        st = mist_h5_write(file, "/phantom/mu_511", H5T_NATIVE_FLOAT, 3, dims, mu, "1/cm", &d, err);
    free(mu);
    if (!st) {
        double e = 511.0;
        (void)((st = mist_h5_attr_double(d, "voxel_size_mm", ph->voxel_mm, 3, err)) ||
               (st = mist_h5_attr_double(d, "origin_mm", ph->origin_mm, 3, err)) ||
               (st = mist_h5_attr_double(d, "energy_keV", &e, 1, err)));
        H5Dclose(d);
    }
    if (st)
        return st;
    char path[96];
    snprintf(path, sizeof path, "/pet/%s", s->scanner.name);
    hid_t g = H5Gopen2(file, path, H5P_DEFAULT);
    if (g < 0)
        return mist_error_set(err, MIST_ERR_IO, "cannot open %s", path);
    const mist_pet_scanner *sc = &s->scanner;
    (void)((st = mist_h5_attr_str(g, "geometry", sc->geometry == MIST_PET_BLOCKS ? "blocks"
                                                                                 : "ideal_ring",
                                  err)) ||
           (st = mist_h5_attr_int(g, "crystals_per_ring", sc->crystals_per_ring, err)) ||
           (st = mist_h5_attr_int(g, "rings", sc->rings, err)) ||
           (st = mist_h5_attr_double(g, "ring_radius_mm", &sc->radius_mm, 1, err)) ||
           (st = mist_h5_attr_double(g, "ring_pitch_mm", &sc->ring_pitch_mm, 1, err)) ||
           (st = mist_h5_attr_double(g, "crystal_depth_mm", &sc->crystal_depth_mm, 1, err)) ||
           (st = mist_h5_attr_int(g, "span", sc->span, err)) ||
           (st = mist_h5_attr_int(g, "max_ring_difference", sc->max_ring_difference, err)) ||
           (st = mist_h5_attr_int(g, "radial_bins", sc->radial_bins, err)));
    H5Gclose(g);
    return st;
}

static mist_status write_result(mist_h5 *h5, const mist_study *study, sim *s, mist_error *err)
{
    mist_tallies *t = &s->tallies;
    mist_status st = mist_write_root_attrs(h5->file, study, err);
    for (size_t i = 0; !st && i < t->n_arrays; i++) {
        const mist_tally_array *arr = &t->arrays[i];
        if (!arr->sparse) {
            st = mist_h5_write_counts(h5->file, arr->path, arr->ndim, arr->dims,
                                      mist_tally_data(t, i), arr->units, NULL, err);
            continue;
        }
        uint64_t *pairs = NULL;
        size_t n = 0;
        st = mist_tally_nonzero(t, i, &pairs, &n, err);
        if (!st)
            st = mist_h5_write_counts_pairs(h5->file, arr->path, arr->ndim, arr->dims, pairs, n,
                                            arr->units, NULL, err);
        free(pairs);
    }
    /* The randoms sinogram, derived from the others (pet_sim.h). */
    if (!st) {
        const mist_tally_array *pr = &t->arrays[s->pet.id_prompts];
        char path[96];
        snprintf(path, sizeof path, "/pet/%s/randoms", s->scanner.name);
        uint64_t *pairs = NULL;
        size_t n = 0;
        st = mist_pet_sim_randoms(&s->pet, t, &pairs, &n, err);
        if (!st)
            st = mist_h5_write_counts_pairs(h5->file, path, pr->ndim, pr->dims, pairs, n,
                                            pr->units, NULL, err);
        free(pairs);
    }
    /* The phantom, its activity map at frame start, the acquisition's attributes. */
    if (!st)
        st = mist_scene_write_h5(h5->file, &s->sc, study, t, err);
    if (st)
        return st;

    /* The PET counters, also as named attributes of the counts dataset. */
    char path[96];
    snprintf(path, sizeof path, "/pet/%s/counts", s->scanner.name);
    hid_t d = H5Dopen2(h5->file, path, H5P_DEFAULT);
    if (d < 0)
        return mist_error_set(err, MIST_ERR_IO, "cannot open %s", path);
    const uint64_t *c = mist_tally_data(t, s->pet.id_counts);
    for (int i = 0; !st && i < MIST_PET_N_COUNTERS; i++)
        st = mist_h5_attr_u64(d, mist_pet_counter_names[i], &c[i], 1, err);
    H5Dclose(d);
    /* Where the scanner sat on the phantom (study scanner_pose). */
    snprintf(path, sizeof path, "/pet/%s", s->scanner.name);
    hid_t pg = st ? H5I_INVALID_HID : H5Gopen2(h5->file, path, H5P_DEFAULT);
    if (!st && pg < 0)
        st = mist_error_set(err, MIST_ERR_IO, "cannot open %s", path);
    if (!st) {
        static const char *const axes[] = {"x", "y", "z"};
        (void)((st = mist_h5_attr_str(pg, "scanner_axis", axes[s->pet.pose_axis], err)) ||
               (st = mist_h5_attr_double(pg, "scanner_center_mm", s->pet.pose_center_mm, 3,
                                         err)) ||
               (st = mist_h5_attr_str(pg, "scanner_frame",
                                      "scanner coordinates x_s = R (x - scanner_center_mm) of "
                                      "phantom coordinates x; R takes phantom axis scanner_axis "
                                      "to the scanner's z: z identity, y (x, -z, y), x (y, z, x)",
                                      err)));
        H5Gclose(pg);
    }
    if (!st)
        st = write_recon_inputs(h5->file, s, err);
    return st ? st : write_tof_attrs(h5->file, &s->pet, err);
}

mist_status mist_simulate(const mist_study *study, const mist_simulate_opts *opts,
                          mist_simulate_result *res, mist_error *err)
{
    if (mist_scanner_is_spect(study->scanner_path))
        return mist_spect_simulate(study, opts, res, err);
    memset(res, 0, sizeof *res);
    mist_mpi mpi = mist_mpi_world();
    sim s;
    memset(&s, 0, sizeof s);
    mist_h5 h5 = {.file = H5I_INVALID_HID};

    mist_status st = setup(&s, study, opts->no_dead_time, err);
    /* Rank 0 creates the (temporary) result file first: an unwritable output
     * fails before the simulation, not after it. */
    if (!st && mpi.rank == 0)
        st = mist_h5_create(&h5, opts->output, err);
    mist_mpi_share_error(st, err);
    st = mist_mpi_agree_status(st) ? err->code : MIST_OK;

    /* Checkpoints beside the result: OUT.h5.checkpoint, removed when the run
     * completes.  List-mode runs are not checkpointed: the records of the
     * epochs before a crash are not in the checkpoint. */
    char checkpoint[4096];
    snprintf(checkpoint, sizeof checkpoint, "%s.checkpoint", opts->output);
    int checkpoints = !study->acquisition.listmode;
    if (!st && opts->resume && !checkpoints)
        st = mist_error_set(err, MIST_ERR_INPUT,
                            "--resume: list-mode runs (acquisition.listmode: true) are not "
                            "checkpointed, so they cannot be resumed");
    if (!st) {
        mist_engine_opts eo = {.seed = study->seed,
                               .n_batches = s.sc.acq.n_batches,
                               .quiet = opts->quiet,
                               .label = "simulate",
                               .unit = "decays",
                               .checkpoint_path = checkpoints ? checkpoint : NULL,
                               .checkpoint_interval_s = study->acquisition.checkpoint_s,
                               .resume = opts->resume,
                               .run_key = study->study_yaml};
        mist_engine_stats stats;
        st = mist_engine_run(&eo, mist_pet_sim_batch, &s.pet, &s.tallies, &stats, err);
        res->wall_s = stats.wall_s;
    }
    if (!st && study->acquisition.listmode) {
        /* Collective: rank 0 writes every rank's records in batch order. */
        char path[96];
        snprintf(path, sizeof path, "/pet/%s/listmode", s.scanner.name);
        st = mist_listmode_write(&s.listmode, h5.file, path, &res->listmode_records, err);
    }
    if (!st && mpi.rank == 0) {
        res->decays = mist_tally_sum(&s.tallies, s.sc.acq.id_batch);
        res->prompts = mist_tally_data(&s.tallies, s.pet.id_counts)[MIST_PET_PROMPTS];
        st = write_result(&h5, study, &s, err);
        if (!st)
            st = mist_h5_commit(&h5, err);
        if (!st)
            remove(checkpoint);
    }
    if (st && mpi.rank == 0)
        mist_h5_abort(&h5);
    mist_mpi_share_error(st, err);
    st = mist_mpi_agree_status(st) ? err->code : MIST_OK;
    res->missing_stages[0] = '\0';
    sim_free(&s);
    return st;
}

static mist_status run_inspect(const mist_study *study, int quiet, mist_simulate_inspect_fn fn,
                               void *ctx, mist_engine_stats *stats, mist_error *err)
{
    sim s;
    memset(&s, 0, sizeof s);
    mist_status st = setup(&s, study, 0, err);
    mist_pet_sim_set_listmode(&s.pet, NULL); /* no file, so no list */
    mist_mpi_share_error(st, err);
    st = mist_mpi_agree_status(st) ? err->code : MIST_OK;
    if (!st) {
        mist_engine_opts eo = {.seed = study->seed,
                               .n_batches = s.sc.acq.n_batches,
                               .quiet = quiet,
                               .label = study->name,
                               .unit = "decays"};
        st = mist_engine_run(&eo, mist_pet_sim_batch, &s.pet, &s.tallies, stats, err);
    }
    if (!st && fn && mist_mpi_world().rank == 0)
        st = fn(ctx, &s.pet, &s.tallies, err);
    mist_mpi_share_error(st, err);
    st = mist_mpi_agree_status(st) ? err->code : MIST_OK;
    sim_free(&s);
    return st;
}

mist_status mist_simulate_inspect(const mist_study *study, int quiet, mist_simulate_inspect_fn fn,
                                  void *ctx, mist_error *err)
{
    return run_inspect(study, quiet, fn, ctx, NULL, err);
}

mist_status mist_simulate_timed(const mist_study *study, mist_simulate_inspect_fn fn, void *ctx,
                                mist_engine_stats *stats, mist_error *err)
{
    return run_inspect(study, 1, fn, ctx, stats, err);
}
