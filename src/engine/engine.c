#include "engine/engine.h"

#include <mpi.h>

#include "core/progress.h"
#include "par/mpi_env.h"

mist_status mist_engine_run(const mist_engine_opts *opts, mist_batch_fn fn, void *ctx,
                            mist_tallies *t, mist_engine_stats *stats, mist_error *err)
{
    mist_mpi mpi = mist_mpi_world();
    mist_engine_stats s = {0};
    mist_status st = MIST_OK;
    if (opts->n_batches > MIST_RNG_MAX_SUBSTREAMS)
        st = mist_error_set(err, MIST_ERR_INPUT, "%llu batches exceed the %llu RNG substreams",
                            (unsigned long long)opts->n_batches,
                            (unsigned long long)MIST_RNG_MAX_SUBSTREAMS);

    uint64_t mine = opts->n_batches / (uint64_t)mpi.size +
                    ((uint64_t)mpi.rank < opts->n_batches % (uint64_t)mpi.size ? 1 : 0);
    mist_progress prog;
    mist_progress_start(&prog, mpi.rank == 0 && !opts->quiet, opts->label, opts->unit, mine);
    double t0 = mist_time_now_s();
    for (uint64_t b = (uint64_t)mpi.rank; !st && b < opts->n_batches; b += (uint64_t)mpi.size) {
        mist_rng rng = mist_rng_substream(opts->seed, b);
        double work = 0.0;
        st = fn(ctx, b, &rng, t, &work, err);
        s.work_local += work;
        s.batches_local++;
        mist_progress_update(&prog, s.batches_local, s.work_local * mpi.size);
    }
    s.wall_s = mist_time_now_s() - t0;

    /* Every rank learns whether any batch failed, and why. */
    mist_mpi_share_error(st, err);
    st = mist_mpi_agree_status(st) ? err->code : MIST_OK;
    if (!st)
        st = mist_tallies_reduce(t, err);
    s.work_total = s.work_local;
    if (mpi.size > 1)
        MPI_Allreduce(&s.work_local, &s.work_total, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    if (!st)
        mist_progress_finish(&prog, s.work_total);
    if (stats)
        *stats = s;
    return st;
}
