#include "par/mpi_env.h"

#include <limits.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

mist_status mist_mpi_init(int *argc, char ***argv, mist_mpi *mpi, mist_error *err)
{
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited && MPI_Init(argc, argv) != MPI_SUCCESS)
        return mist_error_set(err, MIST_ERR_MPI, "MPI_Init failed");
    *mpi = mist_mpi_world();
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
