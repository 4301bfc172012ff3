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

void mist_acquisition_begin(const mist_acquisition *a, uint64_t batch, mist_rng *rng,
                            mist_tallies *t, mist_acq_window *w)
{
    mist_acquisition_window(a, batch, &w->t_a_s, &w->t_b_s);
    w->lambda_per_s = a->lambda_per_s;
    w->q = -expm1(-a->lambda_per_s * (w->t_b_s - w->t_a_s));
    w->n_decays = mist_rng_poisson(rng, mist_acquisition_expected(a, w->t_a_s, w->t_b_s));
    mist_tally_data(t, a->id_batch)[batch] += w->n_decays;
}

mist_status mist_acquisition_batch(void *ctx, uint64_t batch, mist_rng *rng, mist_tallies *t,
                                   double *work, mist_error *err)
{
    const mist_acquisition *a = ctx;
    mist_acq_window w;
    mist_acquisition_begin(a, batch, rng, t, &w);
    for (uint64_t i = 0; i < w.n_decays; i++)
        mist_acquisition_record(a, t, mist_acquisition_time(&w, rng));
    *work = (double)w.n_decays;
    (void)err;
    return MIST_OK;
}
