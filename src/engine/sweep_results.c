/* Scoring the points of a sweep and collecting their results (sweep_internal.h). */
#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/analyze_cmd.h"
#include "engine/observe_cmd.h"
#include "engine/sweep_internal.h"
#include "io/h5out.h"
#include "io/h5read_analysis.h"
#include "mist_version.h"

/* ---- files ----------------------------------------------------------------------------- */

void mist_sweep_csv_field(FILE *f, const char *s, int last)
{
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputc(last ? '\n' : ',', f);
}

void mist_sweep_csv_num(FILE *f, double v, int last)
{
    if (isfinite(v))
        fprintf(f, "%.9g", v);
    fputc(last ? '\n' : ',', f);
}

/* Write a text file atomically: fn fills the temporary file, which is renamed. */
mist_status mist_sweep_write_atomic(const char *path, mist_sweep_writer_fn fn, const void *ctx,
                                    mist_error *err)
{
    size_t len = strlen(path) + 32;
    char *tmp = malloc(len);
    if (tmp)
        snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = tmp ? fopen(tmp, "w") : NULL;
    mist_status st = MIST_OK;
    if (!f) {
        st = mist_error_set(err, MIST_ERR_IO, "cannot write %s: %s", tmp ? tmp : path,
                            strerror(errno));
    } else {
        fn(f, ctx);
        int bad = ferror(f);
        if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
            remove(tmp);
            st = mist_error_set(err, MIST_ERR_IO, "cannot write %s", path);
        }
    }
    free(tmp);
    return st;
}

void mist_sweep_point_file(char *buf, size_t size, const char *dir, size_t i)
{
    snprintf(buf, size, "%s/point_%zu.h5", dir, i);
}
/* A fixed-length string attribute of the root, or NULL (caller frees). */
static char *read_str_attr(hid_t obj, const char *name)
{
    if (H5Aexists(obj, name) <= 0)
        return NULL;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
    char *s = NULL;
    if (t >= 0 && H5Tget_class(t) == H5T_STRING && !H5Tis_variable_str(t)) {
        size_t n = H5Tget_size(t);
        s = calloc(n + 1, 1);
        if (s && H5Aread(a, t, s) < 0) {
            free(s);
            s = NULL;
        }
    }
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    return s;
}

static int read_u64_attr(hid_t obj, const char *name, uint64_t *v)
{
    if (H5Aexists(obj, name) <= 0)
        return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    int rc = a >= 0 && H5Aread(a, H5T_NATIVE_UINT64, v) >= 0 ? 0 : -1;
    if (a >= 0)
        H5Aclose(a);
    return rc;
}

/* 1 when path is a finished result of this point's study (the same study text, seed
 * included: a file left by another sweep does not count). */
int mist_sweep_point_complete(const char *path, const mist_study *study)
{
    if (access(path, R_OK) != 0 || H5Fis_hdf5(path) <= 0)
        return 0;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return 0;
    char *text = read_str_attr(f, "study_yaml");
    uint64_t seed = 0, decays = 0;
    hid_t g = H5Lexists(f, "/acquisition", H5P_DEFAULT) > 0
                  ? H5Gopen2(f, "/acquisition", H5P_DEFAULT)
                  : H5I_INVALID_HID;
    int ok = text && !strcmp(text, study->study_yaml) && read_u64_attr(f, "seed", &seed) == 0 &&
             seed == study->seed && g >= 0 && read_u64_attr(g, "decays", &decays) == 0;
    if (g >= 0)
        H5Gclose(g);
    free(text);
    H5Fclose(f);
    return ok;
}

/* Score a point file with `mist analyze` when it holds a reconstructed image and no
 * analysis yet, then with `mist observe` when the sweep asks for it (rank 0). */
mist_status mist_sweep_score_point(const mist_sweep *sw, const char *path, int *has_recon,
                                   int *observed, mist_error *err)
{
    *has_recon = *observed = 0;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return mist_error_set(err, MIST_ERR_IO, "cannot open %s", path);
    char(*images)[MIST_H5R_PATH_MAX] = NULL;
    size_t n_images = 0;
    mist_status st = MIST_OK;
    if (mist_h5r_exists(f, "/recon"))
        st = mist_h5r_recon_images(f, path, &images, &n_images, err);
    free(images);
    int analysed = mist_h5r_exists(f, "/analysis/lesions");
    int has_observer = mist_h5r_exists(f, "/analysis/observer");
    int has_lesions = mist_h5r_exists(f, "/phantom/lesions");
    int has_pet = mist_h5r_exists(f, "/pet");
    H5Fclose(f);
    if (st || !n_images)
        return st;
    *has_recon = 1;
    FILE *sink = NULL;
    if ((!analysed || (sw->observe_realizations > 0 && !has_observer)) &&
        !(sink = fopen("/dev/null", "w")))
        return mist_error_set(err, MIST_ERR_IO, "cannot open /dev/null");
    if (!analysed)
        st = mist_analyze(path, 0, sink, err);
    /* The observer study needs lesions and PET data (mist observe scores PET). */
    if (!st && sw->observe_realizations > 0 && !has_observer && has_lesions && has_pet) {
        char set[64];
        snprintf(set, sizeof set, "analysis.realizations=%ld", sw->observe_realizations);
        const char *sets[1] = {set};
        mist_observe_opts oo = {.path = path, .sets = sets, .n_sets = 1,
                                .counts = sw->observe_counts, .out = sink};
        st = mist_observe(&oo, err);
        has_observer = !st;
    }
    *observed = has_observer;
    if (sink)
        fclose(sink);
    return st;
}

/* ---- results --------------------------------------------------------------------------- */

#define N_COUNTERS 6
static const char *const counter_names[N_COUNTERS] = {"decays",   "prompts", "trues",
                                                      "scatters", "randoms", "delayed"};

typedef struct lesion_row {
    char image[128];
    char name[64];
    double diameter_mm, crc, bv, cnr, suv_max, suv_mean, suv_peak;
    uint64_t point;
} lesion_row;
#define N_LESION_METRICS 7
static const char *const lesion_metrics[N_LESION_METRICS] = {
    "diameter_mm", "crc", "bv", "cnr", "suv_max", "suv_mean", "suv_peak"};

/* One row of a point's /analysis/observer (read by field name, so the file's table may
 * carry more columns), with the table's mc_ratio attribute. */
typedef struct observer_row {
    char image[64];
    char lesion[64];
    char observer[8];
    double d_prime, d_prime_lo, d_prime_hi, auc, auc_lo, auc_hi, mc_ratio;
    uint64_t realizations;
    uint64_t point;
} observer_row;
#define N_OBSERVER_METRICS 6
static const char *const observer_metrics[N_OBSERVER_METRICS] = {
    "d_prime", "d_prime_lo", "d_prime_hi", "auc", "auc_lo", "auc_hi"};

typedef struct results {
    uint64_t (*counters)[N_COUNTERS]; /**< [n_points] */
    lesion_row *lesions;
    size_t n_lesions;
    observer_row *observers;
    size_t n_observers;
    size_t n_with_recon;
} results;

static hid_t lesion_mem_type(void)
{
    hid_t si = H5Tcopy(H5T_C_S1), sn = H5Tcopy(H5T_C_S1);
    H5Tset_size(si, sizeof((lesion_row *)0)->image);
    H5Tset_size(sn, sizeof((lesion_row *)0)->name);
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(lesion_row));
    H5Tinsert(t, "image", HOFFSET(lesion_row, image), si);
    H5Tinsert(t, "name", HOFFSET(lesion_row, name), sn);
    H5Tinsert(t, "diameter_mm", HOFFSET(lesion_row, diameter_mm), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "crc", HOFFSET(lesion_row, crc), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "bv", HOFFSET(lesion_row, bv), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "cnr", HOFFSET(lesion_row, cnr), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "suv_max", HOFFSET(lesion_row, suv_max), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "suv_mean", HOFFSET(lesion_row, suv_mean), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "suv_peak", HOFFSET(lesion_row, suv_peak), H5T_NATIVE_DOUBLE);
    H5Tclose(si);
    H5Tclose(sn);
    return t;
}

static hid_t observer_mem_type(int with_point)
{
    hid_t si = H5Tcopy(H5T_C_S1), sl = H5Tcopy(H5T_C_S1), so = H5Tcopy(H5T_C_S1);
    H5Tset_size(si, sizeof((observer_row *)0)->image);
    H5Tset_size(sl, sizeof((observer_row *)0)->lesion);
    H5Tset_size(so, sizeof((observer_row *)0)->observer);
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(observer_row));
    if (with_point)
        H5Tinsert(t, "point", HOFFSET(observer_row, point), H5T_NATIVE_UINT64);
    H5Tinsert(t, "image", HOFFSET(observer_row, image), si);
    H5Tinsert(t, "lesion", HOFFSET(observer_row, lesion), sl);
    H5Tinsert(t, "observer", HOFFSET(observer_row, observer), so);
#define F(field) H5Tinsert(t, #field, HOFFSET(observer_row, field), H5T_NATIVE_DOUBLE)
    F(d_prime);
    F(d_prime_lo);
    F(d_prime_hi);
    F(auc);
    F(auc_lo);
    F(auc_hi);
    if (with_point)
        F(mc_ratio);
#undef F
    H5Tinsert(t, "realizations", HOFFSET(observer_row, realizations), H5T_NATIVE_UINT64);
    H5Tclose(si);
    H5Tclose(sl);
    H5Tclose(so);
    return t;
}

/* Append the rows of /analysis/observer of point i (open file f). */
static mist_status read_observer(hid_t f, const char *path, size_t i, results *r, mist_error *err)
{
    hid_t d = H5Dopen2(f, "/analysis/observer", H5P_DEFAULT);
    hid_t sp = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID;
    hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    observer_row *rows =
        n >= 0 ? realloc(r->observers, (r->n_observers + (size_t)n + 1) * sizeof *rows) : NULL;
    mist_status st = MIST_OK;
    if (!rows) {
        st = mist_error_set(err, MIST_ERR_IO, "%s: cannot read /analysis/observer", path);
    } else {
        r->observers = rows;
        observer_row *at = rows + r->n_observers;
        memset(at, 0, (size_t)n * sizeof *at);
        double mc = NAN;
        if (H5Aexists(d, "mc_ratio") > 0) {
            hid_t a = H5Aopen(d, "mc_ratio", H5P_DEFAULT);
            if (a < 0 || H5Aread(a, H5T_NATIVE_DOUBLE, &mc) < 0)
                mc = NAN;
            if (a >= 0)
                H5Aclose(a);
        }
        hid_t mt = observer_mem_type(0);
        if (n > 0 && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, at) < 0)
            st = mist_error_set(err, MIST_ERR_IO, "%s: cannot read /analysis/observer", path);
        H5Tclose(mt);
        for (hssize_t k = 0; !st && k < n; k++) {
            at[k].point = i;
            at[k].mc_ratio = mc;
        }
        if (!st)
            r->n_observers += (size_t)n;
    }
    if (sp >= 0)
        H5Sclose(sp);
    if (d >= 0)
        H5Dclose(d);
    return st;
}

/* The counters (and lesion rows) of one point file. */
static mist_status read_point(const char *path, size_t i, results *r, mist_error *err)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return mist_error_set(err, MIST_ERR_IO, "cannot open %s", path);
    mist_status st = MIST_OK;
    uint64_t *c = r->counters[i];
    hid_t g = H5Gopen2(f, "/acquisition", H5P_DEFAULT);
    if (g < 0 || read_u64_attr(g, "decays", &c[0]) != 0)
        st = mist_error_set(err, MIST_ERR_IO, "%s: no /acquisition decays", path);
    if (g >= 0)
        H5Gclose(g);
    /* PET counters of the (one) scanner in /pet; a file without /pet keeps zeros. */
    hid_t pet = !st && H5Lexists(f, "/pet", H5P_DEFAULT) > 0 ? H5Gopen2(f, "/pet", H5P_DEFAULT)
                                                             : H5I_INVALID_HID;
    if (pet >= 0) {
        char name[256];
        if (H5Lget_name_by_idx(pet, ".", H5_INDEX_NAME, H5_ITER_INC, 0, name, sizeof name,
                               H5P_DEFAULT) > 0) {
            char dpath[300];
            snprintf(dpath, sizeof dpath, "%s/counts", name);
            hid_t d = H5Lexists(pet, dpath, H5P_DEFAULT) > 0 ? H5Dopen2(pet, dpath, H5P_DEFAULT)
                                                             : H5I_INVALID_HID;
            for (int k = 1; d >= 0 && !st && k < N_COUNTERS; k++)
                if (read_u64_attr(d, counter_names[k], &c[k]) != 0)
                    st = mist_error_set(err, MIST_ERR_IO, "%s: /pet/%s/counts has no %s", path,
                                        name, counter_names[k]);
            if (d >= 0)
                H5Dclose(d);
        }
        H5Gclose(pet);
    }
    if (!st && mist_h5r_exists(f, "/recon"))
        r->n_with_recon++;
    if (!st && mist_h5r_exists(f, "/analysis/lesions")) {
        hid_t d = H5Dopen2(f, "/analysis/lesions", H5P_DEFAULT);
        hid_t sp = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID;
        hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
        lesion_row *rows =
            n >= 0 ? realloc(r->lesions, (r->n_lesions + (size_t)n + 1) * sizeof *rows) : NULL;
        if (!rows) {
            st = mist_error_set(err, MIST_ERR_IO, "%s: cannot read /analysis/lesions", path);
        } else {
            r->lesions = rows;
            lesion_row *at = rows + r->n_lesions;
            memset(at, 0, (size_t)n * sizeof *at);
            hid_t mt = lesion_mem_type();
            if (n > 0 && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, at) < 0)
                st = mist_error_set(err, MIST_ERR_IO, "%s: cannot read /analysis/lesions", path);
            H5Tclose(mt);
            for (hssize_t k = 0; !st && k < n; k++)
                at[k].point = i;
            if (!st)
                r->n_lesions += (size_t)n;
        }
        if (sp >= 0)
            H5Sclose(sp);
        if (d >= 0)
            H5Dclose(d);
    }
    if (!st && mist_h5r_exists(f, "/analysis/observer"))
        st = read_observer(f, path, i, r, err);
    H5Fclose(f);
    return st;
}

typedef struct results_ctx {
    const run_ctx *run;
    const results *r;
} results_ctx;

static void write_axis_cells(FILE *f, const mist_sweep *sw, size_t i)
{
    for (size_t a = 0; a < sw->n_axes; a++) {
        mist_sweep_csv_field(f, mist_sweep_axis_label(sw, i, a), 0);
    }
}

static void write_results_csv(FILE *f, const void *vctx)
{
    const results_ctx *c = vctx;
    const mist_sweep *sw = c->run->sw;
    fputs("index,", f);
    for (size_t a = 0; a < sw->n_axes; a++)
        mist_sweep_csv_field(f, sw->axes[a].key, 0);
    fputs("seed,file", f);
    for (int k = 0; k < N_COUNTERS; k++)
        fprintf(f, ",%s", counter_names[k]);
    fputc('\n', f);
    for (size_t i = 0; i < sw->n_points; i++) {
        fprintf(f, "%zu,", i);
        write_axis_cells(f, sw, i);
        fprintf(f, "%llu,point_%zu.h5", (unsigned long long)c->run->points[i].study->seed, i);
        for (int k = 0; k < N_COUNTERS; k++)
            fprintf(f, ",%llu", (unsigned long long)c->r->counters[i][k]);
        fputc('\n', f);
    }
}

static void write_lesions_csv(FILE *f, const void *vctx)
{
    const results_ctx *c = vctx;
    const mist_sweep *sw = c->run->sw;
    fputs("index,", f);
    for (size_t a = 0; a < sw->n_axes; a++)
        mist_sweep_csv_field(f, sw->axes[a].key, 0);
    fputs("seed,image,lesion", f);
    for (int k = 0; k < N_LESION_METRICS; k++)
        fprintf(f, ",%s", lesion_metrics[k]);
    fputc('\n', f);
    for (size_t j = 0; j < c->r->n_lesions; j++) {
        const lesion_row *l = &c->r->lesions[j];
        size_t i = (size_t)l->point;
        fprintf(f, "%zu,", i);
        write_axis_cells(f, sw, i);
        fprintf(f, "%llu,", (unsigned long long)c->run->points[i].study->seed);
        mist_sweep_csv_field(f, l->image, 0);
        mist_sweep_csv_field(f, l->name, 0);
        const double v[N_LESION_METRICS] = {l->diameter_mm, l->crc,      l->bv,      l->cnr,
                                            l->suv_max,     l->suv_mean, l->suv_peak};
        for (int k = 0; k < N_LESION_METRICS; k++)
            mist_sweep_csv_num(f, v[k], k == N_LESION_METRICS - 1);
    }
}

static void write_observer_csv(FILE *f, const void *vctx)
{
    const results_ctx *c = vctx;
    const mist_sweep *sw = c->run->sw;
    fputs("index,", f);
    for (size_t a = 0; a < sw->n_axes; a++)
        mist_sweep_csv_field(f, sw->axes[a].key, 0);
    fputs("seed,image,lesion,observer", f);
    for (int k = 0; k < N_OBSERVER_METRICS; k++)
        fprintf(f, ",%s", observer_metrics[k]);
    fputs(",realizations,mc_ratio\n", f);
    for (size_t j = 0; j < c->r->n_observers; j++) {
        const observer_row *o = &c->r->observers[j];
        size_t i = (size_t)o->point;
        fprintf(f, "%zu,", i);
        write_axis_cells(f, sw, i);
        fprintf(f, "%llu,", (unsigned long long)c->run->points[i].study->seed);
        mist_sweep_csv_field(f, o->image, 0);
        mist_sweep_csv_field(f, o->lesion, 0);
        mist_sweep_csv_field(f, o->observer, 0);
        const double v[N_OBSERVER_METRICS] = {o->d_prime, o->d_prime_lo, o->d_prime_hi,
                                              o->auc,     o->auc_lo,     o->auc_hi};
        for (int k = 0; k < N_OBSERVER_METRICS; k++)
            mist_sweep_csv_num(f, v[k], 0);
        fprintf(f, "%llu,", (unsigned long long)o->realizations);
        mist_sweep_csv_num(f, o->mc_ratio, 1);
    }
}

static mist_status write_strings(hid_t file, const char *path, char *const *v, size_t n,
                                 mist_error *err)
{
    size_t w = 1;
    for (size_t i = 0; i < n; i++)
        w = strlen(v[i]) + 1 > w ? strlen(v[i]) + 1 : w;
    char *buf = calloc(n ? n : 1, w);
    if (!buf)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        memcpy(buf + i * w, v[i], strlen(v[i]));
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, w);
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    H5Tset_cset(t, H5T_CSET_UTF8);
    const uint64_t dims[1] = {n};
    mist_status st = mist_h5_write(file, path, t, 1, dims, buf, "1", NULL, err);
    H5Tclose(t);
    free(buf);
    return st;
}

/* results.h5: /points/<column> one dataset per column of results.csv (axis values as
 * float64 when all are numbers, else strings), /lesions (as lesions.csv). */
static mist_status write_results_h5(const char *path, const run_ctx *c, const results *r,
                                    mist_error *err)
{
    const mist_sweep *sw = c->sw;
    size_t n = sw->n_points;
    mist_h5 h5 = {.file = H5I_INVALID_HID};
    mist_status st = mist_h5_create(&h5, path, err);
    if (st)
        return st;
    uint64_t *u = calloc(n ? n : 1, sizeof *u);
    double *dv = calloc(n ? n : 1, sizeof *dv);
    char **sv = calloc(n ? n : 1, sizeof *sv);
    char *file_names = calloc(n ? n : 1, 40);
    if (!u || !dv || !sv || !file_names)
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    const uint64_t dims[1] = {n};
    uint64_t np = n;
    if (!st)
        (void)((st = mist_h5_attr_str(h5.file, "mist_version", MIST_VERSION, err)) ||
               (st = mist_h5_attr_str(h5.file, "git_commit", MIST_GIT_COMMIT, err)) ||
               (st = mist_h5_attr_str(h5.file, "sweep_name", sw->name, err)) ||
               (st = mist_h5_attr_str(h5.file, "sweep_source", sw->doc->path, err)) ||
               (st = mist_h5_attr_str(h5.file, "sweep_yaml", sw->doc->text, err)) ||
               (st = mist_h5_attr_u64(h5.file, "n_points", &np, 1, err)));
    for (size_t i = 0; !st && i < n; i++)
        u[i] = i;
    if (!st)
        st = mist_h5_write(h5.file, "/points/index", H5T_NATIVE_UINT64, 1, dims, u, "1", NULL, err);
    for (size_t i = 0; !st && i < n; i++)
        u[i] = c->points[i].study->seed;
    if (!st)
        st = mist_h5_write(h5.file, "/points/seed", H5T_NATIVE_UINT64, 1, dims, u, "1", NULL, err);
    for (size_t i = 0; !st && i < n; i++) {
        snprintf(file_names + 40 * i, 40, "point_%zu.h5", i);
        sv[i] = file_names + 40 * i;
    }
    if (!st)
        st = write_strings(h5.file, "/points/file", sv, n, err);
    for (size_t a = 0; !st && a < sw->n_axes; a++) {
        int numeric = 1;
        for (size_t i = 0; i < n; i++) {
            const char *label = mist_sweep_axis_label(sw, i, a);
            sv[i] = (char *)label;
            char *end;
            dv[i] = strtod(label, &end);
            if (end == label || *end || !isfinite(dv[i]))
                numeric = 0;
        }
        char p[400];
        snprintf(p, sizeof p, "/points/%s", sw->axes[a].key);
        st = numeric ? mist_h5_write(h5.file, p, H5T_NATIVE_DOUBLE, 1, dims, dv, "as in the sweep",
                                     NULL, err)
                     : write_strings(h5.file, p, sv, n, err);
    }
    for (int k = 0; !st && k < N_COUNTERS; k++) {
        for (size_t i = 0; i < n; i++)
            u[i] = r->counters[i][k];
        char p[64];
        snprintf(p, sizeof p, "/points/%s", counter_names[k]);
        st = mist_h5_write(h5.file, p, H5T_NATIVE_UINT64, 1, dims, u, "counts", NULL, err);
    }
    if (!st && r->n_lesions) {
        hid_t si = H5Tcopy(H5T_C_S1), sn = H5Tcopy(H5T_C_S1);
        H5Tset_size(si, sizeof r->lesions[0].image);
        H5Tset_size(sn, sizeof r->lesions[0].name);
        hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(lesion_row));
        H5Tinsert(t, "point", HOFFSET(lesion_row, point), H5T_NATIVE_UINT64);
        H5Tinsert(t, "image", HOFFSET(lesion_row, image), si);
        H5Tinsert(t, "name", HOFFSET(lesion_row, name), sn);
#define F(field) H5Tinsert(t, #field, HOFFSET(lesion_row, field), H5T_NATIVE_DOUBLE)
        F(diameter_mm);
        F(crc);
        F(bv);
        F(cnr);
        F(suv_max);
        F(suv_mean);
        F(suv_peak);
#undef F
        const uint64_t ld[1] = {r->n_lesions};
        st = mist_h5_write(h5.file, "/lesions", t, 1, ld, r->lesions,
                           "diameter_mm mm; suv g/mL; others 1", NULL, err);
        H5Tclose(t);
        H5Tclose(si);
        H5Tclose(sn);
    }
    if (!st && r->n_observers) {
        hid_t t = observer_mem_type(1);
        const uint64_t od[1] = {r->n_observers};
        st = mist_h5_write(h5.file, "/observer", t, 1, od, r->observers,
                           "1 (d' and AUC of /analysis/observer of each point file)", NULL, err);
        H5Tclose(t);
    }
    free(u);
    free(dv);
    free(sv);
    free(file_names);
    if (!st)
        st = mist_h5_commit(&h5, err);
    else
        mist_h5_abort(&h5);
    return st;
}

/* Collect every point's results (rank 0). */
mist_status mist_sweep_collect(const run_ctx *c, FILE *log, mist_error *err)
{
    const mist_sweep *sw = c->sw;
    results r = {0};
    r.counters = calloc(sw->n_points ? sw->n_points : 1, sizeof *r.counters);
    if (!r.counters)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    mist_status st = MIST_OK;
    char missing[200] = "";
    size_t n_missing = 0;
    char path[4200];
    for (size_t i = 0; i < sw->n_points; i++) {
        mist_sweep_point_file(path, sizeof path, c->dir, i);
        if (!mist_sweep_point_complete(path, c->points[i].study)) {
            if (n_missing++ < 10)
                snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s%zu",
                         n_missing > 1 ? ", " : "", i);
        }
    }
    if (n_missing) {
        st = mist_error_set(err, MIST_ERR_IO,
                            "%zu of %zu points have no complete result in %s (point%s %s%s): run "
                            "`mist sweep SWEEP.yaml -o %s --resume`",
                            n_missing, sw->n_points, c->dir, n_missing > 1 ? "s" : "", missing,
                            n_missing > 10 ? ", ..." : "", c->dir);
        free(r.counters);
        return st;
    }
    for (size_t i = 0; !st && i < sw->n_points; i++) {
        int has_recon, observed;
        mist_sweep_point_file(path, sizeof path, c->dir, i);
        st = mist_sweep_score_point(sw, path, &has_recon, &observed, err);
        if (!st)
            st = read_point(path, i, &r, err);
    }
    results_ctx rc = {c, &r};
    char out[4200];
    if (!st) {
        snprintf(out, sizeof out, "%s/results.csv", c->dir);
        st = mist_sweep_write_atomic(out, write_results_csv, &rc, err);
    }
    snprintf(out, sizeof out, "%s/lesions.csv", c->dir);
    if (!st && r.n_lesions)
        st = mist_sweep_write_atomic(out, write_lesions_csv, &rc, err);
    else if (!st)
        remove(out); /* an earlier collection's table would no longer match */
    snprintf(out, sizeof out, "%s/observer.csv", c->dir);
    if (!st && r.n_observers)
        st = mist_sweep_write_atomic(out, write_observer_csv, &rc, err);
    else if (!st)
        remove(out);
    if (!st) {
        snprintf(out, sizeof out, "%s/results.h5", c->dir);
        st = write_results_h5(out, c, &r, err);
    }
    if (!st && log) {
        fprintf(log, "sweep: wrote %s/results.csv and results.h5 (%zu points", c->dir,
                sw->n_points);
        if (r.n_lesions)
            fprintf(log, "; lesion metrics of %zu points in lesions.csv", r.n_with_recon);
        else
            fprintf(log, "; counters only: no point file holds a reconstructed image");
        if (r.n_observers)
            fprintf(log, "; observer d' and AUC in observer.csv");
        fputs(")\n", log);
    }
    free(r.counters);
    free(r.lesions);
    free(r.observers);
    return st;
}

