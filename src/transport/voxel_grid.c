#include "transport/voxel_grid.h"

#include <math.h>
#include <stdlib.h>

#include "core/hugemem.h"

mist_status mist_voxel_grid_create(const size_t n[3], const double voxel_mm[3],
                                   const double origin_mm[3], mist_voxel_grid **out,
                                   mist_error *err)
{
    *out = NULL;
    for (int a = 0; a < 3; a++) {
        if (n[a] == 0 || n[a] > (1u << 20))
            return mist_error_set(err, MIST_ERR_INPUT,
                                  "voxel grid: %zu voxels along axis %d, expected 1..%u", n[a], a,
                                  1u << 20);
        if (!(voxel_mm[a] > 0.0) || !isfinite(voxel_mm[a]) || !isfinite(origin_mm[a]))
            return mist_error_set(err, MIST_ERR_INPUT,
                                  "voxel grid: voxel size %g mm along axis %d, expected > 0",
                                  voxel_mm[a], a);
    }
    mist_voxel_grid *g = calloc(1, sizeof *g);
    size_t count = n[0] * n[1] * n[2];
    if (g)
        g->labels = mist_huge_calloc(count, 1); /* read at random per flight */
    if (!g || !g->labels) {
        free(g);
        return mist_error_set(err, MIST_ERR_NOMEM, "voxel grid: out of memory for %zu voxels",
                              count);
    }
    for (int a = 0; a < 3; a++) {
        g->n[a] = n[a];
        g->voxel_mm[a] = voxel_mm[a];
        g->origin_mm[a] = origin_mm[a];
    }
    for (int l = 0; l < 256; l++)
        g->label_material[l] = MIST_GRID_NO_MATERIAL;
    *out = g;
    return MIST_OK;
}

mist_status mist_voxel_grid_create_centered(const size_t n[3], const double voxel_mm[3],
                                            mist_voxel_grid **out, mist_error *err)
{
    double origin[3];
    for (int a = 0; a < 3; a++)
        origin[a] = -0.5 * (double)(n[a] - 1) * voxel_mm[a];
    return mist_voxel_grid_create(n, voxel_mm, origin, out, err);
}

void mist_voxel_grid_free(mist_voxel_grid *g)
{
    if (!g)
        return;
    free(g->labels);
    free(g);
}

void mist_voxel_grid_center(const mist_voxel_grid *g, size_t i, size_t j, size_t k,
                            double out_mm[3])
{
    out_mm[0] = g->origin_mm[0] + (double)i * g->voxel_mm[0];
    out_mm[1] = g->origin_mm[1] + (double)j * g->voxel_mm[1];
    out_mm[2] = g->origin_mm[2] + (double)k * g->voxel_mm[2];
}

int mist_voxel_grid_locate(const mist_voxel_grid *g, const double pos_mm[3], size_t ijk[3])
{
    for (int a = 0; a < 3; a++) {
        double f = floor((pos_mm[a] - g->origin_mm[a]) / g->voxel_mm[a] + 0.5);
        if (!(f >= 0.0) || f >= (double)g->n[a])
            return 0;
        ijk[a] = (size_t)f;
    }
    return 1;
}

void mist_voxel_grid_bounds(const mist_voxel_grid *g, double lo_mm[3], double hi_mm[3])
{
    for (int a = 0; a < 3; a++) {
        lo_mm[a] = g->origin_mm[a] - 0.5 * g->voxel_mm[a];
        hi_mm[a] = lo_mm[a] + (double)g->n[a] * g->voxel_mm[a];
    }
}

void mist_voxel_grid_set_material(mist_voxel_grid *g, uint8_t label, int material)
{
    g->label_material[label] = material < 0 ? MIST_GRID_NO_MATERIAL : material;
}
