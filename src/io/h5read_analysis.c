#include "io/h5read_analysis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mist_h5r_exists(hid_t file, const char *path)
{
    char buf[MIST_H5R_PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    /* Check each prefix: H5Lexists fails (not returns 0) on a missing intermediate group. */
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            htri_t e = H5Lexists(file, buf, H5P_DEFAULT);
            *p = c;
            if (e <= 0)
                return 0;
            if (c == '\0')
                return 1;
        }
    }
}

mist_status mist_h5r_read(hid_t file, const char *fname, const char *path, hid_t mem_type,
                          size_t elem_size, void **data, uint64_t *dims, int ndim_max, int *ndim,
                          mist_error *err)
{
    *data = NULL;
    if (!mist_h5r_exists(file, path))
        return mist_error_set(err, MIST_ERR_INPUT, "%s has no %s", fname, path);
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
    int nd = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    mist_status st = MIST_OK;
    if (nd < 0 || nd > ndim_max) {
        st = mist_error_set(err, MIST_ERR_INPUT, "%s: %s is not an array of rank <= %d", fname,
                            path, ndim_max);
        goto done;
    }
    hsize_t hd[8] = {0};
    H5Sget_simple_extent_dims(sp, hd, NULL);
    size_t count = 1;
    for (int a = 0; a < nd; a++) {
        dims[a] = hd[a];
        count *= (size_t)hd[a];
    }
    *ndim = nd;
    *data = malloc(count ? count * elem_size : 1);
    if (!*data) {
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory reading %s from %s", path, fname);
        goto done;
    }
    if (count && H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, *data) < 0) {
        free(*data);
        *data = NULL;
        st = mist_error_set(err, MIST_ERR_IO, "cannot read %s from %s", path, fname);
    }
done:
    if (sp >= 0)
        H5Sclose(sp);
    if (d >= 0)
        H5Dclose(d);
    return st;
}

mist_status mist_h5r_attr_double(hid_t file, const char *fname, const char *path, const char *name,
                                 double *v, size_t n, mist_error *err)
{
    if (strcmp(path, ".") && !mist_h5r_exists(file, path))
        return mist_error_set(err, MIST_ERR_INPUT, "%s has no %s", fname, path);
    if (H5Aexists_by_name(file, path, name, H5P_DEFAULT) <= 0)
        return mist_error_set(err, MIST_ERR_INPUT, "%s: %s has no attribute %s", fname, path, name);
    hid_t a = H5Aopen_by_name(file, path, name, H5P_DEFAULT, H5P_DEFAULT);
    hid_t sp = a >= 0 ? H5Aget_space(a) : -1;
    mist_status st = MIST_OK;
    if (sp < 0 || (size_t)H5Sget_simple_extent_npoints(sp) != n ||
        H5Aread(a, H5T_NATIVE_DOUBLE, v) < 0)
        st = mist_error_set(err, MIST_ERR_INPUT, "%s: attribute %s of %s is not %zu number%s",
                            fname, name, path, n, n == 1 ? "" : "s");
    if (sp >= 0)
        H5Sclose(sp);
    if (a >= 0)
        H5Aclose(a);
    return st;
}

mist_status mist_h5r_lesions(hid_t file, const char *fname, mist_h5r_lesion **rows, size_t *n,
                             mist_error *err)
{
    *rows = NULL;
    *n = 0;
    const char *path = "/phantom/lesions";
    if (!mist_h5r_exists(file, path))
        return mist_error_set(err, MIST_ERR_INPUT, "%s has no %s", fname, path);
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
    hssize_t count = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    /* Read by field name: HDF5 converts the file's compound to this subset. */
    hsize_t three = 3;
    hid_t s = H5Tcopy(H5T_C_S1);
    H5Tset_size(s, MIST_H5R_NAME_MAX);
    H5Tset_strpad(s, H5T_STR_NULLTERM);
    hid_t v3 = H5Tarray_create2(H5T_NATIVE_DOUBLE, 1, &three);
    hid_t ct = H5Tcreate(H5T_COMPOUND, sizeof(mist_h5r_lesion));
    H5Tinsert(ct, "name", HOFFSET(mist_h5r_lesion, name), s);
    H5Tinsert(ct, "center_mm", HOFFSET(mist_h5r_lesion, center_mm), v3);
    H5Tinsert(ct, "diameter_mm", HOFFSET(mist_h5r_lesion, diameter_mm), H5T_NATIVE_DOUBLE);
    H5Tinsert(ct, "label", HOFFSET(mist_h5r_lesion, label), H5T_NATIVE_UINT8);
    H5Tinsert(ct, "pv_offset", HOFFSET(mist_h5r_lesion, pv_offset), H5T_NATIVE_UINT64);
    H5Tinsert(ct, "pv_count", HOFFSET(mist_h5r_lesion, pv_count), H5T_NATIVE_UINT64);
    mist_status st = MIST_OK;
    if (count < 0) {
        st = mist_error_set(err, MIST_ERR_IO, "cannot open %s in %s", path, fname);
    } else if (count > 0) {
        *rows = calloc((size_t)count, sizeof **rows);
        if (!*rows)
            st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for %s", path);
        else if (H5Dread(d, ct, H5S_ALL, H5S_ALL, H5P_DEFAULT, *rows) < 0) {
            free(*rows);
            *rows = NULL;
            st = mist_error_set(err, MIST_ERR_INPUT,
                                "%s: %s lacks a column mist analyze needs (name, center_mm, "
                                "diameter_mm, label, pv_offset, pv_count)",
                                fname, path);
        } else {
            *n = (size_t)count;
        }
    }
    H5Tclose(ct);
    H5Tclose(v3);
    H5Tclose(s);
    if (sp >= 0)
        H5Sclose(sp);
    if (d >= 0)
        H5Dclose(d);
    return st;
}

typedef struct tissue_name {
    uint8_t label;
    char name[MIST_H5R_NAME_MAX];
} tissue_name;

int mist_h5r_tissue_label(hid_t file, const char *name)
{
    if (!mist_h5r_exists(file, "/phantom/tissues"))
        return -1;
    hid_t d = H5Dopen2(file, "/phantom/tissues", H5P_DEFAULT);
    hid_t sp = H5Dget_space(d);
    hssize_t count = H5Sget_simple_extent_npoints(sp);
    hid_t s = H5Tcopy(H5T_C_S1);
    H5Tset_size(s, MIST_H5R_NAME_MAX);
    H5Tset_strpad(s, H5T_STR_NULLTERM);
    hid_t ct = H5Tcreate(H5T_COMPOUND, sizeof(tissue_name));
    H5Tinsert(ct, "label", HOFFSET(tissue_name, label), H5T_NATIVE_UINT8);
    H5Tinsert(ct, "name", HOFFSET(tissue_name, name), s);
    int found = -1;
    tissue_name *rows = count > 0 ? calloc((size_t)count, sizeof *rows) : NULL;
    if (rows && H5Dread(d, ct, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0)
        for (hssize_t i = 0; i < count && found < 0; i++)
            if (!strcmp(rows[i].name, name))
                found = rows[i].label;
    free(rows);
    H5Tclose(ct);
    H5Tclose(s);
    H5Sclose(sp);
    H5Dclose(d);
    return found;
}

typedef struct name_list {
    char (*names)[MIST_H5R_PATH_MAX];
    size_t n, cap;
} name_list;

static herr_t collect(hid_t g, const char *name, const H5L_info_t *info, void *op)
{
    (void)g;
    (void)info;
    name_list *l = op;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        void *p = realloc(l->names, cap * sizeof *l->names);
        if (!p)
            return -1;
        l->names = p;
        l->cap = cap;
    }
    snprintf(l->names[l->n++], MIST_H5R_PATH_MAX, "%s", name);
    return 0;
}

static mist_status list_group(hid_t file, const char *fname, const char *path, name_list *l,
                              mist_error *err)
{
    l->n = 0;
    hid_t g = H5Gopen2(file, path, H5P_DEFAULT);
    if (g < 0)
        return mist_error_set(err, MIST_ERR_INPUT, "%s: %s is not a group", fname, path);
    hsize_t idx = 0;
    herr_t e = H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, collect, l);
    H5Gclose(g);
    if (e < 0)
        return mist_error_set(err, MIST_ERR_IO, "%s: cannot list %s", fname, path);
    return MIST_OK;
}

mist_status mist_h5r_recon_images(hid_t file, const char *fname, char (**paths)[MIST_H5R_PATH_MAX],
                                  size_t *n, mist_error *err)
{
    *paths = NULL;
    *n = 0;
    if (!mist_h5r_exists(file, "/recon"))
        return MIST_OK;
    name_list mods = {0}, scans = {0}, out = {0};
    mist_status st = list_group(file, fname, "/recon", &mods, err);
    for (size_t m = 0; !st && m < mods.n; m++) {
        char p[MIST_H5R_PATH_MAX];
        snprintf(p, sizeof p, "/recon/%.100s", mods.names[m]);
        if (H5Oexists_by_name(file, p, H5P_DEFAULT) <= 0)
            continue;
        hid_t o = H5Oopen(file, p, H5P_DEFAULT);
        H5I_type_t type = o >= 0 ? H5Iget_type(o) : H5I_BADID;
        if (o >= 0)
            H5Oclose(o);
        if (type != H5I_GROUP)
            continue;
        st = list_group(file, fname, p, &scans, err);
        for (size_t s = 0; !st && s < scans.n; s++) {
            char q[MIST_H5R_PATH_MAX];
            snprintf(q, sizeof q, "/recon/%.100s/%.100s/image", mods.names[m], scans.names[s]);
            if (mist_h5r_exists(file, q) && collect(0, q, NULL, &out) < 0)
                st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory listing /recon");
        }
    }
    free(mods.names);
    free(scans.names);
    if (st) {
        free(out.names);
        return st;
    }
    *paths = out.names;
    *n = out.n;
    return MIST_OK;
}
