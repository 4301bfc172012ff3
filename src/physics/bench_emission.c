#include "physics/bench_emission.h"

#include <stdlib.h>
#include <time.h>

#include "physics/alias.h"
#include "physics/emission.h"

#define GRID 64            /* voxels per axis of the benchmark activity grid */
#define VOXEL_MM 2.0       /* voxel size [mm] */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* n decays; returns the photon count so that the work cannot be optimised away. */
static long run(const mist_emitter *em, const mist_alias *voxels, mist_rng *rng, size_t n)
{
    mist_decay d;
    long photons = 0;
    /* As the simulation does (engine/pet_sim.c): each decay's voxel drawn one decay ahead. */
    uint64_t pick = mist_alias_pick(voxels, rng);
    for (size_t i = 0; i < n; i++) {
        uint32_t v = mist_alias_resolve(voxels, pick);
        pick = mist_alias_pick(voxels, rng);
        uint32_t ix = v % GRID, iy = (v / GRID) % GRID, iz = v / (GRID * GRID);
        double u[3]; /* as mist_source_place: one 64-bit draw for the point in the voxel */
        mist_rng_uniform3_21(rng, u);
        double o[3] = {(ix + u[0]) * VOXEL_MM, (iy + u[1]) * VOXEL_MM, (iz + u[2]) * VOXEL_MM};
        mist_emission_sample(em, rng, o, 1.0, &d);
        photons += d.n_photons;
    }
    return photons;
}

mist_status mist_bench_emission(const char *name, size_t n_decays, int reps,
                                mist_bench_emission_result *out, mist_error *err)
{
    const mist_nuclide *nuc = mist_nuclide_find(name);
    if (!nuc)
        return mist_error_set(err, MIST_ERR_INPUT, "unknown nuclide '%s'", name);
    if (reps < 1 || reps > 100 || n_decays < 1)
        return mist_error_set(err, MIST_ERR_INPUT, "bench needs 1-100 repetitions of >= 1 decay");
    mist_emitter *em = malloc(sizeof *em);
    double *w = malloc((size_t)GRID * GRID * GRID * sizeof *w);
    double *rate = malloc((size_t)reps * sizeof *rate);
    mist_alias *voxels = NULL;
    mist_status st = MIST_OK;
    if (!em || !w || !rate) {
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the emission bench");
        goto done;
    }
    if ((st = mist_emitter_init(em, nuc, NULL, err)) != MIST_OK)
        goto done;
    mist_rng rng = mist_rng_substream(12345, 0);
    for (size_t i = 0; i < (size_t)GRID * GRID * GRID; i++)
        w[i] = mist_rng_uniform(&rng);
    if ((st = mist_alias_build(w, (size_t)GRID * GRID * GRID, &voxels, err)) != MIST_OK)
        goto done;

    long photons = run(em, voxels, &rng, n_decays / 4 + 1); /* warm-up */
    photons = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = now_s();
        photons += run(em, voxels, &rng, n_decays);
        double dt = now_s() - t0;
        rate[r] = dt > 0.0 ? n_decays / dt : 0.0;
    }
    qsort(rate, (size_t)reps, sizeof *rate, cmp_double);
    out->decays_per_s = rate[reps / 2];
    out->spread = out->decays_per_s > 0.0 ? (rate[reps - 1] - rate[0]) / out->decays_per_s : 0.0;
    out->photons_per_decay = (double)photons / ((double)n_decays * reps);
    out->decays = n_decays;
    out->reps = reps;
done:
    mist_alias_free(voxels);
    free(rate);
    free(w);
    free(em);
    return st;
}
