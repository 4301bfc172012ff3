#include "engine/bench_spect.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/progress.h"
#include "engine/validate_spect.h"
#include "io/study.h"

/* Photopeak counts in the 8 x 8 central pixels of view 0. */
static double roi(const mist_spect_point *p)
{
    const mist_spect_sim *ss = p->ss;
    const uint64_t *a = p->t.data + p->t.arrays[ss->id_proj].offset;
    uint32_t nr = p->cam.n_rows, nc = p->cam.n_cols;
    double s = 0;
    for (uint32_t r = nr / 2 - 4; r < nr / 2 + 4; r++)
        for (uint32_t c = nc / 2 - 4; c < nc / 2 + 4; c++)
            s += mist_spect_value(ss, a[(size_t)r * nc + c]);
    return s;
}

mist_status mist_bench_spect(mist_bench_figure *f, size_t *nf, mist_error *err)
{
    char path[4096];
    mist_data_path(path, sizeof path, "geometry/spect_symbia_lehr.yaml");
    enum { NB = 16 };
    mist_spect_point_opts o = {.camera_file = path,
                               .nuclide = "Tc-99m",
                               .decays = 4.0e6,
                               .batches = NB,
                               .views = 2,
                               .radius_mm = 160.0,
                               .water_diameter_mm = 200.0,
                               .model = MIST_COLLIMATOR_FAST,
                               .forced = 0};
    mist_spect_point a, fd;
    memset(&fd, 0, sizeof fd);
    mist_status st = mist_spect_point_make(&a, &o, err);
    if (!st)
        st = mist_spect_point_run(&a, 1u, err);
    double n_a = 0, t_a = a.wall_s, photons = 0;
    if (!st) {
        n_a = roi(&a);
        photons = (double)mist_tally_data(&a.t, a.ss->id_counts)[MIST_SPECT_PHOTONS];
        f[*nf] = (mist_bench_figure){"spect.analog", "photons/s", photons / t_a, 0, ""};
        snprintf(f[*nf].note, sizeof f[*nf].note,
                 "Tc-99m in 200 mm water, LEHR fast model, 2 heads, %.2g photons, one core",
                 photons);
        (*nf)++;
    }
    o.forced = 1;
    o.decays = 1.0e5;
    if (!st)
        st = mist_spect_point_make(&fd, &o, err);
    double x[NB], sum = 0, sum2 = 0, prev = 0, t_f = 0;
    for (uint64_t b = 0; !st && b < NB; b++) {
        mist_rng rng = mist_rng_substream(2u, b);
        double work, t0 = mist_time_now_s();
        st = mist_spect_sim_batch(fd.ss, b, &rng, &fd.t, &work, err);
        t_f += mist_time_now_s() - t0;
        double cur = roi(&fd);
        x[b] = cur - prev;
        prev = cur;
    }
    if (!st) {
        for (int b = 0; b < NB; b++) {
            sum += x[b];
            sum2 += x[b] * x[b];
        }
        double mean_b = sum / NB, var_b = (sum2 / NB - mean_b * mean_b) * NB / (NB - 1);
        /* Relative variance of each run's total, times its time. */
        double eff_a = n_a > 0 ? n_a / t_a : 0; /* mean^2 / (var t) with var = mean (Poisson) */
        double eff_f = var_b > 0 ? sum * sum / (NB * var_b * t_f) : 0;
        f[*nf] = (mist_bench_figure){"spect.fd_gain", "x", eff_a > 0 ? eff_f / eff_a : 0, 0, ""};
        snprintf(f[*nf].note, sizeof f[*nf].note,
                 "forced/analog 1/(var x time), 8x8 photopeak ROI: analog %.0f counts, FD %.0f "
                 "(scaled to analog decays)",
                 n_a, sum * 40.0);
        (*nf)++;
    }
    mist_spect_point_free(&a);
    mist_spect_point_free(&fd);
    return st;
}
