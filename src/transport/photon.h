/*
 * photon.h - the state of one photon in flight.
 *
 * A photon is created by a source (emission), tracked through the voxel grid
 * (woodcock.h, raytrace.h) and handed, with its exit state, to a detector
 * model.  The scatter counters are the truth that later classifies detected
 * events as unscattered or scattered; the fate says how tracking ended.
 */
#ifndef MIST_TRANSPORT_PHOTON_H
#define MIST_TRANSPORT_PHOTON_H

#include <stdint.h>

/* Speed of light in vacuum [mm/s]: 299 792 458 m/s, exact (SI definition of the metre). */
#define MIST_SPEED_OF_LIGHT_MM_S 299792458.0e3

typedef enum mist_photon_fate {
    MIST_FATE_ALIVE = 0,    /**< still being tracked (or not yet tracked) */
    MIST_FATE_ESCAPED = 1,  /**< left the grid: pos_mm is the exit point on its boundary */
    MIST_FATE_PHOTO = 2,    /**< absorbed by the photoelectric effect */
    MIST_FATE_CUTOFF = 3    /**< fell below the energy cut-off and was absorbed in place */
} mist_photon_fate;

typedef struct mist_photon {
    double pos_mm[3];    /**< [mm] position (x, y, z) in the grid's frame */
    double dir[3];       /**< unit direction */
    double energy_keV;   /**< [keV] */
    double weight;       /**< statistical weight (1 for analog transport) */
    double time_s;       /**< [s] emission time plus time of flight */
    double path_mm;      /**< [mm] path length travelled inside the grid */
    double edep_keV;     /**< [keV] energy deposited locally along the way (Compton electrons,
                              photoabsorption, cut-off) */
    uint16_t n_compton;  /**< Compton scatters so far */
    uint16_t n_rayleigh; /**< Rayleigh scatters so far */
    uint16_t fate;       /**< mist_photon_fate */
    uint16_t flags;      /**< free for sources and detectors (e.g. which annihilation photon) */
} mist_photon;

/* A new photon at pos_mm going along dir (unit), with energy [keV], weight 1, time [s]. */
static inline mist_photon mist_photon_make(const double pos_mm[3], const double dir[3],
                                           double energy_keV, double time_s)
{
    mist_photon p = {{pos_mm[0], pos_mm[1], pos_mm[2]},
                     {dir[0], dir[1], dir[2]},
                     energy_keV, 1.0, time_s, 0.0, 0.0, 0, 0, MIST_FATE_ALIVE, 0};
    return p;
}

#endif
