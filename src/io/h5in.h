/*
 * h5in.h - reading mist result files (HDF5): numeric datasets converted to
 * float32 or uint8 on read, attributes, and the names in a group.  Each
 * function opens what it needs and closes it again; errors name the file
 * and the object.
 */
#ifndef MIST_IO_H5IN_H
#define MIST_IO_H5IN_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

#define MIST_H5IN_MAX_DIMS 8

/* 1 if `path` (a dataset or group) exists in the file, else 0. */
int mist_h5in_exists(hid_t file, const char *path);

/* Read the numeric dataset at `path` as float32 (HDF5 converts the stored
 * type): *data is malloc'd, dims[*ndim] receives its shape (slowest first). */
mist_status mist_h5in_read_float(hid_t file, const char *path, float **data, uint64_t *dims,
                                 int *ndim, mist_error *err);

/* Numeric attribute `name` of the object at `path` (exactly n values). */
mist_status mist_h5in_attr_double(hid_t file, const char *path, const char *name, double *v,
                                  size_t n, mist_error *err);
mist_status mist_h5in_attr_long(hid_t file, const char *path, const char *name, long *v,
                                mist_error *err);
/* String attribute: *out is malloc'd. */
mist_status mist_h5in_attr_str(hid_t file, const char *path, const char *name, char **out,
                               mist_error *err);

/* Name of the first (in name order) member of group `path` into buf. */
mist_status mist_h5in_first_member(hid_t file, const char *path, char *buf, size_t size,
                                   mist_error *err);

#endif
