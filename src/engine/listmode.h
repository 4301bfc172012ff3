/*
 * listmode.h - optional PET list-mode output: every prompt and delayed
 * coincidence of the acquisition as one record of a chunked, deflate-
 * compressed HDF5 compound table, /pet/<scanner>/listmode (study key
 * acquisition.listmode: true).
 *
 * Record (mist_lm_event): the two crystals in the LOR order of sinogram.h
 * (first, second along t = (-sin phi, cos phi)), the TOF coordinate
 * tof_ps = t(first) - t(second) [ps] (for a delayed coincidence, less the
 * delayed-window offset), the truth class (mist_coinc_class; random for
 * delayed ones), whether it is a delayed coincidence, and the batch (time
 * slice) it came from.  Within a batch records are in the sorter's order
 * (time order of the opening single), batches in increasing order, so the
 * table is the same for any number of MPI ranks: each rank keeps the records
 * of the batches it ran in one growing buffer with a per-batch index, and at
 * the end rank 0 receives every rank's buffer and writes the batches in order.
 *
 * Memory: 20 bytes per coincidence on the rank that sorted it, and all of
 * them (20 bytes x prompts + delayed) on rank 0 while the table is written;
 * 18 bytes per record in the file before compression.  The buffer grows
 * geometrically between coincidences (amortised, never per photon).
 */
#ifndef MIST_ENGINE_LISTMODE_H
#define MIST_ENGINE_LISTMODE_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

typedef struct mist_lm_event {
    uint32_t crystal[2]; /**< global crystal ids, first and second along the LOR */
    float tof_ps;        /**< [ps] t(first) - t(second) */
    uint32_t batch;      /**< batch (time slice) of the coincidence */
    uint8_t cls;         /**< mist_coinc_class */
    uint8_t delayed;     /**< 1: delayed-window coincidence, 0: prompt */
} mist_lm_event;

typedef struct mist_listmode {
    mist_lm_event *ev; /**< this rank's records, batch after batch */
    size_t n, cap;
    uint64_t n_batches;
    uint64_t *start;  /**< [n_batches] first record of each batch run here */
    uint64_t *count;  /**< [n_batches] records of each batch (0 if run elsewhere) */
    uint64_t current; /**< batch being recorded */
    int failed;       /**< out of memory while recording the current batch */
} mist_listmode;

mist_status mist_listmode_init(mist_listmode *lm, uint64_t n_batches, mist_error *err);
void mist_listmode_free(mist_listmode *lm);

/* Start recording batch b (it must not have been recorded before). */
void mist_listmode_begin(mist_listmode *lm, uint64_t batch);

/* Append one record to the current batch (no status: a failed allocation is
 * remembered and reported by mist_listmode_end). */
void mist_listmode_add(mist_listmode *lm, const mist_lm_event *e);

/* Close the current batch; MIST_ERR_NOMEM if a record could not be kept. */
mist_status mist_listmode_end(mist_listmode *lm, mist_error *err);

/* Collective over the MPI ranks: rank 0 gathers every rank's records and
 * writes them, batch by batch in order, as the compound table `path` of
 * `file` (only rank 0's file is used).  *n_written (rank 0) gets the record
 * count.  Every rank gets the same status. */
mist_status mist_listmode_write(mist_listmode *lm, hid_t file, const char *path,
                                uint64_t *n_written, mist_error *err);

#endif
