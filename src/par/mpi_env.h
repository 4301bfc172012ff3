/*
 * mpi_env.h - the MPI environment of a mist process: rank, size, and the few
 * collective helpers the engine needs.  mist runs with or without mpirun (a
 * singleton MPI process is rank 0 of 1).  Integer tallies are reduced with
 * exact integer sums, so results never depend on the number of ranks.
 */
#ifndef MIST_PAR_MPI_ENV_H
#define MIST_PAR_MPI_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

typedef struct mist_mpi {
    int rank, size;
} mist_mpi;

/* MPI_Init (once per process) and fill rank/size. */
mist_status mist_mpi_init(int *argc, char ***argv, mist_mpi *mpi, mist_error *err);
void mist_mpi_finalize(void);

/* Current rank/size (0 and 1 when MPI is not initialised). */
mist_mpi mist_mpi_world(void);

/* Sum n uint64 values over all ranks into rank 0's buf (exact).  On other
 * ranks buf is left unspecified. */
mist_status mist_mpi_reduce_u64(uint64_t *buf, size_t n, mist_error *err);

/* The same sum for a mostly-zero array: ranks send their non-zero (index,
 * value) pairs to rank 0, which adds them in.  Collective; falls back to
 * mist_mpi_reduce_u64 when the array is not sparse on every rank.  Integer
 * sums commute, so the result is the same as the dense reduction's. */
mist_status mist_mpi_reduce_u64_sparse(uint64_t *buf, size_t n, mist_error *err);

/* Rank 0 receives the n uint64 values each other rank sends, concatenated in rank order:
 * *all (malloc'd, the caller frees it; NULL elsewhere) and *n_all.  Rank 0's own values are
 * not sent.  Collective; errors (on every rank): out of memory, more than INT_MAX values. */
mist_status mist_mpi_gather_u64(const uint64_t *values, size_t n, uint64_t **all, size_t *n_all,
                                mist_error *err);

/* 1 on every rank when flag is non-zero on any rank, else 0.  Collective. */
int mist_mpi_any(int flag);

/* Worst (largest) status over all ranks, so every rank takes the same path. */
mist_status mist_mpi_agree_status(mist_status st);

/* Broadcast an error message from the lowest rank whose status is not OK. */
void mist_mpi_share_error(mist_status st, mist_error *err);

#endif
