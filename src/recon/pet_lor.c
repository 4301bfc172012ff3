#include "recon/pet_lor.h"

#include <math.h>
#include <stdlib.h>

#define MIST_PI 3.14159265358979323846

mist_status mist_pet_lors_init(mist_pet_lors *l, const mist_sino_geom *g, double radius_mm,
                               double pitch_mm, mist_error *err)
{
    *l = (mist_pet_lors){
        .n_planes = g->n_planes, .n_views = g->n_views, .n_radial = g->n_radial, .pose_axis = 2};
    size_t nvr = (size_t)g->n_views * g->n_radial;
    l->xy = malloc(4 * nvr * sizeof *l->xy);
    l->z = calloc(2 * (size_t)g->n_planes, sizeof *l->z);
    l->weight = calloc(g->n_planes, sizeof *l->weight);
    double *zsum = calloc(2 * (size_t)g->n_planes, sizeof *zsum);
    if (!l->xy || !l->z || !l->weight || !zsum) {
        free(zsum);
        mist_pet_lors_free(l);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the LOR table");
    }
    uint32_t n = g->n_crystals;
    for (uint32_t v = 0; v < g->n_views; v++) {
        for (uint32_t j = 0; j < g->n_radial; j++) {
            int32_t rho = (int32_t)j - (int32_t)g->n_radial / 2;
            uint32_t k = 2 * v + (uint32_t)(((int32_t)(n / 2) - abs(rho)) % 2);
            double phi = MIST_PI * k / n, c = cos(phi), s_ = sin(phi);
            double s = radius_mm * sin(MIST_PI * rho / n);
            double h = sqrt(radius_mm * radius_mm - s * s);
            float *xy = l->xy + 4 * ((size_t)v * g->n_radial + j);
            xy[0] = (float)(s * c + h * s_);
            xy[1] = (float)(s * s_ - h * c);
            xy[2] = (float)(s * c - h * s_);
            xy[3] = (float)(s * s_ + h * c);
        }
    }
    double half = 0.5 * g->n_rings * pitch_mm;
    for (uint32_t r1 = 0; r1 < g->n_rings; r1++) {
        for (uint32_t r2 = 0; r2 < g->n_rings; r2++) {
            int32_t p = g->plane_of[r1 * g->n_rings + r2];
            if (p < 0)
                continue;
            zsum[2 * p] += (r1 + 0.5) * pitch_mm - half;
            zsum[2 * p + 1] += (r2 + 0.5) * pitch_mm - half;
            l->weight[p] += 1.0f;
        }
    }
    for (uint32_t p = 0; p < g->n_planes; p++) {
        if (l->weight[p] > 0) {
            l->z[2 * p] = (float)(zsum[2 * p] / l->weight[p]);
            l->z[2 * p + 1] = (float)(zsum[2 * p + 1] / l->weight[p]);
        }
    }
    free(zsum);
    return MIST_OK;
}

void mist_pet_lors_free(mist_pet_lors *l)
{
    free(l->xy);
    free(l->z);
    free(l->weight);
    *l = (mist_pet_lors){0};
}

void mist_pet_lors_geometric_eff(const mist_pet_lors *l, const mist_sino_geom *g, double radius_mm,
                                 double pitch_mm, double element_mm2, float *eff)
{
    size_t nr = l->n_radial;
    double *sum = calloc((size_t)l->n_planes * nr, sizeof *sum);
    if (!sum) {
        for (size_t i = 0; i < (size_t)l->n_planes * nr; i++)
            eff[i] = 0.0f; /* no memory: no bins rather than wrong ones */
        return;
    }
    double R = radius_mm, a2 = element_mm2 * element_mm2;
    for (uint32_t r1 = 0; r1 < g->n_rings; r1++) {
        for (uint32_t r2 = 0; r2 < g->n_rings; r2++) {
            int32_t p = g->plane_of[r1 * g->n_rings + r2];
            if (p < 0)
                continue;
            double dz = ((double)r2 - (double)r1) * pitch_mm;
            for (size_t j = 0; j < nr; j++) {
                double rho = (double)j - 0.5 * (double)nr;
                double s = R * sin(MIST_PI * rho / g->n_crystals), h2 = R * R - s * s;
                double d2 = 4.0 * h2 + dz * dz, c = 2.0 * h2 / (R * sqrt(d2));
                sum[(size_t)p * nr + j] += a2 * c * c / (2.0 * MIST_PI * d2);
            }
        }
    }
    for (size_t i = 0; i < (size_t)l->n_planes * nr; i++)
        eff[i] = (float)sum[i];
    free(sum);
}
