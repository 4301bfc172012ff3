/*
 * run.h - the stages of `mist run` on a loaded study, as one function, so
 * that `mist run` and `mist sweep` run the same pipeline: the acquisition and
 * its result file (engine/simulate.h), then for PET the OSEM reconstruction of
 * that file (engine/recon_cmd.h), then, when the study lists lesions, the
 * lesion analysis (engine/analyze_cmd.h).  SPECT data are not reconstructed
 * yet (res->missing_stages says so).
 */
#ifndef MIST_ENGINE_RUN_H
#define MIST_ENGINE_RUN_H

#include <stdio.h>

#include "core/status.h"
#include "engine/simulate.h"
#include "io/study.h"

/* Run every built stage of the pipeline for study, writing opts->output
 * (opts->with_recon is implied); res->recon_done and res->recon describe the
 * reconstruction, res->analyzed the analysis, whose table goes to `table`
 * (NULL: printed nowhere).  Collective over MPI ranks. */
mist_status mist_run_pipeline(const mist_study *study, const mist_simulate_opts *opts,
                              FILE *table, mist_simulate_result *res, mist_error *err);

#endif
