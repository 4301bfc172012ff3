#include "transport/bench_transport.h"

#include <stdlib.h>

#include "core/progress.h"
#include "model/material.h"
#include "transport/tracker.h"
#include "transport/voxel_grid.h"
#include "transport/woodcock.h"

#define BENCH_N 200          /* voxels per axis */
#define BENCH_VOXEL_MM 1.0   /* [mm] */
#define BENCH_RADIUS_MM 100.0 /* [mm] cylinder radius; its length is the grid's, 200 mm */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

mist_status mist_bench_transport(double energy_keV, uint64_t n_histories, int reps, uint64_t seed,
                                 mist_bench_transport_result *out, mist_error *err)
{
    double t0 = mist_time_now_s();
    mist_material mats[2];
    mist_status st = mist_material_from_nist("air", "Air, Dry (near sea level)", 0.0, &mats[0], err);
    if (st == MIST_OK)
        st = mist_material_from_formula("water", "H2O", 1.0, &mats[1], err);
    if (st != MIST_OK)
        return st;
    const size_t n[3] = {BENCH_N, BENCH_N, BENCH_N};
    const double vox[3] = {BENCH_VOXEL_MM, BENCH_VOXEL_MM, BENCH_VOXEL_MM};
    mist_voxel_grid *g;
    if ((st = mist_voxel_grid_create_centered(n, vox, &g, err)) != MIST_OK)
        return st;
    for (size_t k = 0; k < BENCH_N; k++)
        for (size_t j = 0; j < BENCH_N; j++)
            for (size_t i = 0; i < BENCH_N; i++) {
                double c[3];
                mist_voxel_grid_center(g, i, j, k, c);
                g->labels[mist_voxel_grid_index(g, i, j, k)] =
                    c[0] * c[0] + c[1] * c[1] <= BENCH_RADIUS_MM * BENCH_RADIUS_MM ? 1 : 0;
            }
    mist_voxel_grid_set_material(g, 0, 0);
    mist_voxel_grid_set_material(g, 1, 1);
    mist_tracker *t;
    if ((st = mist_tracker_create(g, mats, 2, NULL, &t, err)) != MIST_OK) {
        mist_voxel_grid_free(g);
        return st;
    }
    double t1 = mist_time_now_s();
    const double origin[3] = {0.0, 0.0, 0.0};
    if (reps < 1)
        reps = 1;
    if (reps > MIST_BENCH_MAX_REPS)
        reps = MIST_BENCH_MAX_REPS;
    double rates[MIST_BENCH_MAX_REPS];
    uint64_t escaped = 0, unscattered = 0, compton = 0;
    for (int r = 0; r < reps; r++) {
        /* Every repetition tracks the same photons (substream 0 of seed). */
        mist_rng rng = mist_rng_substream(seed, 0);
        escaped = unscattered = compton = 0;
        double ts = mist_time_now_s();
        for (uint64_t h = 0; h < n_histories; h++) {
            double dir[3];
            mist_rng_isotropic(&rng, dir);
            mist_photon p = mist_photon_make(origin, dir, energy_keV, 0.0);
            mist_woodcock_track(t, &p, &rng);
            escaped += p.fate == MIST_FATE_ESCAPED;
            unscattered += p.fate == MIST_FATE_ESCAPED && p.n_compton == 0 && p.n_rayleigh == 0;
            compton += p.n_compton;
        }
        double dt = mist_time_now_s() - ts;
        rates[r] = dt > 0.0 ? (double)n_histories / dt : 0.0;
    }
    qsort(rates, (size_t)reps, sizeof rates[0], cmp_double);
    double median = reps % 2 ? rates[reps / 2] : 0.5 * (rates[reps / 2 - 1] + rates[reps / 2]);
    double t2 = mist_time_now_s();
    mist_tracker_free(t);
    mist_voxel_grid_free(g);
    double nh = n_histories ? (double)n_histories : 1.0;
    out->energy_keV = energy_keV;
    out->histories = n_histories;
    out->reps = reps;
    out->seconds = t2 - t1;
    out->histories_per_s = median;
    out->spread = median > 0.0 ? (rates[reps - 1] - rates[0]) / median : 0.0;
    out->setup_s = t1 - t0;
    out->escaped_fraction = (double)escaped / nh;
    out->unscattered_fraction = (double)unscattered / nh;
    out->mean_compton = (double)compton / nh;
    return MIST_OK;
}
