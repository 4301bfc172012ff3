/*
 * alias.h - Walker's alias method with Vose's stable construction: sample an
 * index i in [0, n) with probability w[i] / sum(w) in O(1) time.
 *
 * Used to pick the voxel of the next decay from an activity map (weights =
 * decays per voxel in the frame), and anywhere else a large discrete
 * distribution is sampled many times.  Building costs O(n) time and
 * 8 bytes per entry (the coin's 32-bit threshold and the alias); sampling
 * draws one 53-bit uniform: its integer part over n picks the column, its
 * fractional part (to 32 bits) tosses the column's coin.
 * (Walker, ACM TOMS 3:253, 1977; Vose, IEEE TSE 17:972, 1991.)
 */
#ifndef MIST_PHYSICS_ALIAS_H
#define MIST_PHYSICS_ALIAS_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "core/status.h"

/* One column: keep it when the 32-bit coin is below `keep` (probability keep / 2^32;
 * keep = 2^32 - 1 for columns kept always, whose alias is themselves), else take `alias`.
 * 8 bytes, so a sample reads one cache line. */
typedef struct mist_alias_entry {
    uint32_t keep;
    uint32_t alias;
} mist_alias_entry;

typedef struct mist_alias {
    size_t n;                /**< number of outcomes, 1 <= n < 2^32 */
    double total;            /**< sum of the weights it was built from */
    mist_alias_entry *entry; /**< [n] */
} mist_alias;

/* Build from n >= 1 weights (finite, >= 0, not all zero).  Errors:
 * MIST_ERR_INPUT naming the first bad weight, MIST_ERR_NOMEM. */
mist_status mist_alias_build(const double *weights, size_t n, mist_alias **out, mist_error *err);

void mist_alias_free(mist_alias *table);

/* A draw for a table of n columns: one 53-bit uniform, whose integer part over n is the
 * column (high 32 bits of the result) and whose fraction is the 32-bit coin (low 32 bits).
 * Shared by every packed alias table (this one, transport/source.h's). */
static inline uint64_t mist_alias_draw(size_t n, mist_rng *rng)
{
    double x = mist_rng_uniform(rng) * (double)n;
    size_t c = (size_t)x;
    if (c >= n) /* guard against rounding at the top end */
        c = n - 1;
    return (uint64_t)c << 32 | (uint32_t)((x - (double)c) * 4294967296.0);
}

/* Draw a column and prefetch its entry: resolve it later (e.g. one sample ahead) to hide
 * the memory latency of tables larger than the caches. */
static inline uint64_t mist_alias_pick(const mist_alias *t, mist_rng *rng)
{
    uint64_t d = mist_alias_draw(t->n, rng);
    __builtin_prefetch(&t->entry[d >> 32]);
    return d;
}

/* The outcome of a pick. */
static inline uint32_t mist_alias_resolve(const mist_alias *t, uint64_t pick)
{
    const mist_alias_entry *e = &t->entry[pick >> 32];
    return (uint32_t)pick < e->keep ? (uint32_t)(pick >> 32) : e->alias;
}

/* Sample an outcome index. */
static inline uint32_t mist_alias_sample(const mist_alias *t, mist_rng *rng)
{
    return mist_alias_resolve(t, mist_alias_draw(t->n, rng));
}

#endif
