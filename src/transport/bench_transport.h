/*
 * bench_transport.h - the photon-transport throughput benchmark behind `mist bench`.
 *
 * The problem (fixed, so figures compare across machines and versions): a
 * water cylinder 200 mm in diameter and 200 mm long, axis along z, in a grid
 * of 200 x 200 x 200 voxels of 1 mm (air outside the cylinder); photons of
 * one energy start isotropically at its centre and are tracked by Woodcock
 * tracking with the default physics (Klein-Nishina x S(q), Rayleigh, 10 keV
 * cut-off) until they leave the grid or are absorbed.  One history = one
 * photon tracked to its end; the rate is histories per second of wall time on
 * one core (one thread), set-up excluded, median of repetitions.
 */
#ifndef MIST_TRANSPORT_BENCH_TRANSPORT_H
#define MIST_TRANSPORT_BENCH_TRANSPORT_H

#include <stdint.h>

#include "core/status.h"

typedef struct mist_bench_transport_result {
    double energy_keV;           /**< [keV] photon energy */
    uint64_t histories;          /**< photons tracked per repetition */
    int reps;                    /**< repetitions timed */
    double seconds;              /**< [s] wall time of all repetitions */
    double histories_per_s;      /**< median over the repetitions of histories / s */
    double spread;               /**< (max - min) / median of the repetitions' rates */
    double setup_s;              /**< [s] grid and table set-up */
    double escaped_fraction;     /**< photons that left the grid */
    double unscattered_fraction; /**< photons that left the grid without any interaction */
    double mean_compton;         /**< mean Compton scatters per history */
} mist_bench_transport_result;

#define MIST_BENCH_MAX_REPS 32

/* Run the benchmark: reps (1..32) timed repetitions of n_histories photons of energy_keV, each
 * from RNG substream 0 of seed; the rate is their median.  The grid is 8 MB; set-up takes
 * well under a second.  The fractions describe the last repetition. */
mist_status mist_bench_transport(double energy_keV, uint64_t n_histories, int reps, uint64_t seed,
                                 mist_bench_transport_result *out, mist_error *err);

#endif
