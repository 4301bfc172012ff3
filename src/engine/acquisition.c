#include "engine/acquisition.h"

#include <math.h>

mist_status mist_acquisition_init(mist_acquisition *a, const mist_nuclide *nuclide,
                                  double activity0_Bq,
                                  double frame_start_s, double duration_s,
                                  double simulated_fraction, uint64_t n_batches,
                                  double time_bin_s, mist_tallies *t, mist_error *err)
{
    if (!nuclide || !(activity0_Bq > 0) || !(frame_start_s >= 0) ||
        !(duration_s > 0) || !(simulated_fraction > 0 && simulated_fraction <= 1) ||
        n_batches == 0 || !(time_bin_s > 0))
        return mist_error_set(err, MIST_ERR_INTERNAL, "acquisition: invalid parameters");
    a->nuclide = nuclide;
    a->activity0_Bq = activity0_Bq;
    a->lambda_per_s = mist_nuclide_decay_constant(nuclide);
    a->frame_start_s = frame_start_s;
    a->duration_s = duration_s;
    a->simulated_fraction = simulated_fraction;
    a->n_batches = n_batches;
    a->time_bin_s = time_bin_s;
    a->n_bins = (uint64_t)ceil(duration_s / time_bin_s - 1e-9);
    if (a->n_bins == 0)
        a->n_bins = 1;
    mist_status st = mist_tallies_declare(t, "/acquisition/decays_per_batch", "decays", 1,
                                          &a->n_batches, &a->id_batch, err);
    if (!st)
        st = mist_tallies_declare(t, "/acquisition/decay_time_histogram", "decays", 1, &a->n_bins,
                                  &a->id_hist, err);
    return st;
}

double mist_acquisition_expected(const mist_acquisition *a, double t_a_s, double t_b_s)
{
    return mist_nuclide_decays_in_frame(a->nuclide, a->activity0_Bq, t_a_s, t_b_s - t_a_s);
}

void mist_acquisition_window(const mist_acquisition *a, uint64_t batch, double *t_a_s,
                             double *t_b_s)
{
    double slice = a->duration_s / (double)a->n_batches;
    *t_a_s = a->frame_start_s + slice * (double)batch;
    *t_b_s = *t_a_s + slice * a->simulated_fraction;
    if (batch + 1 == a->n_batches && a->simulated_fraction == 1.0)
        *t_b_s = a->frame_start_s + a->duration_s; /* exact frame end */
}

double mist_acquisition_expected_total(const mist_acquisition *a)
{
    double sum = 0.0;
    for (uint64_t b = 0; b < a->n_batches; b++) {
        double t_a, t_b;
        mist_acquisition_window(a, b, &t_a, &t_b);
        sum += mist_acquisition_expected(a, t_a, t_b);
    }
    return sum;
}

mist_status mist_acquisition_batch(void *ctx, uint64_t batch, mist_rng *rng, mist_tallies *t,
                                   double *work, mist_error *err)
{
    const mist_acquisition *a = ctx;
    double t_a, t_b;
    mist_acquisition_window(a, batch, &t_a, &t_b);
    uint64_t n = mist_rng_poisson(rng, mist_acquisition_expected(a, t_a, t_b));

    /* Decay times inside the window: truncated exponential by inversion. */
    double lambda = a->lambda_per_s;
    double q = -expm1(-lambda * (t_b - t_a));
    uint64_t *hist = mist_tally_data(t, a->id_hist);
    double inv_bin = 1.0 / a->time_bin_s, offset = t_a - a->frame_start_s;
    for (uint64_t i = 0; i < n; i++) {
        double dt = -log1p(-mist_rng_uniform(rng) * q) / lambda;
        uint64_t bin = (uint64_t)((offset + dt) * inv_bin);
        hist[bin < a->n_bins ? bin : a->n_bins - 1]++;
    }
    mist_tally_data(t, a->id_batch)[batch] += n;
    *work = (double)n;
    (void)err;
    return MIST_OK;
}
