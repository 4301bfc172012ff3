/*
 * sweep.h - `mist sweep SWEEP.yaml -o DIR`: a protocol study over a grid of
 * study overrides.  A sweep file names a base study, overrides applied to
 * every point (`set`), axes whose values are combined as a cartesian product
 * (`grid`), axes that vary together (`zip`) and independent-seed repeats
 * (`seeds`).  Every point is one `mist run` of the base study with its
 * overrides (engine/run.h), written to DIR/point_<i>.h5; points whose file
 * holds a reconstructed image are scored with `mist analyze`'s function and,
 * when the sweep has `observe: {realizations: N, counts: F}`, with `mist
 * observe` (one MPI rank); the counters, lesion metrics and observer d'/AUC
 * of every point are collected into DIR/results.csv, DIR/lesions.csv,
 * DIR/observer.csv and DIR/results.h5 (engine/sweep_results.c).
 *
 * Every point's study is loaded and validated before anything is written or
 * simulated; a problem is reported as "sweep.yaml:line:column: key: ..." with
 * MIST_ERR_INPUT.  File-valued study keys (phantom, tracer.probe, scanner) in
 * `set`, `grid` and `zip` are resolved relative to the sweep file and passed
 * to the study as absolute paths; the base study's own references resolve
 * relative to the study file, as always.
 *
 * Points are numbered from 0: the last grid axis varies fastest, then the zip
 * groups (after the grid axes, in file order), seed repeats fastest of all.
 * Repeat r of a point uses the study's seed + r (r = 0 adds no override, so
 * the point equals `mist run STUDY --set ...` with the same overrides).
 */
#ifndef MIST_ENGINE_SWEEP_H
#define MIST_ENGINE_SWEEP_H

#include <stddef.h>
#include <stdio.h>

#include "core/status.h"

typedef struct mist_sweep mist_sweep;

/* Parse and check a sweep file (not its points' studies). */
mist_status mist_sweep_load(const char *path, mist_sweep **out, mist_error *err);
void mist_sweep_free(mist_sweep *sw);

/* Number of points (grid x zip x seeds). */
size_t mist_sweep_n_points(const mist_sweep *sw);

typedef struct mist_sweep_opts {
    const char *path;    /**< sweep file */
    const char *out_dir; /**< DIR: created if missing */
    long point;          /**< run only this point (job arrays), or -1 for all */
    int resume;          /**< skip points whose DIR/point_<i>.h5 is complete */
    int collect;         /**< run nothing: collect the results of complete points */
    int dry_run;         /**< validate and write DIR/points.csv only */
    FILE *log;           /**< one progress line per point (rank 0), NULL = quiet */
} mist_sweep_opts;

/* Validate every point, write DIR/points.csv, run the points (all MPI ranks
 * take part in each; rank 0 writes the files) and, unless a single point was
 * asked for, write the results tables.  Collective; every rank gets the same
 * status. */
mist_status mist_sweep_run(const mist_sweep_opts *opts, mist_error *err);

#endif
