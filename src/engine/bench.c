#include "engine/bench.h"
#include "engine/bench_spect.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/progress.h"
#include "core/rng.h"
#include "engine/acquisition.h"
#include "engine/tally.h"
#include "par/mpi_env.h"
#include "physics/bench_emission.h"
#include "transport/bench_transport.h"
#include "engine/engine.h"
#include "engine/pet_sim.h"
#include "engine/simulate.h"
#include "io/study.h"
#include "model/phantom_load.h"
#include "recon/bench_recon.h"
#include "transport/voxel_grid.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double mist_bench_median_rate(void (*fn)(void *ctx, size_t n), void *ctx, size_t n, int reps,
                              double *spread)
{
    double rates[32];
    if (reps > 32)
        reps = 32;
    fn(ctx, n / 10 + 1); /* warm-up */
    for (int r = 0; r < reps; r++) {
        double t0 = mist_time_now_s();
        fn(ctx, n);
        double dt = mist_time_now_s() - t0;
        rates[r] = dt > 0 ? (double)n / dt : 0.0;
    }
    qsort(rates, (size_t)reps, sizeof rates[0], cmp_double);
    double med = reps % 2 ? rates[reps / 2] : 0.5 * (rates[reps / 2 - 1] + rates[reps / 2]);
    if (spread)
        *spread = med > 0 ? (rates[reps - 1] - rates[0]) / med : 0.0;
    return med;
}

/* Sinks keep the compiler from removing the measured loops. */
typedef struct rng_ctx {
    mist_rng rng;
    double sink;
} rng_ctx;

static void bench_uniform(void *ctx, size_t n)
{
    rng_ctx *c = ctx;
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += mist_rng_uniform(&c->rng);
    c->sink += s;
}

static void bench_isotropic(void *ctx, size_t n)
{
    rng_ctx *c = ctx;
    double s = 0, d[3];
    for (size_t i = 0; i < n; i++) {
        mist_rng_isotropic(&c->rng, d);
        s += d[2];
    }
    c->sink += s;
}

typedef struct acq_ctx {
    mist_acquisition acq;
    mist_tallies t;
    uint64_t batch;
} acq_ctx;

static void bench_acquisition(void *ctx, size_t n)
{
    /* n decays: run batches of the acquisition until n decays are done. */
    acq_ctx *c = ctx;
    size_t done = 0;
    while (done < n) {
        mist_rng rng = mist_rng_substream(1u, c->batch);
        double work = 0;
        mist_acquisition_batch(&c->acq, c->batch % c->acq.n_batches, &rng, &c->t, &work, NULL);
        c->batch++;
        done += (size_t)work;
    }
}

/* End-to-end PET: F-18 point source at the centre of a 200 mm water box (2 mm
 * voxels) on the ideal ring: decays, emission, Woodcock transport, ring
 * hits, coincidence sorting and sinogram binning, one rank. */
static mist_status bench_pet(mist_bench_figure *f, mist_error *err)
{
    mist_pet_scanner sc;
    char ring[4096];
    mist_status st = mist_pet_scanner_load(
        mist_data_path(ring, sizeof ring, "geometry/pet_ideal_ring.yaml"), &sc, err);
    if (st)
        return st;
    mist_material water;
    mist_voxel_grid *g = NULL;
    mist_tracker *tr = NULL;
    const size_t n[3] = {100, 100, 100};
    const double vox[3] = {2.0, 2.0, 2.0};
    if ((st = mist_material_from_formula("water", "H2O", 1.0, &water, err)) ||
        (st = mist_voxel_grid_create_centered(n, vox, &g, err)))
        return st;
    mist_voxel_grid_set_material(g, 0, 0);
    st = mist_tracker_create(g, &water, 1, NULL, &tr, err);
    mist_tallies t;
    memset(&t, 0, sizeof t);
    mist_acquisition acq;
    mist_pet_sim ps;
    memset(&ps, 0, sizeof ps);
    const double o[3] = {0, 0, 0};
    mist_emission_options opt = mist_emission_default_options();
    /* 10 MBq: 8 windows of 25 ms, 2.5e5 decays each. */
    if (!st)
        st = mist_acquisition_init(&acq, mist_nuclide_find("F-18"), 1e7, 0.0, 8.0, 0.025, 8, 1.0,
                                   &t, err);
    if (!st)
        st = mist_pet_sim_init(&ps, &acq, &sc, NULL, &opt, o, 1.0, 2.5e5, &t, err);
    mist_pet_sim_set_medium(&ps, tr);
    if (!st)
        st = mist_tallies_alloc(&t, err);
    double rates[5];
    for (int r = 0; !st && r < 5; r++) {
        mist_engine_opts eo = {.seed = 1u + (uint64_t)r, .n_batches = 8, .quiet = 1,
                               .label = "bench", .unit = "decays"};
        mist_engine_stats es;
        mist_tallies_clear(&t);
        st = mist_engine_run(&eo, mist_pet_sim_batch, &ps, &t, &es, err);
        rates[r] = es.work_total / es.wall_s;
    }
    if (!st) {
        qsort(rates, 5, sizeof rates[0], cmp_double);
        double mib = (double)mist_tallies_sparse_bytes(&t) / (1024.0 * 1024.0);
        *f = (mist_bench_figure){"pet.end_to_end", "decays/s", rates[2],
                                 (rates[4] - rates[0]) / rates[2], ""};
        snprintf(f->note, sizeof f->note,
                 "F-18 in 200 mm water, ideal ring, sorting + 5 sinogram tallies (%.0f MiB), one core",
                 mib);
    }
    mist_pet_sim_free(&ps);
    mist_tallies_free(&t);
    mist_tracker_free(tr);
    mist_voxel_grid_free(g);
    return st;
}

/* Sinogram memory of a run: what the five sinogram tallies a rank holds at its end (prompts,
 * trues, scatters, detector scatters, delayed: sparse tallies, engine/tally.h; the randoms
 * are derived when written) take. */
static mist_status sino_mib(void *ctx, const mist_pet_sim *ps, mist_tallies *t, mist_error *err)
{
    (void)err;
    double *mib = ctx; /* [0] held, [1] the five as dense uint64 arrays */
    mib[0] = (double)mist_tallies_sparse_bytes(t) / (1024.0 * 1024.0);
    mib[1] = 5.0 * (double)mist_sino_size(&ps->sino) * 8.0 / (1024.0 * 1024.0);
    return MIST_OK;
}

/* The default study end to end (emission from the breast phantom's activity map, Woodcock
 * transport, block crystals, sorting, sinograms), on one rank: decays per second of the
 * batch loop (set-up excluded), median of 3 runs of 1/20 of its simulated decays. */
static mist_status bench_default_study(mist_bench_figure *f, mist_error *err)
{
    const char *sets[] = {"acquisition.simulated_fraction=0.0005", "acquisition.batches=16"};
    mist_study *study = NULL;
    mist_status st = mist_study_load(NULL, sets, 2, &study, err);
    double rates[3], mib[2] = {0.0, 0.0};
    for (int r = 0; !st && r < 3; r++) {
        mist_engine_stats es;
        memset(&es, 0, sizeof es);
        st = mist_simulate_timed(study, sino_mib, mib, &es, err);
        rates[r] = es.wall_s > 0 ? es.work_total / es.wall_s : 0.0;
    }
    mist_study_free(study);
    if (st)
        return st;
    qsort(rates, 3, sizeof rates[0], cmp_double);
    *f = (mist_bench_figure){"pet.default_study", "decays/s", rates[1],
                             (rates[2] - rates[0]) / rates[1], ""};
    snprintf(f->note, sizeof f->note,
             "default study (Ga-68 breast, mCT class blocks), batch loop, one core; "
             "sinograms %.1f MiB per rank (sparse; dense: %.0f MiB)",
             mib[0], mib[1]);
    return MIST_OK;
}

/* Threads a rank's reconstruction runs on (recon/pet_recon.h). */
static int recon_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

/* OSEM on the default study's geometry: the whole-body scanner's sinogram
 * and the default phantom's extent at recon.voxel_mm, every bin with counts.  batched: the
 * batched OSEM (recon/pet_recon.h, mist observe's realisations), s per image and iteration,
 * against the single path's alternated with it. */
static mist_status bench_recon(mist_bench_figure *f, int batched, mist_error *err)
{
    mist_study *study = NULL;
    mist_phantom *ph = NULL;
    mist_pet_scanner sc;
    mist_sino_geom g = {0};
    mist_bench_recon_result r = {0};
    mist_status st = mist_study_load(NULL, NULL, 0, &study, err);
    if (!st)
        st = mist_pet_scanner_load(study->scanner_path, &sc, err);
    if (!st)
        st = mist_phantom_load(study->phantom_path, NULL, 0, &ph, err);
    if (!st)
        st = mist_sino_init(&g, sc.crystals_per_ring, sc.rings, sc.radial_bins, sc.span,
                            sc.max_ring_difference, sc.radius_mm, err);
    if (!st) {
        mist_img_geom img = mist_img_geom_cover(ph->n, ph->voxel_mm, ph->origin_mm,
                                                study->recon.voxel_mm);
        if (batched) {
            st = mist_bench_recon_pet_batched(&g, sc.radius_mm, sc.ring_pitch_mm, &img,
                                              (size_t)study->recon.subsets, 2, &r, err);
            *f = (mist_bench_figure){"recon.osem_batched", "s", r.s_per_iteration, 0, ""};
            snprintf(f->note, sizeof f->note,
                     "per image, %d batched (single %.3g s), default study dense %.1fM LORs, "
                     "batch %.0f MiB, %d threads",
                     MIST_PET_BATCH, r.s_single, r.bins / 1e6, r.memory_MiB, recon_threads());
        } else {
            st = mist_bench_recon_pet(&g, sc.radius_mm, sc.ring_pitch_mm, &img,
                                      (size_t)study->recon.subsets, 3, &r, err);
            *f = (mist_bench_figure){"recon.osem_iteration", "s", r.s_per_iteration, 0, ""};
            snprintf(f->note, sizeof f->note,
                     "default study, %dx%dx%d voxels of %g mm, %ld subsets, %.1fM LORs all with "
                     "counts, %.0f MiB, %d threads",
                     img.n[0], img.n[1], img.n[2], study->recon.voxel_mm, study->recon.subsets,
                     r.bins / 1e6, r.memory_MiB, recon_threads());
        }
    }
    mist_sino_free(&g);
    mist_phantom_free(ph);
    mist_study_free(study);
    return st;
}

/* OSEM on a study's own simulated data, the way `mist recon` runs it: the study (path NULL:
 * the default study; sets: its overrides) simulated into a temporary file, reconstructed
 * (3 iterations of the study's recon settings, attenuation, randoms and scatter as the study
 * says) into a second one, both removed.  The figure is the wall time of a full iteration
 * (all subsets), which projects only the LORs with counts; the note gives the prompts, those
 * LORs and the model's memory (recon_cmd.h). */
static mist_status bench_recon_study(mist_bench_figure *f, const char *name, const char *path,
                                     const char *const *sets, size_t n_sets, const char *what,
                                     mist_error *err)
{
    char rel[4096], h5[4096], out[4200];
    mist_study *study = NULL;
    const char *file = path ? mist_data_path(rel, sizeof rel, path) : NULL;
    mist_status st = mist_study_load(file, sets, n_sets, &study, err);
    const char *tmp = getenv("TMPDIR");
    snprintf(h5, sizeof h5, "%.3900s/mist_bench_%ld_%s.h5", tmp && *tmp ? tmp : "/tmp", (long)getpid(),
             name);
    snprintf(out, sizeof out, "%s.recon.h5", h5);
    mist_simulate_opts so = {.output = h5, .quiet = 1};
    mist_simulate_result sr;
    memset(&sr, 0, sizeof sr);
    if (!st)
        st = mist_simulate(study, &so, &sr, err);
    mist_recon_summary sum;
    memset(&sum, 0, sizeof sum);
    const char *rs[] = {"recon.iterations=3"};
    if (!st)
        st = mist_recon_file(h5, out, rs, 1, NULL, NULL, &sum, err);
    if (!st) {
        *f = (mist_bench_figure){"", "s", sum.s_per_iteration, 0, ""};
        snprintf(f->name, sizeof f->name, "recon.%s", name);
        snprintf(f->note, sizeof f->note,
                 "%s: %.2gM prompts in %.2gM LORs, %dx%dx%d of %g mm, %d subsets, model %.0f MiB, "
                 "%d threads",
                 what, (double)sr.prompts / 1e6, (double)sum.bins_data / 1e6, sum.n[0], sum.n[1],
                 sum.n[2], sum.voxel_mm, sum.subsets, sum.model_MiB, recon_threads());
    }
    unlink(h5);
    unlink(out);
    mist_study_free(study);
    return st;
}

/* Whether figure `name` runs under --only `only` (NULL: all): its name starts with it. */
static int want(const char *only, const char *name)
{
    return !only || !strncmp(name, only, strlen(only));
}

/* Whether a group of figures whose names start with `group` may hold one that runs. */
static int want_group(const char *only, const char *group)
{
    size_t n = strlen(only ? only : ""), g = strlen(group);
    return !only || !strncmp(group, only, n < g ? n : g);
}

int mist_bench_command(int json, const char *only)
{
    if (mist_mpi_world().rank != 0)
        return 0;
    mist_bench_figure f[20];
    size_t nf = 0;
    rng_ctx rc;
    rc.rng = mist_rng_substream(1u, 0u);
    rc.sink = 0;

    if (want(only, "rng.uniform")) {
        f[nf] = (mist_bench_figure){"rng.uniform", "numbers/s", 0, 0,
                                    "53-bit uniform doubles from pcg32, one core"};
        f[nf].value = mist_bench_median_rate(bench_uniform, &rc, 20000000, 5, &f[nf].spread);
        nf++;
    }
    if (want(only, "rng.isotropic")) {
        f[nf] = (mist_bench_figure){"rng.isotropic", "directions/s", 0, 0,
                                    "isotropic unit vectors, one core"};
        f[nf].value = mist_bench_median_rate(bench_isotropic, &rc, 10000000, 5, &f[nf].spread);
        nf++;
    }

    mist_error err;
    if (want(only, "acquisition.decays")) {
        acq_ctx ac;
        memset(&ac, 0, sizeof ac);
        /* A Ga-68 frame, 2 h after injection, ~1e6 decays per batch. */
        if (mist_acquisition_init(&ac.acq, mist_nuclide_find("Ga-68"), 1.0e9, 7200.0, 600.0, 0.01, 1000, 1.0, &ac.t,
                                  &err) ||
            mist_tallies_alloc(&ac.t, &err)) {
            fprintf(stderr, "mist bench: %s\n", err.msg);
            return 1;
        }
        f[nf] = (mist_bench_figure){"acquisition.decays", "decays/s", 0, 0,
                                    "decay counts and times of a Ga-68 frame, one core"};
        f[nf].value = mist_bench_median_rate(bench_acquisition, &ac, 20000000, 5, &f[nf].spread);
        nf++;
        mist_tallies_free(&ac.t);
    }

    /* Emission sampling (voxel, decay, positron range, photon directions), transport excluded. */
    static const char *const emitters[] = {"F-18", "Ga-68", "Zr-89", "Tc-99m"};
    for (size_t i = 0; i < sizeof emitters / sizeof emitters[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "emission.%s", emitters[i]);
        if (!want(only, name))
            continue;
        mist_bench_emission_result r;
        if (mist_bench_emission(emitters[i], 2000000, 5, &r, &err)) {
            fprintf(stderr, "mist bench: %s\n", err.msg);
            return 1;
        }
        f[nf] = (mist_bench_figure){"", "decays/s", r.decays_per_s, r.spread, ""};
        snprintf(f[nf].name, sizeof f[nf].name, "emission.%s", emitters[i]);
        snprintf(f[nf].note, sizeof f[nf].note,
                 "alias voxel + decay + positron range + photons (%.2f per decay), one core",
                 r.photons_per_decay);
        nf++;
    }

    /* Photon histories from a point at the centre of a 200 mm water cylinder, 1 mm voxels. */
    static const double energies[] = {511.0, 140.5};
    for (size_t i = 0; i < sizeof energies / sizeof energies[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "transport.%.1fkeV", energies[i]);
        if (!want(only, name))
            continue;
        mist_bench_transport_result tr;
        if (mist_bench_transport(energies[i], 1000000, 5, 1u, &tr, &err)) {
            fprintf(stderr, "mist bench: %s\n", err.msg);
            return 1;
        }
        f[nf] = (mist_bench_figure){"", "histories/s", tr.histories_per_s, tr.spread, ""};
        snprintf(f[nf].name, sizeof f[nf].name, "transport.%.1fkeV", energies[i]);
        snprintf(f[nf].note, sizeof f[nf].note,
                 "Woodcock, 200 mm water cylinder, 1 mm voxels, %.2f Compton/history, one core",
                 tr.mean_compton);
        nf++;
    }

    if (want(only, "pet.end_to_end")) {
        if (bench_pet(&f[nf], &err)) {
            fprintf(stderr, "mist bench: %s\n", err.msg);
            return 1;
        }
        nf++;
    }
    if (want(only, "pet.default_study")) {
        if (bench_default_study(&f[nf], &err)) {
            fprintf(stderr, "mist bench: %s\n", err.msg);
            return 1;
        }
        nf++;
    }
    if (want(only, "recon.osem_iteration")) {
        if (bench_recon(&f[nf], 0, &err)) {
            fprintf(stderr, "mist bench: %s\n", err.msg);
            return 1;
        }
        nf++;
    }
    if (want(only, "recon.osem_batched")) {
        if (bench_recon(&f[nf], 1, &err)) {
            fprintf(stderr, "mist bench: %s\n", err.msg);
            return 1;
        }
        nf++;
    }
    if (want(only, "recon.osem_default_study")) {
        if (bench_recon_study(&f[nf], "osem_default_study", NULL, NULL, 0, "default study's data",
                              &err)) {
            fprintf(stderr, "mist bench: %s\n", err.msg);
            return 1;
        }
        nf++;
    }
    if (want(only, "recon.osem_nema_iec")) {
        if (bench_recon_study(&f[nf], "osem_nema_iec", "scripts/studies/nema_iec.yaml", NULL, 0,
                              "NEMA IEC study's data", &err)) {
            fprintf(stderr, "mist bench: %s\n", err.msg);
            return 1;
        }
        nf++;
    }
    if (want_group(only, "spect.") && mist_bench_spect(f, &nf, &err)) {
        fprintf(stderr, "mist bench: %s\n", err.msg);
        return 1;
    }

    if (json) {
        printf("{\"figures\": [");
        for (size_t i = 0; i < nf; i++)
            printf("%s\n  {\"name\": \"%s\", \"value\": %.6g, \"unit\": \"%s\", \"spread\": %.3f, "
                   "\"note\": \"%s\"}",
                   i ? "," : "", f[i].name, f[i].value, f[i].unit, f[i].spread, f[i].note);
        printf("\n]}\n");
    } else {
        printf("%-22s %14s %-14s %8s  %s\n", "figure", "median", "unit", "spread", "what");
        for (size_t i = 0; i < nf; i++)
            printf("%-22s %14.4g %-14s %7.1f%%  %s\n", f[i].name, f[i].value, f[i].unit,
                   100.0 * f[i].spread, f[i].note);
    }
    if (rc.sink == 12345.678)
        printf("\n");
    return 0;
}
