/*
 * woodcock.h - Woodcock (delta) tracking of photons through a voxel grid.
 *
 * Flights are sampled against the grid's majorant mu_max(E) (tracker.h), so
 * no voxel boundary is ever computed: after each flight the photon looks up
 * the material where it landed and makes a real collision with probability
 * mu(E)/mu_max(E), otherwise a virtual one that changes nothing (Woodcock et
 * al., ANL-7050, 1965).  This samples the same collision points as following
 * the photon voxel by voxel (raytrace.h; test_transport checks it) at a cost
 * that does not grow with the number of voxels crossed.
 *
 * A tracked photon ends ESCAPED (its position is the exit point on the grid's
 * boundary, with its exit direction, energy, time and scatter counts),
 * PHOTO or CUTOFF.  Nothing is allocated per photon.
 *
 * The inner loop's costs, kept low (mist bench, transport.*): flight lengths
 * come from a ziggurat exponential (no logarithm for 98.9 % of flights); the
 * majorant is constant over energy bins of 1/64 octave (tracker.h) and found
 * from the energy's float bits, with no logarithm or exponential; a
 * collision is real with probability mu / mu_max, decided by one 32-bit draw
 * (2^-32 resolution, rng.h) against the bin's thresholds for the material, so
 * mu itself is computed (and the energy located on the cross-section grid)
 * only for the draws that fall between the least and the largest mu / mu_max
 * of the bin, about 0.5 % of the collisions in the material that sets the
 * majorant; any majorant >= mu gives the same collision points (Woodcock), so
 * this is exact.  A flight's end point is tested against the grid's box, and
 * the exit point is computed only when it falls outside.
 */
#ifndef MIST_TRANSPORT_WOODCOCK_H
#define MIST_TRANSPORT_WOODCOCK_H

#include "core/rng.h"
#include "transport/photon.h"
#include "transport/tracker.h"

/* Track photon p until it leaves the grid or is absorbed.  A photon starting outside the grid
 * first moves to where its ray enters it. */
void mist_woodcock_track(const mist_tracker *t, mist_photon *p, mist_rng *rng);

#endif
