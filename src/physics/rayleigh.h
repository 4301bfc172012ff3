/*
 * rayleigh.h - sampling of Rayleigh (coherent) scattering.
 *
 * The angular distribution is the Thomson cross section weighted by the
 * square of the atomic form factor,
 *     dsigma/dOmega ~ (1 + cos^2 theta) / 2 * F_mat^2(q),
 *     F_mat^2(q) = sum_i n_i F(q, Z_i)^2 / sum_i n_i,
 * with F from xraylib FF_Rayl (Hubbell & Overbo, J. Phys. Chem. Ref. Data
 * 8:69, 1979), n_i the atoms of element i per gram, q = sin(theta/2)/lambda
 * [1/Angstrom] (anomalous scattering factors are neglected, as in xraylib's
 * DCS_Rayl).  Since q^2 = (E/hc)^2 (1 - cos theta)/2, cos(theta) is linear in
 * x = q^2: x is drawn from F_mat^2(x) dx on [0, x_max(E)] by inverting its
 * cumulative integral, tabulated once per material on a log grid of x with
 * F_mat^2 linear in x inside each cell (the inversion is exact for that
 * interpolant), then accepted with probability (1 + cos^2 theta)/2 >= 1/2
 * (the method of PENELOPE, Salvat et al., NEA 2015, s. 2.1).  The photon
 * energy is unchanged.  Sampling allocates nothing.
 */
#ifndef MIST_PHYSICS_RAYLEIGH_H
#define MIST_PHYSICS_RAYLEIGH_H

#include "core/rng.h"
#include "core/status.h"
#include "model/material.h"

#define MIST_RAYLEIGH_NX 1024      /**< table points in x = q^2 */
#define MIST_RAYLEIGH_X_MIN 1.0e-6 /**< [1/Angstrom^2] first non-zero grid point */
#define MIST_RAYLEIGH_X_MAX 3.0e4  /**< [1/Angstrom^2] covers q_max at 2048 keV (27 300) */

typedef struct mist_rayleigh_table {
    double x[MIST_RAYLEIGH_NX];   /**< q^2 [1/Angstrom^2]: 0, then log-spaced */
    double f2[MIST_RAYLEIGH_NX];  /**< F_mat^2 at x */
    double cum[MIST_RAYLEIGH_NX]; /**< integral of F_mat^2 from 0 to x */
    double ln_x_min, inv_dln_x;   /**< grid constants for locating x */
} mist_rayleigh_table;

/* Tabulate F_mat^2 and its integral for a material. */
mist_status mist_rayleigh_build(const mist_material *m, mist_rayleigh_table *out, mist_error *err);

/* Sample cos(theta) of one Rayleigh scatter of a photon of e_keV (<= 2048 keV). */
double mist_rayleigh_sample(const mist_rayleigh_table *t, double e_keV, mist_rng *rng);

#endif
