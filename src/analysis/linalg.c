#include "analysis/linalg.h"

#include <math.h>

void mist_linalg_mean(const double *x, size_t n, size_t d, double *mean)
{
    for (size_t j = 0; j < d; j++)
        mean[j] = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            mean[j] += x[i * d + j];
    for (size_t j = 0; j < d; j++)
        mean[j] /= (double)n;
}

void mist_linalg_cov_add(const double *x, size_t n, size_t d, const double *mean, double scale,
                         double *cov)
{
    double f = scale / (double)(n - 1);
    for (size_t i = 0; i < n; i++) {
        const double *r = x + i * d;
        for (size_t a = 0; a < d; a++) {
            double da = (r[a] - mean[a]) * f;
            for (size_t b = 0; b <= a; b++)
                cov[a * d + b] += da * (r[b] - mean[b]);
        }
    }
    for (size_t a = 0; a < d; a++) /* mirror the lower triangle */
        for (size_t b = a + 1; b < d; b++)
            cov[a * d + b] = cov[b * d + a];
}

mist_status mist_linalg_cholesky(double *a, size_t n, mist_error *err)
{
    for (size_t j = 0; j < n; j++) {
        double s = a[j * n + j];
        for (size_t k = 0; k < j; k++)
            s -= a[j * n + k] * a[j * n + k];
        /* Relative pivot test: a pivot lost to rounding means a singular matrix. */
        if (!(s > 1e-12 * fabs(a[j * n + j])) || !isfinite(s))
            return mist_error_set(err, MIST_ERR_INPUT,
                                  "matrix is not positive definite (pivot %zu of %zu is %g)", j, n,
                                  s);
        double d = sqrt(s);
        a[j * n + j] = d;
        for (size_t i = j + 1; i < n; i++) {
            double t = a[i * n + j];
            for (size_t k = 0; k < j; k++)
                t -= a[i * n + k] * a[j * n + k];
            a[i * n + j] = t / d;
        }
    }
    return MIST_OK;
}

void mist_linalg_forward(const double *l, size_t n, double *b)
{
    for (size_t i = 0; i < n; i++) {
        double t = b[i];
        for (size_t k = 0; k < i; k++)
            t -= l[i * n + k] * b[k];
        b[i] = t / l[i * n + i];
    }
}

void mist_linalg_cholesky_solve(const double *l, size_t n, double *b)
{
    mist_linalg_forward(l, n, b);
    for (size_t i = n; i-- > 0;) { /* L^T x = y */
        double t = b[i];
        for (size_t k = i + 1; k < n; k++)
            t -= l[k * n + i] * b[k];
        b[i] = t / l[i * n + i];
    }
}

double mist_linalg_dot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}
