/*
 * engine.h - the MPI batch engine.  An acquisition is cut into batches (slices
 * of acquisition time); batch b always draws from RNG substream b, whichever
 * rank runs it, and adds into integer tallies that are reduced exactly at the
 * end.  So a run is a pure function of (study, seed): 1, 2 or N ranks give
 * bit-identical tallies.
 *
 * Work division is dynamic: ranks take the next batch number from a shared
 * counter (MPI one-sided fetch-and-add on rank 0) whenever they finish one, so
 * fast and slow ranks, and cheap and expensive batches, balance themselves.
 * Which rank runs a batch changes from run to run; the tallies do not.
 *
 * Checkpoints: with a checkpoint path the batches run in epochs (about 20);
 * at the end of an epoch the tallies are summed into rank 0, and when
 * checkpoint_interval_s has passed since the last one rank 0 writes them with
 * the next epoch's number to the checkpoint file (temporary name, renamed).
 * A resumed run loads them and starts at that epoch: since batch b always
 * uses substream b and integer sums commute, the final tallies are
 * bit-identical to an uninterrupted run's.
 */
#ifndef MIST_ENGINE_ENGINE_H
#define MIST_ENGINE_ENGINE_H

#include <stdint.h>

#include "core/rng.h"
#include "core/status.h"
#include "engine/tally.h"

/* Runs one batch: draws only from rng, adds only into t, sets *work to the
 * number of work items done (decays, photons) for the rate report. */
typedef mist_status (*mist_batch_fn)(void *ctx, uint64_t batch, mist_rng *rng, mist_tallies *t,
                                     double *work, mist_error *err);

typedef struct mist_engine_opts {
    uint64_t seed;      /**< study seed */
    uint64_t n_batches; /**< batches in the acquisition (<= MIST_RNG_MAX_SUBSTREAMS) */
    int quiet;          /**< no progress report */
    const char *label;  /**< progress label */
    const char *unit;   /**< what *work counts */
    const char *checkpoint_path;  /**< NULL: no checkpoints */
    double checkpoint_interval_s; /**< [s] minimum time between checkpoints (0: every epoch) */
    int resume;                   /**< start from checkpoint_path */
    const char *run_key;          /**< identifies the run (study text, seed); a checkpoint of
                                       another run is refused */
} mist_engine_opts;

typedef struct mist_engine_stats {
    double wall_s;      /**< [s] wall time of the batch loop (rank 0) */
    double work_local;  /**< work items done on this rank */
    double work_total;  /**< work items summed over ranks */
    uint64_t batches_local;
    uint64_t batches_resumed; /**< batches taken from the checkpoint */
    int checkpoints;          /**< checkpoints written */
} mist_engine_stats;

/* Run all batches over the ranks and reduce t into rank 0.  Collective: every
 * rank calls it and gets the same status (the first failing rank's message). */
mist_status mist_engine_run(const mist_engine_opts *opts, mist_batch_fn fn, void *ctx,
                            mist_tallies *t, mist_engine_stats *stats, mist_error *err);

#endif
