/*
 * bench.h - `mist bench`: throughput figures of mist's kernels on this machine,
 * one core each (the MPI engine scales them over ranks).  Each figure is the
 * median of several timed repetitions after a warm-up.
 */
#ifndef MIST_ENGINE_BENCH_H
#define MIST_ENGINE_BENCH_H

#include <stddef.h>

typedef struct mist_bench_figure {
    char name[64];  /**< e.g. "rng.uniform" */
    char unit[32];  /**< e.g. "numbers/s" */
    double value;   /**< median rate */
    double spread;  /**< (max - min) / median over repetitions */
    char note[128]; /**< what was measured */
} mist_bench_figure;

/* Time fn(ctx, n) (which does n work items) `reps` times; median rate in items/s. */
double mist_bench_median_rate(void (*fn)(void *ctx, size_t n), void *ctx, size_t n, int reps,
                              double *spread);

/* The command: returns the exit code. */
int mist_bench_command(int json, const char *only);

#endif
