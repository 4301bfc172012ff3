/*
 * interfile_spect.h - export of SPECT projections as Interfile 3.3 (the
 * SPECT projection layout STIR reads: "!imaging modality := nucmed",
 * "!version of keys := 3.3", "!type of data := Tomographic", views x rows x
 * columns of little-endian float32, one header (.hs) and one data file (.s)
 * per energy window).
 *
 * Geometry in the header: "!number of projections", "!extent of rotation",
 * "start angle", "!direction of rotation := CCW", "orbit := Circular" with
 * "Radius" or, for a body-contour orbit, "orbit := Non-circular" with
 * "Radius := {r0, r1, ...}" (axis to collimator face per view, mm, the list
 * form of STIR's sample SPECT header),
 * "!matrix size [1]" (columns,
 * transaxial) and "[2]" (rows, axial) with "scaling factor (mm/pixel)".
 * mist's angle convention is written as comment lines (';'): view k looks
 * from angle start + k x extent / n about z, counter-clockwise from +x.
 */
#ifndef MIST_IO_INTERFILE_SPECT_H
#define MIST_IO_INTERFILE_SPECT_H

#include "core/status.h"
#include "engine/spect_sim.h"
#include "engine/tally.h"

/* Write window w of the projections as PREFIX.hs + PREFIX.s (counts; expected counts with
 * forced detection).  Errors: the files cannot be written (MIST_ERR_IO). */
mist_status mist_interfile_spect_write(const char *prefix, const mist_spect_sim *ss,
                                       mist_tallies *t, int window, mist_error *err);

#endif
