/*
 * progress.h - progress reports on stderr for long runs: percent done, rate
 * and estimated time left.  On a terminal the line is redrawn at most once a
 * second; otherwise (logs, batch jobs) one line is printed per 10% step.  Only
 * rank 0 reports; a quiet or inactive reporter prints nothing.  Updates are
 * cheap (one clock read) and belong at batch granularity, never per photon.
 */
#ifndef MIST_CORE_PROGRESS_H
#define MIST_CORE_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct mist_progress {
    FILE *out;           /**< stream, normally stderr; NULL = silent */
    int tty;             /**< redraw in place (terminal) or one line per 10% */
    const char *label;   /**< e.g. "simulate" */
    const char *unit;    /**< what the rate counts, e.g. "decays" */
    uint64_t total;      /**< work units in the whole job */
    double start_s;      /**< [s] monotonic clock at start */
    double last_draw_s;  /**< [s] last redraw (tty mode) */
    int last_decile;     /**< last 10% step printed (line mode) */
} mist_progress;

/* Start a reporter; active = 0 (quiet, or not rank 0) silences it. */
void mist_progress_start(mist_progress *p, int active, const char *label, const char *unit,
                         uint64_t total);

/* Report `done` units completed so far (and `items` counted for the rate). */
void mist_progress_update(mist_progress *p, uint64_t done, double items);

/* Final line: total time and mean rate. */
void mist_progress_finish(mist_progress *p, double items);

/* Monotonic wall-clock time in seconds. */
double mist_time_now_s(void);

#endif
