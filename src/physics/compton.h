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

#include <math.h>
#include <stdint.h>

#include "core/fastmath.h"
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

/* The same, inline (for the trackers' collisions). */
static inline double mist_compton_sample_inline(const mist_compton_table *table,
                                                mist_compton_model model, double e_keV,
                                                mist_rng *rng, double *cos_theta)
{
    /* Divisions by constants become products with their reciprocals (to within an ulp).  The
     * loop itself has no division: the rejection tests are multiplied through by positive
     * factors, and 1 - cos(theta) is formed once, for the accepted sample. */
    const double k = e_keV * (1.0 / MIST_ELECTRON_MASS_KEV);
    const double eps0 = 1.0 / (1.0 + 2.0 * k);
    const double eps0_sq = eps0 * eps0;
    const double a1 = mist_fast_log(1.0 + 2.0 * k); /* weight of the 1/eps part, -ln eps0 */
    const double a2 = 0.5 * (1.0 - eps0_sq); /* weight of the eps part */
    const double a = a1 + a2;
    const double q_scale = e_keV * (1.0 / MIST_HC_KEV_ANGSTROM);
    const double q2_scale = 0.5 * q_scale * q_scale; /* q^2 = q2_scale (1 - cos theta) */
    for (;;) {
        /* eps = E'/E from f(eps) ~ (1/eps + eps) on [eps0, 1]: the 1/eps part (eps = eps0^v)
         * with probability p1 = a1 / a, else the eps part.  The uniform u that picks the part,
         * rescaled to [0, 1) within it, is uniform and independent of the choice: it serves
         * as v.  In terms of u a: the 1/eps part when u a < a1, with eps = exp(-u a); the eps
         * part otherwise, eps^2 = eps0^2 + (1 - eps0^2) v with v = (u a - a1) / a2, i.e.
         * eps^2 = eps0^2 + 2 (u a - a1) since 1 - eps0^2 = 2 a2. */
        /* u and w: two 32-bit uniforms (mist_rng_uniform32), the halves of one 64-bit draw. */
        double u = mist_rng_uniform32(rng);
        double w = mist_rng_uniform32(rng);
        double ua = u * a;
        /* Both candidates, then a select by bit mask: the part is a coin toss (p1 = 0.71 at
         * 511 keV), which a branch predictor gets wrong about a third of the time. */
        double eps_inv = mist_fast_exp(-ua);
        double lin2 = eps0_sq + 2.0 * (ua - a1); /* < eps0^2 when the 1/eps part is taken */
        double eps_lin = sqrt(fabs(lin2)); /* any value will do when lin2 < 0 */
        uint64_t inv_part = -(uint64_t)(ua < a1);
        double eps = mist_fm_asdouble((mist_fm_asuint64(eps_inv) & inv_part) |
                                      (mist_fm_asuint64(eps_lin) & ~inv_part));
        /* 1 - cos(theta) = t / m with t = 1 - eps, m = eps k (Compton relation), so
         * sin^2(theta) = (1 - cos)(2 - (1 - cos)) = t (2 m - t) / m^2. */
        double t = 1.0 - eps, m = eps * k;
        double m2 = m * m, sin2_m2 = t * (2.0 * m - t);
        /* Accept with probability g = 1 - eps sin^2(theta) / (1 + eps^2) (Butcher & Messel
         * 1960), times S_mat(q) in the default model: one uniform w decides both, as
         * w <= g S_mat, tested as w (1 + eps^2) m^2 <= g (1 + eps^2) m^2 S_mat.  Since
         * S_mat <= 1, w > g rejects at once; the squeeze S_mat(q) >= s_sat at large q
         * (q^2 = q2_scale t / m >= q2_sat) accepts w <= g s_sat without the table. */
        double den = 1.0 + eps * eps;
        double wd = w * den * m2, gd = den * m2 - eps * sin2_m2;
        if (wd > gd)
            continue;
        if (model == MIST_COMPTON_SCATTER_FUNCTION &&
            !(q2_scale * t >= table->q2_sat * m && wd <= gd * table->s_sat) &&
            wd > gd * mist_compton_s_norm(table, q_scale * sqrt(0.5 * t / m)))
            continue;
        double c = 1.0 - t / m;
        *cos_theta = c < -1.0 ? -1.0 : c;
        return eps * e_keV;
    }
}

#endif
