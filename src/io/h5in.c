#include "io/h5in.h"

#include <stdlib.h>
#include <string.h>

int mist_h5in_exists(hid_t file, const char *path)
{
    /* Check each component, as H5Lexists wants the parents to exist. */
    char buf[1024];
    size_t len = strlen(path);
    if (len >= sizeof buf)
        return 0;
    memcpy(buf, path, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        htri_t e = H5Lexists(file, buf, H5P_DEFAULT);
        buf[i] = c;
        if (e <= 0)
            return 0;
    }
    return 1;
}

mist_status mist_h5in_read_float(hid_t file, const char *path, float **data, uint64_t *dims,
                                 int *ndim, mist_error *err)
{
    *data = NULL;
    if (!mist_h5in_exists(file, path))
        return mist_error_set(err, MIST_ERR_INPUT, "the file has no dataset %s", path);
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    if (d < 0)
        return mist_error_set(err, MIST_ERR_IO, "cannot open dataset %s", path);
    hid_t sp = H5Dget_space(d);
    hsize_t hd[MIST_H5IN_MAX_DIMS];
    int nd = H5Sget_simple_extent_ndims(sp);
    mist_status st = MIST_OK;
    if (nd < 0 || nd > MIST_H5IN_MAX_DIMS || H5Sget_simple_extent_dims(sp, hd, NULL) < 0)
        st = mist_error_set(err, MIST_ERR_IO, "dataset %s: unreadable shape", path);
    size_t n = 1;
    for (int i = 0; !st && i < nd; i++) {
        dims[i] = hd[i];
        n *= hd[i];
    }
    if (!st) {
        *ndim = nd;
        *data = malloc((n ? n : 1) * sizeof **data);
        if (!*data)
            st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory reading %s (%zu values)", path,
                                n);
    }
    if (!st && n && H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, *data) < 0)
        st = mist_error_set(err, MIST_ERR_IO, "cannot read dataset %s", path);
    if (st) {
        free(*data);
        *data = NULL;
    }
    H5Sclose(sp);
    H5Dclose(d);
    return st;
}

/* Open attribute `name` of the object at `path`. */
static hid_t open_attr(hid_t file, const char *path, const char *name, mist_error *err)
{
    if (!mist_h5in_exists(file, path) && strcmp(path, "/")) {
        mist_error_set(err, MIST_ERR_INPUT, "the file has no %s", path);
        return H5I_INVALID_HID;
    }
    if (H5Aexists_by_name(file, path, name, H5P_DEFAULT) <= 0) {
        mist_error_set(err, MIST_ERR_INPUT, "%s has no attribute %s", path, name);
        return H5I_INVALID_HID;
    }
    hid_t a = H5Aopen_by_name(file, path, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0)
        mist_error_set(err, MIST_ERR_IO, "cannot open attribute %s of %s", name, path);
    return a;
}

mist_status mist_h5in_attr_double(hid_t file, const char *path, const char *name, double *v,
                                  size_t n, mist_error *err)
{
    hid_t a = open_attr(file, path, name, err);
    if (a < 0)
        return err ? err->code : MIST_ERR_IO;
    hid_t sp = H5Aget_space(a);
    hssize_t count = H5Sget_simple_extent_npoints(sp);
    mist_status st = MIST_OK;
    if (count != (hssize_t)n)
        st =
            mist_error_set(err, MIST_ERR_INPUT, "attribute %s of %s: expected %zu values, got %lld",
                           name, path, n, (long long)count);
    else if (H5Aread(a, H5T_NATIVE_DOUBLE, v) < 0)
        st = mist_error_set(err, MIST_ERR_IO, "cannot read attribute %s of %s", name, path);
    H5Sclose(sp);
    H5Aclose(a);
    return st;
}

mist_status mist_h5in_attr_long(hid_t file, const char *path, const char *name, long *v,
                                mist_error *err)
{
    hid_t a = open_attr(file, path, name, err);
    if (a < 0)
        return err ? err->code : MIST_ERR_IO;
    mist_status st = MIST_OK;
    if (H5Aread(a, H5T_NATIVE_LONG, v) < 0)
        st = mist_error_set(err, MIST_ERR_IO, "cannot read attribute %s of %s", name, path);
    H5Aclose(a);
    return st;
}

mist_status mist_h5in_attr_str(hid_t file, const char *path, const char *name, char **out,
                               mist_error *err)
{
    *out = NULL;
    hid_t a = open_attr(file, path, name, err);
    if (a < 0)
        return err ? err->code : MIST_ERR_IO;
    hid_t t = H5Aget_type(a);
    mist_status st = MIST_OK;
    if (H5Tget_class(t) != H5T_STRING) {
        st = mist_error_set(err, MIST_ERR_INPUT, "attribute %s of %s is not a string", name, path);
    } else if (H5Tis_variable_str(t) > 0) {
        char *s = NULL;
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
        if (H5Aread(a, mt, &s) < 0 || !s)
            st = mist_error_set(err, MIST_ERR_IO, "cannot read attribute %s of %s", name, path);
        else if (!(*out = strdup(s)))
            st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
        if (s)
            H5free_memory(s);
        H5Tclose(mt);
    } else {
        size_t len = H5Tget_size(t);
        *out = calloc(len + 1, 1);
        if (!*out)
            st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
        else if (H5Aread(a, t, *out) < 0)
            st = mist_error_set(err, MIST_ERR_IO, "cannot read attribute %s of %s", name, path);
    }
    if (st) {
        free(*out);
        *out = NULL;
    }
    H5Tclose(t);
    H5Aclose(a);
    return st;
}

mist_status mist_h5in_first_member(hid_t file, const char *path, char *buf, size_t size,
                                   mist_error *err)
{
    if (!mist_h5in_exists(file, path))
        return mist_error_set(err, MIST_ERR_INPUT, "the file has no group %s", path);
    ssize_t len =
        H5Lget_name_by_idx(file, path, H5_INDEX_NAME, H5_ITER_INC, 0, buf, size, H5P_DEFAULT);
    if (len < 0)
        return mist_error_set(err, MIST_ERR_INPUT, "group %s is empty", path);
    if ((size_t)len >= size)
        return mist_error_set(err, MIST_ERR_INPUT, "a member name of %s is too long", path);
    return MIST_OK;
}
