/*
 * spect_proj.h - rotating parallel-hole SPECT projector with a depth-dependent
 * Gaussian collimator-detector response (CDR) and attenuation, voxel driven.
 *
 * Geometry (the orientation attribute of /spect/<camera>/projections): view k
 * at angle theta_k about z (from +x toward +y); the head's face normal from
 * the axis is n = (cos, sin, 0), its face at distance R_k from the axis;
 * columns along u = (-sin, cos, 0), rows along +z; pixel (r, c) centred at
 * ((c - (n_cols - 1)/2) p, (r - (n_rows - 1)/2) p).  The image is float32
 * [n[2]][n[1]][n[0]] on a mist_img_geom (recon/projector.h).
 *
 * A voxel centred at x, at distance d = R_k - x.n from the face (voxels with
 * d < 0 are not seen), contributes to pixel (r, c) of view k with weight
 *     a_k(x) G_u(c) G_z(r),
 * G the Gaussian of FWHM(d) = sqrt(R_g(d)^2 + R_i^2),
 * R_g(d) = hole (L_eff + d + c_b) / L_eff (Cherry et al.; c_b from the
 * collimator's back face to the crystal mid-plane), integrated over each
 * pixel (erf, tabulated: 4097 nodes, linear, error < 1e-6) and cut at 4
 * sigma, and
 *     a_k(x) = exp(-integral of mu from x along n to the image's edge),
 * (midpoint rule, half-voxel steps, bilinear mu in the voxel's slice; 1 when
 * no mu-map).  So the weights of a voxel sum to at most 1 per view: the
 * projection of an activity image is the activity seen per view through a
 * perfect-efficiency collimator; the camera's efficiency is a factor outside.
 * Forward and back use one weight routine, so back is the transpose of
 * forward up to float round-off (tests/unit/test_recon_spect.c).
 * The attenuation factors are computed once for all views
 * (n_views x voxels floats).
 */
#ifndef MIST_RECON_SPECT_PROJ_H
#define MIST_RECON_SPECT_PROJ_H

#include <stddef.h>

#include "core/status.h"
#include "recon/projector.h"

typedef struct mist_spect_geom {
    size_t n_views;
    int n_rows, n_cols;
    double pixel_mm;
    const double *angle_deg;  /**< [n_views] view angles */
    const double *radius_mm;  /**< [n_views] axis to collimator face */
    double hole_mm;           /**< collimator hole diameter */
    double l_eff_mm;          /**< effective hole length L - 2/mu */
    double back_mm;           /**< collimator back face to crystal mid-plane */
    double intrinsic_fwhm_mm; /**< intrinsic resolution (0: none) */
} mist_spect_geom;

#define MIST_SPECT_ERF_N 4097  /**< erf table nodes over [-ERF_MAX, ERF_MAX] */
#define MIST_SPECT_ERF_MAX 4.0 /**< beyond: +-1 (erf(4) = 1 - 1.5e-8) */

typedef struct mist_spect_proj {
    mist_img_geom img;
    size_t n_views;
    int n_rows, n_cols;
    double pixel_mm, hole_mm, l_eff_mm, back_mm, intrinsic_fwhm_mm;
    double *cos_t, *sin_t, *radius_mm; /**< [n_views] */
    float *att;                        /**< [n_views][voxels] a_k(x), or NULL (no mu-map) */
    double erf_table[MIST_SPECT_ERF_N];
} mist_spect_proj;

/* Set up the projector; mu_mm [voxels] in 1/mm on img, or NULL for no attenuation. */
mist_status mist_spect_proj_init(mist_spect_proj *p, const mist_img_geom *img,
                                 const mist_spect_geom *g, const float *mu_mm, mist_error *err);
void mist_spect_proj_free(mist_spect_proj *p);

/* FWHM [mm] of the CDR at distance d_mm from the collimator face. */
double mist_spect_cdr_fwhm(const mist_spect_proj *p, double d_mm);

/* proj[n_rows * n_cols] = (A img) for view k (overwritten). */
void mist_spect_fwd_view(const mist_spect_proj *p, size_t k, const float *img, float *proj);

/* img += A^T proj for view k. */
void mist_spect_back_view(const mist_spect_proj *p, size_t k, const float *proj, float *img);

#endif
