/*
 * tally.h - integer tallies: a fixed set of named uint64 arrays (counts) that
 * batches add into and that are reduced over MPI ranks by exact integer sums.
 * Because addition of integers is associative, the reduced tallies are
 * bit-identical whatever the number of ranks or the order batches ran in.
 * Arrays are declared once at set-up; adding to them allocates nothing.
 */
#ifndef MIST_ENGINE_TALLY_H
#define MIST_ENGINE_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

#define MIST_TALLY_MAX_ARRAYS 32
#define MIST_TALLY_MAX_DIMS 4

typedef struct mist_tally_array {
    char path[96];  /**< HDF5 dataset path, e.g. "/acquisition/decays_per_batch" */
    char units[32]; /**< value of the dataset's units attribute */
    int ndim;
    uint64_t dims[MIST_TALLY_MAX_DIMS]; /**< C order, slowest first */
    size_t len;                         /**< product of dims */
    size_t offset;                      /**< start in the shared buffer */
} mist_tally_array;

typedef struct mist_tallies {
    mist_tally_array arrays[MIST_TALLY_MAX_ARRAYS];
    size_t n_arrays;
    uint64_t *data; /**< all arrays, back to back (one reduction) */
    size_t len;
} mist_tallies;

/* Declare an array (before mist_tallies_alloc); returns its index in *id. */
mist_status mist_tallies_declare(mist_tallies *t, const char *path, const char *units, int ndim,
                                 const uint64_t *dims, size_t *id, mist_error *err);

/* Allocate the zeroed buffer for all declared arrays. */
mist_status mist_tallies_alloc(mist_tallies *t, mist_error *err);

void mist_tallies_free(mist_tallies *t);

/* Pointer to array id's data. */
static inline uint64_t *mist_tally_data(mist_tallies *t, size_t id)
{
    return t->data + t->arrays[id].offset;
}

/* Sum of all elements of array id. */
uint64_t mist_tally_sum(const mist_tallies *t, size_t id);

/* Exact sum over ranks into rank 0 (mostly-zero arrays as index/value pairs). */
mist_status mist_tallies_reduce(mist_tallies *t, mist_error *err);

#endif
