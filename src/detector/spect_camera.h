/*
 * spect_camera.h - gamma cameras for SPECT and molecular breast imaging, read
 * from the YAML files in geometry/ (modality: spect): the heads (how many,
 * crystal material and thickness, field of view), the parallel-hole
 * collimator in front of each (hole shape, hole diameter flat to flat, septa,
 * length, septal material, gap to the crystal), the electronics (intrinsic
 * resolution, energy resolution), the projection matrix and the default
 * orbit radius, and how the energy windows are made for a nuclide.
 *
 * Frame of a head (used by detector/collimator.h and engine/spect_sim.h): w
 * is the depth from the collimator's front face (w = 0) towards the crystal,
 * u (columns) and v (rows) span the face; the crystal's front face lies at
 * w = length_mm + gap_mm, its back at w = length_mm + gap_mm + crystal_mm.
 * Energy windows: for every gamma line of the nuclide with at least 5 %
 * intensity and 50 keV, a photopeak window of photopeak_width x E centred on
 * E and, when scatter_width > 0, the two triple-energy-window (TEW) scatter
 * windows of scatter_width x E just below and just above it (Ogawa et al.,
 * IEEE TMI 10:408, 1991).  In-111 thus gets both photopeaks (171, 245 keV).
 */
#ifndef MIST_DETECTOR_SPECT_CAMERA_H
#define MIST_DETECTOR_SPECT_CAMERA_H

#include <stdint.h>

#include "core/status.h"
#include "physics/nuclide.h"

#define MIST_SPECT_MAX_WINDOWS 12
#define MIST_SPECT_REF_KEV 140.5 /**< [keV] energy at which energy_resolution is given */

typedef enum mist_hole_shape {
    MIST_HOLES_HEXAGONAL = 0, /**< hexagonal holes on a triangular lattice */
    MIST_HOLES_SQUARE = 1     /**< square holes on a square lattice (registered to pixels) */
} mist_hole_shape;

typedef struct mist_collimator_geom {
    char material[32];     /**< septal material (geometry/materials.yaml) */
    mist_hole_shape shape;
    double hole_mm;        /**< [mm] hole diameter, flat to flat */
    double septa_mm;       /**< [mm] septal thickness between neighbouring holes */
    double length_mm;      /**< [mm] hole length */
} mist_collimator_geom;

typedef enum mist_window_kind {
    MIST_WINDOW_PEAK = 0,
    MIST_WINDOW_LOWER = 1, /**< TEW scatter window below a photopeak */
    MIST_WINDOW_UPPER = 2  /**< TEW scatter window above a photopeak */
} mist_window_kind;

typedef struct mist_energy_window {
    double lo_keV, hi_keV; /**< [keV] [lo, hi) of the measured energy */
    double peak_keV;       /**< [keV] the photopeak the window belongs to */
    mist_window_kind kind;
    char name[24];         /**< e.g. "peak140.5", "lower140.5" */
} mist_energy_window;

typedef struct mist_spect_camera {
    char name[64];
    uint32_t n_heads;         /**< 1 to 4 heads, evenly spread over the orbit */
    char crystal_material[32];
    double crystal_mm;        /**< [mm] crystal thickness */
    double fov_mm[2];         /**< [mm] useful field of view: width (u), height (v) */
    double gap_mm;            /**< [mm] collimator back face to crystal front face */
    mist_collimator_geom collimator;
    double intrinsic_fwhm_mm; /**< [mm] intrinsic spatial resolution (Gaussian), 0 = none */
    double energy_resolution; /**< FWHM / E at 140.5 keV, scaling as 1 / sqrt(E) */
    uint32_t n_cols, n_rows;  /**< projection matrix */
    double pixel_mm;          /**< [mm] projection pixel */
    double orbit_radius_mm;   /**< [mm] default distance from the axis to the collimator face */
    double photopeak_width;   /**< photopeak window width / line energy */
    double scatter_width;     /**< TEW sub-window width / line energy (0: no TEW windows) */
} mist_spect_camera;

/* Load and validate a camera file (errors: file:line:column: key: expected ...). */
mist_status mist_spect_camera_load(const char *path, mist_spect_camera *out, mist_error *err);

/* The energy windows of camera c for nuclide nuc (see above); returns their number (0 when the
 * nuclide has no line to image). */
int mist_spect_windows(const mist_spect_camera *c, const mist_nuclide *nuc,
                       mist_energy_window out[MIST_SPECT_MAX_WINDOWS]);

/* Analytic collimator figures of Cherry, Sorenson & Phelps (Physics in Nuclear Medicine,
 * parallel-hole collimators; ../shared/reference/scanners.md) at septal attenuation mu_per_mm:
 * L_eff = L - 2 / mu; R_g = d (L_eff + b + c) / L_eff with b the source distance from the face
 * and c from the back face to the crystal mid-plane; g = K^2 (d / L_eff)^2 d^2 / (d + t)^2,
 * K = 0.26 hexagonal, 0.28 square. */
double mist_spect_analytic_resolution_mm(const mist_spect_camera *c, double mu_per_mm,
                                         double b_mm);
double mist_spect_analytic_efficiency(const mist_spect_camera *c, double mu_per_mm);

#endif
