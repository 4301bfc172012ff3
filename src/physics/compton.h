/*
 * compton.h - sampling of Compton (incoherent) scattering.
 *
 * The scattering angle is drawn from the Klein-Nishina cross section
 * (Klein & Nishina, Z. Phys. 52:853, 1929) by the mixture-and-rejection method
 * of Butcher & Messel (Nucl. Phys. 20:15, 1960), and, in the default model,
 * thinned by the material's incoherent scattering function:
 *     dsigma/dOmega = dsigma_KN/dOmega * S_mat(q),
 *     S_mat(q) = sum_i n_i S(q, Z_i) / sum_i n_i Z_i  in [0, 1],
 * with n_i the atoms of element i per gram, S from xraylib SF_Compt (Hubbell
 * et al., J. Phys. Chem. Ref. Data 4:471, 1975) and q = sin(theta/2)/lambda
 * the momentum transfer in 1/Angstrom.  This is exactly the angular
 * distribution of xraylib's DCS_Compt summed over the elements.  The plain
 * Klein-Nishina model (free electrons at rest) skips the thinning; it changes
 * only the angle, not the interaction rate, which always comes from xraylib's
 * incoherent cross section (see xsec.h).  Doppler broadening of the scattered
 * energy is not modelled: E' follows the Compton relation exactly.
 *
 * S_mat is tabulated once per material (build); sampling allocates nothing.
 * Each attempt takes two uniforms of 32 bits (one 64-bit draw; their 2^-32
 * resolution bounds the error of the sampled law by 2.3e-10 in probability,
 * rng.h): one picks the part of the Butcher-Messel
 * mixture and, rescaled, samples within it; one accepts with probability
 * g S_mat(q), the product of the Klein-Nishina and S(q) acceptances.  It is
 * tested first against a lower bound of S_mat valid at large q (a squeeze), so
 * the table, and its logarithm, are read only for small angles or uniforms
 * near the bound; the decisions are those of the plain lookup.
 */
#ifndef MIST_PHYSICS_COMPTON_H
#define MIST_PHYSICS_COMPTON_H

#include "core/rng.h"
#include "core/status.h"
#include "model/material.h"

/* Electron rest energy [keV]: CODATA 2018, 0.51099895000 MeV. */
#define MIST_ELECTRON_MASS_KEV 510.99895
/* h c [keV Angstrom]: CODATA 2018 (exact SI constants), 12.398419843320026. */
#define MIST_HC_KEV_ANGSTROM 12.398419843320026

typedef enum mist_compton_model {
    MIST_COMPTON_SCATTER_FUNCTION = 0, /**< Klein-Nishina x S(q,Z) (default) */
    MIST_COMPTON_KLEIN_NISHINA = 1     /**< free electrons at rest */
} mist_compton_model;

#define MIST_COMPTON_NQ 385          /**< table points: 64 per decade of q */
#define MIST_COMPTON_Q_MIN 1.0e-3    /**< [1/Angstrom] below: S_mat taken as 0 */
#define MIST_COMPTON_Q_MAX 1.0e3     /**< [1/Angstrom] above: S_mat taken as its last value */

typedef struct mist_compton_table {
    double s_norm[MIST_COMPTON_NQ]; /**< S_mat(q) at q = Q_MIN 10^(k/64), in [0, 1] */
    double q2_sat;                  /**< [1/Angstrom^2] from this q^2 on, S_mat(q) >= s_sat */
    double s_sat;                   /**< lower bound of S_mat(q) for q^2 >= q2_sat */
} mist_compton_table;

/* Tabulate S_mat for a material. */
mist_status mist_compton_build(const mist_material *m, mist_compton_table *out, mist_error *err);

/* S_mat(q) from the table (linear in log q). */
double mist_compton_s_norm(const mist_compton_table *t, double q_inv_angstrom);

/* Momentum transfer q = sin(theta/2) E / (h c) [1/Angstrom] for energy e_keV and cos(theta). */
double mist_compton_q(double e_keV, double cos_theta);

/* Scattered photon energy [keV] by the Compton relation. */
static inline double mist_compton_energy(double e_keV, double cos_theta)
{
    return e_keV / (1.0 + e_keV / MIST_ELECTRON_MASS_KEV * (1.0 - cos_theta));
}

/* Sample one scatter of a photon of e_keV: returns the scattered energy [keV] and writes
 * cos(theta).  table may be NULL only for MIST_COMPTON_KLEIN_NISHINA. */
double mist_compton_sample(const mist_compton_table *table, mist_compton_model model,
                           double e_keV, mist_rng *rng, double *cos_theta);

#endif
