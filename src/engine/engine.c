#include "engine/engine.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/progress.h"
#include "io/h5out.h"
#include "par/mpi_env.h"

/* Dynamic hand-out of batch numbers: a shared counter on rank 0, taken with
 * MPI_Fetch_and_op (MPI-3 one-sided, passive target).  Which rank runs which
 * batch then depends on timing, but the tallies do not: batch b always uses
 * substream b and integer sums commute.  The counter counts within an epoch. */
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
    MPI_Win_lock_all(0, c->win);
    c->active = 1;
    return MIST_OK;
}

/* Collective: set the counter to 0 before an epoch. */
static void counter_reset(batch_counter *c, mist_mpi mpi)
{
    if (!c->active)
        return;
    MPI_Barrier(MPI_COMM_WORLD);
    if (mpi.rank == 0) {
        uint64_t zero = 0;
        MPI_Accumulate(&zero, 1, MPI_UINT64_T, 0, 0, 1, MPI_UINT64_T, MPI_REPLACE, c->win);
        MPI_Win_flush(0, c->win);
    }
    MPI_Barrier(MPI_COMM_WORLD);
}

/* Next offset within the epoch. */
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

/* --- checkpoints --------------------------------------------------------- */

/* Rank 0: write the tallies summed so far and the next epoch. */
static mist_status checkpoint_write(const mist_engine_opts *o, const mist_tallies *t,
                                    uint64_t next_epoch, uint64_t epoch_size, mist_error *err)
{
    mist_h5 h;
    mist_status st = mist_h5_create(&h, o->checkpoint_path, err);
    if (st)
        return st;
    uint64_t v[3] = {next_epoch, epoch_size, o->n_batches};
    st = mist_h5_attr_u64(h.file, "next_epoch_epoch_size_batches", v, 3, err);
    if (!st)
        st = mist_h5_attr_str(h.file, "run_key", o->run_key ? o->run_key : "", err);
    if (!st)
        st = mist_h5_write(h.file, "/tallies", H5T_NATIVE_UINT64, 1, (uint64_t[]){t->len}, t->data,
                           "counts", NULL, err);
    /* Sparse arrays: their (index, count) pairs, /sparse_tallies/<array number>. */
    for (size_t i = 0; !st && i < t->n_arrays; i++) {
        if (!t->arrays[i].sparse)
            continue;
        uint64_t *pairs = NULL;
        size_t n = 0;
        char path[64];
        snprintf(path, sizeof path, "/sparse_tallies/%zu", i);
        st = mist_tally_nonzero(t, i, &pairs, &n, err);
        if (!st)
            st = mist_h5_write(h.file, path, H5T_NATIVE_UINT64, 1, (uint64_t[]){2 * n}, pairs,
                               "index, count pairs", NULL, err);
        free(pairs);
    }
    if (st) {
        mist_h5_abort(&h);
        return st;
    }
    return mist_h5_commit(&h, err);
}

/* A sparse array's (index, count) pairs from checkpoint file f, added into array id. */
static mist_status sparse_read(hid_t f, mist_tallies *t, size_t id, const char *path,
                               mist_error *err)
{
    char name[64];
    snprintf(name, sizeof name, "/sparse_tallies/%zu", id);
    hid_t d = H5Lexists(f, "/sparse_tallies", H5P_DEFAULT) > 0 &&
                      H5Lexists(f, name, H5P_DEFAULT) > 0
                  ? H5Dopen2(f, name, H5P_DEFAULT)
                  : H5I_INVALID_HID;
    hid_t sp = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID;
    hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    uint64_t *pairs = n >= 0 ? malloc(((size_t)n + 1) * sizeof *pairs) : NULL;
    mist_status st = MIST_OK;
    if (!pairs || n % 2 ||
        (n && H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, pairs) < 0))
        st = mist_error_set(err, MIST_ERR_INPUT, "%s: checkpoint tallies do not fit this run",
                            path);
    for (hssize_t k = 0; !st && k + 1 < n; k += 2) {
        if (pairs[k] >= t->arrays[id].len)
            st = mist_error_set(err, MIST_ERR_INPUT, "%s: checkpoint tallies do not fit this run",
                                path);
        else
            st = mist_tally_add(t, id, (size_t)pairs[k], pairs[k + 1], err);
    }
    free(pairs);
    if (sp >= 0)
        H5Sclose(sp);
    if (d >= 0)
        H5Dclose(d);
    return st;
}

/* Rank 0: load a checkpoint of this run into t; *next_epoch gets where to go on. */
static mist_status checkpoint_read(const mist_engine_opts *o, mist_tallies *t, uint64_t epoch_size,
                                   uint64_t *next_epoch, mist_error *err)
{
    const char *path = o->checkpoint_path;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (H5Fis_hdf5(path) <= 0)
        return mist_error_set(err, MIST_ERR_INPUT, "%s: no checkpoint to resume from", path);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return mist_error_set(err, MIST_ERR_INPUT, "%s: cannot open the checkpoint", path);
    mist_status st = MIST_OK;
    uint64_t v[3] = {0, 0, 0};
    hid_t a = H5Aopen(f, "next_epoch_epoch_size_batches", H5P_DEFAULT);
    if (a < 0 || H5Aread(a, H5T_NATIVE_UINT64, v) < 0)
        st = mist_error_set(err, MIST_ERR_INPUT, "%s: not a mist checkpoint", path);
    if (a >= 0)
        H5Aclose(a);
    if (!st) {
        hid_t k = H5Aopen(f, "run_key", H5P_DEFAULT);
        hid_t kt = k >= 0 ? H5Aget_type(k) : -1;
        size_t n = kt >= 0 ? H5Tget_size(kt) : 0;
        char *buf = n ? calloc(n + 1, 1) : NULL;
        if (buf && H5Aread(k, kt, buf) >= 0) {
            if (strcmp(buf, o->run_key ? o->run_key : ""))
                st = mist_error_set(err, MIST_ERR_INPUT,
                                    "%s: the checkpoint belongs to another study or seed; "
                                    "remove it or run without --resume",
                                    path);
        } else {
            st = mist_error_set(err, MIST_ERR_INPUT, "%s: checkpoint without its run key", path);
        }
        free(buf);
        if (kt >= 0)
            H5Tclose(kt);
        if (k >= 0)
            H5Aclose(k);
    }
    if (!st && (v[1] != epoch_size || v[2] != o->n_batches))
        st = mist_error_set(err, MIST_ERR_INPUT,
                            "%s: checkpoint of %llu batches in epochs of %llu, this run has %llu "
                            "in epochs of %llu",
                            path, (unsigned long long)v[2], (unsigned long long)v[1],
                            (unsigned long long)o->n_batches, (unsigned long long)epoch_size);
    if (!st) {
        hid_t d = H5Dopen2(f, "/tallies", H5P_DEFAULT);
        hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
        hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
        if (n != (hssize_t)t->len ||
            H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, t->data) < 0)
            st = mist_error_set(err, MIST_ERR_INPUT, "%s: checkpoint tallies do not fit this run",
                                path);
        if (sp >= 0)
            H5Sclose(sp);
        if (d >= 0)
            H5Dclose(d);
    }
    for (size_t i = 0; !st && i < t->n_arrays; i++)
        if (t->arrays[i].sparse)
            st = sparse_read(f, t, i, path, err);
    H5Fclose(f);
    *next_epoch = v[0];
    return st;
}

mist_status mist_engine_run(const mist_engine_opts *opts, mist_batch_fn fn, void *ctx,
                            mist_tallies *t, mist_engine_stats *stats, mist_error *err)
{
    mist_mpi mpi = mist_mpi_world();
    mist_engine_stats s = {0};
    mist_status st = MIST_OK;
    const uint64_t n = opts->n_batches;
    if (n > MIST_RNG_MAX_SUBSTREAMS)
        st = mist_error_set(err, MIST_ERR_INPUT, "%llu batches exceed the %llu RNG substreams",
                            (unsigned long long)n, (unsigned long long)MIST_RNG_MAX_SUBSTREAMS);
    /* Epochs: one without checkpoints; 20 with them (independent of the rank
     * count, so a run may resume on another number of ranks). */
    uint64_t epoch_size = n ? n : 1;
    if (opts->checkpoint_path)
        epoch_size = n ? (n + 19) / 20 : 1;
    uint64_t n_epochs = (n + epoch_size - 1) / epoch_size, epoch = 0;
    if (!st && opts->resume && mpi.rank == 0)
        st = checkpoint_read(opts, t, epoch_size, &epoch, err);
    mist_mpi_share_error(st, err);
    st = mist_mpi_agree_status(st) ? err->code : MIST_OK;
    if (!st && mpi.size > 1)
        MPI_Bcast(&epoch, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    s.batches_resumed = epoch * epoch_size < n ? epoch * epoch_size : n;

    batch_counter counter = {0};
    if (!st)
        st = counter_open(&counter, mpi, err);
    mist_progress prog;
    mist_progress_start(&prog, mpi.rank == 0 && !opts->quiet, opts->label, opts->unit, n);
    double t0 = mist_time_now_s(), last_checkpoint = t0;
    for (; !st && epoch < n_epochs; epoch++) {
        uint64_t first = epoch * epoch_size, end = first + epoch_size < n ? first + epoch_size : n;
        uint64_t local_next = 0;
        counter_reset(&counter, mpi);
        for (;;) {
            uint64_t b = first + counter_next(&counter, &local_next);
            if (b >= end)
                break;
            mist_rng rng = mist_rng_substream(opts->seed, b);
            double work = 0.0;
            st = fn(ctx, b, &rng, t, &work, err);
            s.work_local += work;
            s.batches_local++;
            /* Batches handed out so far track the run's progress; the rate is
             * extrapolated from this rank's share. */
            double done = (double)(b + 1 - s.batches_resumed);
            mist_progress_update(&prog, b + 1, s.work_local * done / (double)s.batches_local);
            if (st)
                break;
        }
        /* Every rank learns whether any batch failed, and why. */
        mist_mpi_share_error(st, err);
        st = mist_mpi_agree_status(st) ? err->code : MIST_OK;
        if (st || !opts->checkpoint_path || epoch + 1 == n_epochs)
            continue;
        /* Epoch end: when a checkpoint is due, sum the tallies into rank 0 (the
         * others start again from zero) and write them.  Between checkpoints
         * every rank keeps accumulating, so quiet epochs cost nothing. */
        int due = mist_time_now_s() - last_checkpoint >= opts->checkpoint_interval_s;
        if (mpi.size > 1)
            MPI_Bcast(&due, 1, MPI_INT, 0, MPI_COMM_WORLD);
        if (due) {
            st = mist_tallies_reduce(t, err);
            if (!st && mpi.rank != 0)
                mist_tallies_clear(t);
            if (!st && mpi.rank == 0)
                st = checkpoint_write(opts, t, epoch + 1, epoch_size, err);
        }
        mist_mpi_share_error(st, err);
        st = mist_mpi_agree_status(st) ? err->code : MIST_OK;
        if (!st && due) {
            s.checkpoints++;
            last_checkpoint = mist_time_now_s();
        }
    }
    s.wall_s = mist_time_now_s() - t0;
    counter_close(&counter);
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
