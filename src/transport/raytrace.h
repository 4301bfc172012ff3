/*
 * raytrace.h - voxel-by-voxel photon tracking, the reference for Woodcock.
 *
 * Each flight draws an optical depth tau = -ln(u) and walks the ray through
 * the voxels it crosses (the incremental traversal of Amanatides & Woo,
 * Eurographics 1987, a Siddon-type ray trace), spending mu(voxel) * chord
 * until tau is used up: there the photon collides (tracker.h's collision,
 * the same physics as Woodcock tracking).  Exact but slower, its cost grows
 * with the voxels crossed; it exists to check woodcock.h and for callers that
 * need the path through each voxel.  Nothing is allocated per photon.
 */
#ifndef MIST_TRANSPORT_RAYTRACE_H
#define MIST_TRANSPORT_RAYTRACE_H

#include "core/rng.h"
#include "transport/photon.h"
#include "transport/tracker.h"

/* Track photon p until it leaves the grid or is absorbed (same contract as
 * mist_woodcock_track). */
void mist_raytrace_track(const mist_tracker *t, mist_photon *p, mist_rng *rng);

#endif
