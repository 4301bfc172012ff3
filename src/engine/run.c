#include "engine/run.h"

#include <stdio.h>

#include "engine/analyze_cmd.h"
#include "engine/recon_cmd.h"
#include "par/mpi_env.h"

mist_status mist_run_pipeline(const mist_study *study, const mist_simulate_opts *opts,
                              FILE *table, mist_simulate_result *res, mist_error *err)
{
    mist_simulate_opts o = *opts;
    o.with_recon = 1;
    mist_status st = mist_simulate(study, &o, res, err);
    if (st)
        return st;
    st = mist_recon_file(opts->output, NULL, NULL, 0, NULL, NULL, &res->recon, err);
    if (st && res->spect && res->recon.planar) {
        /* Planar (MBI) data are their own images: nothing to reconstruct. */
        mist_error_clear(err);
        snprintf(res->missing_stages, sizeof res->missing_stages, "%s",
                 "reconstruction of planar data (the projections are the images), so no "
                 "lesion analysis");
        return MIST_OK;
    }
    if (st)
        return st;
    res->recon_done = 1;
    res->missing_stages[0] = '\0';
    if (!study->n_lesions)
        return MIST_OK;
    /* The analysis reads and rewrites the file on rank 0; every rank learns its status. */
    if (mist_mpi_world().rank == 0) {
        FILE *out = table ? table : fopen("/dev/null", "w");
        st = out ? mist_analyze(opts->output, 0, out, err)
                 : mist_error_set(err, MIST_ERR_IO, "cannot open /dev/null");
        if (out && !table)
            fclose(out);
    }
    mist_mpi_share_error(st, err);
    st = mist_mpi_agree_status(st) ? err->code : MIST_OK;
    res->analyzed = !st;
    return st;
}
