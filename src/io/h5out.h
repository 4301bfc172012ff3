/*
 * h5out.h - writing mist result files (HDF5).  A result is written to a
 * temporary file beside the target ("OUT.h5.tmp.<pid>") and renamed over the
 * target only when complete, so a crash or error never leaves a half-written
 * result under the final name.  Every dataset gets a `units` attribute.
 * Small helpers keep the I/O code short (after OpenMC's hdf5_interface).
 */
#ifndef MIST_IO_H5OUT_H
#define MIST_IO_H5OUT_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

typedef struct mist_h5 {
    hid_t file;
    char *path;     /**< final name */
    char *tmp_path; /**< where it is written until committed */
} mist_h5;

/* Create the temporary file for `path` (the directory must exist and be writable). */
mist_status mist_h5_create(mist_h5 *h, const char *path, mist_error *err);
/* Close and rename to the final path. */
mist_status mist_h5_commit(mist_h5 *h, mist_error *err);
/* Close and remove the temporary file (after an error). */
void mist_h5_abort(mist_h5 *h);

/* Attributes on an object (file or dataset id). */
mist_status mist_h5_attr_str(hid_t obj, const char *name, const char *value, mist_error *err);
mist_status mist_h5_attr_double(hid_t obj, const char *name, const double *v, size_t n,
                                mist_error *err);
mist_status mist_h5_attr_u64(hid_t obj, const char *name, const uint64_t *v, size_t n,
                             mist_error *err);
mist_status mist_h5_attr_int(hid_t obj, const char *name, long v, mist_error *err);

/* Write an array at `path` (groups created as needed) with its units attribute.
 * type is H5T_NATIVE_UINT64, H5T_NATIVE_FLOAT, H5T_NATIVE_UINT8, ...; arrays over
 * 64 KiB are chunked and deflate-compressed.  *dset (if not NULL) receives the
 * open dataset for more attributes; the caller closes it with H5Dclose. */
mist_status mist_h5_write(hid_t file, const char *path, hid_t type, int ndim,
                          const uint64_t *dims, const void *data, const char *units, hid_t *dset,
                          mist_error *err);

/* Write unsigned counts (a uint64 array in memory) stored as the narrowest
 * unsigned type that holds the largest value (u8, u16, u32 or u64): sparse
 * sinograms shrink 4-8x, and so does the time spent compressing them.
 * Readers get the values unchanged (HDF5 converts on read). */
mist_status mist_h5_write_counts(hid_t file, const char *path, int ndim, const uint64_t *dims,
                                 const uint64_t *data, const char *units, hid_t *dset,
                                 mist_error *err);

/* The same for counts given as their non-zero bins: n_pairs (index, count) pairs in
 * increasing index order (flat C-order index).  The dataset is the one
 * mist_h5_write_counts writes for the dense array; chunks without counts are left
 * unwritten (they read as 0), so only a slab of chunks is ever dense in memory. */
mist_status mist_h5_write_counts_pairs(hid_t file, const char *path, int ndim,
                                       const uint64_t *dims, const uint64_t *pairs, size_t n_pairs,
                                       const char *units, hid_t *dset, mist_error *err);

/* Copy a file byte for byte (the first step of extending a result file without
 * putting it at risk: copy, extend the copy, rename it over the original). */
mist_status mist_file_copy(const char *src, const char *dst, mist_error *err);

/* Print what a result file holds: root attributes, groups, datasets with shape,
 * type and units.  json = 1 prints one JSON object. */
mist_status mist_h5_info(const char *path, int json, FILE *out, mist_error *err);

#endif
