/*
 * osem.h - ordered-subsets expectation maximisation (Hudson and Larkin,
 * IEEE TMI 13:601, 1994) for data y ~ Poisson(m .* (A x) + a): A a geometric
 * projector, m multiplicative factors per bin (normalisation, attenuation,
 * ring pairs per bin), a the expected additive counts (randoms, scatter).
 * One subset is MLEM.  The update for subset s:
 *     x <- x / (A_s^T m_s) * A_s^T (m_s y_s / (m_s A_s x + a_s))
 * voxels that no ray of the subset sees are set to zero.  Bins with y = 0
 * add nothing to the second back projection, so the update projects only
 * the bins with counts (the model puts them first): sparse data (a short
 * scan in a big sinogram) reconstruct in a fraction of the dense time.
 *
 * Modality-free: the model hands over, per subset, this rank's bins (y, m,
 * a) and projects them.  Under MPI every rank projects its own share of each
 * subset's bins and the back projections are summed over ranks
 * (MPI_Allreduce, float): the image is the same on every rank, and the same
 * for any rank count up to float summation order.
 */
#ifndef MIST_RECON_OSEM_H
#define MIST_RECON_OSEM_H

#include <stddef.h>

#include "core/status.h"

typedef struct mist_osem_subset {
    size_t n;       /**< this rank's bins in the subset */
    size_t n_data;  /**< the first n_data of them hold all the bins with y > 0 */
    const float *y; /**< [n] measured counts */
    const float *m; /**< [n] multiplicative factors */
    const float *a; /**< [n] expected additive counts, or NULL for none */
} mist_osem_subset;

typedef struct mist_osem_model {
    size_t n_subsets, n_voxels;
    void *ctx;
    mist_osem_subset (*subset)(void *ctx, size_t s);
    /* proj[i] = (A x)_i over the first n of this rank's bins i of subset s */
    void (*fwd)(void *ctx, size_t s, size_t n, const float *img, float *proj);
    /* img += A^T proj over the first n of this rank's bins of subset s */
    void (*back)(void *ctx, size_t s, size_t n, const float *proj, float *img);
    /* Optional (NULL: fwd, the ratio, back): bp += A^T (m y / (m A img + a)) over the first n
     * of this rank's bins of subset s (a ratio of 0 where m A img + a <= 0), each ray
     * projected forward and back in one pass; the same result as the three steps. */
    void (*update)(void *ctx, size_t s, size_t n, const float *img, float *bp);
} mist_osem_model;

/* OSEM's ratio of measured to expected counts of one bin, my / ybar: 0 where ybar <= 0,
 * and at most MIST_OSEM_MAX_RATIO.  The cap only acts when the expected counts of a bin
 * with data underflow (every voxel along its ray driven to ~0, e.g. by inconsistent data
 * such as a few simulated counts resampled many times over): the ratio would overflow to
 * inf and the image turn to inf and NaN (0 x inf) within an update. */
#define MIST_OSEM_MAX_RATIO 1.0e20f
static inline float mist_osem_ratio(float my, float ybar)
{
    float q = ybar > 0.0f ? my / ybar : 0.0f;
    return q <= MIST_OSEM_MAX_RATIO ? q : MIST_OSEM_MAX_RATIO;
}

/* Called once the subsets' sensitivity images are ready (iteration 0) and
 * after each iteration (1, 2, ...); may be NULL. */
typedef void (*mist_osem_progress_fn)(void *ctx, int iteration, const float *img);

/* Run `iterations` full iterations (all subsets) starting from img (> 0
 * where activity may be; typically ones).  Collective under MPI. */
mist_status mist_osem_run(const mist_osem_model *m, int iterations, float *img,
                          mist_osem_progress_fn progress, void *progress_ctx, mist_error *err);

/* The subsets' sensitivity images A_s^T m_s over all of each subset's bins:
 * sens[n_subsets][n_voxels].  Collective under MPI. */
mist_status mist_osem_sensitivity(const mist_osem_model *m, float *sens, mist_error *err);

/* mist_osem_run with the sensitivity images given (mist_osem_sensitivity of the same
 * model; they do not depend on the data y), for many reconstructions of one model. */
mist_status mist_osem_run_sens(const mist_osem_model *m, const float *sens, int iterations,
                               float *img, mist_osem_progress_fn progress, void *progress_ctx,
                               mist_error *err);

/* Sum a float array over all MPI ranks in place (nothing without MPI). */
mist_status mist_osem_allreduce(float *buf, size_t n, mist_error *err);

#endif
