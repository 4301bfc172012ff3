#include "engine/listmode.h"

#include <mpi.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5out.h"
#include "par/mpi_env.h"

#define LM_CHUNK_RECORDS 65536         /* HDF5 chunk: 1.2 MB of records */
#define LM_MSG_BYTES ((size_t)1 << 30) /* MPI messages of at most 1 GiB */
#define LM_TAG 7301

mist_status mist_listmode_init(mist_listmode *lm, uint64_t n_batches, mist_error *err)
{
    memset(lm, 0, sizeof *lm);
    lm->n_batches = n_batches;
    lm->start = calloc(n_batches ? n_batches : 1, sizeof *lm->start);
    lm->count = calloc(n_batches ? n_batches : 1, sizeof *lm->count);
    if (!lm->start || !lm->count) {
        mist_listmode_free(lm);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the list-mode index");
    }
    return MIST_OK;
}

void mist_listmode_free(mist_listmode *lm)
{
    free(lm->ev);
    free(lm->start);
    free(lm->count);
    memset(lm, 0, sizeof *lm);
}

void mist_listmode_begin(mist_listmode *lm, uint64_t batch)
{
    lm->current = batch;
    lm->start[batch] = lm->n;
    lm->count[batch] = 0;
    lm->failed = 0;
}

void mist_listmode_add(mist_listmode *lm, const mist_lm_event *e)
{
    if (lm->failed)
        return;
    if (lm->n == lm->cap) {
        size_t cap = lm->cap ? 2 * lm->cap : 4096;
        mist_lm_event *ev = realloc(lm->ev, cap * sizeof *ev);
        if (!ev) {
            lm->failed = 1;
            return;
        }
        lm->ev = ev;
        lm->cap = cap;
    }
    lm->ev[lm->n++] = *e;
}

mist_status mist_listmode_end(mist_listmode *lm, mist_error *err)
{
    lm->count[lm->current] = lm->n - lm->start[lm->current];
    if (lm->failed)
        return mist_error_set(err, MIST_ERR_NOMEM,
                              "out of memory for the list-mode records of batch %llu (%zu kept "
                              "on this rank, 20 bytes each)",
                              (unsigned long long)lm->current, lm->n);
    return MIST_OK;
}

/* Point-to-point transfer of a large buffer in messages of at most 1 GiB. */
static int send_bytes(const void *buf, size_t n, int dest)
{
    for (size_t off = 0; off < n; off += LM_MSG_BYTES) {
        size_t len = n - off < LM_MSG_BYTES ? n - off : LM_MSG_BYTES;
        int rc =
            MPI_Send((const char *)buf + off, (int)len, MPI_BYTE, dest, LM_TAG, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS)
            return rc;
    }
    return MPI_SUCCESS;
}

static int recv_bytes(void *buf, size_t n, int src)
{
    for (size_t off = 0; off < n; off += LM_MSG_BYTES) {
        size_t len = n - off < LM_MSG_BYTES ? n - off : LM_MSG_BYTES;
        int rc = MPI_Recv((char *)buf + off, (int)len, MPI_BYTE, src, LM_TAG, MPI_COMM_WORLD,
                          MPI_STATUS_IGNORE);
        if (rc != MPI_SUCCESS)
            return rc;
    }
    return MPI_SUCCESS;
}

/* One rank's share: its records and per-batch index (rank 0's own, or received). */
typedef struct rank_part {
    mist_lm_event *ev;
    uint64_t *start, *count;
    uint64_t n;
    int owned; /* received buffers, freed after writing */
} rank_part;

/* The compound table, in memory (mist_lm_event) and in the file (packed, 18 bytes). */
static hid_t event_type(void)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(mist_lm_event));
    H5Tinsert(t, "crystal_first", offsetof(mist_lm_event, crystal), H5T_NATIVE_UINT32);
    H5Tinsert(t, "crystal_second", offsetof(mist_lm_event, crystal) + sizeof(uint32_t),
              H5T_NATIVE_UINT32);
    H5Tinsert(t, "tof_ps", offsetof(mist_lm_event, tof_ps), H5T_NATIVE_FLOAT);
    H5Tinsert(t, "batch", offsetof(mist_lm_event, batch), H5T_NATIVE_UINT32);
    H5Tinsert(t, "class", offsetof(mist_lm_event, cls), H5T_NATIVE_UINT8);
    H5Tinsert(t, "delayed", offsetof(mist_lm_event, delayed), H5T_NATIVE_UINT8);
    return t;
}

static mist_status write_table(hid_t file, const char *path, const rank_part *parts, int n_parts,
                               uint64_t n_batches, uint64_t total, mist_error *err)
{
    hid_t mt = event_type(), ft = H5Tcopy(mt);
    H5Tpack(ft);
    hsize_t dims[1] = {total}, maxdims[1] = {H5S_UNLIMITED}, chunk[1] = {LM_CHUNK_RECORDS};
    hid_t space = H5Screate_simple(1, dims, maxdims);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE), lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_chunk(dcpl, 1, chunk);
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, 4);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t d = H5Dcreate2(file, path, ft, space, lcpl, dcpl, H5P_DEFAULT);
    mist_status st = d < 0 ? mist_error_set(err, MIST_ERR_IO, "cannot create %s", path) : MIST_OK;
    /* Batch after batch, from whichever rank ran it. */
    hsize_t off = 0;
    for (uint64_t b = 0; !st && b < n_batches; b++) {
        for (int r = 0; r < n_parts; r++) {
            hsize_t cnt = parts[r].count[b];
            if (!cnt)
                continue;
            hid_t mem = H5Screate_simple(1, &cnt, NULL);
            H5Sselect_hyperslab(space, H5S_SELECT_SET, &off, NULL, &cnt, NULL);
            if (H5Dwrite(d, mt, mem, space, H5P_DEFAULT, parts[r].ev + parts[r].start[b]) < 0)
                st = mist_error_set(err, MIST_ERR_IO, "cannot write %s (batch %llu)", path,
                                    (unsigned long long)b);
            H5Sclose(mem);
            off += cnt;
        }
    }
    if (!st)
        st = mist_h5_attr_str(d, "units",
                              "crystal_first, crystal_second: crystal id (ring * crystals_per_ring"
                              " + index); tof_ps: ps; batch: index; class, delayed: flags",
                              err);
    if (!st)
        st = mist_h5_attr_str(d, "tof_convention",
                              "tof_ps = t(crystal_first) - t(crystal_second), crystals in the "
                              "sinogram's LOR order (along (-sin phi, cos phi)); an annihilation "
                              "at x mm along that direction from the LOR midpoint gives 2x/c; "
                              "delayed: less the delayed-window offset",
                              err);
    if (!st)
        st = mist_h5_attr_str(d, "class_names",
                              "0 true, 1 phantom scatter, 2 detector scatter, 3 random "
                              "(every delayed coincidence is 3)",
                              err);
    if (d >= 0)
        H5Dclose(d);
    H5Pclose(lcpl);
    H5Pclose(dcpl);
    H5Sclose(space);
    H5Tclose(ft);
    H5Tclose(mt);
    return st;
}

/* Rank 0: room for every other rank's records; returns 0 if out of memory. */
static int alloc_parts(rank_part *parts, const uint64_t *n, int size, uint64_t nb)
{
    for (int r = 1; r < size; r++) {
        rank_part *p = &parts[r];
        p->n = n[r];
        p->owned = 1;
        p->start = malloc(nb * sizeof *p->start);
        p->count = malloc(nb * sizeof *p->count);
        p->ev = malloc((p->n ? p->n : 1) * sizeof *p->ev);
        if (!p->start || !p->count || !p->ev)
            return 0;
    }
    return 1;
}

static void free_parts(rank_part *parts, int size)
{
    for (int r = 0; parts && r < size; r++) {
        if (parts[r].owned) {
            free(parts[r].ev);
            free(parts[r].start);
            free(parts[r].count);
        }
    }
    free(parts);
}

mist_status mist_listmode_write(mist_listmode *lm, hid_t file, const char *path,
                                uint64_t *n_written, mist_error *err)
{
    mist_mpi mpi = mist_mpi_world();
    mist_status st = MIST_OK;
    uint64_t nb = lm->n_batches, mine = lm->n;
    uint64_t *n = mpi.rank == 0 ? calloc((size_t)mpi.size, sizeof *n) : NULL;
    rank_part *parts = mpi.rank == 0 ? calloc((size_t)mpi.size, sizeof *parts) : NULL;
    /* Rank 0 learns every rank's record count, makes room, and says whether
     * the transfer goes ahead (so no rank is left waiting on a failed one). */
    int ok = 1;
    if (mpi.size > 1)
        MPI_Gather(&mine, 1, MPI_UINT64_T, n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    if (mpi.rank == 0) {
        ok = n && parts && alloc_parts(parts, n, mpi.size, nb);
        if (parts)
            parts[0] = (rank_part){lm->ev, lm->start, lm->count, lm->n, 0};
    }
    if (mpi.size > 1)
        MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (!ok)
        st = mist_error_set(err, MIST_ERR_NOMEM,
                            "out of memory on rank 0 for the list-mode records of all ranks "
                            "(20 bytes each)");
    int rc = MPI_SUCCESS;
    if (!st && mpi.rank != 0) {
        if ((rc = send_bytes(lm->start, nb * sizeof *lm->start, 0)) == MPI_SUCCESS &&
            (rc = send_bytes(lm->count, nb * sizeof *lm->count, 0)) == MPI_SUCCESS)
            rc = send_bytes(lm->ev, mine * sizeof *lm->ev, 0);
    } else if (!st) {
        for (int r = 1; rc == MPI_SUCCESS && r < mpi.size; r++) {
            rank_part *p = &parts[r];
            if ((rc = recv_bytes(p->start, nb * sizeof *p->start, r)) == MPI_SUCCESS &&
                (rc = recv_bytes(p->count, nb * sizeof *p->count, r)) == MPI_SUCCESS)
                rc = recv_bytes(p->ev, p->n * sizeof *p->ev, r);
        }
    }
    if (rc != MPI_SUCCESS)
        st = mist_error_set(err, MIST_ERR_MPI, "gathering the list-mode records failed (MPI %d)",
                            rc);
    if (!st && mpi.rank == 0) {
        uint64_t total = 0;
        for (int r = 0; r < mpi.size; r++)
            total += parts[r].n;
        st = write_table(file, path, parts, mpi.size, nb, total, err);
        if (!st && n_written)
            *n_written = total;
    }
    free_parts(parts, mpi.size);
    free(n);
    mist_mpi_share_error(st, err);
    return mist_mpi_agree_status(st) ? err->code : MIST_OK;
}
