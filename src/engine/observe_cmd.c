#include "engine/observe_cmd.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analysis/observer.h"
#include "analysis/realization.h"
#include "engine/observe_model.h"
#include "engine/recon_cmd.h"
#include "engine/scene.h"
#include "engine/simulate.h"
#include "io/h5in.h"
#include "io/h5out.h"
#include "io/study.h"
#include "par/mpi_env.h"
#include "recon/filter.h"
#include "recon/osem.h"
#include "recon/pet_recon.h"

#define OBS_NAME_MAX 64
#define OBS_SEED_SALT 0x6f6273657276ULL /* "observ" */

typedef struct obs_row {
    char image[OBS_NAME_MAX];
    char lesion[OBS_NAME_MAX];
    char observer[8];
    double d_prime, d_prime_lo, d_prime_hi, auc, auc_lo, auc_hi;
    double d2_unbiased; /**< CHO: bias-corrected d'^2 (observer.h); NPW: NAN */
    uint64_t realizations;
    double excess_sign;     /**< +1 hot lesion, -1 cold, 0 no excess over its host */
    double lesion_mc_ratio; /**< realisation / lesion-only simulated lesion counts */
    double lesion_counts;   /**< expected excess counts of the lesion in a realisation */
    double singles_share;   /**< the lesion's excess singles over the data's singles */
    double in_field;        /**< 1; 0: outside the scanner's field (scored d' 0, AUC 0.5) */
    double roi_present, roi_absent; /**< [Bq/mL] mean over the realisations of the image's
                                         mean in the lesion's sphere, each class */
    double roi_sd_present, roi_sd_absent; /**< [Bq/mL] their SDs over the realisations */
} obs_row;

typedef struct obs_fit {
    double chi2, max_dev;
    int dof;
} obs_fit;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The study that wrote the file, reloaded from its source with the run's --set lines
 * (extra: this command's analysis.* overrides on top). */
static mist_status load_study(const char *path, const char *const *extra, size_t n_extra,
                              mist_study **out, mist_error *err)
{
    char *text = NULL, *source = NULL;
    const char **sets = NULL;
    size_t n = 0;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    mist_status st =
        f < 0 ? mist_error_set(err, MIST_ERR_INPUT, "cannot open %s as HDF5", path) : MIST_OK;
    if (!st)
        st = mist_h5in_attr_str(f, "/", "study_yaml", &text, err);
    if (!st)
        st = mist_h5in_attr_str(f, "/", "study_source", &source, err);
    if (f >= 0)
        H5Fclose(f);
    char *orig = st ? NULL : strdup(text);
    if (!st && !orig)
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    size_t cap = n_extra + 1;
    for (const char *p = text; !st && p && (p = strstr(p, "# --set ")); p++)
        cap++;
    if (!st && !(sets = calloc(cap, sizeof *sets)))
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    /* "# --set KEY=VALUE" lines: cut the text in place into set strings. */
    for (char *line = text; !st && line && *line;) {
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        if (!strncmp(line, "# --set ", 8))
            sets[n++] = line + 8;
        line = end ? end + 1 : NULL;
    }
    for (size_t i = 0; !st && i < n_extra; i++) {
        if (strncmp(extra[i], "analysis.", 9))
            st = mist_error_set(err, MIST_ERR_INPUT,
                                "--set %s: mist observe takes only analysis.* settings (the data "
                                "are already simulated)",
                                extra[i]);
        sets[n++] = extra[i];
    }
    if (!st) {
        int builtin = !strcmp(source, "<built-in default study>");
        st = mist_study_load(builtin ? NULL : source, sets, n, out, err);
        if (st) {
            char msg[MIST_ERROR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            mist_error_set(err, st, "reloading the study of %s from %s: %s", path, source, msg);
        } else if (strncmp((*out)->study_yaml, orig, strlen(orig))) {
            st = mist_error_set(err, MIST_ERR_INPUT,
                                "%s: the study file %s has changed since the run that wrote %s "
                                "(the lesion-absent data must come from the same study)",
                                path, source, path);
            mist_study_free(*out);
            *out = NULL;
        }
    }
    free(orig);
    free(sets);
    free(text);
    free(source);
    return st;
}

/* Lesion-absent data: the study without lesion `skip`, simulated into tmp. */
static mist_status simulate_absent(mist_study *study, size_t skip, const char *tmp,
                                   mist_error *err)
{
    mist_lesion *all = study->lesions, *kept = NULL;
    size_t n_all = study->n_lesions;
    if (n_all > 1 && !(kept = malloc((n_all - 1) * sizeof *kept)))
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    for (size_t i = 0, k = 0; i < n_all; i++)
        if (i != skip)
            kept[k++] = all[i];
    study->lesions = kept;
    study->n_lesions = n_all - 1;
    mist_simulate_opts so = {.output = tmp, .quiet = 1};
    mist_simulate_result res;
    memset(&res, 0, sizeof res);
    mist_status st = mist_simulate(study, &so, &res, err);
    study->lesions = all;
    study->n_lesions = n_all;
    free(kept);
    return st;
}

/* Lesion-only data: lesion `l`'s excess activity, at K x the study's activity over f' of the
 * frame, simulated into tmp (the phantom unchanged). */
static mist_status simulate_lesion(mist_study *study, size_t l, double frac, double scale,
                                   const char *tmp, mist_error *err)
{
    char saved[sizeof study->acquisition.component];
    memcpy(saved, study->acquisition.component, sizeof saved);
    double f0 = study->acquisition.simulated_fraction, k0 = study->acquisition.activity_scale;
    snprintf(study->acquisition.component, sizeof study->acquisition.component, "lesion:%s",
             study->lesions[l].name);
    study->acquisition.simulated_fraction = frac;
    study->acquisition.activity_scale = scale;
    mist_simulate_opts so = {.output = tmp, .quiet = 1};
    mist_simulate_result res;
    memset(&res, 0, sizeof res);
    mist_status st = mist_simulate(study, &so, &res, err);
    memcpy(study->acquisition.component, saved, sizeof saved);
    study->acquisition.simulated_fraction = f0;
    study->acquisition.activity_scale = k0;
    return st;
}

/* Sign and total [Bq] of lesion l's excess activity (no simulation). */
static mist_status lesion_excess(mist_study *study, size_t l, double *total, int *sign,
                                 mist_error *err)
{
    char saved[sizeof study->acquisition.component];
    memcpy(saved, study->acquisition.component, sizeof saved);
    snprintf(study->acquisition.component, sizeof study->acquisition.component, "lesion:%s",
             study->lesions[l].name);
    mist_status st = mist_scene_component_info(study, total, sign, err);
    memcpy(study->acquisition.component, saved, sizeof saved);
    return st;
}

/* Decay-weighted simulated time [s] of a frame (as mist_recon_job_read computes it). */
static double eff_time(double half_life_s, double duration_s, double frac, long batches)
{
    double lam = log(2.0) / half_life_s, slice = duration_s / (double)batches, t = 0.0;
    for (long b = 0; b < batches; b++)
        t += lam > 0 ? exp(-lam * slice * b) * -expm1(-lam * frac * slice) / lam : frac * slice;
    return t;
}

static mist_status read_singles(const char *path, const char *group, double *singles,
                                mist_error *err)
{
    char g[160];
    snprintf(g, sizeof g, "%s/counts", group);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return mist_error_set(err, MIST_ERR_INPUT, "cannot open %s as HDF5", path);
    mist_status st = mist_h5in_attr_double(f, g, "singles", singles, 1, err);
    H5Fclose(f);
    return st;
}

/* One class's data on the model's bins, scaled: y ~ Poisson(s E), a = s A.  The
 * realisations are drawn over the support only: the LORs (non-TOF bins) where some class
 * has expected counts, in sinogram order, times their TOF bins (lor[c]: the sinogram bin of
 * support LOR c).  Each subset's first n_support[q] LORs are the support (the model was
 * built on the support mask); lor_c[q][k] is the support index of its LOR k, permuted with
 * the subset's arrays when a realisation moves its LORs with counts to the front. */
typedef struct obs_recon {
    const mist_recon_job *job;
    const mist_study *rs; /**< recon settings */
    mist_pet_recon model;
    size_t n_lor;         /**< support LORs */
    uint32_t *lor;        /**< [n_lor] sinogram bins, ascending */
    size_t *n_support;    /**< [subsets] */
    uint32_t **lor_c;     /**< [subsets][n_support] */
    double *expected;     /**< [n_lor * n_tof] */
    uint64_t *counts;     /**< [n_lor * n_tof] */
    float *sens;          /**< [subsets][voxels] OSEM sensitivity images, computed once */
    uint32_t **base_lc;   /**< [subsets][n_support]: the support LORs in the model's own */
    uint32_t **base_bin;  /**< order (ascending bins): support index, bin and */
    float **base_m;       /**< [subsets][n_support * n_tof] factor m, whatever the arrays hold */
    int batched;          /**< 1: realisations reconstructed MIST_PET_BATCH at a time */
    mist_pet_batch batch;
} obs_recon;

static void obs_recon_free(obs_recon *o)
{
    for (size_t q = 0; q < o->model.n_subsets; q++) {
        free(o->lor_c ? o->lor_c[q] : NULL);
        free(o->base_lc ? o->base_lc[q] : NULL);
        free(o->base_bin ? o->base_bin[q] : NULL);
        free(o->base_m ? o->base_m[q] : NULL);
    }
    free(o->lor_c);
    free(o->base_lc);
    free(o->base_bin);
    free(o->base_m);
    free(o->n_support);
    free(o->lor);
    free(o->expected);
    free(o->counts);
    free(o->sens);
    if (o->batched)
        mist_pet_batch_free(&o->batch);
    mist_pet_recon_free(&o->model);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* After mist_pet_recon_init on the support mask: the support tables. */
static mist_status obs_recon_index(obs_recon *o, const float *mask, mist_error *err)
{
    const mist_recon_job *j = o->job;
    size_t nt = (size_t)o->model.tof.n_tof, n = 0;
    for (size_t b = 0; b < j->n_bins; b++) {
        int any = 0;
        for (size_t t = 0; t < nt; t++)
            any |= mask[t * j->n_bins + b] > 0;
        n += (size_t)any;
    }
    o->n_lor = n;
    o->lor = malloc((n + 1) * sizeof *o->lor);
    o->expected = malloc((n * nt + 1) * sizeof *o->expected);
    o->counts = malloc((n * nt + 1) * sizeof *o->counts);
    o->n_support = calloc(o->model.n_subsets, sizeof *o->n_support);
    o->lor_c = calloc(o->model.n_subsets, sizeof *o->lor_c);
    o->base_lc = calloc(o->model.n_subsets, sizeof *o->base_lc);
    o->base_bin = calloc(o->model.n_subsets, sizeof *o->base_bin);
    o->base_m = calloc(o->model.n_subsets, sizeof *o->base_m);
    if (!o->lor || !o->expected || !o->counts || !o->n_support || !o->lor_c || !o->base_lc ||
        !o->base_bin || !o->base_m)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the realisations");
    n = 0;
    for (size_t b = 0; b < j->n_bins; b++) {
        int any = 0;
        for (size_t t = 0; t < nt; t++)
            any |= mask[t * j->n_bins + b] > 0;
        if (any)
            o->lor[n++] = (uint32_t)b;
    }
    for (size_t q = 0; q < o->model.n_subsets; q++) {
        const mist_pet_subset *p = &o->model.subsets[q];
        o->n_support[q] = p->n_data;
        if (!(o->lor_c[q] = malloc((p->n_data + 1) * sizeof *o->lor_c[q])))
            return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the realisations");
        for (size_t k = 0; k < p->n_data; k++) {
            const uint32_t *hit = bsearch(&p->bin[k], o->lor, o->n_lor, sizeof *o->lor, cmp_u32);
            if (!hit)
                return mist_error_set(err, MIST_ERR_INPUT, "internal: a model bin off the support");
            o->lor_c[q][k] = (uint32_t)(hit - o->lor);
        }
        size_t m = p->n_data;
        o->base_lc[q] = malloc((m + 1) * sizeof *o->base_lc[q]);
        o->base_bin[q] = malloc((m + 1) * sizeof *o->base_bin[q]);
        o->base_m[q] = malloc((m * nt + 1) * sizeof *o->base_m[q]);
        if (!o->base_lc[q] || !o->base_bin[q] || !o->base_m[q])
            return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the realisations");
        memcpy(o->base_lc[q], o->lor_c[q], m * sizeof *o->base_lc[q]);
        memcpy(o->base_bin[q], p->bin, m * sizeof *o->base_bin[q]);
        memcpy(o->base_m[q], p->m, m * nt * sizeof *o->base_m[q]);
    }
    /* The sensitivity images do not depend on the data: once for every realisation. */
    size_t nv = mist_img_count(&j->img);
    if (!(o->sens = malloc((o->model.n_subsets * nv + 1) * sizeof *o->sens)))
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the sensitivity images");
    mist_osem_model m = mist_pet_recon_model(&o->model);
    return mist_osem_sensitivity(&m, o->sens, err);
}

/* 1 if support LOR c has counts in the current realisation (some TOF bin). */
static int lor_counted(const obs_recon *o, size_t c)
{
    size_t nt = (size_t)o->model.tof.n_tof;
    for (size_t t = 0; t < nt; t++)
        if (o->counts[c * nt + t] > 0)
            return 1;
    return 0;
}

/* Subset q's arrays for the current realisation: its support LORs with counts first, then
 * those without, each in the model's own order (OSEM projects only the first n_data; the
 * order, and so the float sums, depend on this realisation alone).  Additive a = s A. */
static void arrange(obs_recon *o, size_t q, const float *additive, double s)
{
    const mist_recon_job *j = o->job;
    mist_pet_subset *p = &o->model.subsets[q];
    size_t nt = (size_t)o->model.tof.n_tof, m = o->n_support[q], front = 0, back = 0;
    for (size_t k = 0; k < m; k++)
        back += (size_t)lor_counted(o, o->base_lc[q][k]);
    p->n_data = back;
    for (size_t k = 0; k < m; k++) {
        uint32_t c = o->base_lc[q][k];
        size_t i = lor_counted(o, c) ? front++ : back++;
        p->bin[i] = o->base_bin[q][k];
        o->lor_c[q][i] = c;
        for (size_t t = 0; t < nt; t++) {
            p->y[i * nt + t] = (float)o->counts[(size_t)c * nt + t];
            p->m[i * nt + t] = o->base_m[q][k * nt + t];
            if (p->a)
                p->a[i * nt + t] =
                    additive ? (float)(s * additive[t * j->n_bins + p->bin[i]]) : 0.0f;
        }
    }
}

static mist_status reconstruct(obs_recon *o, const float *prompts, const float *additive,
                               double s, uint64_t seed, uint64_t r, float *img, mist_error *err)
{
    const mist_recon_job *j = o->job;
    size_t nt = (size_t)o->model.tof.n_tof;
    for (size_t c = 0; c < o->n_lor; c++)
        for (size_t t = 0; t < nt; t++)
            o->expected[c * nt + t] = s * (double)prompts[t * j->n_bins + o->lor[c]];
    mist_status st =
        mist_realization_poisson(o->expected, o->n_lor * nt, seed, r, o->counts, err);
    if (st)
        return st;
    for (size_t q = 0; q < o->model.n_subsets; q++)
        arrange(o, q, additive, s);
    size_t nv = mist_img_count(&j->img);
    for (size_t i = 0; i < nv; i++)
        img[i] = 1.0f;
    mist_osem_model m = mist_pet_recon_model(&o->model);
    st = mist_osem_run_sens(&m, o->sens, (int)o->rs->recon.iterations, img, NULL, NULL, err);
    if (!st)
        st = mist_gauss_filter(&j->img, img, o->rs->recon.postfilter_fwhm_mm, err);
    return st;
}

/* Realisations r .. r + n - 1 (substreams sub0 + 0 .. n - 1) of one class at once with the
 * batched OSEM (recon/pet_recon.h): img[n][voxels], the images that n calls of reconstruct()
 * give, bit for bit.  The model's arrays are put in their own order (arrange() with every
 * LOR counted) and realisation b walks its LORs with counts in that order, as
 * reconstruct()'s arrangement has them.  Sparse data, whose realisations share few LORs, gain
 * nothing from a batch (mist_pet_batch_gain < 1): then *done = 0 and nothing is
 * reconstructed. */
static mist_status reconstruct_batch(obs_recon *o, const float *prompts, const float *additive,
                                     double s, uint64_t seed, uint64_t sub0, size_t n,
                                     float *img, int *done, mist_error *err)
{
    const mist_recon_job *j = o->job;
    size_t ns = o->model.n_subsets, max_n = 1, nv = mist_img_count(&j->img);
    for (size_t q = 0; q < ns; q++)
        max_n = o->model.subsets[q].n > max_n ? o->model.subsets[q].n : max_n;
    float *y = malloc(max_n * sizeof *y);
    uint32_t *order = malloc(max_n * sizeof *order);
    mist_status st = MIST_OK;
    *done = 0;
    if (!y || !order)
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the realisations");
    for (size_t c = 0; c < o->n_lor && !st; c++) {
        o->expected[c] = s * (double)prompts[o->lor[c]];
        o->counts[c] = 1; /* the model's own order: every LOR first */
    }
    for (size_t q = 0; q < ns && !st; q++)
        arrange(o, q, additive, s);
    for (size_t b = 0; b < n && !st; b++) {
        st = mist_realization_poisson(o->expected, o->n_lor, seed, sub0 + b, o->counts, err);
        for (size_t q = 0; q < ns && !st; q++) {
            const mist_pet_subset *p = &o->model.subsets[q];
            size_t m = 0;
            for (size_t k = 0; k < p->n; k++) {
                y[k] = k < o->n_support[q] ? (float)o->counts[o->lor_c[q][k]] : 0.0f;
                if (y[k] > 0)
                    order[m++] = (uint32_t)k;
            }
            st = mist_pet_batch_add(&o->batch, b, q, y, order, m, err);
        }
    }
    *done = !st && mist_pet_batch_gain(&o->batch) >= 1.0;
    for (size_t i = 0; i < n * nv && *done; i++)
        img[i] = 1.0f;
    if (*done)
        st = mist_pet_batch_osem(&o->batch, o->sens, (int)o->rs->recon.iterations, n, img, err);
    for (size_t b = 0; b < n && !st && *done; b++)
        st = mist_gauss_filter(&j->img, img + b * nv, o->rs->recon.postfilter_fwhm_mm, err);
    free(y);
    free(order);
    return st;
}

/* n realisations from substreams sub0 + 0 .. n - 1 into img[n][voxels]: batched where the
 * model allows, n > 1 and the batch gains, else one by one (the same images either way). */
static mist_status reconstruct_n(obs_recon *o, const float *prompts, const float *additive,
                                 double s, uint64_t seed, uint64_t sub0, size_t n, float *img,
                                 mist_error *err)
{
    int done = 0;
    mist_status st = MIST_OK;
    if (o->batched && n > 1)
        st = reconstruct_batch(o, prompts, additive, s, seed, sub0, n, img, &done, err);
    size_t nv = mist_img_count(&o->job->img);
    for (size_t b = 0; b < n && !st && !done; b++)
        st = reconstruct(o, prompts, additive, s, seed, sub0 + b, img + b * nv, err);
    return st;
}

static hid_t str_type(size_t len)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, len);
    H5Tset_strpad(t, H5T_STR_NULLTERM);
    return t;
}

/* The run's figures recorded as /analysis/observer attributes. */
typedef struct obs_stats {
    double s;          /**< count_scale: realisation / simulated counts of the base data */
    double counts;     /**< share of the clinical count level */
    double mc_ratio;   /**< the largest lesion_mc_ratio */
    double oversample; /**< analysis.lesion_oversample */
    double wall_s;
    int model;         /**< analysis.background: model (1) or simulation (0) */
    double k;          /**< the background model's scale (NAN without it) */
    obs_fit fit;       /**< the model's expected data against the file's prompts */
} obs_stats;

static mist_status record(const char *path, const obs_row *rows, size_t n_rows,
                          const obs_stats *os, mist_error *err)
{
    size_t len = strlen(path) + 32;
    char *tmp = malloc(len);
    if (!tmp)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
    mist_status st = mist_file_copy(path, tmp, err);
    hid_t f = st ? H5I_INVALID_HID : H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT);
    if (!st && f < 0)
        st = mist_error_set(err, MIST_ERR_IO, "cannot open %s for writing", tmp);
    if (!st && mist_h5in_exists(f, "/analysis/observer") &&
        H5Ldelete(f, "/analysis/observer", H5P_DEFAULT) < 0)
        st = mist_error_set(err, MIST_ERR_IO, "cannot replace /analysis/observer in %s", tmp);
    hid_t sn = str_type(OBS_NAME_MAX), so = str_type(8);
    hid_t ct = H5Tcreate(H5T_COMPOUND, sizeof(obs_row));
    H5Tinsert(ct, "image", HOFFSET(obs_row, image), sn);
    H5Tinsert(ct, "lesion", HOFFSET(obs_row, lesion), sn);
    H5Tinsert(ct, "observer", HOFFSET(obs_row, observer), so);
#define F(field) H5Tinsert(ct, #field, HOFFSET(obs_row, field), H5T_NATIVE_DOUBLE)
    F(d_prime);
    F(d_prime_lo);
    F(d_prime_hi);
    F(auc);
    F(auc_lo);
    F(auc_hi);
    F(d2_unbiased);
#undef F
    H5Tinsert(ct, "realizations", HOFFSET(obs_row, realizations), H5T_NATIVE_UINT64);
#define F(field) H5Tinsert(ct, #field, HOFFSET(obs_row, field), H5T_NATIVE_DOUBLE)
    F(excess_sign);
    F(lesion_mc_ratio);
    F(lesion_counts);
    F(singles_share);
    F(in_field);
    F(roi_present);
    F(roi_absent);
    F(roi_sd_present);
    F(roi_sd_absent);
#undef F
    uint64_t dims[1] = {n_rows};
    hid_t d = H5I_INVALID_HID;
    double bmr = os->model ? 0.0 : os->s; /* the background's simulated noise (none: model) */
    if (!st)
        st = mist_h5_write(f, "/analysis/observer", ct, 1, dims, rows, "1", &d, err);
    if (!st) {
        (void)((st = mist_h5_attr_double(d, "count_scale", &os->s, 1, err)) ||
               (st = mist_h5_attr_double(d, "clinical_count_share", &os->counts, 1, err)) ||
               (st = mist_h5_attr_double(d, "mc_ratio", &os->mc_ratio, 1, err)) ||
               (st = mist_h5_attr_double(d, "background_mc_ratio", &bmr, 1, err)) ||
               (st = mist_h5_attr_double(d, "lesion_oversample", &os->oversample, 1, err)) ||
               (st = mist_h5_attr_double(d, "wall_s", &os->wall_s, 1, err)) ||
               (st = mist_h5_attr_str(d, "background", os->model ? "model" : "simulation",
                                      err)) ||
               (st = mist_h5_attr_double(d, "background_model_scale", &os->k, 1, err)) ||
               (st = mist_h5_attr_double(d, "background_model_chi2", &os->fit.chi2, 1, err)) ||
               (st = mist_h5_attr_int(d, "background_model_dof", os->fit.dof, err)) ||
               (st = mist_h5_attr_double(d, "background_model_max_dev", &os->fit.max_dev, 1,
                                         err)) ||
               (st = mist_h5_attr_str(
                    d, "method",
                    os->model
                        ? "SKE lesion present/absent with lesion-only data (background: model): "
                          "absent = the lesion-free expected data k m A x_bg + smoothed scatter "
                          "and delayed (the recon's forward model of the study's activity without "
                          "its lesions, k = background_model_scale matching the simulated "
                          "lesion-free trues + detector scatters), present = absent + the "
                          "lesion's signed excess activity simulated alone at lesion_oversample x "
                          "the realisations' counts (engine/observe_model.h). "
                          "Realisations Poisson(count_scale x data), reconstructed with the "
                          "study's OSEM; NPW (estimated template) and CHO (LG channels) on the "
                          "transverse patch, bootstrap 95 % CIs (src/engine/observe_cmd.h). "
                          "mc_ratio: the largest lesion_mc_ratio (realisation / lesion-only "
                          "simulated lesion counts); randoms from the lesion's own singles "
                          "(singles_share) are neglected"
                        :
                    "SKE lesion present/absent with lesion-only data (background: simulation): "
                    "for a hot lesion, absent = "
                    "the study simulated again without the lesion (same seed), present = absent + "
                    "the lesion's excess activity simulated alone at lesion_oversample x the "
                    "realisations' counts; for a cold one, present = the file's data, absent = "
                    "present + |excess|; both classes share the base simulation's noise. "
                    "Realisations Poisson(count_scale x data), reconstructed with the study's "
                    "OSEM; NPW (estimated template) and CHO (LG channels) on the transverse "
                    "patch, bootstrap 95 % CIs (src/engine/observe_cmd.h). mc_ratio: the largest "
                    "lesion_mc_ratio (realisation / lesion-only simulated lesion counts); "
                    "background_mc_ratio = count_scale, shared by both classes; randoms from the "
                    "lesion's own singles (singles_share) are neglected",
                    err)));
        H5Dclose(d);
    }
    H5Tclose(ct);
    H5Tclose(sn);
    H5Tclose(so);
    if (f >= 0 && H5Fclose(f) < 0 && !st)
        st = mist_error_set(err, MIST_ERR_IO, "error closing %s", tmp);
    if (!st && rename(tmp, path) != 0)
        st = mist_error_set(err, MIST_ERR_IO, "cannot rename %s to %s", tmp, path);
    if (st)
        unlink(tmp);
    free(tmp);
    return st;
}

static void json_num(FILE *out, double v)
{
    if (isfinite(v))
        fprintf(out, "%.6g", v);
    else
        fputs("null", out);
}

static void print_table(FILE *out, int json, const obs_row *rows, size_t n, const obs_stats *os)
{
    if (json) {
        fprintf(out,
                "{\"count_scale\": %.6g, \"clinical_count_share\": %.6g, \"mc_ratio\": %.6g, "
                "\"background_mc_ratio\": %.6g, \"lesion_oversample\": %.6g, \"wall_s\": %.3f, "
                "\"background\": \"%s\", \"background_model_scale\": ",
                os->s, os->counts, os->mc_ratio, os->model ? 0.0 : os->s, os->oversample,
                os->wall_s, os->model ? "model" : "simulation");
        json_num(out, os->k);
        fputs(", \"background_model_chi2\": ", out);
        json_num(out, os->fit.chi2);
        fprintf(out, ", \"background_model_dof\": %d, \"background_model_max_dev\": ",
                os->fit.dof);
        json_num(out, os->fit.max_dev);
        fputs(", \"observer\": [", out);
        for (size_t i = 0; i < n; i++) {
            const obs_row *r = &rows[i];
            fprintf(out, "%s\n  {\"image\": \"%s\", \"lesion\": \"%s\", \"observer\": \"%s\", ",
                    i ? "," : "", r->image, r->lesion, r->observer);
            const char *k[16] = {"d_prime",       "d_prime_lo",    "d_prime_hi",
                                 "auc",           "auc_lo",        "auc_hi",
                                 "d2_unbiased",   "excess_sign",   "lesion_mc_ratio",
                                 "lesion_counts", "singles_share", "in_field",
                                 "roi_present",   "roi_absent",    "roi_sd_present",
                                 "roi_sd_absent"};
            const double v[16] = {r->d_prime,       r->d_prime_lo,    r->d_prime_hi,
                                  r->auc,           r->auc_lo,        r->auc_hi,
                                  r->d2_unbiased,   r->excess_sign,   r->lesion_mc_ratio,
                                  r->lesion_counts, r->singles_share, r->in_field,
                                  r->roi_present,   r->roi_absent,    r->roi_sd_present,
                                  r->roi_sd_absent};
            for (int q = 0; q < 16; q++) {
                fprintf(out, "\"%s\": ", k[q]);
                json_num(out, v[q]);
                fputs(", ", out);
            }
            fprintf(out, "\"realizations\": %llu}", (unsigned long long)r->realizations);
        }
        fputs("\n]}\n", out);
        return;
    }
    fprintf(out,
            "observer study: %.4g x the simulated counts (%.4g of the clinical level), lesions "
            "simulated alone at %.3g x the realisations' counts, background %s; %.1f s\n",
            os->s, os->counts, os->oversample,
            os->model ? "from the recon's model" : "the simulated data", os->wall_s);
    if (!os->model && os->s > 1.0)
        fprintf(out, "warning: background: simulation at %.3g x the simulated counts: the "
                     "background carries the simulation's own noise at its count level, and "
                     "counts only where it had some (analysis.background: model avoids this)\n",
                os->s);
    if (os->mc_ratio >= 0.1)
        fprintf(out, "warning: realisations hold %.3g x the lesion-only simulation's counts: its "
                     "noise perturbs the signal (trustworthy for << 0.1)\n",
                os->mc_ratio);
    fprintf(out, "%-20s %-12s %-4s %8s %19s %7s %15s %9s %5s %9s %8s\n", "image", "lesion", "obs",
            "d'", "95% CI", "AUC", "95% CI", "d'^2 unb.", "N", "excess", "singles");
    for (size_t i = 0; i < n; i++) {
        const obs_row *r = &rows[i];
        fprintf(out,
                "%-20s %-12s %-4s %8.3f [%7.3f, %7.3f] %7.3f [%5.3f, %5.3f] %9.3f %5llu %9.4g "
                "%8.2g%s\n",
                r->image, r->lesion, r->observer, r->d_prime, r->d_prime_lo, r->d_prime_hi,
                r->auc, r->auc_lo, r->auc_hi, r->d2_unbiased, (unsigned long long)r->realizations,
                r->lesion_counts, r->singles_share,
                r->in_field ? "" : "  (outside the scanner's field)");
    }
}

/* 1 when the scanner sees point c: the OSEM sensitivity summed over the subsets at the
 * voxel nearest c exceeds 1e-6 of its largest value (0 outside the image too).  A lesion
 * outside the field leaves no trace in either class: its rows are d' 0, AUC 0.5. */
static int in_field(const obs_recon *o, const mist_img_geom *g, const double c[3])
{
    size_t nv = mist_img_count(g), at = 0;
    for (int a = 2; a >= 0; a--) {
        long i = lround((c[a] - g->origin_mm[a]) / g->voxel_mm[a]);
        if (i < 0 || i >= (long)g->n[a])
            return 0;
        at = at * (size_t)g->n[a] + (size_t)i;
    }
    double here = 0, top = 0;
    for (size_t v = 0; v < nv; v++) {
        double sum = 0;
        for (size_t q = 0; q < o->model.n_subsets; q++)
            sum += o->sens[q * nv + v];
        top = sum > top ? sum : top;
        if (v == at)
            here = sum;
    }
    return here > 1e-6 * top;
}

/* Mean and SD over n images of each image's mean [Bq/mL] over the voxels whose centres lie
 * in the sphere (c, d/2) (the nearest voxel when none does); images in Bq/mm^3. */
static void roi_stats(const float *const *imgs, size_t n, const mist_img_geom *g,
                      const double c[3], double d_mm, double *mean, double *sd)
{
    double r2 = 0.25 * d_mm * d_mm, s1 = 0, s2 = 0;
    for (size_t k = 0; k < n; k++) {
        double sum = 0, best = INFINITY, nearest = 0;
        size_t cnt = 0, v = 0;
        for (int z = 0; z < g->n[2]; z++)
            for (int y = 0; y < g->n[1]; y++)
                for (int x = 0; x < g->n[0]; x++, v++) {
                    double dx = g->origin_mm[0] + x * g->voxel_mm[0] - c[0];
                    double dy = g->origin_mm[1] + y * g->voxel_mm[1] - c[1];
                    double dz = g->origin_mm[2] + z * g->voxel_mm[2] - c[2];
                    double q = dx * dx + dy * dy + dz * dz;
                    if (q <= r2) {
                        sum += imgs[k][v];
                        cnt++;
                    }
                    if (q < best) {
                        best = q;
                        nearest = imgs[k][v];
                    }
                }
        double m = 1000.0 * (cnt ? sum / (double)cnt : nearest); /* Bq/mm^3 -> Bq/mL */
        s1 += m;
        s2 += m * m;
    }
    *mean = n ? s1 / (double)n : NAN;
    *sd = n > 1 ? sqrt(fmax(0.0, (s2 - s1 * s1 / (double)n) / (double)(n - 1))) : NAN;
}

static void fill_row(obs_row *r, const char *image, const char *lesion, const char *obs,
                     const mist_observer_result *res, size_t n)
{
    memset(r, 0, sizeof *r);
    snprintf(r->image, sizeof r->image, "%s", image);
    snprintf(r->lesion, sizeof r->lesion, "%s", lesion);
    snprintf(r->observer, sizeof r->observer, "%s", obs);
    r->d_prime = res->d_prime;
    r->d_prime_lo = res->d_prime_ci[0];
    r->d_prime_hi = res->d_prime_ci[1];
    r->auc = res->auc;
    r->auc_lo = res->auc_ci[0];
    r->auc_hi = res->auc_ci[1];
    r->d2_unbiased = res->d2_unbiased;
    r->realizations = n;
    r->in_field = 1;
    r->roi_present = r->roi_absent = r->roi_sd_present = r->roi_sd_absent = NAN;
}

/* One lesion's two classes: data[0]/add[0] lesion absent, data[1]/add[1] present; arrays
 * not owned are the present file's. */
typedef struct obs_lesion {
    float *data[2], *add[2];
    int owned[2];
    float *excess, *excess_sc; /**< background model: sign x the excess at the base level
                                    (trues + scatters + detector scatters; scatter truth) */
    double excess_td;          /**< background model: sign x its trues + detector scatters */
    int sign;             /**< of the excess: +1, -1, 0 (none) */
    double mc_ratio;      /**< realisation / lesion-only simulated counts (0 without excess) */
    double counts;        /**< signed excess counts per realisation */
    double singles_share; /**< excess singles / the present data's singles */
} obs_lesion;

static void obs_lesion_free(obs_lesion *x)
{
    for (int c = 0; c < 2; c++)
        if (x->owned[c]) {
            free(x->data[c]);
            free(x->add[c]);
        }
    free(x->excess);
    free(x->excess_sc);
    memset(x, 0, sizeof *x);
}

/* What the present file tells about its acquisition. */
typedef struct obs_file {
    const char *path;
    double half_life_s, singles;
} obs_file;

/* The data of lesion l's two classes (see observe_cmd.h): the excess from a lesion-only
 * simulation, added to the lesion-absent simulation (hot lesion) or to the present data
 * (cold lesion, the classes swapped); no excess: both classes are the present data.  With
 * the background model (model = 1) only the signed excess is kept (x->excess, formed into
 * classes by model_classes once the background is known). */
static mist_status lesion_classes(mist_study *study, size_t l, const mist_recon_job *present,
                                  const mist_study *rs, const obs_file *pf, double s, int model,
                                  const char *tmp, FILE *log, obs_lesion *x, mist_error *err)
{
    size_t nb = present->n_bins * (size_t)present->n_tof;
    double total = 0;
    int sign = 1;
    const char *name = study->lesions[l].name;
    mist_status st = lesion_excess(study, l, &total, &sign, err);
    if (st)
        return st;
    x->sign = total > 0 ? sign : 0;
    for (int c = 0; c < 2; c++) {
        x->data[c] = present->prompts;
        x->add[c] = present->additive;
    }
    if (!x->sign)
        return MIST_OK;
    /* Lesion-only simulation: lesion_oversample x the realisations' lesion decays. */
    double oc = study->analysis.lesion_oversample * s * study->acquisition.simulated_fraction;
    double frac = oc <= 1.0 ? oc : 1.0, scale = oc <= 1.0 ? 1.0 : oc;
    if (log)
        fprintf(log, "observe: simulating %s's excess activity alone (%.3g of the frame at %.3g "
                     "x its activity)\n",
                name, frac, scale);
    if ((st = simulate_lesion(study, l, frac, scale, tmp, err)))
        return st;
    float *exc = NULL, *part = NULL, *exc_sc = NULL;
    double singles_l = 0, td = 0;
    const char *parts[3] = {"trues", "scatters", "detector_scatters"};
    for (int k = 0; k < 3 && !st; k++) {
        st = mist_recon_job_read_sino(tmp, present, parts[k], k ? &part : &exc, err);
        const float *got = k ? part : exc;
        for (size_t i = 0; !st && k != 1 && i < nb; i++)
            td += got[i];
        for (size_t i = 0; !st && k && i < nb; i++)
            exc[i] += part[i];
        if (!st && k == 1 && rs->recon.scatter_truth) {
            exc_sc = part;
            part = NULL;
        }
        free(part);
        part = NULL;
    }
    if (!st)
        st = read_singles(tmp, present->group, &singles_l, err);
    unlink(tmp);
    /* The excess at the base data's level: the lesion-only data x (base data's decay-weighted
     * time) / (K x the lesion-only simulation's). */
    double g = present->t_eff_s / (scale * eff_time(pf->half_life_s, study->acquisition.duration_s,
                                                    frac, study->acquisition.batches));
    if (!st && model) {
        double sum = 0, sg = x->sign * g;
        for (size_t i = 0; i < nb; i++) {
            sum += exc[i];
            exc[i] = (float)(sg * exc[i]);
            if (exc_sc)
                exc_sc[i] = (float)(sg * exc_sc[i]);
        }
        x->excess = exc;
        x->excess_sc = exc_sc;
        x->excess_td = sg * td;
        x->mc_ratio = s * g;
        x->counts = x->sign * s * g * sum;
        x->singles_share = pf->singles > 0 ? g * singles_l / pf->singles : NAN;
        return MIST_OK;
    }
    /* Base data: the study without the lesion (hot lesion). */
    float *base = NULL, *base_add = NULL;
    if (!st && x->sign > 0) {
        if (log)
            fprintf(log, "observe: simulating the study without %s\n", name);
        mist_recon_job absent;
        mist_study ars;
        memset(&absent, 0, sizeof absent);
        memset(&ars, 0, sizeof ars);
        st = simulate_absent(study, l, tmp, err);
        if (!st)
            st = mist_recon_job_read(tmp, NULL, 0, &ars, &absent, err);
        unlink(tmp);
        if (!st && (absent.n_bins != present->n_bins || absent.n_tof != present->n_tof))
            st = mist_error_set(err, MIST_ERR_INPUT,
                                "the lesion-absent simulation's sinograms differ in shape");
        if (!st) {
            base = absent.prompts;
            base_add = absent.additive;
            absent.prompts = absent.additive = NULL;
        }
        mist_recon_job_free(&absent);
    }
    /* The class with the lesion's excess added: present (hot) or absent (cold). */
    int hot = x->sign > 0, c_add = hot ? 1 : 0;
    float *out = NULL, *out_add = NULL;
    if (!st) {
        const float *b = hot ? base : present->prompts;
        const float *ba = hot ? base_add : present->additive;
        out = malloc(nb * sizeof *out);
        out_add = ba ? malloc(nb * sizeof *out_add) : NULL;
        if (!out || (ba && !out_add))
            st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the lesion's data");
        double sum = 0;
        for (size_t i = 0; !st && i < nb; i++) {
            out[i] = (float)((double)b[i] + g * exc[i]);
            sum += exc[i];
            if (ba)
                out_add[i] = (float)((double)ba[i] + (exc_sc ? g * exc_sc[i] : 0.0));
        }
        x->mc_ratio = s * g;
        x->counts = x->sign * s * g * sum;
        x->singles_share = pf->singles > 0 ? g * singles_l / pf->singles : NAN;
    }
    free(exc);
    free(exc_sc);
    if (st) {
        free(base);
        free(base_add);
        free(out);
        free(out_add);
        return st;
    }
    x->data[c_add] = out;
    x->add[c_add] = out_add;
    x->owned[c_add] = 1;
    if (hot) {
        x->data[0] = base;
        x->add[0] = base_add;
        x->owned[0] = 1;
    }
    return MIST_OK;
}

/* How well the background model's expected data, bg + every lesion's excess, match the
 * file's prompts: sums over 8 radial bands x 4 view groups x 2 plane halves of the
 * sinogram (every TOF bin), each region with at least 100 prompts compared with
 * Poisson variance prompts + delayed; chi2 over dof = those regions, and the largest
 * relative deviation. */
static obs_fit model_fit(const mist_recon_job *present, const float *bg, const obs_lesion *les,
                         size_t nl, const float *delayed)
{
    enum { NR = 8, NV = 4, NP = 2, NREG = NR * NV * NP };
    double model[NREG] = {0}, data[NREG] = {0}, var[NREG] = {0};
    const mist_sino_geom *g = &present->sino;
    size_t nbins = present->n_bins;
    for (size_t t = 0; t < (size_t)present->n_tof; t++)
        for (size_t b = 0; b < nbins; b++) {
            size_t i = t * nbins + b, r = b % g->n_radial, v = (b / g->n_radial) % g->n_views;
            size_t p = b / ((size_t)g->n_radial * g->n_views);
            size_t reg = ((r * NR / g->n_radial) * NV + v * NV / g->n_views) * NP +
                         p * NP / g->n_planes;
            double e = bg[i];
            for (size_t l = 0; l < nl; l++)
                e += les[l].excess ? les[l].excess[i] : 0.0f;
            model[reg] += e;
            data[reg] += present->prompts[i];
            var[reg] += present->prompts[i] + delayed[i];
        }
    obs_fit f = {0, 0, 0};
    for (int k = 0; k < NREG; k++) {
        if (!(data[k] >= 100))
            continue;
        double d = model[k] - data[k];
        f.chi2 += d * d / var[k];
        f.dof++;
        f.max_dev = fmax(f.max_dev, fabs(d) / data[k]);
    }
    return f;
}

/* The lesion-free expected data of the background model (engine/observe_model.h) at the
 * base data's level: *bg [n_tof][bins] and *bg_add (the part of it the recon corrects for:
 * smoothed delayed and scatter truth as its settings ask; NULL when present->additive is).
 * *k: the model's scale. */
static mist_status model_background(mist_study *study, const mist_recon_job *present,
                                    const mist_study *rs, obs_recon *rec, const obs_lesion *les,
                                    size_t nl, const char *path, float **bg, float **bg_add,
                                    double *k, obs_fit *fit, mist_error *err)
{
    size_t nbins = present->n_bins, nt = (size_t)present->n_tof, nb = nbins * nt;
    float *x = NULL, *part = NULL, *smooth[2] = {NULL, NULL}, *proj = NULL;
    double *T = calloc(nb ? nb : 1, sizeof *T);
    double total_Bq = 0, td = 0, sum_t = 0;
    *bg = *bg_add = NULL;
    mist_status st = T ? MIST_OK
                       : mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the background");
    if (!st)
        st = mist_observe_bg_activity(study, &present->img, &x, &total_Bq, err);
    /* m A x_bg over every bin of the model. */
    mist_osem_model m = mist_pet_recon_model(&rec->model);
    for (size_t q = 0; !st && q < rec->model.n_subsets; q++) {
        const mist_pet_subset *p = &rec->model.subsets[q];
        if (!(proj = malloc((p->n * nt + 1) * sizeof *proj))) {
            st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the background");
            break;
        }
        m.fwd(m.ctx, q, p->n * nt, x, proj);
        for (size_t i = 0; i < p->n; i++)
            for (size_t t = 0; t < nt; t++) {
                double v = (double)p->m[i * nt + t] * proj[i * nt + t];
                T[t * nbins + p->bin[i]] = v;
                sum_t += v;
            }
        free(proj);
        proj = NULL;
    }
    /* The simulation's lesion-free trues + detector scatters. */
    const char *tdn[2] = {"trues", "detector_scatters"};
    for (int c = 0; c < 2 && !st; c++) {
        if (!(st = mist_recon_job_read_sino(path, present, tdn[c], &part, err)))
            for (size_t i = 0; i < nb; i++)
                td += part[i];
        free(part);
        part = NULL;
    }
    for (size_t l = 0; l < nl; l++)
        td -= les[l].excess_td;
    if (!st && !(sum_t > 0 && td > 0))
        st = mist_error_set(err, MIST_ERR_INPUT,
                            "%s: the background model has no counts to scale (model %g, "
                            "simulated lesion-free trues %g): analysis.background: simulation "
                            "observes the simulated data instead",
                            path, sum_t, td);
    /* Scatter truth and delayed, smoothed: moving means of about 1/40 of the radial bins
     * (wider ones spill the object's scatter into the tails outside it: +12 % there on the
     * test study at 1/16) and 1/16 of the views, 3 planes, twice. */
    int hr = (int)(present->sino.n_radial / 40), hv = (int)(present->sino.n_views / 16);
    const int hw[3] = {hr > 1 ? hr : 1, hv > 2 ? hv : 2, 3};
    const char *an[2] = {"scatters", "delayed"};
    float *delayed = NULL; /* unsmoothed, for the fit's variance */
    for (int c = 0; c < 2 && !st; c++) {
        st = mist_recon_job_read_sino(path, present, an[c], &smooth[c], err);
        if (!st && c == 1 && !(delayed = malloc(nb * sizeof *delayed)))
            st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the background");
        if (!st && c == 1)
            memcpy(delayed, smooth[1], nb * sizeof *delayed);
        if (!st)
            st = mist_sino_smooth(&present->sino, nt, smooth[c], hw, err);
    }
    if (!st) {
        *k = td / sum_t;
        *bg = malloc(nb * sizeof **bg);
        *bg_add = present->additive ? malloc(nb * sizeof **bg_add) : NULL;
        if (!*bg || (present->additive && !*bg_add))
            st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the background");
    }
    for (size_t i = 0; !st && i < nb; i++) {
        (*bg)[i] = (float)(*k * T[i] + smooth[0][i] + smooth[1][i]);
        if (*bg_add)
            (*bg_add)[i] = (rs->recon.scatter_truth ? smooth[0][i] : 0.0f) +
                           (rs->recon.randoms_delayed ? smooth[1][i] : 0.0f);
    }
    if (!st)
        *fit = model_fit(present, *bg, les, nl, delayed);
    free(delayed);
    if (st) {
        free(*bg);
        free(*bg_add);
        *bg = *bg_add = NULL;
    }
    free(T);
    free(x);
    free(smooth[0]);
    free(smooth[1]);
    return st;
}

/* The background model's classes: absent = bg, present = bg + the signed excess (cut at
 * 0); no excess: both bg. */
static mist_status model_classes(obs_lesion *x, float *bg, float *bg_add, size_t nb,
                                 mist_error *err)
{
    for (int c = 0; c < 2; c++) {
        x->data[c] = bg;
        x->add[c] = bg_add;
    }
    if (!x->sign)
        return MIST_OK;
    float *d = malloc(nb * sizeof *d), *a = bg_add ? malloc(nb * sizeof *a) : NULL;
    if (!d || (bg_add && !a)) {
        free(d);
        free(a);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the lesion's data");
    }
    for (size_t i = 0; i < nb; i++) {
        float v = bg[i] + x->excess[i];
        d[i] = v > 0 ? v : 0.0f;
        if (a) {
            float w = bg_add[i] + (x->excess_sc ? x->excess_sc[i] : 0.0f);
            a[i] = w > 0 ? w : 0.0f;
        }
    }
    x->data[1] = d;
    x->add[1] = a;
    x->owned[1] = 1;
    return MIST_OK;
}

mist_status mist_observe(const mist_observe_opts *o, mist_error *err)
{
    double t0 = now_s();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (mist_mpi_world().size > 1)
        return mist_error_set(err, MIST_ERR_INPUT, "mist observe runs on one MPI rank");
    FILE *probe = fopen(o->path, "rb");
    if (!probe)
        return mist_error_set(err, MIST_ERR_INPUT, "cannot read %s", o->path);
    fclose(probe);
    if (H5Fis_hdf5(o->path) <= 0)
        return mist_error_set(err, MIST_ERR_INPUT, "%s is not an HDF5 file", o->path);
    mist_study *study = NULL;
    mist_study rs;
    memset(&rs, 0, sizeof rs);
    mist_recon_job present;
    memset(&present, 0, sizeof present);
    obs_recon rec = {.job = &present, .rs = &rs};
    float *mask = NULL, *sens = NULL, *img_store = NULL, *bg = NULL, *bg_add = NULL;
    float *bg_img = NULL;
    double k_model = NAN;
    obs_fit fit = {NAN, NAN, 0};
    obs_lesion *les = NULL;
    obs_row *rows = NULL;
    size_t n_rows = 0;
    char *tmp = NULL;
    obs_file pf = {.path = o->path};
    mist_status st = mist_recon_job_read(o->path, NULL, 0, &rs, &present, err);
    if (!st)
        st = load_study(o->path, o->sets, o->n_sets, &study, err);
    if (!st && study->n_lesions == 0)
        st = mist_error_set(err, MIST_ERR_INPUT, "%s: the study has no lesions to detect",
                            o->path);
    if (!st) {
        hid_t f = H5Fopen(o->path, H5F_ACC_RDONLY, H5P_DEFAULT);
        st = f < 0 ? mist_error_set(err, MIST_ERR_INPUT, "cannot open %s as HDF5", o->path)
                   : mist_h5in_attr_double(f, "/acquisition", "half_life_s", &pf.half_life_s, 1,
                                           err);
        if (f >= 0)
            H5Fclose(f);
        if (!st)
            st = read_singles(o->path, present.group, &pf.singles, err);
    }
    if (st)
        goto done;
    size_t nl = study->n_lesions, N = (size_t)study->analysis.realizations;
    int model = study->analysis.background_model;
    if (N < 5) {
        st = mist_error_set(err, MIST_ERR_INPUT,
                            "analysis.realizations = %zu: the CHO (6 channels) needs at least 5 "
                            "per class (2 N - 2 > 7), and far more for a stable estimate",
                            N);
        goto done;
    }
    double counts = o->counts > 0 ? o->counts : 1.0;
    double s = counts / study->acquisition.simulated_fraction;
    size_t nb = present.n_bins * (size_t)present.n_tof;
    size_t len = strlen(o->path) + 64;
    les = calloc(nl, sizeof *les);
    tmp = malloc(len);
    if (!les || !tmp) {
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
        goto done;
    }
    /* Each lesion's classes: a lesion-only simulation (and a lesion-absent one for a hot
     * lesion). */
    for (size_t l = 0; l < nl && !st; l++) {
        snprintf(tmp, len, "%s.observe%zu.tmp.%ld", o->path, l, (long)getpid());
        st = lesion_classes(study, l, &present, &rs, &pf, s, model, tmp, o->log, &les[l], err);
    }
    if (st)
        goto done;
    /* One model over every bin with expected counts in any class. */
    mask = calloc(nb, sizeof *mask);
    size_t ns = (size_t)present.sino.n_planes * present.sino.n_radial;
    sens = malloc(ns * sizeof *sens);
    if (!mask || !sens) {
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the realisations");
        goto done;
    }
    /* The background model has counts in every bin. */
    for (size_t i = 0; i < nb; i++) {
        int any = model || present.prompts[i] > 0;
        for (size_t l = 0; l < nl && !any; l++)
            any = les[l].data[0][i] > 0 || les[l].data[1][i] > 0;
        mask[i] = any ? 1.0f : 0.0f;
    }
    for (size_t i = 0; i < ns; i++)
        sens[i] = (float)(present.sens[i] * s); /* images in Bq/mm^3 at the realisations' level */
    mist_pet_recon_input ri = mist_recon_job_input(&present, &rs, mask, present.additive, sens);
    if ((st = mist_pet_recon_init(&rec.model, &ri, err)) ||
        (st = obs_recon_index(&rec, mask, err)))
        goto done;
    if (N > 1 && mist_pet_batch_supported(&rec.model)) {
        if ((st = mist_pet_batch_init(&rec.batch, &rec.model, err)))
            goto done;
        rec.batched = 1;
    }
    if (model) {
        if (o->log)
            fprintf(o->log, "observe: the lesion-free background from the recon's model\n");
        st = model_background(study, &present, &rs, &rec, les, nl, o->path, &bg, &bg_add,
                              &k_model, &fit, err);
        for (size_t l = 0; l < nl && !st; l++)
            st = model_classes(&les[l], bg, bg_add, nb, err);
        if (!st && !(bg_img = malloc((N * mist_img_count(&present.img) + 1) * sizeof *bg_img)))
            st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for %zu images", N);
        if (st)
            goto done;
    }
    size_t nv = mist_img_count(&present.img);
    img_store = malloc(2 * N * nv * sizeof *img_store);
    const float **g1 = malloc(N * sizeof *g1), **g0 = malloc(N * sizeof *g0);
    rows = calloc(2 * nl, sizeof *rows);
    if (!img_store || !g1 || !g0 || !rows) {
        free(g1);
        free(g0);
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for %zu images", 2 * N);
        goto done;
    }
    uint64_t seed = study->seed ^ OBS_SEED_SALT;
    int bg_done = 0;
    char image[OBS_NAME_MAX];
    snprintf(image, sizeof image, "pet/%.50s", present.scanner);
    mist_observer_lesion_opts lo = mist_observer_lesion_opts_default();
    const size_t n3[3] = {(size_t)present.img.n[0], (size_t)present.img.n[1],
                          (size_t)present.img.n[2]};
    const double vox[3] = {present.img.voxel_mm[0], present.img.voxel_mm[1],
                           present.img.voxel_mm[2]};
    const double org[3] = {present.img.origin_mm[0], present.img.origin_mm[1],
                           present.img.origin_mm[2]};
    /* Lesion l: present realisation r from substream 2 l N + r, absent from (2 l + 1) N + r. */
    for (size_t l = 0; l < nl && !st; l++) {
        const mist_lesion *le = &study->lesions[l];
        if (!in_field(&rec, &present.img, le->center_mm)) {
            const mist_observer_result none = {.d_prime = 0, .d2_unbiased = 0, .auc = 0.5,
                                               .d_prime_ci = {0, 0}, .auc_ci = {0.5, 0.5}};
            for (int k = 0; k < 2; k++) {
                obs_row *row = &rows[n_rows++];
                fill_row(row, image, le->name, k ? "cho" : "npw", &none, 0);
                row->in_field = 0;
                row->excess_sign = les[l].sign;
                row->lesion_mc_ratio = les[l].mc_ratio;
                row->lesion_counts = les[l].counts;
                row->singles_share = les[l].singles_share;
            }
            if (o->log)
                fprintf(o->log, "observe: %s lies outside the scanner's field: d' 0, AUC 0.5\n",
                        le->name);
            continue;
        }
        /* Background model: the absent class is the background for every lesion, its
         * realisations (substreams 2 n_lesions N + r) reconstructed once. */
        for (size_t c = 0; c < 2 && !st; c++) {
            int shared = model && c == 0;
            const float **gc = c ? g1 : g0;
            /* MIST_PET_BATCH realisations at a time (recon/pet_recon.h): the same images */
            for (size_t r = 0, k; r < N && !st; r += k) {
                k = rec.batched && N - r > MIST_PET_BATCH ? MIST_PET_BATCH : N - r;
                k = rec.batched ? k : 1;
                for (size_t i = r; i < r + k; i++)
                    gc[i] = shared ? bg_img + i * nv : img_store + ((c ? 0 : N) + i) * nv;
                if (shared && !bg_done)
                    st = reconstruct_n(&rec, bg, bg_add, s, seed, 2 * nl * N + r, k,
                                       bg_img + r * nv, err);
                else if (!shared)
                    st = reconstruct_n(&rec, les[l].data[c], les[l].add[c], s, seed,
                                       (2 * l + (c ? 0 : 1)) * N + r, k,
                                       img_store + ((c ? 0 : N) + r) * nv, err);
                if (o->log && !(shared && bg_done))
                    fprintf(o->log, "\robserve: %s %s %zu/%zu   ",
                            shared ? "background" : study->lesions[l].name,
                            c ? "present" : "absent", r + k, N);
            }
            bg_done |= shared && !st;
        }
        mist_observer_result npw, cho;
        if (!st)
            st = mist_observer_lesion(g0, N, g1, N, n3, vox, org, le->center_mm, le->diameter_mm,
                                      &lo, &npw, &cho, err);
        double roi[4] = {NAN, NAN, NAN, NAN};
        if (!st) {
            roi_stats(g1, N, &present.img, le->center_mm, le->diameter_mm, &roi[0], &roi[2]);
            roi_stats(g0, N, &present.img, le->center_mm, le->diameter_mm, &roi[1], &roi[3]);
        }
        for (int k = 0; !st && k < 2; k++) {
            obs_row *row = &rows[n_rows++];
            fill_row(row, image, le->name, k ? "cho" : "npw", k ? &cho : &npw, N);
            row->roi_present = roi[0];
            row->roi_absent = roi[1];
            row->roi_sd_present = roi[2];
            row->roi_sd_absent = roi[3];
            row->excess_sign = les[l].sign;
            row->lesion_mc_ratio = les[l].mc_ratio;
            row->lesion_counts = les[l].counts;
            row->singles_share = les[l].singles_share;
        }
    }
    if (o->log)
        fputc('\n', o->log);
    free(g1);
    free(g0);
    double wall = now_s() - t0;
    obs_stats os = {.s = s, .counts = counts, .wall_s = wall,
                    .oversample = study->analysis.lesion_oversample, .model = model,
                    .k = k_model * s, .fit = fit};
    for (size_t l = 0; l < nl; l++)
        os.mc_ratio = les[l].mc_ratio > os.mc_ratio ? les[l].mc_ratio : os.mc_ratio;
    if (!st)
        st = record(o->path, rows, n_rows, &os, err);
    if (!st)
        print_table(o->out, o->json, rows, n_rows, &os);
done:
    obs_recon_free(&rec);
    for (size_t l = 0; les && l < (study ? study->n_lesions : 0); l++)
        obs_lesion_free(&les[l]);
    free(les);
    free(mask);
    free(sens);
    free(img_store);
    free(bg_img);
    free(bg);
    free(bg_add);
    free(rows);
    free(tmp);
    mist_recon_job_free(&present);
    mist_study_free(study);
    return st;
}
