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

/* A ray set up once for several passes (a forward projection, then a back projection of
 * the ratio it gives: OSEM's update of one ray), so that the set-up is not paid twice.  In
 * the image's voxel-index coordinates: planes i = i0 .. i1 normal to the principal axis d,
 * the ray at (ca + i ka, cb + i kb) along the other two axes a and b in plane i, each sample
 * of weight w [mm]; planes j0 .. j1 have all four taps inside the image. */
typedef struct mist_joseph_ray {
    int i0, i1, j0, j1;
    int na, nb;
    size_t sd, sa, sb; /* strides of axes d, a, b in the image array */
    double ca, ka, cb, kb;
    float w;
    double t0, dt, len; /* ray parameter t = t0 + i dt of plane i (p1 at 0, p2 at 1), |p2 - p1| */
} mist_joseph_ray;

/* Set up ray p1 -> p2 on grid g; 0 when it samples no voxel (then do not use r). */
int mist_joseph3d_ray_init(const mist_img_geom *g, const float p1[3], const float p2[3],
                           mist_joseph_ray *r);
/* The same as mist_joseph3d_fwd_ray / _back_ray / the TOF pair, on a set-up ray. */
float mist_joseph3d_ray_fwd(const mist_joseph_ray *r, const float *img);
void mist_joseph3d_ray_back(const mist_joseph_ray *r, float *img, float value);
void mist_joseph3d_ray_tof_fwd(const mist_joseph_ray *r, const mist_tof *tof, const float *img,
                               float *proj);
void mist_joseph3d_ray_tof_back(const mist_joseph_ray *r, const mist_tof *tof, float *img,
                                const float *proj);

/* The same walk applied to MIST_JOSEPH_LANES images at once, stored interleaved
 * (img[voxel * MIST_JOSEPH_LANES + k] is voxel `voxel` of image k, so the images' values of a
 * voxel share a cache line): one set-up, one set of voxel addresses and weights per plane, and
 * per image exactly the float operations of mist_joseph3d_ray_fwd / _ray_back in the same
 * order, so each lane's result is bit-identical to the single-image call.  fwd writes
 * proj[MIST_JOSEPH_LANES]; back adds value[k] times the ray into image k (a lane of value 0
 * adds +-0, which leaves every float unchanged). */
#define MIST_JOSEPH_LANES 8
void mist_joseph3d_ray_fwd_lanes(const mist_joseph_ray *r, const float *restrict img,
                                 float *restrict proj);
void mist_joseph3d_ray_back_lanes(const mist_joseph_ray *r, float *restrict img,
                                  const float *restrict value);

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
