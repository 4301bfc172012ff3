#include "engine/tally.h"

#include <stdlib.h>
#include <string.h>

#include "par/mpi_env.h"

#define SPARSE_FIRST_SLOTS 4096 /* a sparse array's first table: 64 KiB */

static mist_status declare(mist_tallies *t, const char *path, const char *units, int ndim,
                           const uint64_t *dims, int sparse, size_t *id, mist_error *err)
{
    if (t->data)
        return mist_error_set(err, MIST_ERR_INTERNAL, "tally %s declared after allocation", path);
    if (t->n_arrays == MIST_TALLY_MAX_ARRAYS || ndim < 1 || ndim > MIST_TALLY_MAX_DIMS ||
        strlen(path) >= sizeof t->arrays[0].path || strlen(units) >= sizeof t->arrays[0].units)
        return mist_error_set(err, MIST_ERR_INTERNAL, "tally %s: too many arrays or bad shape",
                              path);
    mist_tally_array *a = &t->arrays[t->n_arrays];
    memset(a, 0, sizeof *a);
    strcpy(a->path, path);
    strcpy(a->units, units);
    a->ndim = ndim;
    a->len = 1;
    for (int i = 0; i < ndim; i++) {
        a->dims[i] = dims[i];
        a->len *= (size_t)dims[i];
    }
    a->sparse = sparse;
    if (!sparse) {
        a->offset = t->len;
        t->len += a->len;
    }
    *id = t->n_arrays++;
    return MIST_OK;
}

mist_status mist_tallies_declare(mist_tallies *t, const char *path, const char *units, int ndim,
                                 const uint64_t *dims, size_t *id, mist_error *err)
{
    return declare(t, path, units, ndim, dims, 0, id, err);
}

mist_status mist_tallies_declare_sparse(mist_tallies *t, const char *path, const char *units,
                                        int ndim, const uint64_t *dims, size_t *id,
                                        mist_error *err)
{
    return declare(t, path, units, ndim, dims, 1, id, err);
}

static mist_status make_dense(mist_tally_array *a, mist_error *err);

mist_status mist_tallies_alloc(mist_tallies *t, mist_error *err)
{
    t->data = calloc(t->len ? t->len : 1, sizeof *t->data);
    if (!t->data)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for %zu tally bins", t->len);
    for (size_t i = 0; i < t->n_arrays; i++) {
        mist_tally_array *a = &t->arrays[i];
        if (!a->sparse)
            continue;
        if (SPARSE_FIRST_SLOTS * sizeof(mist_tally_slot) >= a->len * sizeof(uint64_t)) {
            mist_status st = make_dense(a, err); /* small: dense from the start */
            if (st)
                return st;
            continue;
        }
        a->cap = SPARSE_FIRST_SLOTS;
        a->slots = calloc(a->cap, sizeof *a->slots);
        if (!a->slots)
            return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for tally %s", a->path);
    }
    return MIST_OK;
}

void mist_tallies_free(mist_tallies *t)
{
    for (size_t i = 0; i < t->n_arrays; i++) {
        mist_tally_array *a = &t->arrays[i];
        free(a->slots);
        free(a->dense);
        a->slots = NULL;
        a->dense = NULL;
        a->cap = a->nnz = 0;
    }
    free(t->data);
    t->data = NULL;
}

/* Slot of a sparse table of cap slots where index lives or would go (Fibonacci hashing,
 * linear probing; the table is never full). */
static size_t slot_of(const mist_tally_slot *s, size_t cap, uint64_t index)
{
    uint64_t key = index + 1;
    size_t mask = cap - 1, i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & mask;
    while (s[i].key && s[i].key != key)
        i = (i + 1) & mask;
    return i;
}

/* Sparse array a as its dense array (allocated, the table's counts moved in, the table freed). */
static mist_status make_dense(mist_tally_array *a, mist_error *err)
{
    if (a->dense)
        return MIST_OK;
    a->dense = calloc(a->len ? a->len : 1, sizeof *a->dense);
    if (!a->dense)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for tally %s (%zu bins)",
                              a->path, a->len);
    for (size_t i = 0; i < a->cap; i++)
        if (a->slots[i].key)
            a->dense[a->slots[i].key - 1] = a->slots[i].count;
    free(a->slots);
    a->slots = NULL;
    a->cap = a->nnz = 0;
    return MIST_OK;
}

/* Room in a's table for one more bin: the table doubles past half full, or the array
 * becomes dense when the doubled table would take more memory than the dense array. */
static mist_status make_room(mist_tally_array *a, mist_error *err)
{
    if (2 * (a->nnz + 1) <= a->cap)
        return MIST_OK;
    size_t cap = a->cap ? 2 * a->cap : SPARSE_FIRST_SLOTS;
    if (cap * sizeof(mist_tally_slot) >= a->len * sizeof(uint64_t))
        return make_dense(a, err);
    mist_tally_slot *s = calloc(cap, sizeof *s);
    if (!s)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for tally %s (%zu slots)",
                              a->path, cap);
    for (size_t i = 0; i < a->cap; i++)
        if (a->slots[i].key)
            s[slot_of(s, cap, a->slots[i].key - 1)] = a->slots[i];
    free(a->slots);
    a->slots = s;
    a->cap = cap;
    return MIST_OK;
}

mist_status mist_tally_add(mist_tallies *t, size_t id, size_t index, uint64_t n, mist_error *err)
{
    mist_tally_array *a = &t->arrays[id];
    if (!a->sparse) {
        t->data[a->offset + index] += n;
        return MIST_OK;
    }
    if (!a->dense) {
        size_t i = slot_of(a->slots, a->cap, index);
        if (a->slots[i].key) {
            a->slots[i].count += n;
            return MIST_OK;
        }
        mist_status st = make_room(a, err);
        if (st)
            return st;
        if (!a->dense) {
            i = slot_of(a->slots, a->cap, index);
            a->slots[i].key = (uint64_t)index + 1;
            a->slots[i].count = n;
            a->nnz++;
            return MIST_OK;
        }
    }
    a->dense[index] += n;
    return MIST_OK;
}

uint64_t mist_tally_get(const mist_tallies *t, size_t id, size_t index)
{
    const mist_tally_array *a = &t->arrays[id];
    if (!a->sparse)
        return t->data[a->offset + index];
    if (a->dense)
        return a->dense[index];
    size_t i = slot_of(a->slots, a->cap, index);
    return a->slots[i].key ? a->slots[i].count : 0;
}

uint64_t mist_tally_sum(const mist_tallies *t, size_t id)
{
    const mist_tally_array *a = &t->arrays[id];
    uint64_t s = 0;
    if (a->sparse && !a->dense) {
        for (size_t i = 0; i < a->cap; i++)
            s += a->slots[i].count;
        return s;
    }
    const uint64_t *d = a->sparse ? a->dense : t->data + a->offset;
    for (size_t i = 0; i < a->len; i++)
        s += d[i];
    return s;
}

static int by_index(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

mist_status mist_tally_nonzero(const mist_tallies *t, size_t id, uint64_t **pairs, size_t *n,
                               mist_error *err)
{
    const mist_tally_array *a = &t->arrays[id];
    const uint64_t *d = a->sparse ? a->dense : t->data + a->offset;
    size_t nnz = 0;
    if (d) {
        for (size_t i = 0; i < a->len; i++)
            nnz += d[i] != 0;
    } else {
        for (size_t i = 0; i < a->cap; i++)
            nnz += a->slots[i].count != 0;
    }
    uint64_t *p = malloc((nnz ? nnz : 1) * 2 * sizeof *p);
    if (!p)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the %zu bins of tally %s",
                              nnz, a->path);
    size_t k = 0;
    if (d) {
        for (size_t i = 0; i < a->len; i++)
            if (d[i]) {
                p[k++] = i;
                p[k++] = d[i];
            }
    } else {
        for (size_t i = 0; i < a->cap; i++)
            if (a->slots[i].count) {
                p[k++] = a->slots[i].key - 1;
                p[k++] = a->slots[i].count;
            }
        qsort(p, nnz, 2 * sizeof *p, by_index);
    }
    *pairs = p;
    *n = nnz;
    return MIST_OK;
}

mist_status mist_tallies_densify(mist_tallies *t, size_t id, mist_error *err)
{
    mist_tally_array *a = &t->arrays[id];
    return a->sparse ? make_dense(a, err) : MIST_OK;
}

/* Zero the non-zero entries (cheap for mostly-zero arrays: untouched pages stay unmapped). */
static void clear_dense(uint64_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (d[i])
            d[i] = 0;
}

void mist_tallies_clear(mist_tallies *t)
{
    clear_dense(t->data, t->len);
    for (size_t i = 0; i < t->n_arrays; i++) {
        mist_tally_array *a = &t->arrays[i];
        if (a->dense)
            clear_dense(a->dense, a->len);
        else if (a->slots && a->nnz)
            memset(a->slots, 0, a->cap * sizeof *a->slots);
        a->nnz = 0;
    }
}

size_t mist_tallies_sparse_bytes(const mist_tallies *t)
{
    size_t b = 0;
    for (size_t i = 0; i < t->n_arrays; i++) {
        const mist_tally_array *a = &t->arrays[i];
        b += a->dense ? a->len * sizeof *a->dense : a->cap * sizeof *a->slots;
    }
    return b;
}

/* Sum sparse array id over ranks into rank 0: the ranks' (index, count) pairs gathered and
 * added in, unless the array is dense on some rank or its pairs would outweigh a quarter of
 * the dense array on some rank; then every rank makes it dense and the dense reduction
 * takes it.  Collective. */
static mist_status reduce_sparse(mist_tallies *t, size_t id, mist_error *err)
{
    mist_tally_array *a = &t->arrays[id];
    mist_mpi m = mist_mpi_world();
    if (m.size == 1)
        return MIST_OK;
    int heavy = a->dense || 2 * a->nnz * sizeof(uint64_t) > a->len * sizeof(uint64_t) / 4 ||
                2 * (uint64_t)a->nnz * (uint64_t)m.size > (uint64_t)(1u << 30);
    if (mist_mpi_any(heavy)) {
        mist_status st = make_dense(a, err);
        if (mist_mpi_any(st != MIST_OK))
            return st ? st : mist_error_set(err, MIST_ERR_NOMEM, "out of memory on another rank");
        return mist_mpi_reduce_u64_sparse(a->dense, a->len, err);
    }
    uint64_t *mine = NULL, *all = NULL;
    size_t n_mine = 0, n_all = 0;
    mist_status st = m.rank ? mist_tally_nonzero(t, id, &mine, &n_mine, err) : MIST_OK;
    if (mist_mpi_any(st != MIST_OK)) {
        free(mine);
        return st ? st : mist_error_set(err, MIST_ERR_NOMEM, "out of memory on another rank");
    }
    st = mist_mpi_gather_u64(mine, 2 * n_mine, &all, &n_all, err);
    free(mine);
    for (size_t k = 0; !st && k + 1 < n_all; k += 2)
        st = mist_tally_add(t, id, (size_t)all[k], all[k + 1], err);
    free(all);
    return st;
}

mist_status mist_tallies_reduce(mist_tallies *t, mist_error *err)
{
    /* Array by array: sinograms are mostly zeros and go as (index, value) pairs. */
    mist_status st = MIST_OK;
    for (size_t i = 0; !st && i < t->n_arrays; i++)
        st = t->arrays[i].sparse
                 ? reduce_sparse(t, i, err)
                 : mist_mpi_reduce_u64_sparse(mist_tally_data(t, i), t->arrays[i].len, err);
    return st;
}
