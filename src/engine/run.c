#include "engine/run.h"

mist_status mist_run_pipeline(const mist_study *study, const mist_simulate_opts *opts,
                              mist_simulate_result *res, mist_error *err)
{
    mist_simulate_opts o = *opts;
    o.with_recon = 1;
    return mist_simulate(study, &o, res, err);
}
