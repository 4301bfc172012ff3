#include "engine/engine.h"

#include <mpi.h>
#include <string.h>

#include "core/progress.h"
#include "par/mpi_env.h"

/* Dynamic hand-out of batch numbers: a shared counter on rank 0, taken with
 * MPI_Fetch_and_op (MPI-3 one-sided, passive target).  Which rank runs which
 * batch then depends on timing, but the tallies do not: batch b always uses
 * substream b and integer sums commute. */
typedef struct batch_counter {
    MPI_Win win;
    uint64_t *cell; /* rank 0's counter */
    int active;
} batch_counter;

static mist_status counter_open(batch_counter *c, mist_mpi mpi, mist_error *err)
{
    memset(c, 0, sizeof *c);
    if (mpi.size == 1)
        return MIST_OK;
    MPI_Aint size = mpi.rank == 0 ? (MPI_Aint)sizeof(uint64_t) : 0;
    if (MPI_Win_allocate(size, sizeof(uint64_t), MPI_INFO_NULL, MPI_COMM_WORLD, &c->cell,
                         &c->win) != MPI_SUCCESS)
        return mist_error_set(err, MIST_ERR_MPI, "MPI_Win_allocate for the batch counter failed");
    if (mpi.rank == 0) {
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, c->win);
        *c->cell = 0;
        MPI_Win_unlock(0, c->win);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Win_lock_all(0, c->win);
    c->active = 1;
    return MIST_OK;
}

/* Next batch number to run (>= n when all are handed out). */
static uint64_t counter_next(batch_counter *c, uint64_t *local)
{
    if (!c->active)
        return (*local)++;
    uint64_t one = 1, got = 0;
    MPI_Fetch_and_op(&one, &got, MPI_UINT64_T, 0, 0, MPI_SUM, c->win);
    MPI_Win_flush(0, c->win);
    return got;
}

static void counter_close(batch_counter *c)
{
    if (!c->active)
        return;
    MPI_Win_unlock_all(c->win);
    MPI_Win_free(&c->win);
    c->active = 0;
}

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
    batch_counter counter;
    if (!st)
        st = counter_open(&counter, mpi, err);

    mist_progress prog;
    mist_progress_start(&prog, mpi.rank == 0 && !opts->quiet, opts->label, opts->unit,
                        opts->n_batches);
    double t0 = mist_time_now_s();
    uint64_t local_next = 0;
    while (!st) {
        uint64_t b = counter_next(&counter, &local_next);
        if (b >= opts->n_batches)
            break;
        mist_rng rng = mist_rng_substream(opts->seed, b);
        double work = 0.0;
        st = fn(ctx, b, &rng, t, &work, err);
        s.work_local += work;
        s.batches_local++;
        /* Batches handed out so far (all ranks) track the run's progress; the
         * rate is extrapolated from this rank's share. */
        mist_progress_update(&prog, b + 1,
                             s.work_local * (double)(b + 1) / (double)s.batches_local);
    }
    s.wall_s = mist_time_now_s() - t0;
    if (counter.active) {
        /* A failing rank stops drawing batches; the others finish theirs and
         * every rank then learns of the failure below. */
        counter_close(&counter);
    }
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
