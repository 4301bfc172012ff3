/*
 * simulate.h - the simulation driver behind `mist run` and `mist simulate`:
 * from a validated study, set up the acquisition (tracer nuclide, injected
 * activity, frame), run its batches on all MPI ranks through the engine, and
 * write the HDF5 result on rank 0 (temporary name, renamed when complete).
 * The acquisition: the phantom (with the study's lesions) and its activity map
 * at the frame start from the tracer's kinetics; decays in time-slice batches;
 * photons through the phantom (Woodcock) and into the PET scanner's crystals;
 * coincidence sorting; sinograms.  A study on a SPECT camera (modality: spect)
 * goes to engine/spect_study.h.
 */
#ifndef MIST_ENGINE_SIMULATE_H
#define MIST_ENGINE_SIMULATE_H

#include <stdint.h>

#include "core/status.h"
#include "engine/engine.h"
#include "engine/pet_sim.h"
#include "engine/recon_cmd.h"
#include "engine/tally.h"
#include "io/h5out.h"
#include "io/study.h"

typedef struct mist_simulate_opts {
    const char *output; /**< result file path */
    int quiet;          /**< no progress report */
    int with_recon;     /**< `mist run`: the recon/analysis stages belong to the run */
    int resume;         /**< go on from OUT.h5.checkpoint */
    int no_dead_time;   /**< PET: simulate without the scanner's dead time (mist basis: the
                             combination models it from the combined singles) */
} mist_simulate_opts;

typedef struct mist_simulate_result {
    uint64_t decays;            /**< decays simulated (all ranks) */
    uint64_t prompts;           /**< prompt coincidences */
    uint64_t listmode_records;  /**< list-mode records written (0 without list-mode) */
    int spect;                  /**< 1: a SPECT camera (prompts unused) */
    uint64_t spect_in_matrix;   /**< SPECT: photons detected inside the projection matrix
                                     (analog; forced-detection rays scored with FD) */
    double wall_s;              /**< [s] engine wall time */
    char missing_stages[256];   /**< stages of the pipeline not built yet, for the user */
    int recon_done;             /**< mist_run_pipeline: the PET data were reconstructed */
    mist_recon_summary recon;   /**< ... and how */
    int analyzed;               /**< mist_run_pipeline: /analysis/lesions written */
} mist_simulate_result;

/* Collective over MPI ranks; every rank gets the same status. */
mist_status mist_simulate(const mist_study *study, const mist_simulate_opts *opts,
                          mist_simulate_result *res, mist_error *err);

/* Looks at a run's reduced tallies (on rank 0 only): the PET model (its
 * scanner, sinogram geometry and tally ids) and the tallies. */
typedef mist_status (*mist_simulate_inspect_fn)(void *ctx, const mist_pet_sim *pet, mist_tallies *t,
                                                mist_error *err);

/* Run the study's acquisition like mist_simulate, write no file, and hand
 * the reduced tallies to fn on rank 0 (validation runs).  Collective. */
mist_status mist_simulate_inspect(const mist_study *study, int quiet, mist_simulate_inspect_fn fn,
                                  void *ctx, mist_error *err);

/* As mist_simulate_inspect, quietly, with the engine's statistics (wall time of
 * the batch loop, decays): `mist bench`.  fn may be NULL. */
mist_status mist_simulate_timed(const mist_study *study, mist_simulate_inspect_fn fn, void *ctx,
                                mist_engine_stats *stats, mist_error *err);

/* Write the root attributes every mist result carries (DESIGN.md). */
mist_status mist_write_root_attrs(hid_t file, const mist_study *study, mist_error *err);

#endif
