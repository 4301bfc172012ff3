#include "par/mpi_env.h"

#include <limits.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

mist_status mist_mpi_init(int *argc, char ***argv, mist_mpi *mpi, mist_error *err)
{
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited && MPI_Init(argc, argv) != MPI_SUCCESS)
        return mist_error_set(err, MIST_ERR_MPI, "MPI_Init failed");
    *mpi = mist_mpi_world();
#ifdef _OPENMP
    /* Threads (OSEM) share a node's cores with the node's other ranks: unless the user set
     * OMP_NUM_THREADS, each rank takes its share, so N ranks on N cores run one thread each
     * instead of N x N. */
    if (!getenv("OMP_NUM_THREADS")) {
        MPI_Comm node;
        int local = 1;
        if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) ==
            MPI_SUCCESS) {
            MPI_Comm_size(node, &local);
            MPI_Comm_free(&node);
        }
        int share = omp_get_num_procs() / (local > 0 ? local : 1);
        omp_set_num_threads(share > 1 ? share : 1);
    }
#endif
    return MIST_OK;
}

void mist_mpi_finalize(void)
{
    int inited = 0, finalized = 0;
    MPI_Initialized(&inited);
    MPI_Finalized(&finalized);
    if (inited && !finalized)
        MPI_Finalize();
}

mist_mpi mist_mpi_world(void)
{
    mist_mpi m = {0, 1};
    int inited = 0, finalized = 0;
    MPI_Initialized(&inited);
    MPI_Finalized(&finalized);
    if (inited && !finalized) {
        MPI_Comm_rank(MPI_COMM_WORLD, &m.rank);
        MPI_Comm_size(MPI_COMM_WORLD, &m.size);
    }
    return m;
}

mist_status mist_mpi_reduce_u64(uint64_t *buf, size_t n, mist_error *err)
{
    mist_mpi m = mist_mpi_world();
    if (m.size == 1 || n == 0)
        return MIST_OK;
    /* Reduce in chunks that fit an int count; MPI_IN_PLACE on the root. */
    const size_t chunk = (size_t)INT_MAX / 2;
    for (size_t off = 0; off < n; off += chunk) {
        int count = (int)(n - off < chunk ? n - off : chunk);
        int rc = m.rank == 0 ? MPI_Reduce(MPI_IN_PLACE, buf + off, count, MPI_UINT64_T, MPI_SUM,
                                          0, MPI_COMM_WORLD)
                             : MPI_Reduce(buf + off, NULL, count, MPI_UINT64_T, MPI_SUM, 0,
                                          MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS)
            return mist_error_set(err, MIST_ERR_MPI, "MPI_Reduce of tallies failed (code %d)", rc);
    }
    return MIST_OK;
}

mist_status mist_mpi_reduce_u64_sparse(uint64_t *buf, size_t n, mist_error *err)
{
    mist_mpi m = mist_mpi_world();
    if (m.size == 1 || n == 0)
        return MIST_OK;
    /* Sparse when every rank's pairs (16 bytes each) fit in a quarter of the array. */
    uint64_t nnz = 0;
    for (size_t i = 0; i < n; i++)
        nnz += buf[i] != 0;
    uint64_t max_nnz = 0;
    MPI_Allreduce(&nnz, &max_nnz, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    if (max_nnz * 8 > n || 2 * max_nnz > (uint64_t)INT_MAX)
        return mist_mpi_reduce_u64(buf, n, err);

    int count = (int)(2 * nnz);
    uint64_t *pairs = m.rank ? malloc((nnz ? nnz : 1) * 2 * sizeof *pairs) : NULL;
    int *counts = NULL, *displs = NULL;
    uint64_t *all = NULL;
    int ok = m.rank == 0 || pairs;
    if (m.rank == 0) {
        counts = malloc((size_t)m.size * sizeof *counts);
        displs = malloc((size_t)m.size * sizeof *displs);
        ok = counts && displs;
    }
    int all_ok = 0;
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (!all_ok) {
        free(pairs);
        free(counts);
        free(displs);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the tally reduction");
    }
    if (m.rank) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (buf[i]) {
                pairs[k++] = i;
                pairs[k++] = buf[i];
            }
    }
    MPI_Gather(&count, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
    size_t total = 0;
    if (m.rank == 0) {
        counts[0] = 0; /* rank 0's values are already in place */
        for (int r = 0; r < m.size; r++) {
            displs[r] = (int)total;
            total += (size_t)counts[r];
        }
        ok = total <= (size_t)INT_MAX && (all = malloc((total ? total : 1) * sizeof *all));
    }
    MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    int rc = MPI_SUCCESS;
    if (ok) {
        rc = MPI_Gatherv(m.rank ? pairs : NULL, m.rank ? count : 0, MPI_UINT64_T, all, counts,
                         displs, MPI_UINT64_T, 0, MPI_COMM_WORLD);
        if (rc == MPI_SUCCESS && m.rank == 0)
            for (size_t k = 0; k + 1 < total; k += 2)
                buf[all[k]] += all[k + 1];
    }
    free(pairs);
    free(counts);
    free(displs);
    free(all);
    if (!ok)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the tally reduction");
    if (rc != MPI_SUCCESS)
        return mist_error_set(err, MIST_ERR_MPI, "MPI_Gatherv of tallies failed (code %d)", rc);
    return MIST_OK;
}

mist_status mist_mpi_gather_u64(const uint64_t *values, size_t n, uint64_t **all, size_t *n_all,
                                mist_error *err)
{
    mist_mpi m = mist_mpi_world();
    *all = NULL;
    *n_all = 0;
    if (m.size == 1)
        return MIST_OK;
    uint64_t mine = m.rank ? n : 0, total = 0;
    MPI_Allreduce(&mine, &total, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    if (total > (uint64_t)INT_MAX)
        return mist_error_set(err, MIST_ERR_INTERNAL, "%llu values to gather exceed MPI's int "
                              "counts", (unsigned long long)total);
    int count = (int)mine, *counts = NULL, *displs = NULL, ok = 1;
    uint64_t *buf = NULL;
    if (m.rank == 0) {
        counts = malloc((size_t)m.size * sizeof *counts);
        displs = malloc((size_t)m.size * sizeof *displs);
        buf = malloc((total ? total : 1) * sizeof *buf);
        ok = counts && displs && buf;
    }
    MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    int rc = MPI_SUCCESS;
    if (ok) {
        MPI_Gather(&count, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
        if (m.rank == 0)
            for (int r = 0, off = 0; r < m.size; r++) {
                displs[r] = off;
                off += counts[r];
            }
        rc = MPI_Gatherv(values, count, MPI_UINT64_T, buf, counts, displs, MPI_UINT64_T, 0,
                         MPI_COMM_WORLD);
    }
    free(counts);
    free(displs);
    if (!ok || rc != MPI_SUCCESS) {
        free(buf);
        return ok ? mist_error_set(err, MIST_ERR_MPI, "MPI_Gatherv failed (code %d)", rc)
                  : mist_error_set(err, MIST_ERR_NOMEM, "out of memory to gather %llu values",
                                   (unsigned long long)total);
    }
    *all = buf;
    *n_all = m.rank == 0 ? (size_t)total : 0;
    return MIST_OK;
}

int mist_mpi_any(int flag)
{
    int mine = flag != 0, any = mine;
    if (mist_mpi_world().size > 1)
        MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return any;
}

mist_status mist_mpi_agree_status(mist_status st)
{
    mist_mpi m = mist_mpi_world();
    if (m.size == 1)
        return st;
    int mine = (int)st, worst = 0;
    MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return (mist_status)worst;
}

void mist_mpi_share_error(mist_status st, mist_error *err)
{
    mist_mpi m = mist_mpi_world();
    if (m.size == 1)
        return;
    int mine = st ? m.rank : m.size, first = m.size;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first == m.size)
        return;
    MPI_Bcast(err->msg, (int)sizeof err->msg, MPI_CHAR, first, MPI_COMM_WORLD);
    int code = (int)err->code;
    MPI_Bcast(&code, 1, MPI_INT, first, MPI_COMM_WORLD);
    err->code = (mist_status)code;
}
