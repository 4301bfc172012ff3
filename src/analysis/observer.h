/*
 * observer.h - model observers for signal-known-exactly (SKE) detection tasks:
 * is the lesion present or absent in this image?  Each observer reduces an
 * image g (a vector of npix values, e.g. a 2D patch centred on the lesion) to
 * one test statistic t; detectability is scored from the statistics of the
 * signal-absent (class 0) and signal-present (class 1) images:
 *
 *   d'  = (mean t1 - mean t0) / sqrt((var t0 + var t1) / 2)    (unbiased variances)
 *   AUC = Mann-Whitney U / (n0 n1), ties counted 1/2            (nonparametric)
 *   AUC from d' = Phi(d' / sqrt 2)                              (equal-variance normal)
 *
 * Observers:
 *   NPW  non-prewhitening matched filter, t = w . g with the template w = the
 *        known signal (SKE) or, when none is given, the estimated mean
 *        difference of the two classes, left-one-out: image i is scored with
 *        the template estimated without it, so the template's noise does not
 *        inflate d'.  In white noise of SD sigma, d' = |s| / sigma with the
 *        known signal; with the estimated one the template noise lowers it to
 *        about |s|^2 / (sigma sqrt(|s|^2 + npix sigma^2 (1/n0 + 1/n1))).
 *   CHO  channelized Hotelling observer: channel outputs v = U g (U: nc
 *        channels), Hotelling template w = S^-1 (mean v1 - mean v0) with S the
 *        pooled channel covariance; t = w . v.  The d' of these statistics is
 *        the resubstitution estimate sqrt(D), D = dv^T S^-1 dv, which is biased
 *        upwards; d2_unbiased removes the bias for Gaussian data:
 *        E[D] = nu / (nu - nc - 1) (d'^2 + nc (1/n0 + 1/n1)), nu = n0 + n1 - 2.
 *        Laguerre-Gauss channels (rotationally symmetric, Barrett & Myers 2004,
 *        sec. 14.2): u_p(r) = sqrt(2)/a exp(-pi r^2/a^2) L_p(2 pi r^2/a^2).
 *
 * Confidence intervals are percentile bootstraps over cases (images resampled
 * with replacement within each class) with a fixed-seed pcg32: every resample
 * is scored as the data were, the CHO's template retrained and the NPW's
 * estimated template re-estimated (left-one-out within the resample) on it, so
 * the intervals carry the templates' own noise.
 */
#ifndef MIST_ANALYSIS_OBSERVER_H
#define MIST_ANALYSIS_OBSERVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

typedef struct mist_observer_opts {
    size_t bootstrap; /**< resamples for the CIs; 0: no CIs (NAN) */
    double ci_level;  /**< two-sided level, e.g. 0.95 */
    uint64_t seed;    /**< pcg32 seed of the resampling */
} mist_observer_opts;

/* 1000 resamples, 95 %, seed 1. */
mist_observer_opts mist_observer_opts_default(void);

typedef struct mist_observer_result {
    double d_prime;         /**< from the test statistics (see above) */
    double d2_unbiased;     /**< CHO: bias-corrected d'^2 (may be < 0); NPW: NAN */
    double auc;             /**< Mann-Whitney */
    double auc_from_dprime; /**< Phi(d' / sqrt 2) */
    double d_prime_ci[2];   /**< bootstrap percentile interval */
    double auc_ci[2];
    size_t n0, n1;
} mist_observer_result;

/* Standard normal CDF. */
double mist_phi(double x);

/* Score test statistics t0[n0] (absent), t1[n1] (present), n0, n1 >= 2. */
mist_status mist_observer_score(const double *t0, size_t n0, const double *t1, size_t n1,
                                const mist_observer_opts *opts, mist_observer_result *res,
                                mist_error *err);

/* Mann-Whitney AUC of t0[n0], t1[n1] (ties count 1/2). */
mist_status mist_observer_auc(const double *t0, size_t n0, const double *t1, size_t n1, double *auc,
                              mist_error *err);

/* NPW on images g0[n0][npix], g1[n1][npix]; templ[npix] the signal, or NULL for the
 * estimated mean difference. */
mist_status mist_observer_npw(const float *g0, size_t n0, const float *g1, size_t n1, size_t npix,
                              const double *templ, const mist_observer_opts *opts,
                              mist_observer_result *res, mist_error *err);

/* Hotelling observer on feature vectors v0[n0][nc], v1[n1][nc] (channel outputs);
 * n0 + n1 - 2 > nc + 1. */
mist_status mist_observer_hotelling(const double *v0, size_t n0, const double *v1, size_t n1,
                                    size_t nc, const mist_observer_opts *opts,
                                    mist_observer_result *res, mist_error *err);

/* CHO: channel outputs v = U g with channels u[nc][npix], then the Hotelling observer. */
mist_status mist_observer_cho(const float *g0, size_t n0, const float *g1, size_t n1, size_t npix,
                              const double *u, size_t nc, const mist_observer_opts *opts,
                              mist_observer_result *res, mist_error *err);

/* Laguerre-Gauss channels on an nx x ny patch (x fastest) of square pixels pixel_mm,
 * centred at pixel coordinates (cx, cy), width a_mm: u[nc][ny*nx]. */
void mist_observer_lg_channels(size_t nx, size_t ny, double pixel_mm, double cx, double cy,
                               double a_mm, size_t nc, double *u);

/* ---- per lesion, over image realisations ------------------------------------------------ */

typedef struct mist_observer_lesion_opts {
    size_t n_channels;   /**< Laguerre-Gauss channels (6) */
    double channel_a_mm; /**< LG width a [mm]; <= 0: the lesion's diameter */
    double patch_mm;     /**< side of the square patch [mm]; <= 0: 4 diameters, >= 8 pixels */
    mist_observer_opts stats;
} mist_observer_lesion_opts;

mist_observer_lesion_opts mist_observer_lesion_opts_default(void);

/* SKE detection of a lesion over image realisations: absent[n0] and present[n1] are 3D
 * images (x fastest, [nz][ny][nx]) of nx x ny x nz voxels of voxel_mm (x, y) with voxel
 * (0,0,0) centred at origin_mm.  Each image is reduced to the square transverse patch
 * centred on the voxel nearest center_mm; NPW (template: the estimated mean difference,
 * a resubstitution estimate) and CHO (LG channels centred on the lesion) score them.
 * MIST_ERR_INPUT when the patch does not fit in the image. */
mist_status mist_observer_lesion(const float *const *absent, size_t n0, const float *const *present,
                                 size_t n1, const size_t n[3], const double voxel_mm[3],
                                 const double origin_mm[3], const double center_mm[3],
                                 double diameter_mm, const mist_observer_lesion_opts *opts,
                                 mist_observer_result *npw, mist_observer_result *cho,
                                 mist_error *err);

#endif
