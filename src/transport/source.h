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
 * Sampling: a voxel by Walker/Vose alias table over the active voxels (O(1)),
 * then a point uniform inside it.  The voxel's density is returned for the
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

typedef struct mist_source {
    const mist_phantom *phantom; /**< borrowed */
    float *activity_Bq;          /**< [voxels] activity at time t [Bq] */
    float *density_g_cm3;        /**< [voxels] mass density (partial volumes mixed) */
    double total_Bq;             /**< [Bq] sum of the map */
    uint32_t *active;            /**< [n_active] voxel index of each alias outcome */
    size_t n_active;
    mist_alias *alias;           /**< over the active voxels, weights = activity */
} mist_source;

/* Activity map of phantom ph at t_s after injecting injected_MBq of tracer tr
 * (tr may be NULL when every tissue's uptake is "fixed" or "none").  Errors:
 * a tracer class with no tracer, a map without activity. */
mist_status mist_source_build(mist_source *s, const mist_phantom *ph, const mist_tracer *tr,
                              double injected_MBq, double t_s, mist_error *err);
void mist_source_free(mist_source *s);

/* A decay position [mm] and the density [g/cm3] of its voxel. */
static inline void mist_source_sample(const mist_source *s, mist_rng *rng, double pos_mm[3],
                                      double *density_g_cm3)
{
    const mist_phantom *p = s->phantom;
    size_t v = s->active[mist_alias_sample(s->alias, rng)];
    size_t i = v % p->n[0], j = (v / p->n[0]) % p->n[1], k = v / (p->n[0] * p->n[1]);
    pos_mm[0] = p->origin_mm[0] + ((double)i + mist_rng_uniform(rng) - 0.5) * p->voxel_mm[0];
    pos_mm[1] = p->origin_mm[1] + ((double)j + mist_rng_uniform(rng) - 0.5) * p->voxel_mm[1];
    pos_mm[2] = p->origin_mm[2] + ((double)k + mist_rng_uniform(rng) - 0.5) * p->voxel_mm[2];
    *density_g_cm3 = s->density_g_cm3[v];
}

#endif
