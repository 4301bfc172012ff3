#include "engine/recon_cmd.h"

#include "engine/recon_util.h"
#include "engine/spect_recon_cmd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "detector/sinogram.h"
#include "io/h5in.h"
#include "io/h5out.h"
#include "io/image_io.h"
#include "io/interfile.h"
#include "io/study.h"
#include "io/yaml_doc.h"
#include "par/mpi_env.h"
#include "recon/filter.h"
#include "recon/osem.h"
#include "recon/pet_lor.h"
#include "recon/pet_recon.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef mist_recon_job pet_job;

void mist_recon_job_free(mist_recon_job *j)
{
    mist_sino_free(&j->sino);
    mist_pet_lors_free(&j->lors);
    free(j->prompts);
    free(j->additive);
    free(j->mu_mm);
    free(j->sens);
}

/* The study's recon settings with the recon.* overrides on top. */
mist_status mist_recon_read_settings(hid_t f, const char *in, const char *const *sets,
                                     size_t n_sets, mist_study *s, mist_error *err)
{
    char *text = NULL, name[4200];
    mist_yaml_doc *doc = NULL;
    mist_status st = mist_h5in_attr_str(f, "/", "study_yaml", &text, err);
    snprintf(name, sizeof name, "%s:/study_yaml", in);
    if (!st)
        st = mist_yaml_load_string(text, name, ".", &doc, err);
    /* The recon.* overrides of the run that wrote the file (kept in the text
     * as "# --set KEY=VALUE" lines), then this command's. */
    for (const char *line = text; !st && line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > 14 && len < 512 && !strncmp(line, "# --set recon.", 14)) {
            char set[512];
            memcpy(set, line + 8, len - 8);
            set[len - 8] = '\0';
            st = mist_yaml_override(doc, set, err);
        }
        line = end ? end + 1 : NULL;
    }
    for (size_t i = 0; !st && i < n_sets; i++) {
        if (strncmp(sets[i], "recon.", 6))
            st = mist_error_set(err, MIST_ERR_INPUT,
                                "--set %s: mist recon takes only recon.* settings (the data are "
                                "already simulated)",
                                sets[i]);
        else
            st = mist_yaml_override(doc, sets[i], err);
    }
    if (!st)
        st = mist_study_read_recon(doc->root, s, err);
    if (!st && s->recon.algorithm == MIST_RECON_MLEM)
        s->recon.subsets = 1;
    mist_yaml_free(doc);
    free(text);
    return st;
}

/* Read a sinogram as float [planes, views, radial] (TOF bins summed), or
 * [j->n_tof][planes, views, radial] when j->n_tof > 1. */
static mist_status read_sino(hid_t f, const pet_job *j, const char *what, float **out,
                             mist_error *err)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", j->group, what);
    uint64_t dims[MIST_H5IN_MAX_DIMS];
    int nd = 0;
    mist_status st = mist_h5in_read_float(f, path, out, dims, &nd, err);
    if (st)
        return st;
    size_t n_tof = nd == 4 ? dims[0] : 1;
    const uint64_t *d3 = nd == 4 ? dims + 1 : dims;
    if ((nd != 3 && nd != 4) || d3[0] != j->sino.n_planes || d3[1] != j->sino.n_views ||
        d3[2] != j->sino.n_radial) {
        free(*out);
        *out = NULL;
        return mist_error_set(err, MIST_ERR_INPUT,
                              "%s: expected [%u x %u x %u] (planes x views x radial, optionally "
                              "after a TOF axis) from the scanner's sinogram attributes",
                              path, j->sino.n_planes, j->sino.n_views, j->sino.n_radial);
    }
    if (j->n_tof > 1 && n_tof != (size_t)j->n_tof) {
        free(*out);
        *out = NULL;
        return mist_error_set(err, MIST_ERR_INPUT, "%s: expected %d TOF bins", path, j->n_tof);
    }
    for (size_t t = 1; j->n_tof <= 1 && t < n_tof; t++)
        for (size_t i = 0; i < j->n_bins; i++)
            (*out)[i] += (*out)[t * j->n_bins + i];
    return MIST_OK;
}

mist_status mist_recon_job_read_sino(const char *path, const mist_recon_job *j,
                                     const char *what, float **out, mist_error *err)
{
    *out = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return mist_error_set(err, MIST_ERR_INPUT, "cannot open %s as HDF5", path);
    mist_status st = read_sino(f, j, what, out, err);
    H5Fclose(f);
    return st;
}

/* Scanner geometry from the attributes simulate writes on /pet/<scanner>. */
static mist_status read_geometry(hid_t f, pet_job *j, mist_error *err)
{
    long n_cryst, rings, span, mrd, radial;
    mist_status st;
    if ((st = mist_h5in_attr_long(f, j->group, "crystals_per_ring", &n_cryst, err)) ||
        (st = mist_h5in_attr_long(f, j->group, "rings", &rings, err)) ||
        (st = mist_h5in_attr_long(f, j->group, "span", &span, err)) ||
        (st = mist_h5in_attr_long(f, j->group, "max_ring_difference", &mrd, err)) ||
        (st = mist_h5in_attr_long(f, j->group, "radial_bins", &radial, err)) ||
        (st = mist_h5in_attr_double(f, j->group, "ring_radius_mm", &j->radius_mm, 1, err)) ||
        (st = mist_h5in_attr_double(f, j->group, "ring_pitch_mm", &j->pitch_mm, 1, err)))
        return st;
    if (n_cryst < 4 || rings < 1 || span < 1 || mrd < 0 || radial < 2)
        return mist_error_set(err, MIST_ERR_INPUT, "%s: invalid sinogram attributes", j->group);
    st = mist_sino_init(&j->sino, (uint32_t)n_cryst, (uint32_t)rings, (uint32_t)radial,
                        (uint32_t)span, (uint32_t)mrd, j->radius_mm, err);
    j->n_bins = (size_t)j->sino.n_planes * j->sino.n_views * j->sino.n_radial;
    return st;
}

/* Decay-weighted simulated time: the sum over batches of the integral of
 * exp(-lambda t) over each batch's simulated window (the first
 * simulated_fraction of its slice), t from the frame start. */
static mist_status read_time(hid_t f, pet_job *j, mist_error *err)
{
    double half, dur, frac;
    long batches;
    mist_status st;
    if ((st = mist_h5in_attr_double(f, "/acquisition", "half_life_s", &half, 1, err)) ||
        (st = mist_h5in_attr_double(f, "/acquisition", "duration_s", &dur, 1, err)) ||
        (st = mist_h5in_attr_double(f, "/acquisition", "simulated_fraction", &frac, 1, err)) ||
        (st = mist_h5in_attr_long(f, "/acquisition", "batches", &batches, err)))
        return st;
    double lam = log(2.0) / half, slice = dur / (double)batches, t = 0.0;
    for (long b = 0; b < batches; b++)
        t += lam > 0 ? exp(-lam * slice * b) * -expm1(-lam * frac * slice) / lam : frac * slice;
    j->t_eff_s = t;
    return MIST_OK;
}

/* Where the scanner sat on the phantom (/pet/<scanner> scanner_axis, scanner_center_mm;
 * absent in files from before scanner_pose: the identity): the LORs move into the
 * phantom's frame, where the image and the mu-map live. */
static mist_status read_pose(hid_t f, pet_job *j, mist_error *err)
{
    char *axis = NULL;
    double c[3] = {0, 0, 0};
    hid_t g = H5Gopen2(f, j->group, H5P_DEFAULT);
    int has = g >= 0 && H5Aexists(g, "scanner_axis") > 0;
    if (g >= 0)
        H5Gclose(g);
    if (!has)
        return MIST_OK;
    mist_status st = mist_h5in_attr_str(f, j->group, "scanner_axis", &axis, err);
    if (!st)
        st = mist_h5in_attr_double(f, j->group, "scanner_center_mm", c, 3, err);
    int a = st ? -1 : !strcmp(axis, "x") ? 0 : !strcmp(axis, "y") ? 1 : !strcmp(axis, "z") ? 2 : -1;
    if (!st && a < 0)
        st = mist_error_set(err, MIST_ERR_INPUT, "%s scanner_axis = '%s': expected x, y or z",
                            j->group, axis);
    if (!st)
        mist_pet_lors_set_pose(&j->lors, a, c);
    free(axis);
    return st;
}

/* The image grid (the phantom's extent at voxel_mm) and the mu-map on it
 * [1/mm]: each recon voxel the mean of the phantom voxels whose centres fall
 * in it, or the nearest phantom voxel where none does. */
static mist_status read_mu(hid_t f, pet_job *j, double voxel_mm, int attenuation, mist_error *err)
{
    return mist_recon_read_grid(f, voxel_mm, attenuation ? "/phantom/mu_511" : NULL, &j->img,
                                &j->mu_mm, err);
}

mist_status mist_recon_read_grid(hid_t f, double voxel_mm, const char *mu_path,
                                 mist_img_geom *img, float **mu_mm, mist_error *err)
{
    float *mu = NULL;
    uint64_t dims[MIST_H5IN_MAX_DIMS];
    int nd;
    double pv[3], po[3];
    /* The grid from /phantom/labels (every result file has it). */
    hid_t d = mist_h5in_exists(f, "/phantom/labels") ? H5Dopen2(f, "/phantom/labels", H5P_DEFAULT)
                                                     : H5I_INVALID_HID;
    hid_t sp = d < 0 ? H5I_INVALID_HID : H5Dget_space(d);
    hsize_t hd[3];
    mist_status st = MIST_OK;
    if (sp < 0 || H5Sget_simple_extent_ndims(sp) != 3 ||
        H5Sget_simple_extent_dims(sp, hd, NULL) < 0)
        st = mist_error_set(err, MIST_ERR_INPUT, "the file has no 3-D /phantom/labels");
    if (sp >= 0)
        H5Sclose(sp);
    if (d >= 0)
        H5Dclose(d);
    if (!st)
        st = mist_h5in_attr_double(f, "/phantom/labels", "voxel_size_mm", pv, 3, err);
    if (!st)
        st = mist_h5in_attr_double(f, "/phantom/labels", "origin_mm", po, 3, err);
    if (st)
        return st;
    size_t pn[3] = {hd[2], hd[1], hd[0]};
    *img = mist_img_geom_cover(pn, pv, po, voxel_mm);
    if (!mu_path)
        return MIST_OK;
    if (!mist_h5in_exists(f, mu_path))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "the file has no %s (written by simulations since "
                              "reconstruction was built): simulate again, or reconstruct without "
                              "attenuation correction (--set recon.attenuation=false)",
                              mu_path);
    st = mist_h5in_read_float(f, mu_path, &mu, dims, &nd, err);
    if (!st && (nd != 3 || dims[0] != hd[0] || dims[1] != hd[1] || dims[2] != hd[2]))
        st = mist_error_set(err, MIST_ERR_INPUT, "%s: expected the shape of /phantom/labels",
                            mu_path);
    if (st) {
        free(mu);
        return st;
    }
    size_t nv = mist_img_count(img);
    float *out = *mu_mm = calloc(nv, sizeof *out);
    unsigned *cnt = calloc(nv, sizeof *cnt);
    if (!out || !cnt) {
        free(mu);
        free(cnt);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the mu-map");
    }
    const mist_img_geom *g = img;
    for (size_t z = 0; z < pn[2]; z++)
        for (size_t y = 0; y < pn[1]; y++)
            for (size_t x = 0; x < pn[0]; x++) {
                const size_t p[3] = {x, y, z};
                long r[3];
                int in = 1;
                for (int k = 0; k < 3; k++) {
                    r[k] = lround((po[k] + p[k] * pv[k] - g->origin_mm[k]) / g->voxel_mm[k]);
                    in &= r[k] >= 0 && r[k] < g->n[k];
                }
                if (!in)
                    continue;
                size_t v = ((size_t)r[2] * g->n[1] + (size_t)r[1]) * g->n[0] + (size_t)r[0];
                out[v] += mu[(z * pn[1] + y) * pn[0] + x];
                cnt[v]++;
            }
    for (int z = 0; z < g->n[2]; z++)
        for (int y = 0; y < g->n[1]; y++)
            for (int x = 0; x < g->n[0]; x++) {
                size_t v = ((size_t)z * g->n[1] + y) * g->n[0] + x;
                if (cnt[v]) {
                    out[v] /= (float)cnt[v];
                } else {
                    const int r[3] = {x, y, z};
                    long p[3];
                    for (int k = 0; k < 3; k++) {
                        p[k] = lround((g->origin_mm[k] + r[k] * g->voxel_mm[k] - po[k]) / pv[k]);
                        p[k] = p[k] < 0 ? 0 : p[k] >= (long)pn[k] ? (long)pn[k] - 1 : p[k];
                    }
                    out[v] = mu[((size_t)p[2] * pn[1] + (size_t)p[1]) * pn[0] + (size_t)p[0]];
                }
                out[v] *= 0.1f; /* 1/cm -> 1/mm */
            }
    free(mu);
    free(cnt);
    return MIST_OK;
}

/* 1 if the file holds SPECT data and no PET data. */
static int is_spect(const char *in)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(in, H5F_ACC_RDONLY, H5P_DEFAULT);
    int spect = f >= 0 && !mist_h5in_exists(f, "/pet") && mist_h5in_exists(f, "/spect");
    if (f >= 0)
        H5Fclose(f);
    return spect;
}

/* What the file holds to reconstruct. */
static mist_status check_data(hid_t f, const char *in, mist_error *err)
{
    if (mist_h5in_exists(f, "/pet"))
        return MIST_OK;
    return mist_error_set(err, MIST_ERR_INPUT, "%s: no PET data (/pet) or SPECT data (/spect) to reconstruct", in);
}

static mist_status read_job(const char *in, const mist_study *s, pet_job *j, hid_t f,
                            mist_error *err)
{
    mist_status st;
    if ((st = mist_h5in_first_member(f, "/pet", j->scanner, sizeof j->scanner, err)))
        return st;
    snprintf(j->group, sizeof j->group, "/pet/%s", j->scanner);
    if ((st = read_geometry(f, j, err)) || (st = read_time(f, j, err)))
        return st;
    /* TOF: the kernel from the prompts' attributes, unless recon.tof is off. */
    char path[160];
    snprintf(path, sizeof path, "%s/prompts", j->group);
    j->n_tof = 1;
    if (s->recon.tof && mist_h5in_exists(f, path) &&
        !mist_h5in_attr_double(f, path, "tof_bin_ps", &j->tof_bin_ps, 1, NULL) &&
        !mist_h5in_attr_double(f, path, "tof_resolution_ps", &j->tof_fwhm_ps, 1, NULL)) {
        uint64_t dims[MIST_H5IN_MAX_DIMS];
        hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
        hid_t sp = d < 0 ? H5I_INVALID_HID : H5Dget_space(d);
        hsize_t hd[MIST_H5IN_MAX_DIMS];
        int nd = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp);
        if (nd == 4 && H5Sget_simple_extent_dims(sp, hd, NULL) == 4) {
            dims[0] = hd[0];
            j->n_tof = dims[0] > 1 && dims[0] <= MIST_TOF_MAX_BINS ? (int)dims[0] : 1;
        }
        if (sp >= 0)
            H5Sclose(sp);
        if (d >= 0)
            H5Dclose(d);
    }
    if ((st = read_sino(f, j, "prompts", &j->prompts, err)))
        return st;
    if (s->recon.randoms_delayed || s->recon.scatter_truth) {
        float *part = NULL;
        const char *what[2] = {"delayed", "scatters"};
        const int use[2] = {s->recon.randoms_delayed, s->recon.scatter_truth};
        for (int k = 0; k < 2 && !st; k++) {
            if (!use[k])
                continue;
            st = read_sino(f, j, what[k], &part, err);
            if (!st && !j->additive) {
                j->additive = part;
                part = NULL;
            } else if (!st) {
                for (size_t i = 0; i < j->n_bins * (size_t)j->n_tof; i++)
                    j->additive[i] += part[i];
            }
            free(part);
            part = NULL;
        }
        if (st)
            return st;
    }
    if ((st = read_mu(f, j, s->recon.voxel_mm, s->recon.attenuation, err)) ||
        (st = mist_pet_lors_init(&j->lors, &j->sino, j->radius_mm, j->pitch_mm, err)) ||
        (st = read_pose(f, j, err)))
        return st;
    /* Sensitivity: T_eff x geometric efficiency, so x comes out in Bq/mm^3. */
    size_t n = (size_t)j->sino.n_planes * j->sino.n_radial;
    j->sens = malloc(n * sizeof *j->sens);
    if (!j->sens)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    double element = 2.0 * 3.14159265358979323846 * j->radius_mm / j->sino.n_crystals * j->pitch_mm;
    mist_pet_lors_geometric_eff(&j->lors, &j->sino, j->radius_mm, j->pitch_mm, element, j->sens);
    for (size_t i = 0; i < n; i++)
        j->sens[i] *= (float)j->t_eff_s;
    return MIST_OK;
}

mist_status mist_recon_job_read(const char *in, const char *const *sets, size_t n_sets,
                                mist_study *s, mist_recon_job *j, mist_error *err)
{
    memset(j, 0, sizeof *j);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(in, H5F_ACC_RDONLY, H5P_DEFAULT);
    mist_status st =
        f < 0 ? mist_error_set(err, MIST_ERR_INPUT, "cannot open %s as HDF5", in) : MIST_OK;
    if (!st)
        st = check_data(f, in, err);
    if (!st)
        st = mist_recon_read_settings(f, in, sets, n_sets, s, err);
    if (!st)
        st = read_job(in, s, j, f, err);
    if (f >= 0)
        H5Fclose(f);
    if (st)
        mist_recon_job_free(j);
    return st;
}

mist_pet_recon_input mist_recon_job_input(const mist_recon_job *j, const mist_study *s,
                                          const float *prompts, const float *additive,
                                          const float *sens)
{
    mist_pet_recon_input ri = {
        .lors = &j->lors,
        .img = j->img,
        .prompts = prompts,
        .additive = additive,
        .mu_mm = j->mu_mm,
        .sens = sens,
        .psf_fwhm_mm = s->recon.psf_fwhm_mm,
        .tof = {.n_tof = j->n_tof,
                /* x = c tau / 2; c = 0.299792458 mm/ps */
                .bin_mm = (float)(0.5 * 0.299792458 * j->tof_bin_ps),
                .sigma_mm = (float)(0.5 * 0.299792458 * j->tof_fwhm_ps / 2.35482)},
        .n_subsets = (size_t)s->recon.subsets,
        .rank = 0,
        .n_ranks = 1};
    return ri;
}

mist_status mist_recon_image_begin(const char *in, const char *out, const char *path,
                                   const mist_img_geom *g, const mist_study *s, const float *img,
                                   char *tmp, size_t tmp_size, hid_t *f, hid_t *d,
                                   mist_error *err)
{
    *f = *d = H5I_INVALID_HID;
    snprintf(tmp, tmp_size, "%s.tmp.%ld", out, (long)getpid());
    mist_status st = mist_file_copy(in, tmp, err);
    if (!st && (*f = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT)) < 0)
        st = mist_error_set(err, MIST_ERR_IO, "cannot open %s for writing", tmp);
    if (!st && mist_h5in_exists(*f, path) && H5Ldelete(*f, path, H5P_DEFAULT) < 0)
        st = mist_error_set(err, MIST_ERR_IO, "cannot replace %s in %s", path, tmp);
    const uint64_t dims[3] = {(uint64_t)g->n[2], (uint64_t)g->n[1], (uint64_t)g->n[0]};
    if (!st)
        st = mist_h5_write(*f, path, H5T_NATIVE_FLOAT, 3, dims, img, "Bq/mL", d, err);
    if (st)
        return st;
    const double vox[3] = {g->voxel_mm[0], g->voxel_mm[1], g->voxel_mm[2]};
    const double org[3] = {g->origin_mm[0], g->origin_mm[1], g->origin_mm[2]};
    (void)((st = mist_h5_attr_double(*d, "voxel_size_mm", vox, 3, err)) ||
           (st = mist_h5_attr_double(*d, "origin_mm", org, 3, err)) ||
           (st = mist_h5_attr_str(*d, "algorithm", s->recon.subsets > 1 ? "osem" : "mlem", err)) ||
           (st = mist_h5_attr_int(*d, "iterations", s->recon.iterations, err)) ||
           (st = mist_h5_attr_int(*d, "subsets", s->recon.subsets, err)) ||
           (st = mist_h5_attr_double(*d, "postfilter_fwhm_mm", &s->recon.postfilter_fwhm_mm, 1,
                                     err)));
    return st;
}

mist_status mist_recon_image_end(mist_status st, hid_t f, hid_t d, const char *tmp,
                                 const char *out, mist_error *err)
{
    if (d >= 0)
        H5Dclose(d);
    if (f >= 0 && H5Fclose(f) < 0 && !st)
        st = mist_error_set(err, MIST_ERR_IO, "error closing %s", tmp);
    if (!st && rename(tmp, out) != 0)
        st = mist_error_set(err, MIST_ERR_IO, "cannot rename %s to %s", tmp, out);
    if (st)
        unlink(tmp);
    return st;
}

/* Rank 0: IN copied to OUT.tmp.<pid>, the image added, renamed to OUT. */
static mist_status write_image(const char *in, const char *out, const pet_job *j,
                               const mist_study *s, const float *img, mist_error *err)
{
    char tmp[4200], path[160];
    snprintf(path, sizeof path, "/recon/pet/%s/image", j->scanner);
    hid_t f, d;
    mist_status st =
        mist_recon_image_begin(in, out, path, &j->img, s, img, tmp, sizeof tmp, &f, &d, err);
    char tof_text[128];
    if (j->n_tof > 1)
        snprintf(tof_text, sizeof tof_text, "Gaussian kernel, %d bins of %g ps, %g ps FWHM",
                 j->n_tof, j->tof_bin_ps, j->tof_fwhm_ps);
    else
        snprintf(tof_text, sizeof tof_text, "none (TOF bins, if any, summed)");
    if (!st)
        (void)((st = mist_h5_attr_double(d, "psf_fwhm_mm", &s->recon.psf_fwhm_mm, 1, err)) ||
               (st = mist_h5_attr_str(d, "attenuation",
                                      s->recon.attenuation ? "/phantom/mu_511" : "none", err)) ||
               (st = mist_h5_attr_str(d, "randoms", s->recon.randoms_delayed ? "delayed" : "none",
                                      err)) ||
               (st = mist_h5_attr_str(
                    d, "scatter", s->recon.scatter_truth ? "simulation truth (scatters)" : "none",
                    err)) ||
               (st = mist_h5_attr_str(d, "normalisation",
                                      "analytic geometric efficiency; no crystal efficiencies",
                                      err)) ||
               (st = mist_h5_attr_str(d, "tof", tof_text, err)) ||
               (st = mist_h5_attr_double(d, "effective_time_s", &j->t_eff_s, 1, err)) ||
               (st = mist_h5_attr_double(d, "calibration", &s->recon.calibration, 1, err)));
    return mist_recon_image_end(st, f, d, tmp, out, err);
}

typedef struct timing {
    double t[1024];
    int last;
} timing;

static void on_iteration(void *ctx, int it, const float *img)
{
    timing *t = ctx;
    if (it < 1024) {
        t->t[it] = now_s();
        t->last = it;
    }
}

/* Rank 0: the model's data as Interfile sinograms. */
static mist_status export_interfile(const char *prefix, const pet_job *j, mist_error *err)
{
    size_t len = strlen(prefix) + 32;
    char *path = malloc(len);
    float *mult = malloc(j->n_bins * sizeof *mult);
    mist_status st = MIST_OK;
    if (!path || !mult)
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the Interfile export");
    const float *data[2] = {j->prompts, j->additive};
    const char *names[2] = {"prompts", "additive"};
    const char *what[2] = {"prompts (TOF summed)", "additive: randoms and scatter estimates"};
    for (int q = 0; q < 2 && !st; q++) {
        if (!data[q])
            continue;
        /* TOF bins summed (mult as scratch until it is filled below). */
        for (size_t b = 0; b < j->n_bins; b++) {
            mult[b] = 0.0f;
            for (int t = 0; t < j->n_tof; t++)
                mult[b] += data[q][(size_t)t * j->n_bins + b];
        }
        snprintf(path, len, "%s_%s", prefix, names[q]);
        st = mist_interfile_write_pet(path, &j->sino, j->pitch_mm, mult, what[q], err);
    }
    if (!st) {
        size_t nvr = (size_t)j->sino.n_views * j->sino.n_radial;
        float p1[3], p2[3];
        for (size_t b = 0; b < j->n_bins; b++) {
            float att = 1.0f;
            if (j->mu_mm) {
                mist_pet_lor_ends(&j->lors, b, p1, p2);
                att = expf(-mist_joseph3d_fwd_ray(&j->img, j->mu_mm, p1, p2));
            }
            mult[b] = j->sens[(b / nvr) * j->sino.n_radial + b % j->sino.n_radial] * att;
        }
        snprintf(path, len, "%s_multiplicative", prefix);
        st = mist_interfile_write_pet(path, &j->sino, j->pitch_mm, mult,
                                      "multiplicative: T_eff x geometric efficiency [mm^2 s] x "
                                      "attenuation",
                                      err);
    }
    free(path);
    free(mult);
    return st;
}

mist_status mist_recon_file(const char *in, const char *out, const char *const *sets, size_t n_sets,
                            const char *nifti_prefix, const char *interfile_prefix,
                            mist_recon_summary *sum, mist_error *err)
{
    memset(sum, 0, sizeof *sum);
    if (is_spect(in))
        return mist_spect_recon_file(in, out, sets, n_sets, nifti_prefix, sum, err);
    snprintf(sum->modality, sizeof sum->modality, "pet");
    mist_mpi mpi = mist_mpi_world();
    double t0 = now_s();
    mist_study s;
    memset(&s, 0, sizeof s);
    pet_job j;
    memset(&j, 0, sizeof j);
    mist_pet_recon model = {0};
    float *img = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* errors are reported as sentences */
    hid_t f = H5Fopen(in, H5F_ACC_RDONLY, H5P_DEFAULT);
    mist_status st =
        f < 0 ? mist_error_set(err, MIST_ERR_INPUT, "cannot open %s as HDF5", in) : MIST_OK;
    if (!st)
        st = check_data(f, in, err);
    if (!st)
        st = mist_recon_read_settings(f, in, sets, n_sets, &s, err);
    if (!st)
        st = read_job(in, &s, &j, f, err);
    if (f >= 0)
        H5Fclose(f);
    if (!st && interfile_prefix && mpi.rank == 0)
        st = export_interfile(interfile_prefix, &j, err);
    mist_mpi_share_error(st, err);
    st = mist_mpi_agree_status(st) ? err->code : MIST_OK;
    if (!st) {
        mist_pet_recon_input ri = {
            .lors = &j.lors,
            .img = j.img,
            .prompts = j.prompts,
            .additive = j.additive,
            .mu_mm = j.mu_mm,
            .sens = j.sens,
            .psf_fwhm_mm = s.recon.psf_fwhm_mm,
            .tof = {.n_tof = j.n_tof,
                    /* x = c tau / 2; c = 0.299792458 mm/ps */
                    .bin_mm = (float)(0.5 * 0.299792458 * j.tof_bin_ps),
                    .sigma_mm = (float)(0.5 * 0.299792458 * j.tof_fwhm_ps / 2.35482)},
            .n_subsets = (size_t)s.recon.subsets,
            .rank = mpi.rank,
            .n_ranks = mpi.size};
        st = mist_pet_recon_init(&model, &ri, err);
    }
    /* The full sinograms are in the model's compact arrays now. */
    free(j.prompts);
    free(j.additive);
    j.prompts = j.additive = NULL;
    size_t nv = mist_img_count(&j.img);
    if (!st && !(img = malloc(nv * sizeof *img)))
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the image");
    timing tm = {.last = -1};
    double t1 = now_s();
    if (!st) {
        for (size_t i = 0; i < nv; i++)
            img[i] = 1.0f;
        mist_osem_model m = mist_pet_recon_model(&model);
        st = mist_osem_run(&m, (int)s.recon.iterations, img, on_iteration, &tm, err);
    }
    if (!st)
        st = mist_gauss_filter(&j.img, img, s.recon.postfilter_fwhm_mm, err);
    float scale = (float)(1000.0 * s.recon.calibration); /* Bq/mm^3 -> Bq/mL, calibrated */
    for (size_t i = 0; !st && i < nv; i++)
        img[i] *= scale;
    mist_mpi_share_error(st, err);
    st = mist_mpi_agree_status(st) ? err->code : MIST_OK;
    if (!st && mpi.rank == 0)
        st = write_image(in, out ? out : in, &j, &s, img, err);
    if (!st && mpi.rank == 0 && nifti_prefix) {
        char path[4200], what[96];
        snprintf(path, sizeof path, "%s_%s.nii", nifti_prefix, j.scanner);
        snprintf(what, sizeof what, "mist OSEM %s, Bq/mL", j.scanner);
        st = mist_image_write_nifti(path, j.img.n, j.img.voxel_mm, j.img.origin_mm, img, what, err);
    }
    mist_mpi_share_error(st, err);
    st = mist_mpi_agree_status(st) ? err->code : MIST_OK;
    if (!st) {
        snprintf(sum->scanner, sizeof sum->scanner, "%s", j.scanner);
        sum->iterations = (int)s.recon.iterations;
        sum->subsets = (int)s.recon.subsets;
        for (int k = 0; k < 3; k++)
            sum->n[k] = j.img.n[k];
        sum->voxel_mm = s.recon.voxel_mm;
        size_t max_n = 0, nt = (size_t)model.tof.n_tof;
        for (size_t q = 0; q < model.n_subsets; q++) {
            sum->bins += model.subsets[q].n;
            sum->bins_data += model.subsets[q].n_data;
            max_n = model.subsets[q].n > max_n ? model.subsets[q].n : max_n;
        }
        double per_bin = 4.0 + (double)nt * (model.subsets && model.subsets[0].a ? 12.0 : 8.0);
        sum->model_MiB = (per_bin * (double)sum->bins + 4.0 * (double)nt * (double)max_n +
                          4.0 * (double)(model.n_subsets + 2 + model.n_chunk_bufs) * (double)nv) /
                         (1024.0 * 1024.0);
        sum->setup_s = t1 - t0;
        if (tm.last >= 1)
            sum->s_per_iteration = (tm.t[tm.last] - tm.t[0]) / tm.last;
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        sum->memory_MiB = (double)ru.ru_maxrss / 1024.0;
    }
    mist_pet_recon_free(&model);
    free(img);
    mist_recon_job_free(&j);
    return st;
}
