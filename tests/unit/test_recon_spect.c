/* SPECT projector and OSEM: adjointness <A x, y> = <x, A^T y> with
 * attenuation and the depth-dependent response; the response's width at a
 * known depth; noiseless reconstruction of a uniform water cylinder with
 * attenuation correction (central ROI within 2 % of the truth), with and
 * without an additive scatter term. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "core/rng.h"
#include "recon/osem.h"
#include "recon/spect_proj.h"
#include "recon/spect_recon.h"

#define NV 32
static double angles[NV], radii[NV];

static mist_img_geom grid(int nx, int ny, int nz, float v)
{
    mist_img_geom g = {{nx, ny, nz}, {v, v, v}, {0}};
    for (int k = 0; k < 3; k++)
        g.origin_mm[k] = -0.5f * (g.n[k] - 1) * g.voxel_mm[k];
    return g;
}

/* Symbia LEHR-like: hole 1.11 mm, L_eff ~ 23 mm, 6.4 + 4.75 mm to the crystal mid-plane. */
static mist_spect_geom camera(size_t n_views, int rows, int cols, double pix)
{
    for (size_t k = 0; k < n_views; k++) {
        angles[k] = 360.0 * (double)k / (double)n_views;
        radii[k] = 150.0 + 10.0 * (double)(k % 3); /* a non-circular orbit */
    }
    return (mist_spect_geom){.n_views = n_views,
                             .n_rows = rows,
                             .n_cols = cols,
                             .pixel_mm = pix,
                             .angle_deg = angles,
                             .radius_mm = radii,
                             .hole_mm = 1.11,
                             .l_eff_mm = 23.0,
                             .back_mm = 11.15,
                             .intrinsic_fwhm_mm = 3.8};
}

/* Water cylinder (radius r_mm about z) of value v; mu 0.0154 / mm (140 keV). */
static void cylinder(const mist_img_geom *g, double r_mm, float v, float *img, float *mu)
{
    size_t j = 0;
    for (int z = 0; z < g->n[2]; z++)
        for (int y = 0; y < g->n[1]; y++)
            for (int x = 0; x < g->n[0]; x++, j++) {
                double px = g->origin_mm[0] + x * g->voxel_mm[0];
                double py = g->origin_mm[1] + y * g->voxel_mm[1];
                int in = px * px + py * py <= r_mm * r_mm;
                if (img)
                    img[j] = in ? v : 0.0f;
                if (mu)
                    mu[j] = in ? 0.0154f : 0.0f;
            }
}

Test(spect_proj, back_is_the_adjoint_of_forward)
{
    mist_img_geom g = grid(20, 18, 7, 4.0f);
    mist_spect_geom cam = camera(12, 10, 28, 3.5);
    size_t nv = mist_img_count(&g), np = (size_t)cam.n_rows * cam.n_cols;
    float *x = malloc(nv * sizeof *x), *mu = malloc(nv * sizeof *mu), *bx = calloc(nv, sizeof *bx);
    float *y = malloc(np * sizeof *y), *ax = malloc(np * sizeof *ax);
    cylinder(&g, 30.0, 0.0f, NULL, mu);
    mist_rng rng = mist_rng_substream(7, 1);
    for (size_t i = 0; i < nv; i++)
        x[i] = (float)mist_rng_uniform(&rng);
    mist_spect_proj p;
    mist_error err;
    double worst = 0;
    cr_assert_eq(mist_spect_proj_init(&p, &g, &cam, mu, &err), MIST_OK);
    for (size_t k = 0; k < cam.n_views; k++) {
        for (size_t i = 0; i < np; i++)
            y[i] = (float)mist_rng_uniform(&rng);
        for (size_t i = 0; i < nv; i++)
            bx[i] = 0.0f;
        mist_spect_fwd_view(&p, k, x, ax);
        mist_spect_back_view(&p, k, y, bx);
        double lhs = 0, rhs = 0;
        for (size_t i = 0; i < np; i++)
            lhs += (double)ax[i] * y[i];
        for (size_t i = 0; i < nv; i++)
            rhs += (double)x[i] * bx[i];
        cr_assert(lhs > 0);
        cr_assert(fabs(lhs - rhs) / lhs < 1e-5, "view %zu: <Ax,y> %.9g <x,A^T y> %.9g", k, lhs, rhs);
        worst = fmax(worst, fabs(lhs - rhs) / lhs);
    }
    cr_log_info("adjointness: max relative error over the views %.2e", worst);
    mist_spect_proj_free(&p);
    free(x);
    free(mu);
    free(bx);
    free(y);
    free(ax);
}

Test(spect_proj, point_response_has_the_collimator_fwhm)
{
    /* One voxel at the centre, face 100 mm away, fine pixels: the column profile's FWHM
     * (second moment) is sqrt(R_g(100)^2 + R_i^2); weights sum to 1 without attenuation. */
    mist_img_geom g = grid(1, 1, 1, 1.0f);
    double a = 0.0, r = 100.0;
    mist_spect_geom cam = camera(1, 201, 201, 0.25);
    cam.angle_deg = &a;
    cam.radius_mm = &r;
    mist_spect_proj p;
    mist_error err;
    cr_assert_eq(mist_spect_proj_init(&p, &g, &cam, NULL, &err), MIST_OK);
    float one = 1.0f, *view = malloc(201 * 201 * sizeof *view), prof[201] = {0};
    mist_spect_fwd_view(&p, 0, &one, view);
    for (int i = 0; i < 201 * 201; i++)
        prof[i % 201] += view[i];
    free(view);
    double s0 = 0, s2 = 0;
    for (int c = 0; c < 201; c++) {
        double u = (c - 100) * 0.25;
        s0 += prof[c];
        s2 += prof[c] * u * u;
    }
    double rg = 1.11 * (23.0 + 100.0 + 11.15) / 23.0;
    double want = sqrt(rg * rg + 3.8 * 3.8);
    cr_assert(fabs(s0 - 1.0) < 1e-3, "sum %g", s0);
    /* Second moment of a pixel-integrated Gaussian: sigma^2 + pix^2 / 12. */
    double fwhm = sqrt(8.0 * log(2.0) * (s2 / s0 - 0.25 * 0.25 / 12.0));
    cr_assert(fabs(fwhm - want) / want < 0.01, "FWHM %g, want %g", fwhm, want);
    cr_assert(fabs(mist_spect_cdr_fwhm(&p, 100.0) - want) < 1e-9);
    mist_spect_proj_free(&p);
}

/* Noiseless data from the model, OSEM back: mean of the central ROI (radius 30 mm, middle
 * slices) against the truth. */
static double recon_cylinder(int with_scatter)
{
    mist_img_geom g = grid(36, 36, 6, 4.0f);
    mist_spect_geom cam = camera(NV, 8, 48, 4.0);
    size_t nv = mist_img_count(&g), np = (size_t)cam.n_rows * cam.n_cols;
    float *truth = malloc(nv * sizeof *truth), *mu = malloc(nv * sizeof *mu);
    float *img = malloc(nv * sizeof *img), *y = malloc(NV * np * sizeof *y);
    float *s = with_scatter ? malloc(NV * np * sizeof *s) : NULL;
    double sens[NV];
    for (size_t k = 0; k < NV; k++)
        sens[k] = 0.5 + 0.01 * (double)k;
    cylinder(&g, 60.0, 10.0f, truth, mu);
    mist_spect_proj p;
    mist_error err;
    cr_assert_eq(mist_spect_proj_init(&p, &g, &cam, mu, &err), MIST_OK);
    mist_spect_forward(&p, truth, sens, y);
    for (size_t i = 0; s && i < NV * np; i++) {
        s[i] = 0.3f * y[i] + 0.5f; /* scatter: known, added to the data */
        y[i] += s[i];
    }
    mist_spect_recon r;
    mist_spect_recon_input in = {
        .proj = &p, .counts = y, .additive = s, .sens = sens, .n_subsets = 8, .rank = 0,
        .n_ranks = 1};
    cr_assert_eq(mist_spect_recon_init(&r, &in, &err), MIST_OK);
    for (size_t i = 0; i < nv; i++)
        img[i] = 1.0f;
    mist_osem_model m = mist_spect_recon_model(&r);
    cr_assert_eq(mist_osem_run(&m, 10, img, NULL, NULL, &err), MIST_OK);
    double sum = 0;
    int n = 0;
    size_t j = 0;
    for (int z = 0; z < g.n[2]; z++)
        for (int yy = 0; yy < g.n[1]; yy++)
            for (int x = 0; x < g.n[0]; x++, j++) {
                double px = g.origin_mm[0] + x * g.voxel_mm[0];
                double py = g.origin_mm[1] + yy * g.voxel_mm[1];
                if (z >= 1 && z <= 4 && px * px + py * py <= 30.0 * 30.0) {
                    sum += img[j];
                    n++;
                }
            }
    mist_spect_recon_free(&r);
    mist_spect_proj_free(&p);
    free(truth);
    free(mu);
    free(img);
    free(y);
    free(s);
    return sum / n / 10.0;
}

Test(spect_recon, uniform_cylinder_with_attenuation_correction)
{
    double ratio = recon_cylinder(0);
    cr_log_info("central ROI / truth = %.4f", ratio);
    cr_assert(fabs(ratio - 1.0) < 0.02, "central ROI / truth = %.4f", ratio);
}

Test(spect_recon, uniform_cylinder_with_an_additive_scatter_term)
{
    double ratio = recon_cylinder(1);
    cr_log_info("central ROI / truth = %.4f", ratio);
    cr_assert(fabs(ratio - 1.0) < 0.02, "central ROI / truth = %.4f", ratio);
}
