/*
 * emission.h - one radioactive decay turned into the photons it emits.
 *
 * An emitter is built once per nuclide (mist_emitter_init): it holds the
 * positron spectra of the beta+ branches and, for every photon line, the
 * probability of emitting it given the decay mode (see nuclide.h).  Sampling a
 * decay (mist_emission_sample) then costs a few table look-ups and allocates
 * nothing; the result goes into a fixed-size mist_decay the caller owns.
 *
 * One decay gives, in this order:
 *  - for a positron branch: the annihilation pair, two 511 keV photons leaving
 *    the annihilation point (moved from the decay point by the positron range
 *    in a medium of the given density) back to back, the second deviated by
 *    the acollinearity: a Gaussian angle of 0.5 degree FWHM in each of two
 *    perpendicular planes (physics-data.md s.4; Berko & Hereford, Rev Mod
 *    Phys 28:299, 1956, measured ~0.5 degree in water); switchable;
 *  - the photon lines sampled for this decay, isotropic, from the decay point,
 *    each with its emission time: 0 for prompt lines, an exponential delay
 *    with the isomer's half-life for delayed ones (Zr-89 909 keV).
 * Times are relative to the decay [s]; the annihilation itself is taken as
 * instantaneous (positronium lifetimes are < 5 ns).  Positions are in mm.
 */
#ifndef MIST_PHYSICS_EMISSION_H
#define MIST_PHYSICS_EMISSION_H

#include <stdint.h>

#include "core/rng.h"
#include "core/status.h"
#include "core/ziggurat.h"
#include "physics/nuclide.h"
#include "physics/positron.h"

/* Most photons one decay can emit: the annihilation pair plus every line. */
#define MIST_DECAY_MAX_PHOTONS (2 + MIST_NUCLIDE_MAX_LINES)

/* Annihilation photon energy [keV]: m_e c^2, CODATA 2018. */
#define MIST_ANNIHILATION_KEV 510.99895

/* Default acollinearity [degree FWHM] (physics-data.md s.4). */
#define MIST_ACOLLINEARITY_FWHM_DEG 0.5

typedef enum mist_photon_origin {
    MIST_PHOTON_ANNIHILATION = 0, /**< one of the 511 keV pair */
    MIST_PHOTON_PROMPT = 1,       /**< gamma or X-ray emitted with the decay */
    MIST_PHOTON_DELAYED = 2       /**< gamma from an isomer, at its own time */
} mist_photon_origin;

typedef struct mist_emitted_photon {
    double pos_mm[3];   /**< emission point [mm] */
    double dir[3];      /**< unit direction */
    double energy_keV;  /**< [keV] */
    double time_s;      /**< emission time after the decay [s] */
    int origin;         /**< mist_photon_origin */
    int line;           /**< index into the nuclide's lines, -1 for annihilation */
} mist_emitted_photon;

/* Everything one decay produced. */
typedef struct mist_decay {
    int branch;                 /**< positron branch, -1 when no positron */
    double positron_keV;        /**< positron kinetic energy [keV] (0 if none) */
    double range_mm;            /**< decay point to annihilation point [mm] (0 if none) */
    int n_photons;
    mist_emitted_photon photons[MIST_DECAY_MAX_PHOTONS];
} mist_decay;

typedef struct mist_emission_options {
    int positron_range;              /**< move the annihilation point (default 1) */
    int acollinearity;               /**< deviate the pair from 180 degree (default 1) */
    double acollinearity_fwhm_deg;   /**< [degree] (default 0.5) */
} mist_emission_options;

/* The defaults above. */
mist_emission_options mist_emission_default_options(void);

typedef struct mist_emitter {
    const mist_nuclide *nuclide;
    mist_emission_options opt;
    double acoll_sigma_rad;                       /**< per-plane sigma [rad] */
    int n_beta;
    uint32_t branch_cut[MIST_NUCLIDE_MAX_BETA];   /**< cumulative branch thresholds, 2^-32 units */
    /** Per branch: 1024 / (its share of the 32-bit draw), which turns the draw that chose the
     *  branch into the position in its energy table (mist_emission_sample). */
    double branch_scale[MIST_NUCLIDE_MAX_BETA];
    mist_positron_spectrum beta[MIST_NUCLIDE_MAX_BETA];
    int n_lines;
    /* Probability threshold (2^-32 units, saturating) of line l given the
     * decay mode: mode 0 = no positron, mode 1 + b = positron branch b. */
    uint64_t line_cut[MIST_NUCLIDE_MAX_BETA + 1][MIST_NUCLIDE_MAX_LINES];
    double line_delay_mean_s[MIST_NUCLIDE_MAX_LINES]; /**< mean delay [s], 0 = prompt */
    mist_zig_normal zig; /**< normal variates of the acollinearity */
} mist_emitter;

/* Build the emitter for a nuclide.  Errors (MIST_ERR_INPUT): inconsistent
 * table entries (a line's share after a positron larger than that branch, or
 * the rest larger than the decays without a positron), bad options. */
mist_status mist_emitter_init(mist_emitter *em, const mist_nuclide *nuc,
                              const mist_emission_options *opt, mist_error *err);

/* Sample one decay at origin_mm in a medium of density_g_cm3 (used for the
 * positron range: distance = mass thickness / density).  Writes *out. */
void mist_emission_sample(const mist_emitter *em, mist_rng *rng, const double origin_mm[3],
                          double density_g_cm3, mist_decay *out);

#endif
