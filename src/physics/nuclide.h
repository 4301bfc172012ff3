/*
 * nuclide.h - the radionuclides mist simulates: half-lives, beta+ branches,
 * gamma lines and X-rays, and the exact decay arithmetic of a time frame.
 *
 * The library is a constant table compiled into the code (nuclide.c), each
 * value with its source.  PET nuclides carry their positron branches
 * (endpoint energy, intensity per decay); every nuclide carries the photon
 * lines an imaging simulation needs, with the probability per decay, whether
 * the photon is in prompt coincidence with a positron of a given branch
 * (Sc-44 1157 keV, I-124 602.7 keV) and, for photons emitted by a long-lived
 * isomer (Zr-89 909 keV through Y-89m), that isomer's half-life.  The emission
 * module (emission.h) turns an entry into sampled decays; the engine uses
 * mist_nuclide_decays_in_frame() to know how many decays a frame holds.
 *
 * Level-scheme correlations are kept only where they matter for PET
 * coincidences: a line is either independent of the decay mode, or split into
 * a part that follows one positron branch and a part that follows the decays
 * without a positron (electron capture, beta-, isomeric transition).  Angular
 * correlations between cascade photons are not modelled (isotropic).
 */
#ifndef MIST_PHYSICS_NUCLIDE_H
#define MIST_PHYSICS_NUCLIDE_H

#include <stddef.h>

#define MIST_NUCLIDE_MAX_BETA 4
#define MIST_NUCLIDE_MAX_LINES 12

/* One beta+ branch. */
typedef struct mist_beta_branch {
    double intensity;    /**< positrons per decay through this branch, [0, 1] */
    double endpoint_keV; /**< maximum kinetic energy [keV] */
    double mean_keV;     /**< evaluated mean kinetic energy [keV] (check value) */
} mist_beta_branch;

typedef enum mist_line_kind { MIST_LINE_GAMMA = 0, MIST_LINE_XRAY = 1 } mist_line_kind;

/* One photon line.  branch < 0: the line is emitted with probability
 * `intensity` in every decay, whatever the decay mode.  branch >= 0:
 * `with_beta` photons per decay come in the decays that emit a positron of
 * that branch (in coincidence with it), the rest (intensity - with_beta) in
 * the decays without a positron. */
typedef struct mist_photon_line {
    double energy_keV;        /**< photon energy [keV] */
    double intensity;         /**< photons per decay */
    mist_line_kind kind;      /**< gamma ray or X-ray */
    int branch;               /**< positron branch the line is tied to, or -1 */
    double with_beta;         /**< photons per decay following a positron of `branch` */
    double delay_half_life_s; /**< 0: prompt (< ns); else half-life [s] of the emitting isomer */
} mist_photon_line;

typedef struct mist_nuclide {
    const char *name;   /**< canonical name, "Ga-68", "Tc-99m" */
    const char *symbol; /**< element symbol, "Ga" */
    int mass;           /**< mass number A */
    int isomer;         /**< 1 for a metastable state ("m") */
    int z;              /**< atomic number of the parent */
    double half_life_s; /**< physical half-life [s] */
    int n_beta;
    mist_beta_branch beta[MIST_NUCLIDE_MAX_BETA];
    int n_lines;
    mist_photon_line lines[MIST_NUCLIDE_MAX_LINES];
    const char *source; /**< where the entry's numbers come from */
} mist_nuclide;

/* Look a nuclide up by name: "Ga-68", "ga68", "68Ga", "GA_68", "Tc-99m",
 * "99mTc" and "tc99m" are all accepted (case, '-', '_' and spaces ignored).
 * Returns NULL for an unknown name. */
const mist_nuclide *mist_nuclide_find(const char *name);

/* Number of nuclides in the library and the i-th one (NULL when out of range). */
size_t mist_nuclide_count(void);
const mist_nuclide *mist_nuclide_at(size_t i);

/* Decay constant lambda = ln 2 / T1/2 [1/s]. */
double mist_nuclide_decay_constant(const mist_nuclide *nuc);

/* Activity [Bq] at t_s seconds after injection of a0_Bq. */
double mist_nuclide_activity(const mist_nuclide *nuc, double a0_Bq, double t_s);

/* Expected number of decays in the frame [t0_s, t0_s + duration_s] (seconds
 * after injection) from a0_Bq at injection: the exact integral
 * a0 / lambda * exp(-lambda t0) * (1 - exp(-lambda T)), computed with expm1
 * so that short frames of long-lived nuclides keep full precision. */
double mist_nuclide_decays_in_frame(const mist_nuclide *nuc, double a0_Bq, double t0_s,
                                    double duration_s);

/* Positrons per decay (sum over the beta+ branches). */
double mist_nuclide_positron_fraction(const mist_nuclide *nuc);

/* Photons per decay of the lines with energy in [lo_keV, hi_keV] (annihilation
 * photons not included). */
double mist_nuclide_photon_yield(const mist_nuclide *nuc, double lo_keV, double hi_keV);

#endif
