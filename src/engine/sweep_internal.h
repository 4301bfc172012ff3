/*
 * sweep_internal.h - what the two halves of `mist sweep` share: sweep.c (the sweep file,
 * its points, running them) and sweep_results.c (scoring the point files and collecting
 * their results into DIR/results.csv, lesions.csv, observer.csv and results.h5).  Not
 * part of the public API (engine/sweep.h).
 */
#ifndef MIST_ENGINE_SWEEP_INTERNAL_H
#define MIST_ENGINE_SWEEP_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "core/status.h"
#include "engine/sweep.h"
#include "io/study.h"
#include "io/yaml_doc.h"

#define MAX_DIMS 64

typedef struct sweep_axis {
    const char *key;     /**< study key path (points into the document) */
    const char *section; /**< "grid" or "zip" (or "zip[g]") */
    const mist_yaml_node *key_node;
    const mist_yaml_node *values; /**< the sequence of values */
    char **set_text;              /**< [n] value text of the override (files made absolute) */
    char **label;                 /**< [n] the value as written, for tables and messages */
    size_t n;
    size_t dim; /**< the dimension of the product it belongs to */
} sweep_axis;

struct mist_sweep {
    mist_yaml_doc *doc;
    const char *name;
    char *study_path; /**< NULL: the built-in default study */
    char **sets;      /**< overrides for every point (file values made absolute) */
    const mist_yaml_node **set_nodes;
    size_t n_sets;
    sweep_axis *axes;
    size_t n_axes;
    size_t dim_len[MAX_DIMS];
    size_t n_dims;
    long seeds;
    size_t n_points;
    long observe_realizations; /**< observe: realizations per class (0: no observer study) */
    double observe_counts;     /**< observe: counts, the share of the clinical count level */
    int basis; /**< basis: true -- simulate each nuclide's basis once, combine every point */
};

typedef struct sweep_point {
    mist_study *study;
    char **sets; /**< overrides: the sweep's set, then one per axis, then the seed */
    size_t n_sets;
    char *desc; /**< "key=value, ..." for messages */
} sweep_point;

typedef struct run_ctx {
    const mist_sweep *sw;
    sweep_point *points;
    const char *dir;
} run_ctx;

/* DIR/point_<i>.h5 */
void mist_sweep_point_file(char *buf, size_t size, const char *dir, size_t i);

/* The value of axis a at point i, as written in the sweep file. */
const char *mist_sweep_axis_label(const mist_sweep *sw, size_t i, size_t a);

/* One CSV cell (quoted when it must be) followed by ',' or, when last, a newline; a number
 * (empty when not finite). */
void mist_sweep_csv_field(FILE *f, const char *s, int last);
void mist_sweep_csv_num(FILE *f, double v, int last);

/* Write a text file atomically: fn fills a temporary file, which is renamed to path. */
typedef void (*mist_sweep_writer_fn)(FILE *f, const void *ctx);
mist_status mist_sweep_write_atomic(const char *path, mist_sweep_writer_fn fn, const void *ctx,
                                    mist_error *err);

/* 1 when path is a finished result of this point's study (the same study text, seed
 * included: a file left by another sweep does not count). */
int mist_sweep_point_complete(const char *path, const mist_study *study);

/* Score a finished point file (rank 0): `mist analyze` when it holds a reconstructed image
 * and no /analysis/lesions yet (*has_recon = 1 when it holds one), then `mist observe` when
 * the sweep asks for an observer study and the file has none yet (*observed = 1 when it has
 * /analysis/observer after). */
mist_status mist_sweep_score_point(const mist_sweep *sw, const char *path, int *has_recon,
                                   int *observed, mist_error *err);

/* Collect every point's results (rank 0): DIR/results.csv, lesions.csv, observer.csv,
 * results.h5.  An error names the points that have no complete result. */
mist_status mist_sweep_collect(const run_ctx *c, FILE *log, mist_error *err);

#endif
