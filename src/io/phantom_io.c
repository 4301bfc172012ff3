#include "io/phantom_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nifti1_io.h>

#include "io/h5out.h"

#define STR_LEN 64

typedef struct tissue_row {
    uint8_t label;
    char name[STR_LEN], material[STR_LEN], uptake[STR_LEN];
    double density_g_cm3, relative_activity;
} tissue_row;

typedef struct lesion_row {
    char name[STR_LEN], tissue[STR_LEN];
    double center_mm[3];
    double diameter_mm;
    uint8_t label;
    double semi_axes_mm[3];
    double volume_mm3;
    uint64_t pv_offset, pv_count;
} lesion_row;

static hid_t str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, STR_LEN);
    H5Tset_strpad(t, H5T_STR_NULLTERM);
    return t;
}

static mist_status write_tissues(hid_t file, const mist_phantom *p, mist_error *err)
{
    tissue_row *rows = calloc(p->n_tissues, sizeof *rows);
    if (!rows)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the tissue table");
    for (size_t t = 0; t < p->n_tissues; t++) {
        rows[t].label = (uint8_t)t;
        snprintf(rows[t].name, STR_LEN, "%s", p->tissues[t].name);
        snprintf(rows[t].material, STR_LEN, "%s", p->tissues[t].material);
        snprintf(rows[t].uptake, STR_LEN, "%s", p->tissues[t].uptake);
        rows[t].density_g_cm3 = p->tissues[t].density_g_cm3;
        rows[t].relative_activity = p->tissues[t].relative_activity;
    }
    hid_t s = str_type(), ct = H5Tcreate(H5T_COMPOUND, sizeof(tissue_row));
    H5Tinsert(ct, "label", HOFFSET(tissue_row, label), H5T_NATIVE_UINT8);
    H5Tinsert(ct, "name", HOFFSET(tissue_row, name), s);
    H5Tinsert(ct, "material", HOFFSET(tissue_row, material), s);
    H5Tinsert(ct, "uptake", HOFFSET(tissue_row, uptake), s);
    H5Tinsert(ct, "density_g_cm3", HOFFSET(tissue_row, density_g_cm3), H5T_NATIVE_DOUBLE);
    H5Tinsert(ct, "relative_activity", HOFFSET(tissue_row, relative_activity), H5T_NATIVE_DOUBLE);
    uint64_t dims[1] = {p->n_tissues};
    mist_status st = mist_h5_write(file, "/phantom/tissues", ct, 1, dims, rows,
                                   "label: 1, density_g_cm3: g/cm3, relative_activity: 1",
                                   NULL, err);
    H5Tclose(ct);
    H5Tclose(s);
    free(rows);
    return st;
}

static mist_status write_lesions(hid_t file, const mist_phantom *p, mist_error *err)
{
    size_t n = p->n_lesions;
    lesion_row *rows = calloc(n ? n : 1, sizeof *rows);
    if (!rows)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the lesion table");
    for (size_t l = 0; l < n; l++) {
        const mist_phantom_lesion *s = &p->lesions[l];
        snprintf(rows[l].name, STR_LEN, "%s", s->name);
        snprintf(rows[l].tissue, STR_LEN, "%s", s->tissue);
        memcpy(rows[l].center_mm, s->center_mm, sizeof rows[l].center_mm);
        rows[l].diameter_mm = s->diameter_mm;
        rows[l].label = s->label;
        memcpy(rows[l].semi_axes_mm, s->semi_axes_mm, sizeof rows[l].semi_axes_mm);
        rows[l].volume_mm3 = s->volume_mm3;
        rows[l].pv_offset = s->pv_offset;
        rows[l].pv_count = s->pv_count;
    }
    hsize_t three = 3;
    hid_t s = str_type(), v3 = H5Tarray_create2(H5T_NATIVE_DOUBLE, 1, &three);
    hid_t ct = H5Tcreate(H5T_COMPOUND, sizeof(lesion_row));
    H5Tinsert(ct, "name", HOFFSET(lesion_row, name), s);
    H5Tinsert(ct, "tissue", HOFFSET(lesion_row, tissue), s);
    H5Tinsert(ct, "center_mm", HOFFSET(lesion_row, center_mm), v3);
    H5Tinsert(ct, "diameter_mm", HOFFSET(lesion_row, diameter_mm), H5T_NATIVE_DOUBLE);
    H5Tinsert(ct, "label", HOFFSET(lesion_row, label), H5T_NATIVE_UINT8);
    H5Tinsert(ct, "semi_axes_mm", HOFFSET(lesion_row, semi_axes_mm), v3);
    H5Tinsert(ct, "volume_mm3", HOFFSET(lesion_row, volume_mm3), H5T_NATIVE_DOUBLE);
    H5Tinsert(ct, "pv_offset", HOFFSET(lesion_row, pv_offset), H5T_NATIVE_UINT64);
    H5Tinsert(ct, "pv_count", HOFFSET(lesion_row, pv_count), H5T_NATIVE_UINT64);
    uint64_t dims[1] = {n};
    mist_status st = mist_h5_write(file, "/phantom/lesions", ct, 1, dims, rows,
                                   "center_mm: mm, diameter_mm: mm, semi_axes_mm: mm, "
                                   "volume_mm3: mm3, label: 1, pv_offset: 1, pv_count: 1",
                                   NULL, err);
    H5Tclose(ct);
    H5Tclose(v3);
    H5Tclose(s);
    free(rows);
    return st;
}

mist_status mist_phantom_io_write_h5(hid_t file, const mist_phantom *p, mist_error *err)
{
    uint64_t dims[3] = {p->n[2], p->n[1], p->n[0]};
    hid_t d;
    mist_status st = mist_h5_write(file, "/phantom/labels", H5T_NATIVE_UINT8, 3, dims, p->labels,
                                   "label (see /phantom/tissues)", &d, err);
    if (st)
        return st;
    if (!(st = mist_h5_attr_double(d, "voxel_size_mm", p->voxel_mm, 3, err)) &&
        !(st = mist_h5_attr_double(d, "origin_mm", p->origin_mm, 3, err)))
        st = mist_h5_attr_str(d, "name", p->name, err);
    H5Dclose(d);
    if (st || (st = write_tissues(file, p, err)) || (st = write_lesions(file, p, err)))
        return st;
    uint64_t n[1] = {p->n_pv};
    static const uint64_t zero = 0;
    static const float zerof = 0.0f;
    static const uint8_t zerob = 0;
    /* An empty list is written as a zero-length dataset. */
    if ((st = mist_h5_write(file, "/phantom/lesion_pv/voxel", H5T_NATIVE_UINT64, 1, n,
                            p->n_pv ? (const void *)p->pv_voxel : &zero, "voxel index", NULL,
                            err)) ||
        (st = mist_h5_write(file, "/phantom/lesion_pv/fraction", H5T_NATIVE_FLOAT, 1, n,
                            p->n_pv ? (const void *)p->pv_fraction : &zerof, "1", NULL, err)) ||
        (st = mist_h5_write(file, "/phantom/lesion_pv/under", H5T_NATIVE_UINT8, 1, n,
                            p->n_pv ? (const void *)p->pv_under : &zerob, "label", NULL, err)))
        return st;
    return MIST_OK;
}

static mist_status write_volume(const mist_phantom *p, const char *path, int datatype,
                                void *data, const char *what, mist_error *err)
{
    /* Check that the file can be created, so the error is ours rather than a message that
     * niftiio prints. */
    FILE *f = fopen(path, "wb");
    if (!f)
        return mist_error_set(err, MIST_ERR_IO, "cannot create %s", path);
    fclose(f);
    int dims[8] = {3, (int)p->n[0], (int)p->n[1], (int)p->n[2], 1, 1, 1, 1};
    nifti_image *nim = nifti_make_new_nim(dims, datatype, 0);
    if (!nim)
        return mist_error_set(err, MIST_ERR_NOMEM, "cannot make a NIfTI image for %s", path);
    nim->dx = nim->pixdim[1] = (float)p->voxel_mm[0];
    nim->dy = nim->pixdim[2] = (float)p->voxel_mm[1];
    nim->dz = nim->pixdim[3] = (float)p->voxel_mm[2];
    nim->xyz_units = NIFTI_UNITS_MM;
    nim->qform_code = nim->sform_code = NIFTI_XFORM_SCANNER_ANAT;
    nim->quatern_b = nim->quatern_c = nim->quatern_d = 0.0f;
    nim->qfac = 1.0f;
    nim->qoffset_x = (float)p->origin_mm[0];
    nim->qoffset_y = (float)p->origin_mm[1];
    nim->qoffset_z = (float)p->origin_mm[2];
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++)
            nim->sto_xyz.m[r][c] = 0.0f;
    for (int a = 0; a < 3; a++) {
        nim->sto_xyz.m[a][a] = (float)p->voxel_mm[a];
        nim->sto_xyz.m[a][3] = (float)p->origin_mm[a];
    }
    nim->sto_xyz.m[3][3] = 1.0f;
    snprintf(nim->descrip, sizeof nim->descrip, "mist phantom %s: %s", p->name, what);
    if (nifti_set_filenames(nim, path, 0, 1)) {
        nifti_image_free(nim);
        return mist_error_set(err, MIST_ERR_IO, "bad NIfTI file name %s", path);
    }
    nim->data = data;
    nifti_image_write(nim);
    nim->data = NULL; /* ours, not niftiio's to free */
    nifti_image_free(nim);
    /* niftiio reports failure only by printing: check the file's size. */
    f = fopen(path, "rb");
    long size = -1;
    if (f && !fseek(f, 0, SEEK_END))
        size = ftell(f);
    if (f)
        fclose(f);
    long want = 352 + (long)mist_phantom_count(p) * (datatype == DT_UINT8 ? 1 : 4);
    if (size != want)
        return mist_error_set(err, MIST_ERR_IO, "writing %s failed (%ld of %ld bytes)", path,
                              size, want);
    return MIST_OK;
}

mist_status mist_phantom_io_write_nifti(const mist_phantom *p, const char *prefix,
                                        mist_error *err)
{
    size_t len = strlen(prefix) + 32;
    char *path = malloc(len);
    float *rho = malloc(mist_phantom_count(p) * sizeof *rho);
    if (!path || !rho) {
        free(path);
        free(rho);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the NIfTI export");
    }
    snprintf(path, len, "%s_labels.nii", prefix);
    mist_status st = write_volume(p, path, DT_UINT8, p->labels, "tissue labels", err);
    if (!st) {
        mist_phantom_density(p, rho);
        snprintf(path, len, "%s_density.nii", prefix);
        st = write_volume(p, path, DT_FLOAT32, rho, "density g/cm3", err);
    }
    free(path);
    free(rho);
    return st;
}
