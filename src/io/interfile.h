/*
 * interfile.h - PET sinograms as Interfile (a text header PREFIX.hs beside
 * raw float32 little-endian data PREFIX.s), with the keys STIR reads for
 * projection data (after STIR's examples/samples/PET_Interfile_header.hs):
 * 4 dimensions labelled segment, axial coordinate, view, tangential
 * coordinate (mist's storage order: sinogram by sinogram), the ring
 * differences of each segment, and the scanner's rings, detectors per ring,
 * inner ring diameter and ring spacing.
 *
 * Segments are written in mist's order (0, +1, -1, +2, -2, ...) and listed
 * in that order in the header; mist's ring difference is ring(second) -
 * ring(first), the pair ordered along (-sin phi, cos phi)
 * (detector/sinogram.h); views start at phi = 0 and radial bins are
 * centred (tangential position j - n/2), not arc-corrected.  These
 * conventions are mist's: they have not been checked against a STIR
 * installation (none on the build machine), so a reconstruction in STIR may
 * need the segments' sign or the view offset adjusted.  TOF is not written.
 */
#ifndef MIST_IO_INTERFILE_H
#define MIST_IO_INTERFILE_H

#include "core/status.h"
#include "detector/sinogram.h"

/* Write PREFIX.hs and PREFIX.s for sino (non-TOF, [planes][views][radial]);
 * pitch_mm the ring spacing; description goes into a comment. */
mist_status mist_interfile_write_pet(const char *prefix, const mist_sino_geom *g, double pitch_mm,
                                     const float *sino, const char *description, mist_error *err);

#endif
