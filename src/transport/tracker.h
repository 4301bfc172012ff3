/*
 * tracker.h - what photon tracking in a voxel grid needs, prepared once.
 *
 * A tracker binds a label grid to the physics of its materials: the
 * per-material tables (physics/interact.h), the Woodcock majorant (the
 * largest total attenuation of any material present in the grid, tabulated
 * on the cross-section energy grid; log-log interpolation of the pointwise
 * maximum bounds every material's interpolated value, so it is a true
 * majorant at every energy; mist_tracker_majorant), the flight majorants of
 * woodcock.h (one per energy bin of 1/64 octave, linear in energy inside each
 * octave: the largest mu of any material in the grid anywhere in the bin,
 * raised by 1e-9, and, per material and bin, the bounds of mu / majorant as
 * thresholds on a 32-bit random draw), and the physics options.  It is
 * read-only while photons are tracked, so threads may share one.
 *
 * The two trackers, woodcock.h (delta tracking, fast) and raytrace.h
 * (voxel-by-voxel, the reference), share the helpers below: entering the
 * grid, the distance to its boundary, and the collision.
 *
 * Looking up a voxel's label at a random point of a large grid misses the
 * cache (an 8 MB grid for the 200 mm bench cylinder): the tracker keeps a
 * coarse map of 8 x 8 x 8 voxel blocks holding the block's label when it is
 * uniform, so only points in mixed blocks read the full grid.
 */
#ifndef MIST_TRANSPORT_TRACKER_H
#define MIST_TRANSPORT_TRACKER_H

#include <stddef.h>
#include <stdint.h>

#include "core/fastmath.h"
#include "core/rng.h"
#include "core/status.h"
#include "model/material.h"
#include "physics/interact.h"
#include "transport/collide.h"
#include "transport/photon.h"
#include "transport/voxel_grid.h"

#define MIST_TRACKER_ZIG_LAYERS 256

/* Energy bins of the flight majorant: 64 per octave from 1 keV, linear inside each octave
 * (the bin is the float exponent and the top 6 mantissa bits of the energy, no logarithm),
 * 1 .. 2048 keV. */
#define MIST_TRACKER_EBIN_PER_OCTAVE 64
#define MIST_TRACKER_N_EBINS (MIST_XSEC_OCTAVES * MIST_TRACKER_EBIN_PER_OCTAVE)

/* Per material and energy bin: a real collision is certain when the 32-bit draw k is below
 * lo, impossible when k >= hi; between them mu is computed (woodcock.c).  A real collision is
 * a Compton scatter for sure when its own 32-bit draw (mist_interact_choose's) is below
 * compton, the least Compton fraction in the bin, without locating the energy. */
typedef struct mist_tracker_squeeze {
    uint32_t lo, hi, compton;
} mist_tracker_squeeze;

typedef struct mist_tracker {
    const mist_voxel_grid *grid; /**< borrowed; must outlive the tracker */
    size_t n_materials;
    mist_physics_material *materials; /**< [n_materials], owned */
    uint8_t label_material[256];      /**< material index of each label in use */
    double ln_majorant[MIST_XSEC_N];  /**< ln(max mu [1/mm]) over materials in the grid */
    double neg_ln_majorant[MIST_XSEC_N]; /**< -ln_majorant: its interpolant gives 1/mu_max */
    /** Per energy bin (mist_tracker_energy_bin): 1 / the bin's flight majorant [mm], the
     *  largest mu of any material in the grid anywhere in the bin, times (1 + 1e-9). */
    double inv_bin_majorant[MIST_TRACKER_N_EBINS];
    /** [n_materials][MIST_TRACKER_N_EBINS]: bounds of mu / (bin majorant) in the bin as
     *  thresholds on a 32-bit draw; owned */
    mist_tracker_squeeze *squeeze;
    mist_physics_options options;
    /** Ziggurat of the unit exponential (mist_tracker_exponential): layer edges
     *  zig_x[0] = V / exp(-R), zig_x[1] = R, ..., zig_x[256] = 0, and zig_f = exp(-zig_x). */
    double zig_x[MIST_TRACKER_ZIG_LAYERS + 1];
    double zig_f[MIST_TRACKER_ZIG_LAYERS + 1];
    double lo_mm[3], hi_mm[3]; /**< [mm] the grid's box */
    double inv_voxel_mm[3];    /**< [1/mm] */
    size_t nb[3];              /**< blocks of 8^3 voxels along x, y, z (rounded up) */
    uint16_t *block_label;     /**< [nb2][nb1][nb0]: the label filling a block, or
                                    MIST_TRACKER_MIXED; owned */
    double n_voxels[3];        /**< the grid's voxel counts as doubles (mist_tracker_find) */
} mist_tracker;

#define MIST_TRACKER_BLOCK_LOG2 3
#define MIST_TRACKER_MIXED 0xFFFFu

/* Prepare tracking in grid, whose label map indexes materials[0 .. n_materials-1].  Every
 * label present in the grid must map to a material.  opt NULL: default options. */
mist_status mist_tracker_create(const mist_voxel_grid *grid, const mist_material *materials,
                                size_t n_materials, const mist_physics_options *opt,
                                mist_tracker **out, mist_error *err);

void mist_tracker_free(mist_tracker *t);

/* A unit-mean exponential variate (the flight length in mean free paths) by the ziggurat
 * method (Marsaglia & Tsang, J. Stat. Softw. 5(8), 2000): one 64-bit draw picks a layer (its
 * low 8 bits) and a point in it (its high 52 bits); 98.9 % of draws end there, with no
 * logarithm.  The method is exact: the tables' layer areas agree to 2e-12 (tracker.c). */
static inline double mist_tracker_exponential(const mist_tracker *t, mist_rng *rng)
{
    for (;;) {
        uint64_t hi = mist_rng_u32(rng); /* two statements: the draws' order is fixed */
        uint64_t bits = hi << 32 | mist_rng_u32(rng);
        unsigned i = (unsigned)(bits & 0xFFu);
        double u = (double)(bits >> 12) * 0x1.0p-52;
        double x = u * t->zig_x[i];
        if (x < t->zig_x[i + 1])
            return x; /* inside the layer's rectangle under the curve */
        /* The base layer's tail beyond R: R plus an exponential (memoryless). */
        if (i == 0)
            return t->zig_x[1] - log(mist_rng_uniform_pos(rng));
        if (t->zig_f[i + 1] + (t->zig_f[i] - t->zig_f[i + 1]) * mist_rng_uniform(rng) < exp(-x))
            return x; /* in the layer's wedge, under the curve */
    }
}

/* Majorant [1/mm] at a located energy. */
static inline double mist_tracker_majorant(const mist_tracker *t, mist_xsec_point p)
{
    return mist_xsec_interp(t->ln_majorant, p);
}

/* The majorant bin of an energy [keV] (energies outside 1 .. 2048 keV clamp to the end bins,
 * as mist_xsec_locate clamps them to the grid's ends). */
static inline int mist_tracker_energy_bin(double e_keV)
{
    int64_t b = (int64_t)(mist_fm_asuint64(e_keV) >> 46) - (int64_t)(0x3ff << 6);
    if (b < 0)
        b = 0;
    if (b > MIST_TRACKER_N_EBINS - 1)
        b = MIST_TRACKER_N_EBINS - 1;
    return (int)b;
}

/* 1 / majorant [mm] at a located energy, without a division (the log-log interpolant of
 * -ln mu_max is minus that of ln mu_max, exactly). */
static inline double mist_tracker_inv_majorant(const mist_tracker *t, mist_xsec_point p)
{
    return mist_xsec_interp(t->neg_ln_majorant, p);
}

/* Material index of the voxel holding pos_mm, which must be inside the box (positions on or
 * rounding across the boundary are clamped to the edge voxels). */
static inline int mist_tracker_material_at(const mist_tracker *t, const double pos_mm[3])
{
    const mist_voxel_grid *g = t->grid;
    long ijk[3];
    for (int a = 0; a < 3; a++) {
        long v = (long)((pos_mm[a] - t->lo_mm[a]) * t->inv_voxel_mm[a]);
        if (v < 0)
            v = 0;
        if (v >= (long)g->n[a])
            v = (long)g->n[a] - 1;
        ijk[a] = v;
    }
    size_t b = (((size_t)ijk[2] >> MIST_TRACKER_BLOCK_LOG2) * t->nb[1] +
                ((size_t)ijk[1] >> MIST_TRACKER_BLOCK_LOG2)) * t->nb[0] +
               ((size_t)ijk[0] >> MIST_TRACKER_BLOCK_LOG2);
    unsigned label = t->block_label[b];
    if (label == MIST_TRACKER_MIXED)
        label = g->labels[((size_t)ijk[2] * g->n[1] + (size_t)ijk[1]) * g->n[0] + (size_t)ijk[0]];
    return t->label_material[label];
}

/* Whether pos_mm lies in the grid's box and, if so, the material index of its voxel in *mi:
 * mist_tracker_inside and mist_tracker_material_at in one, the position's voxel coordinates
 * computed once.  The box test is on those coordinates, 0 <= (pos - lo) / voxel <= n, which
 * is the closed box up to the rounding of the product at its far faces. */
static inline int mist_tracker_find(const mist_tracker *t, const double pos_mm[3], int *mi)
{
    double g[3];
    for (int a = 0; a < 3; a++)
        g[a] = (pos_mm[a] - t->lo_mm[a]) * t->inv_voxel_mm[a];
    /* Bitwise &: six compares without six branches. */
    if (!((g[0] >= 0.0) & (g[0] <= t->n_voxels[0]) & (g[1] >= 0.0) & (g[1] <= t->n_voxels[1]) &
          (g[2] >= 0.0) & (g[2] <= t->n_voxels[2])))
        return 0;
    const mist_voxel_grid *gr = t->grid;
    size_t ijk[3];
    for (int a = 0; a < 3; a++) {
        long v = (long)g[a]; /* g >= 0: truncation is the floor (and cheaper to size_t) */
        ijk[a] = (size_t)(v < (long)gr->n[a] ? v : (long)gr->n[a] - 1); /* g = n: far face */
    }
    size_t b = ((ijk[2] >> MIST_TRACKER_BLOCK_LOG2) * t->nb[1] +
                (ijk[1] >> MIST_TRACKER_BLOCK_LOG2)) * t->nb[0] +
               (ijk[0] >> MIST_TRACKER_BLOCK_LOG2);
    unsigned label = t->block_label[b];
    if (label == MIST_TRACKER_MIXED)
        label = gr->labels[(ijk[2] * gr->n[1] + ijk[1]) * gr->n[0] + ijk[0]];
    *mi = t->label_material[label];
    return 1;
}

/* Whether pos_mm lies in the grid's closed box. */
static inline int mist_tracker_inside(const mist_tracker *t, const double pos_mm[3])
{
    /* Bitwise & rather than &&: six compares without six branches. */
    return (pos_mm[0] >= t->lo_mm[0]) & (pos_mm[0] <= t->hi_mm[0]) & (pos_mm[1] >= t->lo_mm[1]) &
           (pos_mm[1] <= t->hi_mm[1]) & (pos_mm[2] >= t->lo_mm[2]) & (pos_mm[2] <= t->hi_mm[2]);
}

/* Distance [mm] from pos_mm (inside the box) along dir to the box's boundary. */
double mist_tracker_exit_distance(const mist_tracker *t, const double pos_mm[3],
                                  const double dir[3]);

/* Bring a photon to the grid: one inside stays; one outside moves to where its ray enters the
 * box (path and time unchanged: the space outside the grid is vacuum to the tracker).  Returns
 * 0 and marks the photon ESCAPED when the ray misses the box. */
int mist_tracker_enter(const mist_tracker *t, mist_photon *p);

/* A real collision of photon p in material m at located energy e: photoabsorption, Compton
 * or Rayleigh scattering, and the cut-off, with the tracker's options (transport/collide.h).
 * Updates energy, direction, counters, deposit and fate. */
static inline void mist_tracker_collide(const mist_tracker *t, const mist_physics_material *m,
                                        mist_photon *p, mist_xsec_point e, mist_rng *rng)
{
    mist_collide(&t->options, m, p, e, rng);
}

#endif
