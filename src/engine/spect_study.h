/*
 * spect_study.h - a study on a SPECT or planar (molecular breast imaging)
 * camera: the same phantom, tracer and time structure as a PET study
 * (engine/simulate.h), the acquisition of engine/spect_sim.h, and the result
 * file's /spect/<camera>/ group:
 *   projections  [n_windows, n_views, n_rows, n_cols]: uint64 counts, or
 *                float64 expected counts with forced detection; attrs
 *                windows_keV [n_windows, 2], window_names, view_angles_deg,
 *                pixel_mm, radius_mm, orbit_deg, collimator_model,
 *                forced_detection, and the orientation convention
 *   primary      the same for photons that did not scatter in the phantom
 *   spectrum     measured energy of the detected photons, 1 keV bins
 *   counts       counters (decays, photons, on_face, ...) as attributes too
 * With acquisition.spect.interfile: true, each window's projections also go to
 * OUT.<window>.hs / .s (Interfile 3.3, io/interfile_spect.h) beside OUT.h5.
 */
#ifndef MIST_ENGINE_SPECT_STUDY_H
#define MIST_ENGINE_SPECT_STUDY_H

#include "core/status.h"
#include "engine/simulate.h"
#include "engine/spect_sim.h"
#include "io/study.h"

/* Whether the scanner file names modality spect (0 when unreadable: the caller reports). */
int mist_scanner_is_spect(const char *path);

/* mist_simulate for a SPECT camera.  Collective. */
mist_status mist_spect_simulate(const mist_study *study, const mist_simulate_opts *opts,
                                mist_simulate_result *res, mist_error *err);

/* Write the /spect/<camera>/ group of a run's reduced tallies (rank 0). */
mist_status mist_spect_write(hid_t file, const mist_spect_sim *ss, mist_tallies *t,
                             mist_error *err);

#endif
