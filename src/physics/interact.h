/*
 * interact.h - what happens at a photon's real collision.
 *
 * Bundles, per material, everything the collision needs (cross-section table,
 * Compton S(q) table, Rayleigh form-factor table), built once at set-up, and
 * the small verbs of a collision: choose the process from the partial cross
 * sections, turn the direction by a sampled polar angle, and the physics
 * options.  The trackers (transport/woodcock.h, transport/raytrace.h) call
 * them; nothing here allocates per photon.
 *
 * Photoelectric absorption ends the photon and deposits its energy locally:
 * fluorescence x-rays and Auger electrons are not followed (they matter only
 * within millimetres of high-Z surfaces, e.g. Pb K x-rays of 75 keV escaping a
 * collimator septum).  Photons falling below the energy cut-off are absorbed
 * in place the same way.  Compton electrons deposit locally.
 */
#ifndef MIST_PHYSICS_INTERACT_H
#define MIST_PHYSICS_INTERACT_H

#include <math.h>

#include "core/fastmath.h"
#include "core/rng.h"
#include "core/status.h"
#include "model/material.h"
#include "physics/compton.h"
#include "physics/rayleigh.h"
#include "physics/xsec.h"

/* Default energy cut-off [keV]: below it a photon's mean free path in soft tissue is under
 * 0.2 mm (water mu/rho 5.3 cm2/g at 10 keV, xraylib), far below a voxel. */
#define MIST_PHYSICS_DEFAULT_CUTOFF_KEV 10.0

typedef struct mist_physics_options {
    double cutoff_keV;                /**< [keV] photons below are absorbed locally (>= 1) */
    mist_compton_model compton_model; /**< angular model of Compton scattering */
    int rayleigh;                     /**< 1: Rayleigh scattering on; 0: coherent events
                                           leave the photon unchanged (no Rayleigh) */
} mist_physics_options;

/* Cut-off 10 keV, Klein-Nishina x S(q), Rayleigh on. */
mist_physics_options mist_physics_default_options(void);

typedef struct mist_physics_material {
    mist_material material;       /**< composition and density */
    mist_xsec xsec;               /**< mu(E) tables [1/mm] */
    mist_compton_table compton;   /**< S_mat(q) */
    mist_rayleigh_table rayleigh; /**< F_mat^2(q^2) and its integral */
} mist_physics_material;

/* Build all tables of a material (a few ms). */
mist_status mist_physics_material_build(const mist_material *m, mist_physics_material *out,
                                        mist_error *err);

typedef enum mist_interaction {
    MIST_INTERACTION_PHOTO = 0,
    MIST_INTERACTION_COMPTON = 1,
    MIST_INTERACTION_RAYLEIGH = 2
} mist_interaction;

/* Choose the process of a real collision at a located energy, from the branching fractions
 * of the partial cross sections (mist_xsec_fractions). */
static inline mist_interaction mist_interact_choose(const mist_physics_material *pm,
                                                    mist_xsec_point p, mist_rng *rng)
{
    double co, ph;
    mist_xsec_fractions(&pm->xsec, p, &co, &ph);
    /* A 32-bit uniform (mist_rng_uniform32): branching ratios to 2^-32. */
    double u = mist_rng_uniform32(rng);
    if (u < co)
        return MIST_INTERACTION_COMPTON;
    if (u < co + ph)
        return MIST_INTERACTION_PHOTO;
    return MIST_INTERACTION_RAYLEIGH;
}

/* Turn unit vector dir by polar angle theta (given by cos_theta) and a uniform azimuth. */
void mist_interact_rotate(double dir[3], double cos_theta, mist_rng *rng);

/* The same, inline (for the trackers' collisions). */
static inline void mist_interact_rotate_inline(double dir[3], double cos_theta, mist_rng *rng)
{
    /* Azimuth phi uniform from one 32-bit output (resolution 1.5e-9 rad, far below anything a
     * detector resolves), its cosine and sine from a table and short polynomials, exact to
     * 4e-16 (core/fastmath.h): no rejection loop, no trigonometric call. */
    double c2, s2; /* cos phi, sin phi */
    mist_fast_sincos_2pi_u32(mist_rng_u32(rng), &c2, &s2);
    double sin2_t = 1.0 - cos_theta * cos_theta;
    if (sin2_t < 0.0)
        sin2_t = 0.0;
    double ux = dir[0], uy = dir[1], uz = dir[2];
    double nx, ny, nz;
    double perp2 = 1.0 - uz * uz;
    if (perp2 < 1e-10) {
        double sgn = uz >= 0.0 ? 1.0 : -1.0;
        double w = sqrt(sin2_t);
        nx = w * c2;
        ny = w * s2;
        nz = sgn * cos_theta;
    } else {
        /* sin(theta) perp in one square root, sin(theta) / perp in one division. */
        double st_perp = sqrt(sin2_t * perp2);
        double w = st_perp / perp2;
        nx = w * (ux * uz * c2 - uy * s2) + ux * cos_theta;
        ny = w * (uy * uz * c2 + ux * s2) + uy * cos_theta;
        nz = -w * perp2 * c2 + uz * cos_theta;
    }
    /* The result is a unit vector up to rounding; renormalise only when rounding has
     * accumulated (|n|^2 off by more than 1e-12), which keeps |dir| = 1 to 1e-12. */
    double n2 = nx * nx + ny * ny + nz * nz;
    if (fabs(n2 - 1.0) > 1e-12) {
        double inv_n = 1.0 / sqrt(n2);
        nx *= inv_n;
        ny *= inv_n;
        nz *= inv_n;
    }
    dir[0] = nx;
    dir[1] = ny;
    dir[2] = nz;
}

#endif
