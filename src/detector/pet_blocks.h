/*
 * pet_blocks.h - crystal physics of a PET scanner made of flat detector
 * blocks: photons leaving the phantom are tracked into the blocks and through
 * the crystal material with the same collision physics as the phantom
 * (photoabsorption, Compton, Rayleigh: transport/collide.h), so depth of
 * interaction, inter-crystal scatter and escape happen as they do.
 *
 * Geometry: block k of block ring j is a box of crystals, block_transaxial x
 * block_axial crystals of pitch crystal_transaxial_mm x crystal_axial_mm and
 * depth crystal_depth_mm, whose front face is tangent to the cylinder of
 * radius radius_mm at angle alpha_k = 2 pi (k bt + (bt - 1) / 2) / n (bt
 * crystals per block, n per ring), so that crystal c sits at about angle
 * 2 pi c / n as the sinogram assumes.  Block rings are stacked without gaps,
 * centred on z = 0.  Crystals of a block are contiguous (reflector and gaps
 * inside a block are not modelled); between blocks is vacuum (a photon
 * crossing the gap may enter the neighbouring block).
 *
 * Readout: each readout unit (the whole block by default; the scanner's
 * `readout` key makes it a tile of readout_transaxial x readout_axial crystals,
 * e.g. the Biograph Vision's 5 x 5 mini-blocks, each with its own
 * photodetectors) is one channel.  The energy deposited in a unit by one photon
 * is summed (ideal light collection) and positioned at the energy-weighted
 * centroid of its deposits (Anger logic) or at its first interaction, per the
 * scanner's option; a photon that deposits in two units gives two singles.  A
 * single positioned away from the crystal of the photon's first interaction in
 * the block is flagged as detector scatter.  Dead time (detector/coinc.h) stays
 * per block.
 */
#ifndef MIST_DETECTOR_PET_BLOCKS_H
#define MIST_DETECTOR_PET_BLOCKS_H

#include <math.h>
#include <stdint.h>

#include "core/rng.h"
#include "core/status.h"
#include "detector/pet_scanner.h"
#include "model/material.h"
#include "physics/interact.h"
#include "transport/photon.h"

#define MIST_BLOCKS_MAX_HITS 4 /**< singles one photon can make (blocks it deposits in) */

#define MIST_BLOCKS_MAX_PER_RING 1024

typedef struct mist_pet_blocks {
    const mist_pet_scanner *scanner;
    mist_physics_material crystal; /**< crystal material tables */
    mist_physics_options options;
    double half_w_mm, half_h_mm, depth_mm; /**< [mm] block half-width, half-height, depth */
    mist_xsec_point e_511;                 /**< table point of 511 keV (unscattered photons) */
    double mu_511;                         /**< [1/mm] crystal's total mu there */
    double angle_step;                     /**< [rad] 2 pi / blocks_per_ring */
    double angle0;                         /**< [rad] angle of block 0 */
    double cos_sin[MIST_BLOCKS_MAX_PER_RING][2]; /**< cos, sin of each block's angle */
    double edge[MIST_BLOCKS_MAX_PER_RING][2];    /**< unit vector of the boundary before block k */
} mist_pet_blocks;

/* One block's readout of one photon. */
typedef struct mist_block_hit {
    uint32_t crystal;  /**< positioned crystal (global id) */
    double energy_keV; /**< [keV] deposited energy (before blurring) */
    double time_s;     /**< [s] time of the first deposit in the block */
    int detector_scatter; /**< positioned away from the first interaction's crystal */
} mist_block_hit;

/* Build the tables of the scanner's crystal material, found by name in materials
 * (geometry/materials.yaml).  Errors: material not in the list. */
mist_status mist_pet_blocks_init(mist_pet_blocks *d, const mist_pet_scanner *s,
                                 const mist_material_list *materials, mist_error *err);

/* 1 when a photon at p moving along dir from inside the bore (the front-face cylinder)
 * meets that cylinder beyond an end of the rings and moves on away from them axially: it
 * meets no block, and mist_pet_blocks_detect returns no hit at once (the first test it
 * makes; most photons leaving a phantom go this way, so a caller may skip the call). */
static inline int mist_pet_blocks_past_ends(const mist_pet_blocks *d, const double p[3],
                                            const double dir[3])
{
    double a = dir[0] * dir[0] + dir[1] * dir[1], r2 = p[0] * p[0] + p[1] * p[1];
    double R = d->scanner->radius_mm, half_fov = 0.5 * d->scanner->axial_fov_mm;
    if (!(r2 < R * R && a > 0))
        return 0;
    double b = p[0] * dir[0] + p[1] * dir[1], c = r2 - R * R;
    double t = (-b + sqrt(b * b - a * c)) / a, z = p[2] + t * dir[2];
    return (z - 1e-6 >= half_fov && dir[2] >= 0.0) || (z + 1e-6 < -half_fov && dir[2] <= 0.0);
}

/* Track photon p (outside the blocks, inside the ring or beyond) through the
 * blocks until it is absorbed or leaves them for good; writes up to
 * MIST_BLOCKS_MAX_HITS block readouts and returns their number. */
int mist_pet_blocks_detect(const mist_pet_blocks *d, mist_photon *p, mist_rng *rng,
                           mist_block_hit *hits);

#endif
