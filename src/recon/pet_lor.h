/*
 * pet_lor.h - the line of response of every bin of a PET sinogram
 * (detector/sinogram.h), for the projectors.
 *
 * Transaxially, bin (view v, radial bin j) holds one crystal pair: its signed
 * radial index rho = j - n_radial/2 fixes the parity of the crystal-sum k,
 * k = 2v + ((n/2 - |rho|) mod 2) (interleaved views), the normal angle
 * phi = pi k / n and the signed distance s = R sin(pi rho / n) from the axis;
 * the LOR runs from the first crystal, at s (cos phi, sin phi) - h t, to the
 * second, at s (cos phi, sin phi) + h t, with t = (-sin phi, cos phi) and
 * h = sqrt(R^2 - s^2) (the sinogram's LOR order).  R is the crystals' radius
 * (the scanner's inner radius plus an optional mean depth of interaction).
 * Axially, ring r is centred at z = (r + 1/2) pitch - axial_fov / 2; a plane
 * holds every (first ring, second ring) pair that the Michelogram sends to
 * it; with span > 1 those share one axial midpoint and differ in ring
 * difference, and the plane is projected along their mean LOR weighted by
 * their number (STIR's and CASToR's usual approximation for spanned data).
 * These are scanner coordinates; a scanner placed on the phantom with a pose
 * (io/study.h scanner_pose: x_s = R (x - center), R taking phantom axis
 * pose_axis to the scanner's z) has its LOR ends returned in phantom
 * coordinates x = R^T x_s + center, the frame of the image and the mu-map.
 */
#ifndef MIST_RECON_PET_LOR_H
#define MIST_RECON_PET_LOR_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "detector/sinogram.h"

typedef struct mist_pet_lors {
    uint32_t n_planes, n_views, n_radial;
    float *xy;     /**< [n_views * n_radial][4]: x1, y1, x2, y2 [mm] of the LOR's ends */
    float *z;      /**< [n_planes][2]: z1, z2 [mm] of the plane's mean LOR */
    float *weight; /**< [n_planes]: ring pairs in the plane */
    int pose_axis;            /**< phantom axis along the scanner's z (0 x, 1 y, 2 z: identity) */
    float pose_center_mm[3];  /**< [mm] phantom point at the scanner's centre */
} mist_pet_lors;

/* LORs of sinogram g (its TOF axis, if any, is ignored) for crystals at
 * radius_mm and rings pitch_mm apart. */
mist_status mist_pet_lors_init(mist_pet_lors *l, const mist_sino_geom *g, double radius_mm,
                               double pitch_mm, mist_error *err);
void mist_pet_lors_free(mist_pet_lors *l);

/* Place the scanner on the phantom (after init; the default is the identity). */
static inline void mist_pet_lors_set_pose(mist_pet_lors *l, int axis, const double center_mm[3])
{
    l->pose_axis = axis;
    for (int i = 0; i < 3; i++)
        l->pose_center_mm[i] = (float)center_mm[i];
}

/* Scanner coordinates s to phantom coordinates, in place (the inverse of the simulation's
 * x_s = R (x - c): z identity, y (x, -z, y), x (y, z, x)). */
static inline void mist_pet_lors_to_phantom(const mist_pet_lors *l, float p[3])
{
    float s0 = p[0], s1 = p[1], s2 = p[2];
    switch (l->pose_axis) {
    case 0:
        p[0] = s2, p[1] = s0, p[2] = s1;
        break;
    case 1:
        p[0] = s0, p[1] = s2, p[2] = -s1;
        break;
    default:
        break;
    }
    for (int i = 0; i < 3; i++)
        p[i] += l->pose_center_mm[i];
}

/* Geometric sensitivity of every (plane, radial bin), eff[plane * n_radial +
 * radial] [mm^2]: the sum over the plane's ring pairs of
 *     A^2 cos(theta)^2 / (2 pi D^2),
 * the measure of the lines joining two detector elements of area A
 * (element_mm2) at distance D whose faces, tangent to the cylinder, see the
 * LOR at incidence theta (cos theta = 2 h^2 / (R D), D^2 = 4 h^2 + dz^2),
 * over the 2 pi of a back-to-back pair's directions.  Expected counts of a
 * bin are then T eff (A x) for x in Bq/mm^3 along the LOR and T seconds of
 * acquisition (the thin-tube limit; exact for an ideal ring of perfectly
 * efficient elements; for flat blocks it ignores the tilt of the faces and
 * the crystals' efficiency). */
void mist_pet_lors_geometric_eff(const mist_pet_lors *l, const mist_sino_geom *g, double radius_mm,
                                 double pitch_mm, double element_mm2, float *eff);

/* Bins of one non-TOF sinogram. */
static inline size_t mist_pet_lors_count(const mist_pet_lors *l)
{
    return (size_t)l->n_planes * l->n_views * l->n_radial;
}

/* The ends of bin `bin` ((plane * n_views + view) * n_radial + radial). */
static inline void mist_pet_lor_ends(const mist_pet_lors *l, size_t bin, float p1[3], float p2[3])
{
    size_t vr = bin % ((size_t)l->n_views * l->n_radial),
           plane = bin / ((size_t)l->n_views * l->n_radial);
    const float *xy = l->xy + 4 * vr;
    p1[0] = xy[0];
    p1[1] = xy[1];
    p1[2] = l->z[2 * plane];
    p2[0] = xy[2];
    p2[1] = xy[3];
    p2[2] = l->z[2 * plane + 1];
    if (l->pose_axis != 2 || l->pose_center_mm[0] != 0.0f || l->pose_center_mm[1] != 0.0f ||
        l->pose_center_mm[2] != 0.0f) {
        mist_pet_lors_to_phantom(l, p1);
        mist_pet_lors_to_phantom(l, p2);
    }
}

#endif
