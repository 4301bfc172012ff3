/* Contrast recovery in a NEMA IEC-like section: six hot rods (10 to 37 mm,
 * the IEC sphere diameters, 4:1 to the background) in a 150 mm water
 * cylinder, noiseless data from the model with attenuation, OSEM.  The
 * contrast recovery coefficient of every rod must rise with the iterations
 * and, at every iteration, with the rod's diameter (issue #8's IEC check,
 * in 2D-like rods so the test stays fast; the full IEC simulation is not in
 * the unit tests). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "recon/osem.h"
#include "recon/pet_lor.h"
#include "recon/pet_recon.h"

#define PI 3.14159265358979323846
#define NROD 6
#define NIT 4

static const double DIAM[NROD] = {10, 13, 17, 22, 28, 37};
static const int REPORT[NIT] = {1, 2, 4, 8};

typedef struct crc_ctx {
    const mist_img_geom *g;
    double crc[NIT][NROD];
} crc_ctx;

static void rod_centre(int r, double *x, double *y)
{
    double a = 2 * PI * r / NROD;
    *x = 45.0 * cos(a);
    *y = 45.0 * sin(a);
}

/* Mean over the voxels whose centres lie within radius of (cx, cy). */
static double disc_mean(const mist_img_geom *g, const float *img, double cx, double cy, double rad)
{
    double s = 0;
    size_t n = 0;
    for (int k = 0; k < g->n[2]; k++)
        for (int j = 0; j < g->n[1]; j++)
            for (int i = 0; i < g->n[0]; i++) {
                double x = g->origin_mm[0] + g->voxel_mm[0] * i - cx;
                double y = g->origin_mm[1] + g->voxel_mm[1] * j - cy;
                if (x * x + y * y <= rad * rad) {
                    s += img[((size_t)k * g->n[1] + j) * g->n[0] + i];
                    n++;
                }
            }
    return s / n;
}

static void on_iteration(void *ctx, int it, const float *img)
{
    crc_ctx *c = ctx;
    for (int t = 0; t < NIT; t++) {
        if (REPORT[t] != it)
            continue;
        double bkg = disc_mean(c->g, img, 0, 0, 15);
        for (int r = 0; r < NROD; r++) {
            double x, y;
            rod_centre(r, &x, &y);
            c->crc[t][r] = (disc_mean(c->g, img, x, y, DIAM[r] / 2) / bkg - 1) / 3.0;
        }
    }
}

Test(recon_crc, rises_with_iterations_and_rod_size)
{
    mist_sino_geom sg;
    mist_error err;
    cr_assert_eq(mist_sino_init(&sg, 384, 4, 192, 1, 1, 200.0, &err), MIST_OK, "%s", err.msg);
    mist_pet_lors l;
    cr_assert_eq(mist_pet_lors_init(&l, &sg, 200.0, 4.0, &err), MIST_OK, "%s", err.msg);
    mist_img_geom g = {{80, 80, 4}, {2, 2, 4}, {-79, -79, -6}};
    size_t nv = mist_img_count(&g), nb = mist_pet_lors_count(&l);
    float *x = calloc(nv, sizeof *x), *mu = calloc(nv, sizeof *mu), *y = malloc(nb * sizeof *y);
    float *img = malloc(nv * sizeof *img);
    for (int k = 0; k < 4; k++)
        for (int j = 0; j < 80; j++)
            for (int i = 0; i < 80; i++) {
                double px = g.origin_mm[0] + 2.0 * i, py = g.origin_mm[1] + 2.0 * j;
                size_t v = ((size_t)k * 80 + j) * 80 + i;
                if (px * px + py * py > 75.0 * 75.0)
                    continue;
                x[v] = 1.0f;
                mu[v] = 0.0096f;
                for (int r = 0; r < NROD; r++) {
                    double cx, cy;
                    rod_centre(r, &cx, &cy);
                    if ((px - cx) * (px - cx) + (py - cy) * (py - cy) <= DIAM[r] * DIAM[r] / 4)
                        x[v] = 4.0f;
                }
            }
    mist_pet_forward(&l, &g, x, mu, NULL, y);
    mist_pet_recon r;
    mist_pet_recon_input in = {
        .lors = &l, .img = g, .prompts = y, .mu_mm = mu, .n_subsets = 4, .rank = 0, .n_ranks = 1};
    cr_assert_eq(mist_pet_recon_init(&r, &in, &err), MIST_OK, "%s", err.msg);
    for (size_t i = 0; i < nv; i++)
        img[i] = 1.0f;
    crc_ctx c = {.g = &g};
    mist_osem_model m = mist_pet_recon_model(&r);
    cr_assert_eq(mist_osem_run(&m, REPORT[NIT - 1], img, on_iteration, &c, &err), MIST_OK, "%s",
                 err.msg);
    for (int t = 0; t < NIT; t++)
        cr_log_info("iteration %d: CRC %.3f %.3f %.3f %.3f %.3f %.3f", REPORT[t], c.crc[t][0],
                    c.crc[t][1], c.crc[t][2], c.crc[t][3], c.crc[t][4], c.crc[t][5]);
    for (int t = 0; t < NIT; t++)
        for (int k = 0; k < NROD; k++) {
            if (t > 0)
                cr_assert_gt(c.crc[t][k], c.crc[t - 1][k], "rod %g mm, iteration %d", DIAM[k],
                             REPORT[t]);
            if (k > 0)
                cr_assert_gt(c.crc[t][k], c.crc[t][k - 1], "iteration %d, rod %g mm", REPORT[t],
                             DIAM[k]);
        }
    /* The largest rod approaches full recovery. */
    cr_assert_gt(c.crc[NIT - 1][NROD - 1], 0.8);
    mist_pet_recon_free(&r);
    mist_pet_lors_free(&l);
    mist_sino_free(&sg);
    free(x);
    free(mu);
    free(y);
    free(img);
}
