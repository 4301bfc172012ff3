/*
 * voxel_grid.h - a label grid: which tissue fills each voxel.
 *
 * The grid is nx * ny * nz voxels of size voxel_mm, stored in C order with z
 * slowest (index = (k * ny + j) * nx + i for voxel (i, j, k)), each holding a
 * label 0..255.  origin_mm is the centre of voxel (0, 0, 0), so the centre of
 * voxel (i, j, k) is origin_mm + (i, j, k) * voxel_mm and the grid spans
 * [origin - voxel/2, origin + (n - 1/2) voxel] on each axis.  Every label in
 * use maps to a material index (into the material array given to the
 * tracker); the phantom module fills the labels and the map.
 */
#ifndef MIST_TRANSPORT_VOXEL_GRID_H
#define MIST_TRANSPORT_VOXEL_GRID_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

#define MIST_GRID_NO_MATERIAL (-1)

typedef struct mist_voxel_grid {
    size_t n[3];                  /**< voxels along x, y, z */
    double voxel_mm[3];           /**< [mm] voxel size along x, y, z */
    double origin_mm[3];          /**< [mm] centre of voxel (0, 0, 0) */
    uint8_t *labels;              /**< [nz][ny][nx] */
    int label_material[256];      /**< material index of each label, or MIST_GRID_NO_MATERIAL */
} mist_voxel_grid;

/* Allocate a grid filled with label 0; every label starts without a material. */
mist_status mist_voxel_grid_create(const size_t n[3], const double voxel_mm[3],
                                   const double origin_mm[3], mist_voxel_grid **out,
                                   mist_error *err);

/* A grid of n voxels of size voxel_mm centred on (0, 0, 0). */
mist_status mist_voxel_grid_create_centered(const size_t n[3], const double voxel_mm[3],
                                            mist_voxel_grid **out, mist_error *err);

void mist_voxel_grid_free(mist_voxel_grid *g);

static inline size_t mist_voxel_grid_count(const mist_voxel_grid *g)
{
    return g->n[0] * g->n[1] * g->n[2];
}

static inline size_t mist_voxel_grid_index(const mist_voxel_grid *g, size_t i, size_t j, size_t k)
{
    return (k * g->n[1] + j) * g->n[0] + i;
}

/* Centre [mm] of voxel (i, j, k). */
void mist_voxel_grid_center(const mist_voxel_grid *g, size_t i, size_t j, size_t k,
                            double out_mm[3]);

/* Voxel holding pos_mm: returns 1 and writes ijk when inside the grid, else 0. */
int mist_voxel_grid_locate(const mist_voxel_grid *g, const double pos_mm[3], size_t ijk[3]);

/* Lower and upper corners [mm] of the grid's box. */
void mist_voxel_grid_bounds(const mist_voxel_grid *g, double lo_mm[3], double hi_mm[3]);

/* Map a label to a material index (>= 0) or MIST_GRID_NO_MATERIAL. */
void mist_voxel_grid_set_material(mist_voxel_grid *g, uint8_t label, int material);

#endif
