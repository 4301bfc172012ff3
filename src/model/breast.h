/*
 * breast.h - procedural prone pendant breast on a chest wall.
 *
 * Coordinates [mm]: origin at the centre of the breast base on the chest
 * wall; +x lateral (toward the axilla of the imaged breast), +y anterior
 * (chest wall -> nipple; straight down for a patient lying prone), +z
 * superior.  The breast is the superquadric
 *     (x/a)^2 + (z'/c)^2 + (y/L)^p <= 1,  y >= 0,
 * continued as a cylinder behind y = 0 until it meets the chest's fat layer,
 * where z' = z + ptosis * (y/L)^2 bends the axis caudally (ptosis), a
 * cylindrical nipple sits at the tip, and a skin layer of skin_mm lines the
 * surface.  Inside, fibroglandular tissue is a fractal gradient-noise field
 * (model/noise.h) plus a bias toward the nipple and the central axis,
 * thresholded at the quantile that gives exactly the target fat fraction of
 * the interior (breast minus skin; the FDA VICTRE convention), optionally
 * crossed by Cooper's ligaments (thin sheets on the zero set of a second
 * noise field, counted as glandular: fibrous tissue).
 *
 * The chest is a truncated torso (a superellipse cross-section, flat in
 * front) with skin, subcutaneous fat, pectoralis muscle, a rib layer (ribs
 * and sternum of cortical bone, intercostal muscle), and the thoracic cavity
 * behind it: lung, the heart (myocardium around a blood pool) and, below the
 * diaphragm, liver and other abdominal soft tissue, in the parts a breast
 * scanner's field of view holds.  An axillary fat pad carries normal level I
 * and level II lymph nodes.  Anatomical sizes are assumptions stated next to
 * their defaults in breast.c.
 *
 * Every random choice comes from mist_rng substreams of the seed: the same
 * parameters and seed give an identical phantom.
 */
#ifndef MIST_MODEL_BREAST_H
#define MIST_MODEL_BREAST_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "model/phantom.h"

#define MIST_BREAST_MAX_NODES 16

typedef enum mist_breast_side { MIST_BREAST_LEFT = 0, MIST_BREAST_RIGHT = 1 } mist_breast_side;

typedef struct mist_breast_params {
    uint64_t seed;
    double voxel_mm;         /**< [mm] cubic voxel size, 0.5-2 */
    mist_breast_side side;   /**< which breast: puts the heart medially (left) or the liver
                                  below (right) */
    double semi_axes_mm[3];  /**< [mm] a (lateral half-width), L (chest wall to tip), c
                                  (superior half-height) */
    double shape_exponent;   /**< p of (y/L)^p: 2 ellipsoid, larger = more pendant */
    double ptosis_mm;        /**< [mm] caudal displacement of the tip */
    double skin_mm;          /**< [mm] skin thickness */
    double nipple_length_mm, nipple_radius_mm; /**< [mm] */
    double fat_fraction;     /**< target adipose share of the breast interior, [0, 1] */
    double texture_scale_mm; /**< [mm] wavelength of the first noise octave */
    int texture_octaves;     /**< octaves of the fractal noise */
    double texture_persistence; /**< amplitude ratio between octaves */
    double centrality;       /**< weight of the bias toward the nipple and central axis */
    int ligaments;           /**< draw Cooper's ligaments */
    double ligament_mm;      /**< [mm] ligament sheet thickness */
    double ligament_scale_mm; /**< [mm] spacing scale of the ligament sheets */
    double chest_depth_mm;   /**< [mm] how far behind the breast base the field of view runs */
    double midline_mm;       /**< [mm] breast axis to body midline distance */
    double subcutaneous_fat_mm, pectoralis_mm, rib_layer_mm; /**< [mm] chest wall layers */
    double rib_pitch_mm, rib_height_mm, rib_thickness_mm;     /**< [mm] rib spacing, size */
    int nodes_level1, nodes_level2; /**< normal axillary nodes per level */
    double node_diameter_mm[2];     /**< [mm] range of normal node diameters */
} mist_breast_params;

/* Landmarks of a generated breast phantom, for placing lesions by anatomy. */
typedef struct mist_breast_anatomy {
    mist_breast_params params;
    double nipple_mm[3];         /**< [mm] tip of the nipple */
    size_t n_nodes;
    double node_center_mm[MIST_BREAST_MAX_NODES][3];
    double node_diameter_mm[MIST_BREAST_MAX_NODES];
    int node_level[MIST_BREAST_MAX_NODES]; /**< 1 or 2 */
    uint64_t interior_voxels;   /**< breast voxels inside the skin */
    uint64_t glandular_voxels;  /**< of which glandular (ligaments included) */
    double glandular_fraction;  /**< glandular_voxels / interior_voxels */
} mist_breast_anatomy;

/* Quadrants for lesion placement. */
typedef enum mist_breast_quadrant {
    MIST_QUADRANT_UOQ, /**< upper outer: +z, +x */
    MIST_QUADRANT_UIQ, /**< upper inner: +z, -x */
    MIST_QUADRANT_LOQ, /**< lower outer: -z, +x */
    MIST_QUADRANT_LIQ, /**< lower inner: -z, -x */
    MIST_QUADRANT_CENTRAL /**< on the breast axis */
} mist_breast_quadrant;

/* Defaults: a 600 mL left breast, BI-RADS b, 1 mm voxels, seed 1. */
void mist_breast_defaults(mist_breast_params *p);

/* Target fat fraction of BI-RADS class 'a'..'d' (VICTRE: 0.95, 0.85, 0.66, 0.40); -1 for
 * another letter. */
double mist_breast_birads_fat_fraction(char birads);

/* Semi-axes [mm] for a breast volume [mL] at the default proportions and the shape exponent. */
void mist_breast_semi_axes_for_volume(double volume_mL, double shape_exponent, double out_mm[3]);

/* Check the parameters (MIST_ERR_INPUT with a sentence naming the parameter). */
mist_status mist_breast_check(const mist_breast_params *p, mist_error *err);

/* Generate the phantom (field of view sized automatically); anat (may be NULL) receives
 * the landmarks. */
mist_status mist_breast_generate(const mist_breast_params *p, mist_phantom **out,
                                 mist_breast_anatomy *anat, mist_error *err);

/* Centre [mm] of a point in the breast: quadrant, depth fraction (0 chest wall, 1 nipple
 * base) and radial fraction (0 axis, 1 skin) of the cross-section at that depth. */
void mist_breast_locate(const mist_breast_anatomy *anat, mist_breast_quadrant q, double depth,
                        double radial, double out_mm[3]);

/* The index-th normal node of an axillary level: its centre and diameter [mm].  Error when
 * the level has fewer nodes. */
mist_status mist_breast_node(const mist_breast_anatomy *anat, int level, size_t index,
                             double center_mm[3], double *diameter_mm, mist_error *err);

#endif
