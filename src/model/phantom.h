/*
 * phantom.h - the voxel phantom: the object being imaged.
 *
 * A phantom is a label grid (uint8, [nz][ny][nx], C order, z slowest: voxel
 * (i, j, k) is labels[(k * ny + j) * nx + i]) with a voxel size and an
 * origin (the centre of voxel (0, 0, 0), in mm), a tissue table (label ->
 * tissue class: name, material, uptake class, density), and a lesion list.
 * Label 0 is always air.  Lesions are ellipsoids (spheres are the special
 * case) that carry exact sub-voxel partial volumes: for every voxel a lesion
 * touches, the fraction of the voxel it fills (by 16^3 supersampling of the
 * voxels its surface crosses; voxels wholly inside or outside are exact), and
 * the label the voxel had before the lesion was drawn.  The label grid marks
 * a voxel with the lesion's label where the lesion fills at least half of it;
 * the fractions keep the true volume, so a 4 mm lesion in 2 mm voxels carries
 * the activity of a 4 mm sphere (activity in a voxel = f * lesion + (1 - f) *
 * the tissue underneath).
 *
 * Generators (model/breast.h, model/shapes.h) fill the grid; the phantom
 * loader (model/phantom_load.h) reads a YAML file and adds lesions;
 * io/phantom_io.h writes it to HDF5 and NIfTI.
 */
#ifndef MIST_MODEL_PHANTOM_H
#define MIST_MODEL_PHANTOM_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "io/study.h"
#include "model/tissue.h"

#define MIST_PHANTOM_MAX_TISSUES 256
#define MIST_PHANTOM_AIR 0 /**< label of air, outside the body */
#define MIST_PHANTOM_PV_SUPERSAMPLE 16 /**< sub-samples per axis for partial volumes */

typedef struct mist_phantom_lesion {
    char name[MIST_NAME_MAX];   /**< label used in analysis tables */
    char tissue[MIST_NAME_MAX]; /**< tissue class name */
    uint8_t label;              /**< label of that class in the phantom */
    double center_mm[3];        /**< [mm] centre x, y, z */
    double semi_axes_mm[3];     /**< [mm] ellipsoid semi-axes along x, y, z */
    double diameter_mm;         /**< [mm] sphere-equivalent diameter, 2 (abc)^(1/3) */
    double volume_mm3;          /**< [mm3] voxelised volume: sum of fractions x voxel volume */
    size_t pv_offset, pv_count; /**< its entries in the phantom's pv_* arrays */
} mist_phantom_lesion;

typedef struct mist_phantom {
    char name[MIST_NAME_MAX];
    size_t n[3];          /**< voxels along x, y, z */
    double voxel_mm[3];   /**< [mm] voxel size along x, y, z */
    double origin_mm[3];  /**< [mm] centre of voxel (0, 0, 0) */
    uint8_t *labels;      /**< [nz][ny][nx] tissue labels */
    mist_tissue tissues[MIST_PHANTOM_MAX_TISSUES]; /**< [n_tissues], index = label */
    size_t n_tissues;
    mist_phantom_lesion *lesions; /**< [n_lesions] */
    size_t n_lesions, lesions_cap;
    /* Partial volumes of all lesions, concatenated (lesion l owns entries
     * [pv_offset, pv_offset + pv_count)). */
    uint64_t *pv_voxel;   /**< linear voxel index */
    float *pv_fraction;   /**< share of the voxel's volume inside the lesion, (0, 1] */
    uint8_t *pv_under;    /**< label of the voxel before the lesion was drawn */
    size_t n_pv, pv_cap;
} mist_phantom;

/* A phantom of n voxels of size voxel_mm with voxel (0,0,0) centred at origin_mm, filled
 * with air.  Errors: non-positive sizes, more than 2^31 voxels, no memory. */
mist_status mist_phantom_create(const char *name, const size_t n[3], const double voxel_mm[3],
                                const double origin_mm[3], mist_phantom **out, mist_error *err);

void mist_phantom_free(mist_phantom *p);

static inline size_t mist_phantom_count(const mist_phantom *p)
{
    return p->n[0] * p->n[1] * p->n[2];
}

static inline size_t mist_phantom_index(const mist_phantom *p, size_t i, size_t j, size_t k)
{
    return (k * p->n[1] + j) * p->n[0] + i;
}

/* Centre [mm] of voxel (i, j, k). */
void mist_phantom_center_mm(const mist_phantom *p, size_t i, size_t j, size_t k, double out_mm[3]);

/* Voxel holding pos_mm: 1 and ijk when inside the grid, else 0. */
int mist_phantom_locate(const mist_phantom *p, const double pos_mm[3], size_t ijk[3]);

/* Label of the class called name: an existing entry, or a built-in class added to the
 * table.  Error (MIST_ERR_INPUT) for an unknown name or a full table. */
mist_status mist_phantom_tissue_label(mist_phantom *p, const char *name, uint8_t *label,
                                      mist_error *err);

/* Add a user class (checked with mist_tissue_check).  A class of the same name already in
 * the table is replaced (its label is kept), so a phantom file can redefine a built-in. */
mist_status mist_phantom_tissue_add(mist_phantom *p, const mist_tissue *t, uint8_t *label,
                                    mist_error *err);

/* Index of the class called name in the table, or -1. */
int mist_phantom_tissue_find(const mist_phantom *p, const char *name);

/* Draw an ellipsoidal lesion with its partial volumes.  The ellipsoid must lie inside the
 * grid; with require_body, its centre must not be in air ("outside the body").  Errors are
 * MIST_ERR_INPUT sentences naming the lesion. */
mist_status mist_phantom_add_lesion(mist_phantom *p, const char *name, const char *tissue,
                                    const double center_mm[3], const double semi_axes_mm[3],
                                    int require_body, mist_error *err);

/* Add the study's (spherical) lesions, each required to lie in the body. */
mist_status mist_phantom_add_study_lesions(mist_phantom *p, const mist_lesion *lesions, size_t n,
                                           mist_error *err);

/* Voxels per label: counts[256]. */
void mist_phantom_label_counts(const mist_phantom *p, uint64_t counts[256]);

/* Density [g/cm3] per voxel into out[count]: the label's density, mixed with the tissue
 * underneath by the partial volume where a lesion covers part of a voxel. */
void mist_phantom_density(const mist_phantom *p, float *out);

#endif
