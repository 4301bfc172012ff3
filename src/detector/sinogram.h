/*
 * sinogram.h - 3D PET sinograms of a cylindrical scanner: which bin a line of
 * response (a pair of crystals) adds to, with configurable span and maximum
 * ring difference, and the geometry of each bin for reconstruction.
 *
 * Crystals: c = ring * n_crystals + index, index 0 at angle 0, counter-
 * clockwise, crystal i at theta_i = 2 pi i / n_crystals.  For crystals a, b of
 * a ring, k = (a + b) mod n gives the LOR's normal angle phi = pi k / n in
 * [0, pi), and rho = sign * (n/2 - |b - a|) (sign -1 when a + b >= n) its
 * signed distance from the axis, s = R sin(pi rho / n).  Views mash the two
 * angles 2v and 2v + 1 (n/2 views, the usual interleaved sampling); radial bin
 * = rho + n_radial / 2.  The pair is ordered along the LOR's direction
 * (-sin phi, cos phi), which fixes the sign of the ring difference
 * delta = ring(second) - ring(first).
 *
 * Axially (Michelogram): segment 0 holds |delta| <= (span - 1) / 2, segment
 * +-j holds delta within span of +-j * span, up to the maximum ring
 * difference; segments are stored 0, +1, -1, +2, -2, ...  With span 1 the
 * planes of a segment are the ring pairs (min ring = plane); with span > 1
 * the plane is z = r1 + r2 less the segment's smallest |delta|, so ring pairs
 * with the same z and delta within one segment add into one sinogram.
 * Storage: counts[plane][view][radial], C order.
 */
#ifndef MIST_DETECTOR_SINOGRAM_H
#define MIST_DETECTOR_SINOGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

typedef struct mist_sino_geom {
    uint32_t n_crystals; /**< crystals per ring (even) */
    uint32_t n_rings;    /**< crystal rings */
    uint32_t n_views;    /**< n_crystals / 2 */
    uint32_t n_radial;   /**< radial bins kept (even, <= n_crystals) */
    uint32_t span;       /**< odd, >= 1 */
    uint32_t max_ring_difference;
    uint32_t n_segments; /**< 2 * positive segments + 1 */
    uint32_t n_planes;   /**< axial sinograms in all segments */
    double radius_mm;    /**< [mm] ring radius used for the bin geometry */
    int32_t *plane_of;   /**< [n_rings * n_rings]: (first ring, second ring) -> plane or -1 */
    int32_t *segment_of_plane; /**< [n_planes]: segment number (0, +1, -1, ...) */
    double *cos_t, *sin_t;     /**< [n_crystals] crystal angles */
} mist_sino_geom;

mist_status mist_sino_init(mist_sino_geom *g, uint32_t n_crystals, uint32_t n_rings,
                           uint32_t n_radial, uint32_t span, uint32_t max_ring_difference,
                           double radius_mm, mist_error *err);
void mist_sino_free(mist_sino_geom *g);

/* Bins in the whole sinogram: n_planes * n_views * n_radial. */
static inline size_t mist_sino_size(const mist_sino_geom *g)
{
    return (size_t)g->n_planes * g->n_views * g->n_radial;
}

/* The LOR of crystals (ca, cb): view, signed radial position rho, ring
 * difference delta (after ordering) and plane; returns 0 if the LOR is in
 * the sinogram, -1 if it falls outside (same crystal, radial or ring
 * difference cut). */
int mist_sino_lor(const mist_sino_geom *g, uint32_t ca, uint32_t cb, uint32_t *view,
                  int32_t *rho, int32_t *delta, uint32_t *plane);

/* Flat bin index of crystals (ca, cb), or -1 when not in the sinogram. */
int64_t mist_sino_bin(const mist_sino_geom *g, uint32_t ca, uint32_t cb);

#endif
