/*
 * run.h - the stages of `mist run` on a loaded study, as one function, so
 * that `mist run` and `mist sweep` run the same pipeline: today the
 * acquisition and its result file (engine/simulate.h); the reconstruction
 * and analysis stages join here as they are built.
 */
#ifndef MIST_ENGINE_RUN_H
#define MIST_ENGINE_RUN_H

#include "core/status.h"
#include "engine/simulate.h"
#include "io/study.h"

/* Run every built stage of the pipeline for study, writing opts->output
 * (opts->with_recon is implied).  Collective over MPI ranks. */
mist_status mist_run_pipeline(const mist_study *study, const mist_simulate_opts *opts,
                              mist_simulate_result *res, mist_error *err);

#endif
