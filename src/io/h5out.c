#include "io/h5out.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIST_H5_MAX_DIMS 8

static void quiet_hdf5(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

mist_status mist_h5_create(mist_h5 *h, const char *path, mist_error *err)
{
    quiet_hdf5();
    memset(h, 0, sizeof *h);
    h->file = H5I_INVALID_HID;
    size_t n = strlen(path) + 32;
    h->path = malloc(strlen(path) + 1);
    h->tmp_path = malloc(n);
    if (!h->path || !h->tmp_path) {
        free(h->path);
        free(h->tmp_path);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    }
    strcpy(h->path, path);
    snprintf(h->tmp_path, n, "%s.tmp.%ld", path, (long)getpid());
    h->file = H5Fcreate(h->tmp_path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (h->file < 0) {
        mist_status st = mist_error_set(err, MIST_ERR_IO,
                                        "%s: cannot create the result file (is the directory "
                                        "there and writable?)",
                                        path);
        free(h->path);
        free(h->tmp_path);
        h->path = h->tmp_path = NULL;
        return st;
    }
    return MIST_OK;
}

mist_status mist_h5_commit(mist_h5 *h, mist_error *err)
{
    mist_status st = MIST_OK;
    if (H5Fclose(h->file) < 0)
        st = mist_error_set(err, MIST_ERR_IO, "%s: error closing the result file", h->tmp_path);
    h->file = H5I_INVALID_HID;
    if (!st && rename(h->tmp_path, h->path) != 0)
        st = mist_error_set(err, MIST_ERR_IO, "cannot rename %s to %s: %s", h->tmp_path, h->path,
                            strerror(errno));
    if (st)
        unlink(h->tmp_path);
    free(h->path);
    free(h->tmp_path);
    h->path = h->tmp_path = NULL;
    return st;
}

void mist_h5_abort(mist_h5 *h)
{
    if (h->file >= 0)
        H5Fclose(h->file);
    h->file = H5I_INVALID_HID;
    if (h->tmp_path)
        unlink(h->tmp_path);
    free(h->path);
    free(h->tmp_path);
    h->path = h->tmp_path = NULL;
}

static mist_status write_attr(hid_t obj, const char *name, hid_t type, size_t n, const void *v,
                              mist_error *err)
{
    hsize_t dim = n;
    hid_t space = n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dim, NULL);
    hid_t attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = attr >= 0 ? H5Awrite(attr, type, v) : -1;
    if (attr >= 0)
        H5Aclose(attr);
    H5Sclose(space);
    return rc < 0 ? mist_error_set(err, MIST_ERR_IO, "cannot write attribute %s", name) : MIST_OK;
}

mist_status mist_h5_attr_str(hid_t obj, const char *name, const char *value, mist_error *err)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, strlen(value) + 1);
    H5Tset_strpad(type, H5T_STR_NULLTERM);
    H5Tset_cset(type, H5T_CSET_UTF8);
    mist_status st = write_attr(obj, name, type, 1, value, err);
    H5Tclose(type);
    return st;
}

mist_status mist_h5_attr_double(hid_t obj, const char *name, const double *v, size_t n,
                                mist_error *err)
{
    return write_attr(obj, name, H5T_NATIVE_DOUBLE, n, v, err);
}

mist_status mist_h5_attr_u64(hid_t obj, const char *name, const uint64_t *v, size_t n,
                             mist_error *err)
{
    return write_attr(obj, name, H5T_NATIVE_UINT64, n, v, err);
}

mist_status mist_h5_attr_int(hid_t obj, const char *name, long v, mist_error *err)
{
    return write_attr(obj, name, H5T_NATIVE_LONG, 1, &v, err);
}

static mist_status write_as(hid_t file, const char *path, hid_t mem_type, hid_t file_type,
                            int ndim, const uint64_t *dims, const void *data, const char *units,
                            hid_t *dset, mist_error *err);

mist_status mist_h5_write(hid_t file, const char *path, hid_t type, int ndim,
                          const uint64_t *dims, const void *data, const char *units, hid_t *dset,
                          mist_error *err)
{
    return write_as(file, path, type, type, ndim, dims, data, units, dset, err);
}

mist_status mist_h5_write_counts(hid_t file, const char *path, int ndim, const uint64_t *dims,
                                 const uint64_t *data, const char *units, hid_t *dset,
                                 mist_error *err)
{
    size_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= dims[i];
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++)
        max = data[i] > max ? data[i] : max;
    hid_t ft = max <= UINT8_MAX    ? H5T_STD_U8LE
               : max <= UINT16_MAX ? H5T_STD_U16LE
               : max <= UINT32_MAX ? H5T_STD_U32LE
                                   : H5T_STD_U64LE;
    return write_as(file, path, H5T_NATIVE_UINT64, ft, ndim, dims, data, units, dset, err);
}

/* Create dataset `path` (groups as needed) of file_type and shape dims: arrays over 64 KiB
 * chunked in whole rows along the slowest axis, about 1 MiB a chunk, shuffled and deflated;
 * *chunk_rows gets a chunk's rows (0: contiguous). */
static hid_t create_as(hid_t file, const char *path, hid_t file_type, int ndim,
                       const uint64_t *dims, hsize_t *chunk_rows)
{
    hsize_t hd[MIST_H5_MAX_DIMS] = {0}, chunk[MIST_H5_MAX_DIMS] = {0};
    size_t n = 1;
    for (int i = 0; i < ndim; i++) {
        hd[i] = dims[i];
        n *= dims[i];
    }
    hid_t space = H5Screate_simple(ndim, hd, NULL);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    size_t elem = H5Tget_size(file_type);
    *chunk_rows = 0;
    if (n * elem > 65536) {
        size_t row = elem;
        for (int i = 1; i < ndim; i++) {
            chunk[i] = hd[i];
            row *= hd[i];
        }
        size_t rows = row < (1u << 20) ? (1u << 20) / row : 1;
        chunk[0] = rows < hd[0] ? rows : hd[0];
        *chunk_rows = chunk[0];
        H5Pset_chunk(dcpl, ndim, chunk);
        H5Pset_shuffle(dcpl);
        H5Pset_deflate(dcpl, 1);
    }
    hid_t d = H5Dcreate2(file, path, file_type, space, lcpl, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Pclose(lcpl);
    H5Sclose(space);
    return d;
}

/* The units attribute of a written dataset d (rc < 0: the write failed), and d to the
 * caller or closed. */
static mist_status finish(hid_t d, herr_t rc, const char *path, const char *units, hid_t *dset,
                          mist_error *err)
{
    mist_status st = rc < 0 ? mist_error_set(err, MIST_ERR_IO, "cannot write dataset %s", path)
                            : mist_h5_attr_str(d, "units", units, err);
    if (d >= 0 && (st || !dset))
        H5Dclose(d);
    else if (dset)
        *dset = d;
    return st;
}

static mist_status write_as(hid_t file, const char *path, hid_t type, hid_t file_type,
                            int ndim, const uint64_t *dims, const void *data, const char *units,
                            hid_t *dset, mist_error *err)
{
    if (ndim < 1 || ndim > MIST_H5_MAX_DIMS)
        return mist_error_set(err, MIST_ERR_INTERNAL, "%s: %d dimensions", path, ndim);
    hsize_t rows;
    hid_t d = create_as(file, path, file_type, ndim, dims, &rows);
    herr_t rc = d >= 0 ? H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) : -1;
    return finish(d, rc, path, units, dset, err);
}

mist_status mist_h5_write_counts_pairs(hid_t file, const char *path, int ndim,
                                       const uint64_t *dims, const uint64_t *pairs, size_t n_pairs,
                                       const char *units, hid_t *dset, mist_error *err)
{
    if (ndim < 1 || ndim > MIST_H5_MAX_DIMS)
        return mist_error_set(err, MIST_ERR_INTERNAL, "%s: %d dimensions", path, ndim);
    uint64_t max = 0;
    for (size_t k = 0; k < n_pairs; k++)
        max = pairs[2 * k + 1] > max ? pairs[2 * k + 1] : max;
    hid_t ft = max <= UINT8_MAX    ? H5T_STD_U8LE
               : max <= UINT16_MAX ? H5T_STD_U16LE
               : max <= UINT32_MAX ? H5T_STD_U32LE
                                   : H5T_STD_U64LE;
    size_t n = 1, row = 1;
    hsize_t hd[MIST_H5_MAX_DIMS] = {0};
    for (int i = 0; i < ndim; i++) {
        hd[i] = dims[i];
        n *= dims[i];
        row *= i ? dims[i] : 1;
    }
    hsize_t rows;
    hid_t d = create_as(file, path, ft, ndim, dims, &rows);
    if (d < 0)
        return finish(d, -1, path, units, dset, err);
    /* A slab of whole chunks at a time (the whole array when contiguous); slabs without
     * counts are not written (their chunks read as the fill value, 0). */
    size_t slab_rows = rows ? rows : hd[0], slab = slab_rows * row;
    uint64_t *buf = calloc(slab ? slab : 1, sizeof *buf);
    herr_t rc = buf ? 0 : -1;
    hid_t fspace = H5Dget_space(d);
    size_t k = 0;
    for (size_t r0 = 0; rc >= 0 && r0 < hd[0]; r0 += slab_rows) {
        size_t lo = r0 * row, hi = lo + slab_rows * row;
        hi = hi < n ? hi : n;
        if (rows && (k == n_pairs || pairs[2 * k] >= hi))
            continue;
        memset(buf, 0, (hi - lo) * sizeof *buf);
        for (; k < n_pairs && pairs[2 * k] < hi; k++)
            buf[pairs[2 * k] - lo] = pairs[2 * k + 1];
        hsize_t start[MIST_H5_MAX_DIMS] = {0}, count[MIST_H5_MAX_DIMS];
        for (int i = 0; i < ndim; i++)
            count[i] = hd[i];
        start[0] = r0;
        count[0] = (hi - lo) / row;
        hid_t mspace = H5Screate_simple(ndim, count, NULL);
        rc = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL);
        if (rc >= 0)
            rc = H5Dwrite(d, H5T_NATIVE_UINT64, mspace, fspace, H5P_DEFAULT, buf);
        H5Sclose(mspace);
    }
    H5Sclose(fspace);
    free(buf);
    return finish(d, rc, path, units, dset, err);
}

mist_status mist_file_copy(const char *src, const char *dst, mist_error *err)
{
    FILE *in = fopen(src, "rb"), *out = in ? fopen(dst, "wb") : NULL;
    mist_status st = MIST_OK;
    if (!in || !out) {
        st = mist_error_set(err, MIST_ERR_IO, "cannot %s %s", in ? "create" : "read",
                            in ? dst : src);
    } else {
        char buf[1 << 16];
        size_t k;
        while ((k = fread(buf, 1, sizeof buf, in)) > 0)
            if (fwrite(buf, 1, k, out) != k) {
                st = mist_error_set(err, MIST_ERR_IO, "cannot write %s", dst);
                break;
            }
        if (!st && ferror(in))
            st = mist_error_set(err, MIST_ERR_IO, "cannot read %s", src);
    }
    if (in)
        fclose(in);
    if (out && fclose(out) && !st)
        st = mist_error_set(err, MIST_ERR_IO, "cannot write %s", dst);
    return st;
}
