/*
 * tally.h - integer tallies: a fixed set of named uint64 arrays (counts) that
 * batches add into and that are reduced over MPI ranks by exact integer sums.
 * Because addition of integers is associative, the reduced tallies are
 * bit-identical whatever the number of ranks or the order batches ran in.
 * Arrays are declared once at set-up; adding to a dense array allocates nothing.
 *
 * Sparse arrays (mist_tallies_declare_sparse) are for large, mostly empty ones such as
 * sinograms (tens of millions of bins, a few hundred thousand with counts): only the bins
 * with counts are held, in an open-addressing table (16 bytes a slot, at most half full)
 * that doubles as it fills (geometric growth: rare, amortised), and that turns into the
 * dense array once the table would outgrow it.  Their counts, sums, reductions and
 * checkpoints are those of the dense array; mist_tally_data gives them only after
 * mist_tallies_densify.
 */
#ifndef MIST_ENGINE_TALLY_H
#define MIST_ENGINE_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

#define MIST_TALLY_MAX_ARRAYS 32
#define MIST_TALLY_MAX_DIMS 4

/* One slot of a sparse array's table: bin index + 1 (0: empty) and its count. */
typedef struct mist_tally_slot {
    uint64_t key, count;
} mist_tally_slot;

typedef struct mist_tally_array {
    char path[96];  /**< HDF5 dataset path, e.g. "/acquisition/decays_per_batch" */
    char units[32]; /**< value of the dataset's units attribute */
    int ndim;
    uint64_t dims[MIST_TALLY_MAX_DIMS]; /**< C order, slowest first */
    size_t len;                         /**< product of dims */
    size_t offset;                      /**< start in the shared buffer (dense arrays) */
    /* Sparse arrays: */
    int sparse;                  /**< declared with mist_tallies_declare_sparse */
    mist_tally_slot *slots;      /**< table of cap slots (NULL once dense) */
    size_t cap, nnz;             /**< slots (a power of two), bins held in them */
    uint64_t *dense;             /**< the array once made dense, or NULL */
} mist_tally_array;

typedef struct mist_tallies {
    mist_tally_array arrays[MIST_TALLY_MAX_ARRAYS];
    size_t n_arrays;
    uint64_t *data; /**< all dense arrays, back to back (one reduction) */
    size_t len;     /**< bins of the dense arrays */
} mist_tallies;

/* Declare an array (before mist_tallies_alloc); returns its index in *id. */
mist_status mist_tallies_declare(mist_tallies *t, const char *path, const char *units, int ndim,
                                 const uint64_t *dims, size_t *id, mist_error *err);

/* Declare a sparse array (before mist_tallies_alloc; see above). */
mist_status mist_tallies_declare_sparse(mist_tallies *t, const char *path, const char *units,
                                        int ndim, const uint64_t *dims, size_t *id,
                                        mist_error *err);

/* Allocate the zeroed buffer for all declared arrays. */
mist_status mist_tallies_alloc(mist_tallies *t, mist_error *err);

void mist_tallies_free(mist_tallies *t);

/* Pointer to array id's data (a sparse array's only once dense: NULL before). */
static inline uint64_t *mist_tally_data(mist_tallies *t, size_t id)
{
    const mist_tally_array *a = &t->arrays[id];
    return a->sparse ? a->dense : t->data + a->offset;
}

/* Add n to bin `index` of array id.  Errors (sparse arrays only): out of memory for the
 * table's growth. */
mist_status mist_tally_add(mist_tallies *t, size_t id, size_t index, uint64_t n,
                           mist_error *err);

/* Count in bin `index` of array id. */
uint64_t mist_tally_get(const mist_tallies *t, size_t id, size_t index);

/* Sum of all elements of array id. */
uint64_t mist_tally_sum(const mist_tallies *t, size_t id);

/* The bins of array id with counts, as (index, count) pairs in increasing index order:
 * *pairs (malloc'd, 2 * *n values; the caller frees it) and *n. */
mist_status mist_tally_nonzero(const mist_tallies *t, size_t id, uint64_t **pairs, size_t *n,
                               mist_error *err);

/* Turn sparse array id into its dense array (for mist_tally_data); nothing for a dense one. */
mist_status mist_tallies_densify(mist_tallies *t, size_t id, mist_error *err);

/* Set every count of every array to zero (pages of dense arrays that hold none are not
 * touched). */
void mist_tallies_clear(mist_tallies *t);

/* Bytes the sparse arrays hold now (tables or dense arrays). */
size_t mist_tallies_sparse_bytes(const mist_tallies *t);

/* Exact sum over ranks into rank 0 (mostly-zero arrays as index/value pairs); the other
 * ranks' counts are left as they were.  Collective. */
mist_status mist_tallies_reduce(mist_tallies *t, mist_error *err);

#endif
