/*
 * bench_emission.h - throughput of emission sampling on one core, for
 * `mist bench`: how many decays per second the source side of the simulation
 * produces, transport excluded.
 *
 * Each timed decay does what the engine's emission step does: pick a voxel
 * from an alias table over a 64^3 activity grid (random weights), a uniform
 * point inside it, then mist_emission_sample() (branch, positron energy and
 * range in water, annihilation pair with acollinearity, photon lines with
 * their times).  The target in issue 5 is 2e7 decays/s per core.
 */
#ifndef MIST_PHYSICS_BENCH_EMISSION_H
#define MIST_PHYSICS_BENCH_EMISSION_H

#include <stddef.h>

#include "core/status.h"

typedef struct mist_bench_emission_result {
    double decays_per_s;  /**< median over repetitions [1/s] */
    double spread;        /**< (max - min) / median of the repetitions */
    double photons_per_decay; /**< mean photons per decay (sanity figure) */
    size_t decays;        /**< decays per repetition */
    int reps;             /**< repetitions timed */
} mist_bench_emission_result;

/* Time `reps` repetitions of n_decays decays of nuclide `name` (e.g. "Ga-68")
 * after one warm-up; fills *out.  Errors: unknown nuclide (MIST_ERR_INPUT),
 * allocation (MIST_ERR_NOMEM). */
mist_status mist_bench_emission(const char *name, size_t n_decays, int reps,
                                mist_bench_emission_result *out, mist_error *err);

#endif
