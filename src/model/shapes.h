/*
 * shapes.h - validation phantoms: NEMA NU 2 / IEC body phantom, NEMA NU 2
 * scatter cylinder, uniform cylinders, point and line sources, and a hot-rod
 * (Derenzo-type) phantom.
 *
 * Coordinates [mm]: z along the phantom axis.  Hot objects that need their
 * exact volume (the IEC spheres, the point source) are lesions with partial
 * volumes (model/phantom.h); rods, line sources and cylinders are drawn into
 * the label grid with the label of the class covering at least half of each
 * voxel (8 x 8 sub-samples across, exact along z; a rod thinner than a voxel
 * also marks the voxels its axis runs through).  Activity is a fixed
 * concentration ratio per class (uptake "fixed", relative_activity).
 * Dimensions of the standard objects cite their sources in shapes.c; values
 * marked [U] there are unconfirmed.
 */
#ifndef MIST_MODEL_SHAPES_H
#define MIST_MODEL_SHAPES_H

#include <stddef.h>

#include "core/status.h"
#include "model/phantom.h"

#define MIST_IEC_SPHERES 6
#define MIST_DERENZO_SECTORS 6

typedef struct mist_nema_iec_params {
    double voxel_mm;                              /**< [mm] */
    double sphere_diameters_mm[MIST_IEC_SPHERES]; /**< [mm] inner diameters, 0 = no sphere */
    double sphere_to_background;                  /**< activity concentration ratio (4 or 8) */
    int lung_insert;                              /**< draw the lung insert */
    double wall_mm;                               /**< [mm] PMMA shell, 0 = none */
} mist_nema_iec_params;

typedef struct mist_scatter_cylinder_params {
    double voxel_mm;
    double diameter_mm, length_mm; /**< [mm] polyethylene cylinder */
    double source_offset_mm;       /**< [mm] line source distance from the axis */
    double source_diameter_mm;     /**< [mm] active diameter of the line source */
    double hole_diameter_mm;       /**< [mm] hole the line source runs in (air around it) */
} mist_scatter_cylinder_params;

typedef struct mist_cylinder_params {
    double voxel_mm;
    double diameter_mm, length_mm; /**< [mm] */
    char tissue[MIST_TISSUE_NAME_MAX]; /**< fill material's tissue class (default water) */
    double margin_mm;                  /**< [mm] air around it */
} mist_cylinder_params;

typedef struct mist_point_params {
    double voxel_mm;
    double position_mm[3]; /**< [mm] */
    double diameter_mm;    /**< [mm] source bead */
    double fov_mm[3];      /**< [mm] grid extent, centred on the origin */
} mist_point_params;

typedef struct mist_line_params {
    double voxel_mm;
    double position_mm[2];  /**< [mm] x, y of the line (along z) */
    double diameter_mm;     /**< [mm] */
    double length_mm;       /**< [mm] */
    double fov_mm[3];       /**< [mm] grid extent, centred on the origin */
} mist_line_params;

/* NEMA NU 2 sensitivity phantom: a 700 mm line source inside 0 to 5 nested
 * aluminium sleeves (shapes.c gives their diameters and sources), parallel to
 * z at offset_mm from the axis (along -y, as NEMA's 10 cm position).  The grid
 * hugs the sleeves, so voxels can be small enough to resolve 1.25 mm walls. */
#define MIST_NEMA_SLEEVES 5
typedef struct mist_nema_sensitivity_params {
    double voxel_mm;
    int sleeves;               /**< nested sleeves, innermost first (0..5) */
    double offset_mm;          /**< [mm] distance of the line from the scanner axis */
    double length_mm;          /**< [mm] line source and sleeves */
    double source_diameter_mm; /**< [mm] active (water) core of the source tube */
} mist_nema_sensitivity_params;

/* Sleeve j's (0-based) inner and outer diameters [mm]. */
void mist_nema_sleeve_mm(int j, double *inner_mm, double *outer_mm);

typedef struct mist_derenzo_params {
    double voxel_mm;
    double diameter_mm, length_mm; /**< [mm] PMMA body */
    double rod_length_mm;          /**< [mm] rods, centred axially */
    double rod_diameters_mm[MIST_DERENZO_SECTORS]; /**< [mm] one size per 60-degree sector */
} mist_derenzo_params;

void mist_nema_iec_defaults(mist_nema_iec_params *p);
void mist_scatter_cylinder_defaults(mist_scatter_cylinder_params *p);
void mist_cylinder_defaults(mist_cylinder_params *p);
void mist_point_defaults(mist_point_params *p);
void mist_line_defaults(mist_line_params *p);
void mist_derenzo_defaults(mist_derenzo_params *p);
void mist_nema_sensitivity_defaults(mist_nema_sensitivity_params *p);

/* Centre [mm] of IEC sphere i (0..5, in the order 10, 13, 17, 22, 28, 37 mm). */
void mist_nema_iec_sphere_center(int i, double out_mm[3]);

mist_status mist_shapes_nema_iec(const mist_nema_iec_params *p, mist_phantom **out,
                                 mist_error *err);
mist_status mist_shapes_scatter_cylinder(const mist_scatter_cylinder_params *p,
                                         mist_phantom **out, mist_error *err);
mist_status mist_shapes_cylinder(const mist_cylinder_params *p, mist_phantom **out,
                                 mist_error *err);
mist_status mist_shapes_point(const mist_point_params *p, mist_phantom **out, mist_error *err);
mist_status mist_shapes_line(const mist_line_params *p, mist_phantom **out, mist_error *err);
mist_status mist_shapes_nema_sensitivity(const mist_nema_sensitivity_params *p,
                                         mist_phantom **out, mist_error *err);
mist_status mist_shapes_derenzo(const mist_derenzo_params *p, mist_phantom **out,
                                mist_error *err);

#endif
