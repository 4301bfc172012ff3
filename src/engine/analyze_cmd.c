#include "engine/analyze_cmd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/roi.h"
#include "io/h5out.h"
#include "io/h5read_analysis.h"

#define IMAGE_NAME_MAX 128

typedef struct row {
    char image[IMAGE_NAME_MAX];
    char name[MIST_ROI_NAME_MAX];
    double diameter_mm;
    double crc, bv, cnr, suv_max, suv_mean, suv_peak, rc_mean, rc_max, noise;
    double c_h_Bq_mL, c_b_Bq_mL, a_h_Bq_mL, a_b_Bq_mL;
    uint64_t n_bg_rois;
    uint8_t in_image; /**< 0: the lesion is not wholly in the image (metrics NAN) */
} row;

typedef struct lung_row {
    char image[IMAGE_NAME_MAX];
    double lung_residual;
    uint64_t slices;
} lung_row;

typedef struct analysis {
    row *rows;
    size_t n_rows;
    lung_row *lung;
    size_t n_lung;
} analysis;

/* ---- reading the truth ------------------------------------------------------------------ */

typedef struct phantom_in {
    mist_roi_grid grid;
    uint8_t *labels;
    float *activity;
    mist_h5r_lesion *lesions;
    size_t n_lesions;
    uint64_t *pv_voxel;
    float *pv_fraction;
    uint8_t *pv_under;
    size_t n_pv;
} phantom_in;

static void phantom_in_free(phantom_in *p)
{
    free(p->labels);
    free(p->activity);
    free(p->lesions);
    free(p->pv_voxel);
    free(p->pv_fraction);
    free(p->pv_under);
}

static mist_status read_grid(hid_t f, const char *fname, const char *path, const uint64_t dims[3],
                             mist_roi_grid *g, mist_error *err)
{
    mist_status st;
    if ((st = mist_h5r_attr_double(f, fname, path, "voxel_size_mm", g->voxel_mm, 3, err)) ||
        (st = mist_h5r_attr_double(f, fname, path, "origin_mm", g->origin_mm, 3, err)))
        return st;
    for (int a = 0; a < 3; a++) {
        g->n[a] = (size_t)dims[2 - a];
        if (!(g->voxel_mm[a] > 0.0))
            return mist_error_set(err, MIST_ERR_INPUT, "%s: %s has voxel_size_mm <= 0", fname,
                                  path);
    }
    return MIST_OK;
}

static mist_status read_phantom(hid_t f, const char *fname, phantom_in *p, mist_error *err)
{
    uint64_t dims[3], d2[3], n1[1];
    int nd;
    mist_status st;
    void *buf;
    if ((st = mist_h5r_read(f, fname, "/phantom/labels", H5T_NATIVE_UINT8, 1, &buf, dims, 3, &nd,
                            err)))
        return st;
    p->labels = buf;
    if (nd != 3)
        return mist_error_set(err, MIST_ERR_INPUT, "%s: /phantom/labels is not 3D", fname);
    if ((st = read_grid(f, fname, "/phantom/labels", dims, &p->grid, err)))
        return st;
    if (!mist_h5r_exists(f, "/phantom/activity"))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "%s has no /phantom/activity, the truth to score against (a "
                              "`mist phantom` file? run `mist simulate` or `mist run`)",
                              fname);
    if ((st = mist_h5r_read(f, fname, "/phantom/activity", H5T_NATIVE_FLOAT, sizeof(float), &buf,
                            d2, 3, &nd, err)))
        return st;
    p->activity = buf;
    if (nd != 3 || memcmp(dims, d2, sizeof dims))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "%s: /phantom/activity and /phantom/labels differ in shape", fname);
    if ((st = mist_h5r_lesions(f, fname, &p->lesions, &p->n_lesions, err)))
        return st;
    if (!p->n_lesions)
        return mist_error_set(err, MIST_ERR_INPUT, "%s: the phantom has no lesions to analyse",
                              fname);
    if ((st = mist_h5r_read(f, fname, "/phantom/lesion_pv/voxel", H5T_NATIVE_UINT64,
                            sizeof(uint64_t), &buf, n1, 1, &nd, err)))
        return st;
    p->pv_voxel = buf;
    p->n_pv = (size_t)n1[0];
    if ((st = mist_h5r_read(f, fname, "/phantom/lesion_pv/fraction", H5T_NATIVE_FLOAT,
                            sizeof(float), &buf, d2, 1, &nd, err)))
        return st;
    p->pv_fraction = buf;
    if (d2[0] != n1[0])
        return mist_error_set(err, MIST_ERR_INPUT, "%s: /phantom/lesion_pv arrays differ in length",
                              fname);
    if ((st = mist_h5r_read(f, fname, "/phantom/lesion_pv/under", H5T_NATIVE_UINT8, 1, &buf, d2, 1,
                            &nd, err)))
        return st;
    p->pv_under = buf;
    if (d2[0] != n1[0])
        return mist_error_set(err, MIST_ERR_INPUT, "%s: /phantom/lesion_pv arrays differ in length",
                              fname);
    return MIST_OK;
}

/* SUV per Bq/mL: body mass [g] / injected activity decayed to the frame start [Bq]
 * (tissue density 1 g/mL); 0 when the file does not say. */
static double suv_scale(hid_t f, const char *fname)
{
    double inj, mass, half, t0;
    const char *g = "/acquisition";
    if (!mist_h5r_exists(f, g) || H5Aexists_by_name(f, g, "injected_Bq", H5P_DEFAULT) <= 0 ||
        H5Aexists_by_name(f, g, "body_mass_kg", H5P_DEFAULT) <= 0)
        return 0.0;
    if (mist_h5r_attr_double(f, fname, g, "injected_Bq", &inj, 1, NULL) ||
        mist_h5r_attr_double(f, fname, g, "body_mass_kg", &mass, 1, NULL) ||
        mist_h5r_attr_double(f, fname, g, "half_life_s", &half, 1, NULL) ||
        mist_h5r_attr_double(f, fname, g, "frame_start_s", &t0, 1, NULL) || !(inj > 0.0) ||
        !(half > 0.0))
        return 0.0;
    return mass * 1e3 / (inj * exp(-log(2.0) * t0 / half));
}

/* ---- scoring ---------------------------------------------------------------------------- */

static mist_status score_image(hid_t f, const char *fname, const char *path,
                               const mist_roi_truth *truth, const mist_roi_opts *o, int lung,
                               analysis *an, mist_error *err)
{
    uint64_t dims[3];
    int nd;
    void *buf;
    mist_status st =
        mist_h5r_read(f, fname, path, H5T_NATIVE_FLOAT, sizeof(float), &buf, dims, 3, &nd, err);
    if (st)
        return st;
    float *img = buf;
    mist_roi_grid g;
    if (nd != 3)
        st = mist_error_set(err, MIST_ERR_INPUT, "%s: %s is not a 3D image", fname, path);
    if (!st)
        st = read_grid(f, fname, path, dims, &g, err);
    char image[IMAGE_NAME_MAX];
    /* "/recon/pet/mct/image" -> "pet/mct" */
    snprintf(image, sizeof image, "%.*s", (int)(strlen(path) - strlen("/recon//image")),
             path + strlen("/recon/"));
    double largest_d = -1.0, c_b_largest = NAN;
    for (size_t l = 0; !st && l < truth->n_lesions; l++) {
        const mist_roi_lesion *les = &truth->lesions[l];
        row *r = &an->rows[an->n_rows++];
        memset(r, 0, sizeof *r);
        snprintf(r->image, sizeof r->image, "%s", image);
        snprintf(r->name, sizeof r->name, "%s", les->name);
        r->diameter_mm = les->diameter_mm;
        mist_roi_metrics m;
        if (!mist_roi_sphere_inside(&g, les->center_mm, 0.5 * les->diameter_mm)) {
            /* Outside this scanner's field of view (a breast ring and an axillary node). */
            r->crc = r->bv = r->cnr = r->suv_max = r->suv_mean = r->suv_peak = NAN;
            r->rc_mean = r->rc_max = r->noise = r->c_h_Bq_mL = r->c_b_Bq_mL = NAN;
            r->a_h_Bq_mL = les->conc_Bq_mL;
            r->a_b_Bq_mL = NAN;
            continue;
        }
        if ((st = mist_roi_lesion_metrics(img, &g, truth, l, o, &m, err))) {
            mist_error inner = *err;
            st = mist_error_set(err, st, "%s: %s: %s", fname, path, inner.msg);
            break;
        }
        r->in_image = 1;
        r->crc = m.crc;
        r->bv = m.bv;
        r->cnr = m.cnr;
        r->suv_max = m.suv_max;
        r->suv_mean = m.suv_mean;
        r->suv_peak = m.suv_peak;
        r->rc_mean = m.rc_mean;
        r->rc_max = m.rc_max;
        r->noise = m.noise;
        r->c_h_Bq_mL = m.c_h;
        r->c_b_Bq_mL = m.c_b;
        r->a_h_Bq_mL = m.a_h;
        r->a_b_Bq_mL = m.a_b;
        r->n_bg_rois = m.n_bg_rois;
        if (r->diameter_mm > largest_d) {
            largest_d = r->diameter_mm;
            c_b_largest = m.c_b;
        }
    }
    if (!st && lung >= 0) {
        /* NEMA NU 2: the lung residual relative to the largest sphere's background. */
        lung_row *lr = &an->lung[an->n_lung++];
        size_t ns = 0;
        snprintf(lr->image, sizeof lr->image, "%s", image);
        st = mist_roi_lung_residual(img, &g, truth, (uint8_t)lung, c_b_largest, &lr->lung_residual,
                                    &ns, err);
        lr->slices = ns;
    }
    free(img);
    return st;
}

/* ---- output ----------------------------------------------------------------------------- */

static void json_num(FILE *out, const char *key, double v, int comma)
{
    if (isfinite(v))
        fprintf(out, "\"%s\": %.6g%s", key, v, comma ? ", " : "");
    else
        fprintf(out, "\"%s\": null%s", key, comma ? ", " : "");
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void print_json(FILE *out, const char *fname, const analysis *an)
{
    fprintf(out, "{\"file\": ");
    json_str(out, fname);
    fprintf(out, ", \"lesions\": [");
    for (size_t i = 0; i < an->n_rows; i++) {
        const row *r = &an->rows[i];
        fprintf(out, "%s\n  {\"image\": ", i ? "," : "");
        json_str(out, r->image);
        fprintf(out, ", \"name\": ");
        json_str(out, r->name);
        fprintf(out, ", ");
        json_num(out, "diameter_mm", r->diameter_mm, 1);
        json_num(out, "crc", r->crc, 1);
        json_num(out, "bv", r->bv, 1);
        json_num(out, "cnr", r->cnr, 1);
        json_num(out, "suv_max", r->suv_max, 1);
        json_num(out, "suv_mean", r->suv_mean, 1);
        json_num(out, "suv_peak", r->suv_peak, 1);
        json_num(out, "rc_mean", r->rc_mean, 1);
        json_num(out, "rc_max", r->rc_max, 1);
        json_num(out, "noise", r->noise, 1);
        json_num(out, "c_h_Bq_mL", r->c_h_Bq_mL, 1);
        json_num(out, "c_b_Bq_mL", r->c_b_Bq_mL, 1);
        json_num(out, "a_h_Bq_mL", r->a_h_Bq_mL, 1);
        json_num(out, "a_b_Bq_mL", r->a_b_Bq_mL, 1);
        fprintf(out, "\"n_bg_rois\": %llu, \"in_image\": %s}", (unsigned long long)r->n_bg_rois,
                r->in_image ? "true" : "false");
    }
    fprintf(out, "\n], \"lung_residual\": [");
    for (size_t i = 0; i < an->n_lung; i++) {
        fprintf(out, "%s{\"image\": ", i ? ", " : "");
        json_str(out, an->lung[i].image);
        fprintf(out, ", ");
        json_num(out, "lung_residual", an->lung[i].lung_residual, 1);
        fprintf(out, "\"slices\": %llu}", (unsigned long long)an->lung[i].slices);
    }
    fprintf(out, "]}\n");
}

static void cell(FILE *out, double v, const char *fmt)
{
    if (isfinite(v))
        fprintf(out, fmt, v);
    else
        fprintf(out, " %8s", isinf(v) ? (v > 0 ? "inf" : "-inf") : "-");
}

static void print_table(FILE *out, const char *fname, const analysis *an)
{
    fprintf(out, "%s: lesion contrast against the phantom's truth\n", fname);
    const char *prev = "";
    for (size_t i = 0; i < an->n_rows; i++) {
        const row *r = &an->rows[i];
        if (strcmp(prev, r->image)) {
            fprintf(out, "\n%s\n  %-16s %6s %8s %8s %8s %8s %8s %8s %8s %8s %7s\n", r->image,
                    "lesion", "d_mm", "a_H/a_B", "CRC", "BV", "CNR", "RC", "SUVmax", "SUVmean",
                    "SUVpeak", "bg_rois");
            prev = r->image;
        }
        fprintf(out, "  %-16s %6.1f", r->name, r->diameter_mm);
        if (!r->in_image) {
            fprintf(out, "  (not wholly inside the image)\n");
            continue;
        }
        cell(out, r->a_h_Bq_mL / r->a_b_Bq_mL, " %8.3f");
        cell(out, r->crc, " %8.3f");
        cell(out, r->bv, " %8.4f");
        cell(out, r->cnr, " %8.2f");
        cell(out, r->rc_mean, " %8.3f");
        cell(out, r->suv_max, " %8.3f");
        cell(out, r->suv_mean, " %8.3f");
        cell(out, r->suv_peak, " %8.3f");
        fprintf(out, " %7llu\n", (unsigned long long)r->n_bg_rois);
    }
    for (size_t i = 0; i < an->n_lung; i++)
        fprintf(out, "\n%s: lung residual %.4f (%llu slices)\n", an->lung[i].image,
                an->lung[i].lung_residual, (unsigned long long)an->lung[i].slices);
}

static hid_t str_type(size_t len)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, len);
    H5Tset_strpad(t, H5T_STR_NULLTERM);
    return t;
}

static mist_status write_tables(hid_t f, const analysis *an, const mist_roi_opts *o,
                                mist_error *err)
{
    if (mist_h5r_exists(f, "/analysis") && H5Ldelete(f, "/analysis", H5P_DEFAULT) < 0)
        return mist_error_set(err, MIST_ERR_IO, "cannot replace the earlier /analysis");
    hid_t si = str_type(IMAGE_NAME_MAX), sn = str_type(MIST_ROI_NAME_MAX);
    hid_t ct = H5Tcreate(H5T_COMPOUND, sizeof(row));
    H5Tinsert(ct, "image", HOFFSET(row, image), si);
    H5Tinsert(ct, "name", HOFFSET(row, name), sn);
#define F(field) H5Tinsert(ct, #field, HOFFSET(row, field), H5T_NATIVE_DOUBLE)
    F(diameter_mm);
    F(crc);
    F(bv);
    F(cnr);
    F(suv_max);
    F(suv_mean);
    F(suv_peak);
    F(rc_mean);
    F(rc_max);
    F(noise);
    F(c_h_Bq_mL);
    F(c_b_Bq_mL);
    F(a_h_Bq_mL);
    F(a_b_Bq_mL);
#undef F
    H5Tinsert(ct, "n_bg_rois", HOFFSET(row, n_bg_rois), H5T_NATIVE_UINT64);
    H5Tinsert(ct, "in_image", HOFFSET(row, in_image), H5T_NATIVE_UINT8);
    uint64_t dims[1] = {an->n_rows};
    hid_t d;
    mist_status st = mist_h5_write(f, "/analysis/lesions", ct, 1, dims, an->rows,
                                   "diameter_mm: mm, *_Bq_mL: Bq/mL, others: 1", &d, err);
    H5Tclose(ct);
    if (!st) {
        double margin = o->margin_mm;
        (void)((st = mist_h5_attr_double(d, "bg_roi_margin_mm", &margin, 1, err)) ||
               (st = mist_h5_attr_int(d, "bg_rois_per_slice", o->rois_per_slice, err)) ||
               (st = mist_h5_attr_str(d, "method",
                                      "C_H: sphere ROI of the lesion's diameter, voxels weighted "
                                      "by fractional overlap; background: disks of the same "
                                      "diameter at z, z+-10, z+-20 mm in the lesion's "
                                      "surrounding tissues (src/analysis/roi.h)",
                                      err)));
        H5Dclose(d);
    }
    if (!st && an->n_lung) {
        hid_t lt = H5Tcreate(H5T_COMPOUND, sizeof(lung_row));
        H5Tinsert(lt, "image", HOFFSET(lung_row, image), si);
        H5Tinsert(lt, "lung_residual", HOFFSET(lung_row, lung_residual), H5T_NATIVE_DOUBLE);
        H5Tinsert(lt, "slices", HOFFSET(lung_row, slices), H5T_NATIVE_UINT64);
        uint64_t ld[1] = {an->n_lung};
        st = mist_h5_write(f, "/analysis/lung_residual", lt, 1, ld, an->lung, "1", NULL, err);
        H5Tclose(lt);
    }
    H5Tclose(si);
    H5Tclose(sn);
    return st;
}

/* Copy, extend the copy, rename it over the original. */
static mist_status record(const char *path, const analysis *an, const mist_roi_opts *o,
                          mist_error *err)
{
    size_t len = strlen(path) + 32;
    char *tmp = malloc(len);
    if (!tmp)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
    mist_status st = mist_file_copy(path, tmp, err);
    hid_t f = st ? -1 : H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT);
    if (!st && f < 0)
        st = mist_error_set(err, MIST_ERR_IO, "cannot open %s for writing", tmp);
    if (!st)
        st = write_tables(f, an, o, err);
    if (f >= 0 && H5Fclose(f) < 0 && !st)
        st = mist_error_set(err, MIST_ERR_IO, "cannot close %s", tmp);
    if (!st && rename(tmp, path))
        st = mist_error_set(err, MIST_ERR_IO, "cannot rename %s to %s", tmp, path);
    if (st)
        remove(tmp);
    free(tmp);
    return st;
}

mist_status mist_analyze(const char *path, int json, FILE *out, mist_error *err)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* our errors are sentences, not HDF5 stacks */
    FILE *probe = fopen(path, "rb");
    if (!probe)
        return mist_error_set(err, MIST_ERR_INPUT, "cannot read %s", path);
    fclose(probe);
    if (H5Fis_hdf5(path) <= 0)
        return mist_error_set(err, MIST_ERR_INPUT, "%s is not an HDF5 file", path);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return mist_error_set(err, MIST_ERR_IO, "cannot open %s", path);
    phantom_in ph = {0};
    mist_roi_truth truth = {0};
    analysis an = {0};
    char(*images)[MIST_H5R_PATH_MAX] = NULL;
    size_t n_images = 0;
    mist_roi_opts o = mist_roi_opts_default();
    mist_status st = mist_h5r_recon_images(f, path, &images, &n_images, err);
    if (!st && !n_images)
        st = mist_error_set(err, MIST_ERR_INPUT,
                            "%s holds no reconstructed image (/recon/<modality>/<scanner>/image) "
                            "to analyse: reconstruct it first (mist recon)",
                            path);
    if (!st)
        st = read_phantom(f, path, &ph, err);
    mist_roi_lesion_in *lin = NULL;
    if (!st && !(lin = calloc(ph.n_lesions, sizeof *lin)))
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    for (size_t l = 0; !st && l < ph.n_lesions; l++) {
        lin[l].name = ph.lesions[l].name;
        memcpy(lin[l].center_mm, ph.lesions[l].center_mm, sizeof lin[l].center_mm);
        lin[l].diameter_mm = ph.lesions[l].diameter_mm;
        lin[l].label = ph.lesions[l].label;
        lin[l].pv_offset = (size_t)ph.lesions[l].pv_offset;
        lin[l].pv_count = (size_t)ph.lesions[l].pv_count;
    }
    if (!st)
        st = mist_roi_truth_build(&ph.grid, ph.labels, ph.activity, lin, ph.n_lesions, ph.pv_voxel,
                                  ph.pv_fraction, ph.pv_under, ph.n_pv, &truth, err);
    free(lin);
    if (!st) {
        o.suv_per_Bq_mL = suv_scale(f, path);
        an.rows = calloc(n_images * ph.n_lesions, sizeof *an.rows);
        an.lung = calloc(n_images, sizeof *an.lung);
        if (!an.rows || !an.lung)
            st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    }
    int lung = st ? -1 : mist_h5r_tissue_label(f, "iec_lung");
    for (size_t i = 0; !st && i < n_images; i++)
        st = score_image(f, path, images[i], &truth, &o, lung, &an, err);
    H5Fclose(f);
    if (!st)
        st = record(path, &an, &o, err);
    if (!st) {
        if (json)
            print_json(out, path, &an);
        else
            print_table(out, path, &an);
    }
    free(images);
    free(an.rows);
    free(an.lung);
    mist_roi_truth_free(&truth);
    phantom_in_free(&ph);
    return st;
}
