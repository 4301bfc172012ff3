/*
 * source.h - where decays happen: the activity map of a phantom at a frame and
 * the sampling of decay positions from it.
 *
 * Activity per voxel [Bq] at time t after injection:
 *  - tissues whose uptake class is a tracer class (adipose ... node_met, see
 *    physics/tracer.h): the tracer's concentration [Bq/mL per MBq injected,
 *    physical decay included] x injected MBq x voxel volume [mL];
 *  - tissues with uptake "fixed" (validation phantoms): relative_activity x
 *    voxel volume, scaled so that the fixed tissues together hold the
 *    injected activity decayed to t (the injected activity is then the
 *    phantom's activity at t = 0);
 *  - uptake "none": no activity.
 * A voxel that a lesion covers in part holds f x (lesion's activity) +
 * (1 - f) x (activity of the tissue under it), f its exact partial volume.
 *
 * Components (mist_source_build_component): emission restricted to one part of
 * the activity, the phantom (materials, densities) unchanged:
 *  - MIST_COMPONENT_BACKGROUND (tissue label l): the lesion-free background's
 *    class l: voxels of label l, and every lesion voxel whose tissue beneath
 *    (pv_under) is l, at l's concentration over the whole voxel (a lesion
 *    voxel counts as the host tissue it replaced);
 *  - MIST_COMPONENT_LESION (lesion index i): lesion i's excess activity,
 *    f (a_lesion - a_host) x voxel volume over its partial-volume voxels (a
 *    voxel that a later lesion also covers belongs to the later one, as in the
 *    full map);
 *  - MIST_COMPONENT_TISSUE (label l): tissue class l's share of every voxel
 *    (f to the lesion's class, 1 - f to the class beneath in lesion voxels):
 *    non-negative, and with `unit` at 1 Bq/mL whatever the tracer (the basis
 *    data of engine/basis.h).
 * The full map is built as the sum of the background and lesion components
 * (float32 components added in double, rounded once), so
 *     sum_l BACKGROUND(l) + sum_i LESION(i) == ALL
 * holds voxel by voxel after that same rounding, bit for bit; the TISSUE
 * components add up to ALL within float32 rounding.  A lesion whose excess is
 * negative (colder than its host) gives the map of |excess| and sign = -1 (its
 * data are to be subtracted); a lesion whose excess changes sign across its
 * voxels (hosts hotter and colder than it) is refused.  A component may be
 * empty (total_Bq = 0, n_active = 0: a lesion of its host's own uptake); the
 * full map may not.  `scale` multiplies the component's map.
 *
 * Sampling: a voxel by Walker/Vose alias table over the active voxels (O(1),
 * one packed 16-byte entry per column: one memory access per decay), then a
 * point uniform inside it.  Densities are kept to 1e-4 g/cm3 (the positron
 * range's scale), so an active voxel denser than 6.5535 g/cm3 is refused.  The voxel's density is returned for the
 * positron range.  Built once per run; sampling allocates nothing.
 */
#ifndef MIST_TRANSPORT_SOURCE_H
#define MIST_TRANSPORT_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "core/status.h"
#include "model/phantom.h"
#include "physics/alias.h"
#include "physics/tracer.h"

/* One column of the voxel alias table, packed so that a sample touches one
 * 16-byte entry (one cache line) instead of four arrays: the column's voxel and
 * its alias's voxel, the coin's threshold (keep the column when a 32-bit coin is
 * below it) and both voxels' densities in units of 1e-4 g/cm3. */
typedef struct mist_source_entry {
    uint32_t keep;         /**< keep the column when coin < keep (probability keep / 2^32) */
    uint32_t voxel;        /**< voxel of this column */
    uint32_t alias_voxel;  /**< voxel taken otherwise */
    uint16_t rho;          /**< [1e-4 g/cm3] density of voxel */
    uint16_t alias_rho;    /**< [1e-4 g/cm3] density of alias_voxel */
} mist_source_entry;

typedef struct mist_source {
    const mist_phantom *phantom; /**< borrowed */
    float *activity_Bq;          /**< [voxels] activity at time t [Bq] */
    float *density_g_cm3;        /**< [voxels] mass density (partial volumes mixed) */
    double total_Bq;             /**< [Bq] sum of the map */
    size_t n_active;             /**< voxels with activity = alias columns */
    mist_source_entry *table;    /**< [n_active] Walker/Vose alias table, packed */
    int sign;                    /**< +1, or -1 for a negative lesion excess (map = |excess|) */
} mist_source;

typedef enum mist_component_kind {
    MIST_COMPONENT_ALL = 0,
    MIST_COMPONENT_TISSUE,
    MIST_COMPONENT_BACKGROUND,
    MIST_COMPONENT_LESION
} mist_component_kind;

typedef struct mist_component {
    mist_component_kind kind;
    int index;    /**< tissue label (TISSUE, BACKGROUND) or lesion index (LESION) */
    int unit;     /**< TISSUE: 1 Bq/mL instead of the tracer's concentration */
    double scale; /**< multiplies the map (0 counts as 1) */
} mist_component;

/* Activity concentration [Bq/mL] of every label of ph at t_s after injecting injected_MBq of
 * tr, as the activity map uses it (conc[MIST_PHANTOM_MAX_TISSUES]; 0 for "none").  Errors:
 * a tracer class with no tracer. */
mist_status mist_source_concentrations(const mist_phantom *ph, const mist_tracer *tr,
                                       double injected_MBq, double t_s, double *conc,
                                       mist_error *err);

/* The activity map of one component (c NULL: the full map, as mist_source_build). */
mist_status mist_source_build_component(mist_source *s, const mist_phantom *ph,
                                        const mist_tracer *tr, double injected_MBq, double t_s,
                                        const mist_component *c, mist_error *err);

/* Activity map of phantom ph at t_s after injecting injected_MBq of tracer tr
 * (tr may be NULL when every tissue's uptake is "fixed" or "none").  Errors:
 * a tracer class with no tracer, a map without activity. */
mist_status mist_source_build(mist_source *s, const mist_phantom *ph, const mist_tracer *tr,
                              double injected_MBq, double t_s, mist_error *err);
void mist_source_free(mist_source *s);

/* A decay position [mm] and the density [g/cm3] of its voxel. */
/* A decay's alias column: 64 random bits times n, whose integer part over 2^64 picks the
 * column and whose next 32 bits are the coin (mist_alias_draw; kept in the returned value's low 32 bits; the column in
 * the high 32).  The column's entry is prefetched: drawing the next decay's column one
 * decay ahead hides the memory latency of a table far larger than the caches. */
static inline uint64_t mist_source_pick(const mist_source *s, mist_rng *rng)
{
    uint64_t d = mist_alias_draw(s->n_active, rng);
    __builtin_prefetch(&s->table[d >> 32]);
    return d;
}

/* The decay position [mm] of a picked column (a point uniform in the voxel, on a grid of
 * 2^-21 of the voxel: one 64-bit draw, mist_rng_uniform3_21) and the density [g/cm3] of its
 * voxel. */
static inline void mist_source_place(const mist_source *s, uint64_t pick, mist_rng *rng,
                                     double pos_mm[3], double *density_g_cm3)
{
    const mist_phantom *p = s->phantom;
    const mist_source_entry *e = &s->table[pick >> 32];
    /* Branch-free selection (the coin is a coin toss, which a branch predictor cannot learn):
     * other is all ones when the alias is taken. */
    uint32_t other = -(uint32_t)((uint32_t)pick >= e->keep);
    size_t v = (e->voxel & ~other) | (e->alias_voxel & other);
    *density_g_cm3 = 1e-4 * (double)((e->rho & ~other) | (e->alias_rho & other));
    size_t i = v % p->n[0], j = (v / p->n[0]) % p->n[1], k = v / (p->n[0] * p->n[1]);
    double u[3];
    mist_rng_uniform3_21(rng, u);
    pos_mm[0] = p->origin_mm[0] + ((double)i + u[0] - 0.5) * p->voxel_mm[0];
    pos_mm[1] = p->origin_mm[1] + ((double)j + u[1] - 0.5) * p->voxel_mm[1];
    pos_mm[2] = p->origin_mm[2] + ((double)k + u[2] - 0.5) * p->voxel_mm[2];
}

/* Pick and place in one call. */
static inline void mist_source_sample(const mist_source *s, mist_rng *rng, double pos_mm[3],
                                      double *density_g_cm3)
{
    mist_source_place(s, mist_source_pick(s, rng), rng, pos_mm, density_g_cm3);
}

#endif
