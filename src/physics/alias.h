/*
 * alias.h - Walker's alias method with Vose's stable construction: sample an
 * index i in [0, n) with probability w[i] / sum(w) in O(1) time.
 *
 * Used to pick the voxel of the next decay from an activity map (weights =
 * decays per voxel in the frame), and anywhere else a large discrete
 * distribution is sampled many times.  Building costs O(n) time and
 * 8 bytes per entry (the coin's 32-bit threshold and the alias); sampling
 * draws 64 random bits x: the integer part of x n / 2^64 picks the column, the
 * next 32 bits of the product toss the column's coin (mist_alias_draw).
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

/* A draw for a table of n columns: one 64-bit draw x (two outputs) times n, a 96-bit
 * product, whose top 32 bits are the column (floor(x n / 2^64), each column's probability
 * 1/n to 2^-64) and whose next 32 bits are the coin (uniform given the column, to n 2^-64);
 * returned as column << 32 | coin.  Integer arithmetic only: two 32 x 32 -> 64-bit products.
 * Shared by every packed alias table (this one, transport/source.h's). */
static inline uint64_t mist_alias_draw(size_t n, mist_rng *rng)
{
    uint64_t xh = mist_rng_u32(rng); /* two statements: the draws' order is fixed */
    uint64_t xl = mist_rng_u32(rng);
    uint64_t a = xh * (uint64_t)n, b = xl * (uint64_t)n; /* x n = a 2^32 + b, n < 2^32 */
    uint64_t t = (a & 0xFFFFFFFFu) + (b >> 32);
    uint64_t column = (a >> 32) + (t >> 32);
    return column << 32 | (t & 0xFFFFFFFFu);
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
    /* Branch-free: the coin is a coin toss, which a branch predictor cannot learn. */
    uint32_t other = -(uint32_t)((uint32_t)pick >= e->keep); /* all ones: take the alias */
    return ((uint32_t)(pick >> 32) & ~other) | (e->alias & other);
}

/* Sample an outcome index. */
static inline uint32_t mist_alias_sample(const mist_alias *t, mist_rng *rng)
{
    return mist_alias_resolve(t, mist_alias_draw(t->n, rng));
}

#endif
