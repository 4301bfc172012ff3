#include "recon/filter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Filter along axis `ax` with kernel k[-r..r] (k + r is its centre);
 * renorm = 1 divides by the weight of the taps inside the image. */
static void filter_axis(const mist_img_geom *g, float *img, float *line, int ax, const double *k,
                        int r, int renorm)
{
    const size_t stride[3] = {1, (size_t)g->n[0], (size_t)g->n[0] * (size_t)g->n[1]};
    int n = g->n[ax];
    int o1 = (ax + 1) % 3, o2 = (ax + 2) % 3;
    for (int b = 0; b < g->n[o2]; b++) {
        for (int a = 0; a < g->n[o1]; a++) {
            size_t base = (size_t)a * stride[o1] + (size_t)b * stride[o2];
            for (int i = 0; i < n; i++)
                line[i] = img[base + (size_t)i * stride[ax]];
            for (int i = 0; i < n; i++) {
                double s = 0.0, w = 0.0;
                for (int t = -r; t <= r; t++) {
                    if (i + t < 0 || i + t >= n)
                        continue;
                    s += k[t + r] * line[i + t];
                    w += k[t + r];
                }
                img[base + (size_t)i * stride[ax]] = (float)(renorm ? s / w : s);
            }
        }
    }
}

mist_status mist_gauss_filter(const mist_img_geom *g, float *img, double fwhm_mm, mist_error *err)
{
    if (!(fwhm_mm > 0))
        return MIST_OK;
    int nmax = g->n[0] > g->n[1] ? g->n[0] : g->n[1];
    nmax = nmax > g->n[2] ? nmax : g->n[2];
    double sigma_mm = fwhm_mm / (2.0 * sqrt(2.0 * log(2.0)));
    float *line = malloc((size_t)nmax * sizeof *line);
    double *k = malloc((2 * (size_t)nmax + 1) * sizeof *k);
    if (!line || !k) {
        free(line);
        free(k);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the post-filter");
    }
    for (int ax = 0; ax < 3; ax++) {
        double sig = sigma_mm / g->voxel_mm[ax];
        int r = (int)ceil(3.0 * sig);
        if (r > nmax)
            r = nmax;
        for (int t = -r; t <= r; t++)
            k[t + r] = exp(-0.5 * t * t / (sig * sig));
        if (r > 0)
            filter_axis(g, img, line, ax, k, r, 1);
    }
    free(line);
    free(k);
    return MIST_OK;
}

void mist_gauss_psf(const mist_img_geom *g, float *img, float *line, double fwhm_mm)
{
    double sigma_mm = fwhm_mm / (2.0 * sqrt(2.0 * log(2.0)));
    for (int ax = 0; ax < 3 && fwhm_mm > 0; ax++) {
        double sig = sigma_mm / g->voxel_mm[ax], k[65], sum = 0.0;
        int r = (int)ceil(3.0 * sig);
        if (r > 32)
            r = 32;
        for (int t = -r; t <= r; t++)
            sum += k[t + r] = exp(-0.5 * t * t / (sig * sig));
        for (int t = -r; t <= r; t++)
            k[t + r] /= sum;
        if (r > 0)
            filter_axis(g, img, line, ax, k, r, 0);
    }
}
