/*
 * alias.h - Walker's alias method with Vose's stable construction: sample an
 * index i in [0, n) with probability w[i] / sum(w) in O(1) time.
 *
 * Used to pick the voxel of the next decay from an activity map (weights =
 * decays per voxel in the frame), and anywhere else a large discrete
 * distribution is sampled many times.  Building costs O(n) time and
 * 12 bytes per entry; sampling draws one 53-bit uniform: its integer part
 * over n picks the column, its fractional part tosses the column's coin.
 * (Walker, ACM TOMS 3:253, 1977; Vose, IEEE TSE 17:972, 1991.)
 */
#ifndef MIST_PHYSICS_ALIAS_H
#define MIST_PHYSICS_ALIAS_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "core/status.h"

typedef struct mist_alias {
    size_t n;          /**< number of outcomes, 1 <= n < 2^32 */
    double total;      /**< sum of the weights it was built from */
    double *prob;      /**< [n] probability of keeping column i */
    uint32_t *alias;   /**< [n] outcome taken when the coin says no */
} mist_alias;

/* Build from n >= 1 weights (finite, >= 0, not all zero).  Errors:
 * MIST_ERR_INPUT naming the first bad weight, MIST_ERR_NOMEM. */
mist_status mist_alias_build(const double *weights, size_t n, mist_alias **out, mist_error *err);

void mist_alias_free(mist_alias *table);

/* Sample an outcome index. */
static inline uint32_t mist_alias_sample(const mist_alias *t, mist_rng *rng)
{
    double x = mist_rng_uniform(rng) * (double)t->n;
    size_t i = (size_t)x;
    if (i >= t->n) /* guard against rounding at the top end */
        i = t->n - 1;
    return (x - (double)i) < t->prob[i] ? (uint32_t)i : t->alias[i];
}

#endif
