/*
 * linalg.h - the small dense linear algebra the observers need: sample means
 * and covariances, and Cholesky factorisation and solves of symmetric
 * positive-definite matrices (channel covariances of a few to a few tens of
 * channels).  Matrices are row-major double arrays, [n*n].  Written here, not
 * taken from LAPACK: the sizes are tiny and the dependency is not worth it.
 */
#ifndef MIST_ANALYSIS_LINALG_H
#define MIST_ANALYSIS_LINALG_H

#include <stddef.h>

#include "core/status.h"

/* Mean over n rows of x[n][d] into mean[d]. */
void mist_linalg_mean(const double *x, size_t n, size_t d, double *mean);

/* Unbiased sample covariance (divisor n - 1, n >= 2) of the rows of x[n][d] about
 * mean[d], added with weight `scale` into cov[d][d] (cov += scale * S).  Passing a
 * zeroed cov and scale 1 gives S. */
void mist_linalg_cov_add(const double *x, size_t n, size_t d, const double *mean, double scale,
                         double *cov);

/* In-place Cholesky factorisation a = L L^T of a symmetric positive-definite a[n][n]:
 * the lower triangle receives L (the strict upper triangle is left as it was).
 * MIST_ERR_INPUT when a is not (numerically) positive definite. */
mist_status mist_linalg_cholesky(double *a, size_t n, mist_error *err);

/* Solve L L^T x = b with the factor from mist_linalg_cholesky; b is overwritten by x. */
void mist_linalg_cholesky_solve(const double *l, size_t n, double *b);

/* Solve L y = b (forward substitution); b is overwritten by y.  With y = L^-1 b,
 * b^T A^-1 b = |y|^2. */
void mist_linalg_forward(const double *l, size_t n, double *b);

double mist_linalg_dot(const double *a, const double *b, size_t n);

#endif
