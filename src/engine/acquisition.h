/*
 * acquisition.h - the time structure of an acquisition.  A frame starts
 * uptake_time after injection and lasts duration_s; it is cut into n_batches
 * slices of equal length.  Batch b simulates the window at the start of its
 * slice that holds the simulated fraction f of the slice's time,
 *     [t_b, t_b + f * duration / n_batches),
 * at the full activity: every decay in that window is simulated, so count
 * rates inside it -- and with them randoms, dead time and pile-up in the
 * detector stages -- are the real ones, while f of the frame's decays are
 * simulated in all.  The number of decays in a window is Poisson with the
 * exact mean A0 / lambda * (exp(-lambda t_a) - exp(-lambda t_b)) (A0 the
 * activity at injection), and each decay's time follows the decaying activity
 * inside the window.
 *
 * Tallies: /acquisition/decays_per_batch [n_batches] and
 * /acquisition/decay_time_histogram [n_bins] (bins of time_bin_s from frame
 * start; with f < 1 only the bins that overlap the windows fill).
 */
#ifndef MIST_ENGINE_ACQUISITION_H
#define MIST_ENGINE_ACQUISITION_H

#include <math.h>
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
    double simulated_fraction; /**< share of each slice's time (and of the decays) simulated */
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

/* Expected decays at full activity in [t_a, t_b] (seconds after injection). */
double mist_acquisition_expected(const mist_acquisition *a, double t_a_s, double t_b_s);

/* The window batch b simulates, [*t_a, *t_b) in seconds after injection. */
void mist_acquisition_window(const mist_acquisition *a, uint64_t batch, double *t_a_s,
                             double *t_b_s);

/* Expected decays over all the batches' windows (what a run simulates). */
double mist_acquisition_expected_total(const mist_acquisition *a);

/* The decays of one batch: their window and count, drawn by
 * mist_acquisition_begin(); each decay's time then by mist_acquisition_time(). */
typedef struct mist_acq_window {
    double t_a_s, t_b_s;  /**< [s] window after injection */
    double lambda_per_s;  /**< [1/s] decay constant */
    double q;             /**< 1 - exp(-lambda (t_b - t_a)) */
    uint64_t n_decays;    /**< Poisson number of decays in the window */
} mist_acq_window;

/* Window and number of decays of batch b; adds them to the acquisition tallies
 * (decays_per_batch; the histogram is filled by mist_acquisition_record()). */
void mist_acquisition_begin(const mist_acquisition *a, uint64_t batch, mist_rng *rng,
                            mist_tallies *t, mist_acq_window *w);

/* Time [s after injection] of one decay in the window (decaying activity). */
static inline double mist_acquisition_time(const mist_acq_window *w, mist_rng *rng)
{
    return w->t_a_s - log1p(-mist_rng_uniform(rng) * w->q) / w->lambda_per_s;
}

/* Add one decay time to the decay-time histogram. */
static inline void mist_acquisition_record(const mist_acquisition *a, mist_tallies *t,
                                           double time_s)
{
    uint64_t bin = (uint64_t)((time_s - a->frame_start_s) / a->time_bin_s);
    mist_tally_data(t, a->id_hist)[bin < a->n_bins ? bin : a->n_bins - 1]++;
}

/* Batch function for mist_engine_run: ctx is a const mist_acquisition *. */
mist_status mist_acquisition_batch(void *ctx, uint64_t batch, mist_rng *rng, mist_tallies *t,
                                   double *work, mist_error *err);

#endif
