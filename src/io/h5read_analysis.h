/*
 * h5read_analysis.h - the reading that `mist analyze` needs from a result
 * file (HDF5): whole datasets into new arrays, double attributes, the
 * /phantom/lesions table and the list of reconstructed images
 * (/recon/<modality>/<scanner>/image).  Every reader names the file and the
 * object in its error sentence.
 */
#ifndef MIST_IO_H5READ_ANALYSIS_H
#define MIST_IO_H5READ_ANALYSIS_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

#define MIST_H5R_NAME_MAX 64
#define MIST_H5R_PATH_MAX 256

/* Read the whole dataset at path, converted to mem_type (H5T_NATIVE_FLOAT, _UINT8,
 * _UINT64, ...): *data is malloc'ed (free it), dims[ndim_max] receive the shape (C order),
 * *ndim the rank.  A missing dataset is MIST_ERR_INPUT ("FILE has no PATH"). */
mist_status mist_h5r_read(hid_t file, const char *fname, const char *path, hid_t mem_type,
                          size_t elem_size, void **data, uint64_t *dims, int ndim_max, int *ndim,
                          mist_error *err);

/* A double attribute (n values) of the object at path ("." for the root). */
mist_status mist_h5r_attr_double(hid_t file, const char *fname, const char *path, const char *name,
                                 double *v, size_t n, mist_error *err);

/* 1 when the link path exists (every group on it too). */
int mist_h5r_exists(hid_t file, const char *path);

typedef struct mist_h5r_lesion {
    char name[MIST_H5R_NAME_MAX];
    double center_mm[3];
    double diameter_mm;
    uint8_t label;
    uint64_t pv_offset, pv_count;
} mist_h5r_lesion;

/* The /phantom/lesions table (*rows malloc'ed; none: *n = 0). */
mist_status mist_h5r_lesions(hid_t file, const char *fname, mist_h5r_lesion **rows, size_t *n,
                             mist_error *err);

/* Label of the tissue called name in /phantom/tissues, or -1. */
int mist_h5r_tissue_label(hid_t file, const char *name);

/* Paths of every /recon/<modality>/<scanner>/image, sorted: *paths malloc'ed array of
 * MIST_H5R_PATH_MAX strings. */
mist_status mist_h5r_recon_images(hid_t file, const char *fname, char (**paths)[MIST_H5R_PATH_MAX],
                                  size_t *n, mist_error *err);

#endif
