/*
 * collimator.h - parallel-hole collimators: the explicit hole array and the
 * two ways mist sends photons through it.
 *
 * Lattice (frame of detector/spect_camera.h, u = x, v = y on the face): hole
 * centres on a triangular lattice of pitch p = d + t (hexagonal holes, flats
 * normal to 0, 60 and 120 degrees) or a square lattice (square holes), one
 * centre at the origin (square: at (p/2, p/2), registered to pixels of the pitch); a hole is |(r - c) . e_k| <= d / 2 for the lattice's
 * unit vectors e_k, so neighbouring holes are separated by septa of
 * thickness t.  The array is extruded from w = 0 to w = L.
 *
 * Full Monte Carlo (the reference, mist_collimator_track): the photon is
 * delta-tracked through the slab with the septal material's attenuation as
 * the majorant; a flight ending in a hole is a virtual collision, one ending
 * in a septum a real one (photoabsorption, Compton, Rayleigh:
 * transport/collide.h).  After photoabsorption above the K edge the septum
 * emits a K fluorescence X-ray (for lead about 73-85 keV) with probability
 * (1 - 1/J_K) omega_K, taken from xraylib (JumpFactor, FluorYield, RadRate,
 * LineEnergy), which is tracked on.  So penetration, septal scatter and the
 * lead X-rays happen as they do.
 *
 * Fast model (mist_collimator_transmission): a photon reaching the face with
 * direction slopes t = (du/dw, dv/dw) passes with probability
 *     T(t, E) = < exp(-mu(E) l(x0, t)) >_x0,
 * the mean over entrance points x0 in a lattice cell of the straight ray's
 * path length l in the septa (l = 0 is geometric acceptance, l > 0
 * penetration), and goes on in a straight line.  T is tabulated once
 * (mist_collimator_init) on a polar grid of t (160 radii up to |t| = 1,
 * quadratic spacing; 7 azimuths over the lattice's symmetry sector) and a
 * logarithmic grid of mu, from exact ray walks through the lattice
 * (mist_collimator_septal_path) at stratified entrance points.  Rays steeper
 * than 45 degrees are taken as absorbed.  The fast model has no septal
 * scatter and no lead X-rays.
 *
 * Forced detection samples directions toward a head from the table's
 * angular distribution (mist_collimator_sample_slope) and weights them.
 */
#ifndef MIST_DETECTOR_COLLIMATOR_H
#define MIST_DETECTOR_COLLIMATOR_H

#include <stddef.h>

#include "core/rng.h"
#include "core/status.h"
#include "detector/spect_camera.h"
#include "model/material.h"
#include "physics/alias.h"
#include "physics/interact.h"
#include "transport/photon.h"

#define MIST_COLL_NR 160
#define MIST_COLL_NPHI 7
#define MIST_COLL_NMU 32
#define MIST_COLL_T_MAX 1.0
#define MIST_COLL_MAX_XRAYS 5
#define MIST_COLL_XRAY_FLAG (1u << 15) /**< photon flag: a septal K X-ray (full MC) */

typedef struct mist_collimator {
    mist_collimator_geom g;
    double pitch_mm;          /**< [mm] hole pitch d + t */
    int n_dirs;               /**< lattice unit vectors: 3 hexagonal, 2 square */
    double e[3][2];           /**< the unit vectors e_k */
    double sector_rad;        /**< [rad] symmetry sector: pi/6 hexagonal, pi/4 square */
    int n_sym;                /**< symmetry elements: 12 hexagonal, 8 square */
    mist_physics_material septa;   /**< septal material tables */
    mist_physics_options options;
    /* Fluorescence after photoabsorption in the septa. */
    double k_edge_keV;        /**< [keV] K edge of the heaviest element (0: none) */
    double k_yield;           /**< (1 - 1/J_K) omega_K */
    int n_xrays;
    double xray_keV[MIST_COLL_MAX_XRAYS], xray_cum[MIST_COLL_MAX_XRAYS];
    /* Fast-model table. */
    double geo[MIST_COLL_NR][MIST_COLL_NPHI];                  /**< geometric share (l = 0) */
    double ln_pen[MIST_COLL_NR][MIST_COLL_NPHI][MIST_COLL_NMU]; /**< ln <exp(-mu l); l > 0> */
    double ln_mu0, dln_mu;    /**< mu grid: ln mu_m = ln_mu0 + m dln_mu, mu in 1/mm */
    /* Forced-detection sampling (built by mist_collimator_prepare_fd). */
    mist_alias *fd_alias;     /**< over the cells (k, j) of the table */
    double fd_cell_p[MIST_COLL_NR - 1][MIST_COLL_NPHI - 1]; /**< probability of each cell */
} mist_collimator;

/* Build the collimator of geometry g, with its septal material from materials, and its
 * fast-model table (about 0.5 s). */
mist_status mist_collimator_init(mist_collimator *c, const mist_collimator_geom *g,
                                 const mist_material_list *materials, mist_error *err);
void mist_collimator_free(mist_collimator *c);

/* Septal attenuation [1/mm] at e_keV. */
double mist_collimator_mu(const mist_collimator *c, double e_keV);

/* Whether face point (x, y) [mm] lies in a hole. */
int mist_collimator_in_hole(const mist_collimator *c, double x, double y);

/* Path length [mm] in the septa of the straight ray entering the face at (x0, y0) with slopes
 * (tu, tv) and crossing the whole slab (exact walk through the lattice cells). */
double mist_collimator_septal_path(const mist_collimator *c, double x0, double y0, double tu,
                                   double tv);

/* Fast model: probability that a photon of e_keV with slopes (tu, tv) gets through. */
double mist_collimator_transmission(const mist_collimator *c, double tu, double tv, double e_keV);

/* Share of the fast model's sensitivity (transmission integrated over solid angle) that
 * penetrates septa (l > 0) at e_keV. */
double mist_collimator_penetration_share(const mist_collimator *c, double e_keV);

/* Full Monte Carlo: photon p at the face (pos_mm = (x, y, 0) in the head frame, dir[2] > 0) is
 * tracked through the slab.  Returns 1 with p at the back face (w = L) when it leaves there,
 * 0 when it is absorbed or leaves through the front. */
int mist_collimator_track(const mist_collimator *c, mist_photon *p, mist_rng *rng);

/* Forced detection: prepare sampling of slopes from the table at e_ref_keV. */
mist_status mist_collimator_prepare_fd(mist_collimator *c, double e_ref_keV, mist_error *err);

/* Sample slopes (tu, tv), |t| <= T_MAX, and return their density in the slope plane. */
double mist_collimator_sample_slope(const mist_collimator *c, mist_rng *rng, double *tu,
                                    double *tv);

#endif
