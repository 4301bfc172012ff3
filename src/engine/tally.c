#include "engine/tally.h"

#include <stdlib.h>
#include <string.h>

#include "par/mpi_env.h"

mist_status mist_tallies_declare(mist_tallies *t, const char *path, const char *units, int ndim,
                                 const uint64_t *dims, size_t *id, mist_error *err)
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
    a->offset = t->len;
    t->len += a->len;
    *id = t->n_arrays++;
    return MIST_OK;
}

mist_status mist_tallies_alloc(mist_tallies *t, mist_error *err)
{
    t->data = calloc(t->len ? t->len : 1, sizeof *t->data);
    if (!t->data)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for %zu tally bins", t->len);
    return MIST_OK;
}

void mist_tallies_free(mist_tallies *t)
{
    free(t->data);
    t->data = NULL;
}

uint64_t mist_tally_sum(const mist_tallies *t, size_t id)
{
    const uint64_t *d = t->data + t->arrays[id].offset;
    uint64_t s = 0;
    for (size_t i = 0; i < t->arrays[id].len; i++)
        s += d[i];
    return s;
}

mist_status mist_tallies_reduce(mist_tallies *t, mist_error *err)
{
    /* Array by array: sinograms are mostly zeros and go as (index, value) pairs. */
    mist_status st = MIST_OK;
    for (size_t i = 0; !st && i < t->n_arrays; i++)
        st = mist_mpi_reduce_u64_sparse(mist_tally_data(t, i), t->arrays[i].len, err);
    return st;
}
