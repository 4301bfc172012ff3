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
 *
 * Time of flight (mist_sino_set_tof): with n_tof > 1 bins of tof_bin_s the
 * sinogram gains a slowest axis, counts[tof][plane][view][radial].  The TOF
 * coordinate of a coincidence is tau = t(first) - t(second), first and second
 * in the LOR order above (along t = (-sin phi, cos phi)); an annihilation at
 * signed distance x along t from the LOR's midpoint (the foot of the normal
 * from the axis) gives tau = 2 x / c, so the TOF bin grows along t.  Bin k
 * holds tau in [(k - n_tof/2) w, (k + 1 - n_tof/2) w) (w = tof_bin_s), centre
 * (k - (n_tof - 1)/2) w; coincidences beyond the outer bins are added to them,
 * so the TOF sinogram summed over tau is the non-TOF one.
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
    uint32_t n_tof;      /**< TOF bins (1 = no TOF axis) */
    double tof_bin_s;    /**< [s] width of a TOF bin in tau (0 without TOF) */
    int32_t *plane_of;   /**< [n_rings * n_rings]: (first ring, second ring) -> plane or -1 */
    int32_t *segment_of_plane; /**< [n_planes]: segment number (0, +1, -1, ...) */
    double *cos_t, *sin_t;     /**< [n_crystals] crystal angles */
} mist_sino_geom;

mist_status mist_sino_init(mist_sino_geom *g, uint32_t n_crystals, uint32_t n_rings,
                           uint32_t n_radial, uint32_t span, uint32_t max_ring_difference,
                           double radius_mm, mist_error *err);
void mist_sino_free(mist_sino_geom *g);

/* Give the sinogram n_tof TOF bins of tof_bin_s [s] (n_tof <= 1: none). */
void mist_sino_set_tof(mist_sino_geom *g, uint32_t n_tof, double tof_bin_s);

/* Bins in the whole sinogram: n_tof * n_planes * n_views * n_radial. */
static inline size_t mist_sino_size(const mist_sino_geom *g)
{
    return (size_t)g->n_tof * g->n_planes * g->n_views * g->n_radial;
}

/* The LOR of crystals (ca, cb): view, signed radial position rho, ring
 * difference delta (after ordering) and plane; returns 0 if the LOR is in
 * the sinogram, -1 if it falls outside (same crystal, radial or ring
 * difference cut). */
int mist_sino_lor(const mist_sino_geom *g, uint32_t ca, uint32_t cb, uint32_t *view,
                  int32_t *rho, int32_t *delta, uint32_t *plane);

/* Flat bin index of crystals (ca, cb) without TOF (in TOF bin 0 of a TOF
 * sinogram), or -1 when not in the sinogram. */
int64_t mist_sino_bin(const mist_sino_geom *g, uint32_t ca, uint32_t cb);

/* 1 if crystal ca is the first of the pair in the LOR order (along
 * (-sin phi, cos phi)), 0 if cb is; 1 for crystals at the same angle. */
int mist_sino_a_first(const mist_sino_geom *g, uint32_t ca, uint32_t cb);

/* TOF bin of tau [s] (clamped to the outer bins; 0 without TOF). */
uint32_t mist_sino_tof_index(const mist_sino_geom *g, double tau_s);

/* Flat bin index, TOF bin included, of crystals (ca, cb) detected dt_s =
 * t(cb) - t(ca) apart, or -1 when not in the sinogram; *tau_s (if not NULL)
 * receives the LOR-ordered time difference t(first) - t(second) either way. */
int64_t mist_sino_bin_tof(const mist_sino_geom *g, uint32_t ca, uint32_t cb, double dt_s,
                          double *tau_s);

#endif
