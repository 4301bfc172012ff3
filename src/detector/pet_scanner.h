/*
 * pet_scanner.h - PET scanner models read from the YAML files in geometry/: the crystal
 * ring (crystals, blocks, rings, radius, axial extent), the electronics
 * (energy window and resolution, coincidence and delayed windows, time of
 * flight, dead time per block) and the sinogram layout (span, maximum ring
 * difference, radial bins).
 *
 * Two geometries:
 *  - "blocks": rings of flat detector blocks of crystals (clinical scanners);
 *    photons are tracked through the crystals by the photon-physics module;
 *  - "ideal_ring": a thin cylinder of perfectly efficient detector elements
 *    with perfect energy resolution, for analytic checks (solid angle,
 *    attenuation integrals): a photon is detected where its straight path
 *    leaves the cylinder of radius ring_diameter_mm / 2 inside the axial
 *    extent, in the element at that angle and height.
 * Coordinates: scanner axis = z, centre of the axial field of view at z = 0,
 * crystal index 0 at angle 0 (the +x axis), counter-clockwise.
 * TOF sinograms (detector/sinogram.h) need tof_resolution_ps > 0 and
 * tof_bins > 1; tof_bin_ps defaults to the coincidence window / tof_bins.
 */
#ifndef MIST_DETECTOR_PET_SCANNER_H
#define MIST_DETECTOR_PET_SCANNER_H

#include <stdint.h>

#include "core/status.h"
#include "detector/coinc.h"

typedef enum mist_pet_geometry { MIST_PET_BLOCKS = 0, MIST_PET_IDEAL_RING = 1 } mist_pet_geometry;
typedef enum mist_pet_positioning {
    MIST_POSITION_CENTROID = 0, /**< energy-weighted centroid of the deposits */
    MIST_POSITION_FIRST = 1     /**< crystal of the first interaction */
} mist_pet_positioning;

typedef struct mist_pet_scanner {
    char name[64];
    mist_pet_geometry geometry;
    char crystal_material[32];
    double crystal_transaxial_mm, crystal_axial_mm, crystal_depth_mm; /**< [mm] */
    uint32_t block_transaxial, block_axial; /**< crystals per block */
    uint32_t readout_transaxial, readout_axial; /**< crystals per readout unit (divide the block's) */
    uint32_t blocks_per_ring, block_rings;
    uint32_t crystals_per_ring; /**< blocks_per_ring * block_transaxial */
    uint32_t rings;             /**< block_rings * block_axial */
    double radius_mm;           /**< [mm] inner radius of the ring (crystal front faces) */
    double axial_fov_mm;        /**< [mm] axial extent of the crystal rings */
    double ring_pitch_mm;       /**< [mm] axial distance between crystal rings */
    double e_lo_keV, e_hi_keV;  /**< [keV] energy window */
    double energy_resolution;   /**< FWHM / E at 511 keV, scaling as 1/sqrt(E); 0 = perfect */
    double coincidence_window_s;
    double delayed_offset_s;
    double tof_fwhm_s;          /**< [s] coincidence timing resolution, 0 = no TOF */
    uint32_t tof_bins;          /**< TOF bins in the sinograms (1 = none) */
    double tof_bin_s;           /**< [s] TOF bin width (default coincidence window / tof_bins) */
    double dead_time_s;         /**< [s] per block, 0 = none */
    mist_dead_time_model dead_time_model;
    mist_multiples_policy multiples;
    mist_pet_positioning positioning;
    uint32_t span, max_ring_difference, radial_bins;
} mist_pet_scanner;

/* Load and validate a scanner file (errors: file:line:column: key: expected ...). */
mist_status mist_pet_scanner_load(const char *path, mist_pet_scanner *out, mist_error *err);

/* Ideal ring: where a photon at pos_mm going along unit dir crosses the ring.
 * Returns 1 and sets *crystal (ring * crystals_per_ring + index) and *path_mm
 * (distance travelled) when it hits the ring inside the axial extent, 0 if
 * it leaves through the ends.  pos_mm must be inside the ring. */
int mist_pet_ideal_hit(const mist_pet_scanner *s, const double pos_mm[3], const double dir[3],
                       uint32_t *crystal, double *path_mm);

/* Coincidence-sorter parameters of the scanner (block map by division). */
mist_coinc_params mist_pet_coinc_params(const mist_pet_scanner *s);

#endif
