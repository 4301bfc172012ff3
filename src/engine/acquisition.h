/*
 * acquisition.h - the time structure of an acquisition.  A frame starts
 * uptake_time after injection and lasts duration_s; it is cut into batches,
 * each a slice of real time holding the decays the activity produces in it:
 * the number is Poisson with the exact mean
 *     f * A0 / lambda * (exp(-lambda t_a) - exp(-lambda t_b))
 * (A0 activity at injection, f the simulated fraction), and each decay's time
 * follows the decaying activity inside the slice.  Later stages (emission,
 * transport, detection) act on each sampled decay; randoms and dead time then
 * arise at their real rates.
 *
 * Tallies: /acquisition/decays_per_batch [n_batches] and
 * /acquisition/decay_time_histogram [n_bins] (bins of time_bin_s from frame start).
 */
#ifndef MIST_ENGINE_ACQUISITION_H
#define MIST_ENGINE_ACQUISITION_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "core/status.h"
#include "engine/tally.h"
#include "physics/nuclide.h"

typedef struct mist_acquisition {
    const mist_nuclide *nuclide;
    double activity0_Bq;       /**< [Bq] activity at injection (whole body) */
    double lambda_per_s;       /**< [1/s] decay constant of the nuclide */
    double frame_start_s;      /**< [s] frame start after injection */
    double duration_s;         /**< [s] frame duration */
    double simulated_fraction; /**< share of the frame's decays simulated */
    uint64_t n_batches;        /**< time slices */
    double time_bin_s;         /**< [s] histogram bin width */
    uint64_t n_bins;           /**< histogram bins: ceil(duration / bin) */
    size_t id_batch, id_hist;  /**< tally ids */
} mist_acquisition;

/* Set up the acquisition and declare its tallies in t. */
mist_status mist_acquisition_init(mist_acquisition *a, const mist_nuclide *nuclide,
                                  double activity0_Bq,
                                  double frame_start_s, double duration_s,
                                  double simulated_fraction, uint64_t n_batches,
                                  double time_bin_s, mist_tallies *t, mist_error *err);

/* Expected decays (simulated fraction applied) in [t_a, t_b] after injection. */
double mist_acquisition_expected(const mist_acquisition *a, double t_a_s, double t_b_s);

/* Batch function for mist_engine_run: ctx is a const mist_acquisition *. */
mist_status mist_acquisition_batch(void *ctx, uint64_t batch, mist_rng *rng, mist_tallies *t,
                                   double *work, mist_error *err);

#endif
