#include "engine/spect_recon_cmd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "engine/recon_util.h"
#include "io/h5in.h"
#include "io/h5out.h"
#include "io/image_io.h"
#include "par/mpi_env.h"
#include "recon/filter.h"
#include "recon/osem.h"
#include "recon/spect_proj.h"
#include "recon/spect_recon.h"

#define MAX_WIN 12

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef struct spect_job {
    char camera[64], group[96], proj_path[160], window[24], mu_path[64];
    size_t n_win, n_views;
    int n_rows, n_cols, peak, lower, upper; /* window indices (-1: none) */
    long heads;
    float *proj;         /* [n_win][n_views][rows][cols] */
    float *counts, *scatter; /* [n_views][rows][cols] (views into proj / own) */
    double *angle_deg, *radius_mm, *sens;
    double pixel_mm, hole_mm, back_mm, intrinsic_mm;
    double l_eff[MAX_WIN], geo[MAX_WIN], eff[MAX_WIN], yield[MAX_WIN], win_keV[2 * MAX_WIN];
    double t_eff_mean_s, voxel_mL;
    mist_img_geom img;
    float *mu_mm;
} spect_job;

static void job_free(spect_job *j)
{
    free(j->proj);
    free(j->scatter);
    free(j->angle_deg);
    free(j->radius_mm);
    free(j->sens);
    free(j->mu_mm);
}

/* Index of the window called name in the comma-separated list, or -1. */
static int window_index(const char *names, const char *name)
{
    int k = 0;
    size_t len = strlen(name);
    for (const char *p = names; p && *p; k++) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == len && !strncmp(p, name, len))
            return k;
        p = e ? e + 1 : NULL;
    }
    return -1;
}

static mist_status read_projections(hid_t f, spect_job *j, mist_error *err)
{
    mist_status st;
    if ((st = mist_h5in_first_member(f, "/spect", j->camera, sizeof j->camera, err)))
        return st;
    snprintf(j->group, sizeof j->group, "/spect/%s", j->camera);
    snprintf(j->proj_path, sizeof j->proj_path, "%s/projections", j->group);
    uint64_t dims[MIST_H5IN_MAX_DIMS];
    int nd = 0;
    if ((st = mist_h5in_read_float(f, j->proj_path, &j->proj, dims, &nd, err)))
        return st;
    if (nd != 4 || dims[0] < 1 || dims[0] > MAX_WIN || dims[1] < 1)
        return mist_error_set(err, MIST_ERR_INPUT,
                              "%s: expected [windows x views x rows x columns]", j->proj_path);
    j->n_win = dims[0];
    j->n_views = dims[1];
    j->n_rows = (int)dims[2];
    j->n_cols = (int)dims[3];
    if (mist_h5in_attr_long(f, j->group, "heads", &j->heads, NULL) ||
        mist_h5in_attr_double(f, j->group, "hole_mm", &j->hole_mm, 1, NULL))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "%s has no collimator attributes (written by simulations since "
                              "SPECT reconstruction was built): simulate again",
                              j->group);
    j->angle_deg = malloc(j->n_views * sizeof *j->angle_deg);
    j->radius_mm = malloc(j->n_views * sizeof *j->radius_mm);
    j->sens = malloc(j->n_views * sizeof *j->sens);
    if (!j->angle_deg || !j->radius_mm || !j->sens)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    char *names = NULL;
    size_t nw = j->n_win;
    if ((st = mist_h5in_attr_double(f, j->proj_path, "view_angles_deg", j->angle_deg, j->n_views,
                                    err)) ||
        (st = mist_h5in_attr_double(f, j->proj_path, "radii_mm", j->radius_mm, j->n_views, err)) ||
        (st = mist_h5in_attr_double(f, j->proj_path, "pixel_mm", &j->pixel_mm, 1, err)) ||
        (st = mist_h5in_attr_double(f, j->proj_path, "windows_keV", j->win_keV, 2 * nw, err)) ||
        (st = mist_h5in_attr_str(f, j->proj_path, "window_names", &names, err)) ||
        (st = mist_h5in_attr_double(f, j->group, "back_to_crystal_mid_mm", &j->back_mm, 1, err)) ||
        (st = mist_h5in_attr_double(f, j->group, "intrinsic_fwhm_mm", &j->intrinsic_mm, 1, err)) ||
        (st = mist_h5in_attr_double(f, j->group, "l_eff_mm", j->l_eff, nw, err)) ||
        (st = mist_h5in_attr_double(f, j->group, "geometric_efficiency", j->geo, nw, err)) ||
        (st = mist_h5in_attr_double(f, j->group, "photopeak_efficiency", j->eff, nw, err)) ||
        (st = mist_h5in_attr_double(f, j->group, "line_yield", j->yield, nw, err))) {
        free(names);
        return st;
    }
    /* The photopeak window with the most counts. */
    size_t per_win = j->n_views * (size_t)j->n_rows * (size_t)j->n_cols;
    double best = -1;
    j->peak = -1;
    for (const char *p = names; p && *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l > 4 && l < sizeof j->window && !strncmp(p, "peak", 4)) {
            char name[24];
            snprintf(name, sizeof name, "%.*s", (int)l, p);
            int k = window_index(names, name);
            double sum = 0;
            for (size_t i = 0; k >= 0 && (size_t)k < nw && i < per_win; i++)
                sum += j->proj[(size_t)k * per_win + i];
            if (k >= 0 && (size_t)k < nw && sum > best) {
                best = sum;
                j->peak = k;
                snprintf(j->window, sizeof j->window, "%s", name);
            }
        }
        p = e ? e + 1 : NULL;
    }
    if (j->peak < 0) {
        free(names);
        return mist_error_set(err, MIST_ERR_INPUT, "%s: no photopeak window", j->proj_path);
    }
    char name[32];
    snprintf(name, sizeof name, "lower%s", j->window + 4);
    j->lower = window_index(names, name);
    snprintf(name, sizeof name, "upper%s", j->window + 4);
    j->upper = window_index(names, name);
    if (j->lower >= (int)nw)
        j->lower = -1;
    if (j->upper >= (int)nw)
        j->upper = -1;
    snprintf(j->mu_path, sizeof j->mu_path, "/phantom/mu_%s", j->window + 4);
    free(names);
    j->counts = j->proj + (size_t)j->peak * per_win;
    return MIST_OK;
}

/* Decay-weighted simulated time of each stop's batches; view k is taken at stop k mod stops. */
static mist_status read_times(hid_t f, spect_job *j, double *t_view, mist_error *err)
{
    double half, dur, frac;
    long batches;
    mist_status st;
    if ((st = mist_h5in_attr_double(f, "/acquisition", "half_life_s", &half, 1, err)) ||
        (st = mist_h5in_attr_double(f, "/acquisition", "duration_s", &dur, 1, err)) ||
        (st = mist_h5in_attr_double(f, "/acquisition", "simulated_fraction", &frac, 1, err)) ||
        (st = mist_h5in_attr_long(f, "/acquisition", "batches", &batches, err)))
        return st;
    size_t stops = j->heads > 0 ? j->n_views / (size_t)j->heads : 0;
    if (!stops || batches < 1 || (size_t)batches % stops)
        return mist_error_set(err, MIST_ERR_INPUT,
                              "%s: %zu views on %ld heads do not divide into the %ld batches",
                              j->proj_path, j->n_views, j->heads, batches);
    long bps = batches / (long)stops;
    double lam = log(2.0) / half, slice = dur / (double)batches;
    j->t_eff_mean_s = 0;
    for (size_t k = 0; k < j->n_views; k++) {
        long stop = (long)(k % stops);
        double t = 0;
        for (long b = stop * bps; b < (stop + 1) * bps; b++)
            t += lam > 0 ? exp(-lam * slice * b) * -expm1(-lam * frac * slice) / lam
                         : frac * slice;
        t_view[k] = t;
        j->t_eff_mean_s += t / (double)j->n_views;
    }
    return MIST_OK;
}

/* TEW: S = (C_low / w_low + C_high / w_high) w_peak / 2 per pixel. */
static mist_status tew(spect_job *j, mist_error *err)
{
    size_t n = j->n_views * (size_t)j->n_rows * (size_t)j->n_cols;
    j->scatter = malloc(n * sizeof *j->scatter);
    if (!j->scatter)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the scatter estimate");
    const double *w = j->win_keV;
    double wp = w[2 * j->peak + 1] - w[2 * j->peak];
    double wl = j->lower >= 0 ? w[2 * j->lower + 1] - w[2 * j->lower] : 0;
    double wu = j->upper >= 0 ? w[2 * j->upper + 1] - w[2 * j->upper] : 0;
    const float *lo = j->lower >= 0 ? j->proj + (size_t)j->lower * n : NULL;
    const float *up = j->upper >= 0 ? j->proj + (size_t)j->upper * n : NULL;
    for (size_t i = 0; i < n; i++)
        j->scatter[i] = (float)(((lo ? lo[i] / wl : 0.0) + (up ? up[i] / wu : 0.0)) * wp / 2.0);
    return MIST_OK;
}

static mist_status write_image(const char *in, const char *out, const spect_job *j,
                               const mist_study *s, int tew_on, const float *img, mist_error *err)
{
    char tmp[4200], path[160];
    snprintf(path, sizeof path, "/recon/spect/%s/image", j->camera);
    hid_t f, d;
    mist_status st =
        mist_recon_image_begin(in, out, path, &j->img, s, img, tmp, sizeof tmp, &f, &d, err);
    if (!st) {
        const int p = j->peak;
        double sens = j->geo[p] * j->eff[p] * j->yield[p];
        char cdr[200];
        snprintf(cdr, sizeof cdr,
                 "Gaussian, FWHM(d) = sqrt(R_g(d)^2 + R_i^2), R_g = %g (%g + d + %g) / %g mm, "
                 "R_i = %g mm",
                 j->hole_mm, j->l_eff[p], j->back_mm, j->l_eff[p], j->intrinsic_mm);
        (void)((st = mist_h5_attr_str(d, "window", j->window, err)) ||
               (st = mist_h5_attr_str(d, "attenuation", s->recon.attenuation ? j->mu_path : "none",
                                      err)) ||
               (st = mist_h5_attr_str(d, "scatter",
                                      tew_on ? "triple energy window (additive term)" : "none",
                                      err)) ||
               (st = mist_h5_attr_str(d, "collimator_response", cdr, err)) ||
               (st = mist_h5_attr_str(d, "sensitivity",
                                      "analytic: T_eff(view) x geometric efficiency x photopeak "
                                      "efficiency x line yield x voxel volume",
                                      err)) ||
               (st = mist_h5_attr_double(d, "counts_per_decay", &sens, 1, err)) ||
               (st = mist_h5_attr_double(d, "effective_time_s", &j->t_eff_mean_s, 1, err)) ||
               (st = mist_h5_attr_double(d, "calibration", &s->recon.calibration, 1, err)));
    }
    return mist_recon_image_end(st, f, d, tmp, out, err);
}

typedef struct timing {
    double t0, t_last;
    int last;
} timing;

static void on_iteration(void *ctx, int it, const float *img)
{
    (void)img;
    timing *t = ctx;
    if (it == 0)
        t->t0 = now_s();
    t->t_last = now_s();
    t->last = it;
}

mist_status mist_spect_recon_file(const char *in, const char *out, const char *const *sets,
                                  size_t n_sets, const char *nifti_prefix,
                                  mist_recon_summary *sum, mist_error *err)
{
    memset(sum, 0, sizeof *sum);
    snprintf(sum->modality, sizeof sum->modality, "spect");
    mist_mpi mpi = mist_mpi_world();
    double t0 = now_s();
    mist_study s;
    memset(&s, 0, sizeof s);
    spect_job j;
    memset(&j, 0, sizeof j);
    mist_spect_proj proj;
    memset(&proj, 0, sizeof proj);
    mist_spect_recon model = {0};
    float *img = NULL;
    int tew_on = 0;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(in, H5F_ACC_RDONLY, H5P_DEFAULT);
    mist_status st =
        f < 0 ? mist_error_set(err, MIST_ERR_INPUT, "cannot open %s as HDF5", in) : MIST_OK;
    if (!st)
        st = mist_recon_read_settings(f, in, sets, n_sets, &s, err);
    if (!st)
        st = read_projections(f, &j, err);
    snprintf(sum->scanner, sizeof sum->scanner, "%s", j.camera);
    if (!st && j.n_views <= (size_t)j.heads) {
        sum->planar = 1;
        st = mist_error_set(err, MIST_ERR_NOT_BUILT,
                            "%s: planar acquisition (%zu views on %ld heads): planar images are "
                            "not reconstructed (the projections are the images)",
                            in, j.n_views, j.heads);
    }
    /* More subsets than views (a short orbit): one view per subset. */
    if (!st && (size_t)s.recon.subsets > j.n_views)
        s.recon.subsets = (long)j.n_views;
    if (!st)
        st = read_times(f, &j, j.sens, err);
    if (!st)
        st = mist_recon_read_grid(f, j.pixel_mm, s.recon.attenuation ? j.mu_path : NULL, &j.img,
                                  &j.mu_mm, err);
    if (f >= 0)
        H5Fclose(f);
    tew_on = !st && s.recon.scatter_truth && (j.lower >= 0 || j.upper >= 0);
    if (tew_on)
        st = tew(&j, err);
    if (!st) {
        const int p = j.peak;
        j.voxel_mL = 1e-3 * j.img.voxel_mm[0] * j.img.voxel_mm[1] * j.img.voxel_mm[2];
        for (size_t k = 0; k < j.n_views; k++)
            j.sens[k] *= j.geo[p] * j.eff[p] * j.yield[p] * j.voxel_mL / s.recon.calibration;
        mist_spect_geom g = {.n_views = j.n_views,
                             .n_rows = j.n_rows,
                             .n_cols = j.n_cols,
                             .pixel_mm = j.pixel_mm,
                             .angle_deg = j.angle_deg,
                             .radius_mm = j.radius_mm,
                             .hole_mm = j.hole_mm,
                             .l_eff_mm = j.l_eff[p],
                             .back_mm = j.back_mm,
                             .intrinsic_fwhm_mm = j.intrinsic_mm};
        if (!(j.geo[p] * j.eff[p] * j.yield[p] > 0))
            st = mist_error_set(err, MIST_ERR_INPUT, "%s: window %s has no sensitivity",
                                j.group, j.window);
        if (!st)
            st = mist_spect_proj_init(&proj, &j.img, &g, j.mu_mm, err);
    }
    if (!st) {
        mist_spect_recon_input ri = {.proj = &proj,
                                     .counts = j.counts,
                                     .additive = tew_on ? j.scatter : NULL,
                                     .sens = j.sens,
                                     .n_subsets = (size_t)s.recon.subsets,
                                     .rank = mpi.rank,
                                     .n_ranks = mpi.size};
        st = mist_spect_recon_init(&model, &ri, err);
    }
    size_t nv = mist_img_count(&j.img);
    if (!st && !(img = malloc(nv * sizeof *img)))
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the image");
    timing tm = {.last = -1};
    double t1 = now_s();
    if (!st) {
        for (size_t i = 0; i < nv; i++)
            img[i] = 1.0f;
        mist_osem_model m = mist_spect_recon_model(&model);
        st = mist_osem_run(&m, (int)s.recon.iterations, img, on_iteration, &tm, err);
    }
    if (!st)
        st = mist_gauss_filter(&j.img, img, s.recon.postfilter_fwhm_mm, err);
    mist_mpi_share_error(st, err);
    st = mist_mpi_agree_status(st) ? err->code : MIST_OK;
    if (!st && mpi.rank == 0)
        st = write_image(in, out ? out : in, &j, &s, tew_on, img, err);
    if (!st && mpi.rank == 0 && nifti_prefix) {
        char path[4200], what[96];
        snprintf(path, sizeof path, "%s_%s.nii", nifti_prefix, j.camera);
        snprintf(what, sizeof what, "mist SPECT OSEM %s, Bq/mL", j.camera);
        st = mist_image_write_nifti(path, j.img.n, j.img.voxel_mm, j.img.origin_mm, img, what, err);
    }
    mist_mpi_share_error(st, err);
    st = mist_mpi_agree_status(st) ? err->code : MIST_OK;
    if (!st) {
        sum->iterations = (int)s.recon.iterations;
        sum->subsets = (int)s.recon.subsets;
        for (int k = 0; k < 3; k++)
            sum->n[k] = j.img.n[k];
        sum->voxel_mm = j.pixel_mm;
        for (size_t q = 0; q < model.n_subsets; q++)
            sum->bins += model.subsets[q].n_views * (size_t)j.n_rows * (size_t)j.n_cols;
        sum->setup_s = t1 - t0;
        if (tm.last >= 1)
            sum->s_per_iteration = (tm.t_last - tm.t0) / tm.last;
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        sum->memory_MiB = (double)ru.ru_maxrss / 1024.0;
    }
    mist_spect_recon_free(&model);
    mist_spect_proj_free(&proj);
    free(img);
    job_free(&j);
    return st;
}
