/*
 * projector.h - Joseph's ray-driven projector in 3D: the line integral of a
 * voxel image along a ray (forward) and its exact adjoint (back), after
 * parallelproj's joseph3d_fwd / joseph3d_back.
 *
 * The image is float32 [n[2]][n[1]][n[0]] (C order, z slowest, x fastest);
 * voxel (i, j, k) is centred at origin_mm + (i, j, k) * voxel_mm, so the
 * origin is the centre of voxel (0, 0, 0).  A ray runs from p1 to p2 [mm].
 * Joseph's method steps through the voxel planes normal to the ray's
 * principal axis (the axis along which it crosses most voxels), samples the
 * image there by bilinear interpolation in the other two axes (taps outside
 * the image count as zero) and weights each sample by the ray length between
 * two planes [mm].  So the forward projection of an image in Bq/mm^3 is in
 * Bq/mm^2 (activity per unit area across the ray), and of mu [1/mm] the
 * dimensionless attenuation line integral.
 *
 * One per-ray worker does both directions with the same weights, so back is
 * the transpose of forward up to float round-off (tests/unit/
 * test_recon_projector.c checks <A x, y> = <x, A^T y>).  The array drivers
 * are thin loops over rays that could be split over threads unchanged.
 */
#ifndef MIST_RECON_PROJECTOR_H
#define MIST_RECON_PROJECTOR_H

#include <stddef.h>

typedef struct mist_img_geom {
    int n[3];           /**< voxels along x, y, z */
    float voxel_mm[3];  /**< [mm] voxel size along x, y, z */
    float origin_mm[3]; /**< [mm] centre of voxel (0, 0, 0) */
} mist_img_geom;

/* Voxels in the image. */
static inline size_t mist_img_count(const mist_img_geom *g)
{
    return (size_t)g->n[0] * (size_t)g->n[1] * (size_t)g->n[2];
}

/* The grid of voxel_mm voxels that covers a grid of n voxels of vox_mm
 * (origin_mm the centre of its voxel 0), centred on it. */
mist_img_geom mist_img_geom_cover(const size_t n[3], const double vox_mm[3],
                                  const double origin_mm[3], double voxel_mm);

/* Line integral of img along p1 -> p2 (one ray). */
float mist_joseph3d_fwd_ray(const mist_img_geom *g, const float *img, const float p1[3],
                            const float p2[3]);

/* Add value times the ray's weights into img (the adjoint of the above). */
void mist_joseph3d_back_ray(const mist_img_geom *g, float *img, const float p1[3],
                            const float p2[3], float value);

/* Time of flight along a ray: n_tof bins of bin_mm in x, the signed
 * distance from the ray's midpoint toward p2 (a coincidence tau = 2 x / c
 * apart; recon/pet_lor.h's LORs are ordered so that x grows with tau), bin k
 * centred at (k - (n_tof - 1) / 2) bin_mm, the outer bins open-ended;
 * Gaussian timing kernel of sigma_mm in x (c sigma_tau / 2).  The TOF
 * weights of a point sum to 1 over the bins, so the TOF projections of a ray
 * add up to its non-TOF projection. */
#define MIST_TOF_MAX_BINS 256 /**< TOF bins a ray worker handles */

typedef struct mist_tof {
    int n_tof;
    float bin_mm, sigma_mm;
} mist_tof;

/* TOF line integrals of img along p1 -> p2: proj[k], k < n_tof. */
void mist_joseph3d_tof_fwd_ray(const mist_img_geom *g, const float *img, const float p1[3],
                               const float p2[3], const mist_tof *tof, float *proj);

/* The adjoint: add sum_k proj[k] times the TOF weights of the ray into img. */
void mist_joseph3d_tof_back_ray(const mist_img_geom *g, float *img, const float p1[3],
                                const float p2[3], const mist_tof *tof, const float *proj);

/* Drivers over n rays: xstart, xend [3 * n] (x, y, z of each ray's ends, mm);
 * fwd writes proj[n]; back adds proj[r] times ray r into img. */
void mist_joseph3d_fwd(const mist_img_geom *g, const float *img, const float *xstart,
                       const float *xend, size_t n, float *proj);
void mist_joseph3d_back(const mist_img_geom *g, float *img, const float *xstart, const float *xend,
                        size_t n, const float *proj);

/* 1 if the segment p1 -> p2 passes through the image's box (voxel edges
 * widened by one voxel, where the interpolation still reaches), else 0. */
int mist_joseph3d_ray_hits(const mist_img_geom *g, const float p1[3], const float p2[3]);

#endif
