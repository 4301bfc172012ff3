/* Joseph projector: hand-computed line integrals and adjointness
 * <A x, y> = <x, A^T y> over random rays and images. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "core/rng.h"
#include "recon/projector.h"

static mist_img_geom grid(int nx, int ny, int nz, float vx, float vy, float vz)
{
    mist_img_geom g = {{nx, ny, nz}, {vx, vy, vz}, {0}};
    for (int k = 0; k < 3; k++)
        g.origin_mm[k] = -0.5f * (g.n[k] - 1) * g.voxel_mm[k];
    return g;
}

Test(projector, ray_along_an_axis_through_voxel_centres)
{
    /* Ones image: every plane sampled at a voxel centre with weight = voxel
     * size, so the integral is the image's length along the axis. */
    mist_img_geom g = grid(10, 8, 6, 2.0f, 3.0f, 4.0f);
    float *img = malloc(mist_img_count(&g) * sizeof *img);
    for (size_t i = 0; i < mist_img_count(&g); i++)
        img[i] = 1.0f;
    float y0 = g.origin_mm[1] + 2 * g.voxel_mm[1], z0 = g.origin_mm[2] + 3 * g.voxel_mm[2];
    float p1[3] = {-100, y0, z0}, p2[3] = {100, y0, z0};
    cr_assert_float_eq(mist_joseph3d_fwd_ray(&g, img, p1, p2), 20.0f, 1e-4);
    float q1[3] = {0.1f, 0.2f, -50}, q2[3] = {0.1f, 0.2f, 50};
    cr_assert_float_eq(mist_joseph3d_fwd_ray(&g, img, q1, q2), 24.0f, 1e-4);
    /* Direction reversed: same integral. */
    cr_assert_float_eq(mist_joseph3d_fwd_ray(&g, img, p2, p1), 20.0f, 1e-4);
    free(img);
}

Test(projector, interpolates_between_rows)
{
    /* Row j = 2 holds 1, the rest 0; a ray a quarter voxel above row 2's
     * centre samples 0.75 of it in every plane. */
    mist_img_geom g = grid(12, 6, 3, 2.0f, 2.0f, 2.0f);
    float *img = calloc(mist_img_count(&g), sizeof *img);
    for (int i = 0; i < 12; i++)
        img[(1 * 6 + 2) * 12 + i] = 1.0f;
    float y = g.origin_mm[1] + 2.25f * 2.0f, z = g.origin_mm[2] + 2.0f;
    float p1[3] = {-40, y, z}, p2[3] = {40, y, z};
    cr_assert_float_eq(mist_joseph3d_fwd_ray(&g, img, p1, p2), 0.75f * 24.0f, 1e-4);
    free(img);
}

Test(projector, oblique_ray_length_weight)
{
    /* A 45 degree ray in x-y through a uniform slab: nx planes, each weighed
     * by voxel * sqrt(2). */
    mist_img_geom g = grid(20, 20, 1, 1.0f, 1.0f, 1.0f);
    float *img = malloc(mist_img_count(&g) * sizeof *img);
    for (size_t i = 0; i < mist_img_count(&g); i++)
        img[i] = 1.0f;
    float p1[3] = {-30, -30, 0}, p2[3] = {30, 30, 0};
    cr_assert_float_eq(mist_joseph3d_fwd_ray(&g, img, p1, p2), 20.0f * sqrtf(2.0f), 1e-4);
    /* A ray that misses the image gives 0 and is reported as missing. */
    float m1[3] = {-30, 40, 0}, m2[3] = {30, 40, 0};
    cr_assert_eq(mist_joseph3d_fwd_ray(&g, img, m1, m2), 0.0f);
    cr_assert_eq(mist_joseph3d_ray_hits(&g, m1, m2), 0);
    cr_assert_eq(mist_joseph3d_ray_hits(&g, p1, p2), 1);
    free(img);
}

Test(projector, back_is_the_adjoint_of_forward)
{
    /* Random anisotropic image and random rays between points on a sphere
     * around it (all directions, rays starting inside the image too). The
     * tolerance is float round-off: both sides sum the same products. */
    mist_img_geom g = grid(17, 13, 11, 2.0f, 2.5f, 3.0f);
    g.origin_mm[0] += 0.7f;
    size_t nv = mist_img_count(&g), nr = 4000;
    float *x = malloc(nv * sizeof *x), *bp = calloc(nv, sizeof *bp);
    float *xs = malloc(3 * nr * sizeof *xs), *xe = malloc(3 * nr * sizeof *xe);
    float *y = malloc(nr * sizeof *y), *ax = malloc(nr * sizeof *ax);
    mist_rng rng;
    mist_rng_seed(&rng, 12345, 0);
    for (size_t i = 0; i < nv; i++)
        x[i] = (float)mist_rng_uniform(&rng);
    for (size_t r = 0; r < nr; r++) {
        for (int e = 0; e < 2; e++) {
            float *p = (e ? xe : xs) + 3 * r;
            double u[3], n2 = 0;
            for (int k = 0; k < 3; k++) {
                u[k] = 2 * mist_rng_uniform(&rng) - 1;
                n2 += u[k] * u[k];
            }
            double rad = r % 4 == 0 && e == 0 ? 10.0 : 60.0; /* some rays start inside */
            for (int k = 0; k < 3; k++)
                p[k] = (float)(rad * u[k] / sqrt(n2));
        }
        y[r] = (float)mist_rng_uniform(&rng);
    }
    mist_joseph3d_fwd(&g, x, xs, xe, nr, ax);
    mist_joseph3d_back(&g, bp, xs, xe, nr, y);
    double lhs = 0, rhs = 0;
    size_t hits = 0;
    for (size_t r = 0; r < nr; r++) {
        lhs += (double)ax[r] * y[r];
        hits += ax[r] > 0;
    }
    for (size_t i = 0; i < nv; i++)
        rhs += (double)x[i] * bp[i];
    cr_log_info("adjointness: <Ax,y> = %.9g, <x,A^T y> = %.9g, relative error %.2e", lhs, rhs,
                fabs(lhs - rhs) / fabs(lhs));
    cr_assert_gt(hits, nr / 4, "most rays should cross the image (%zu of %zu)", hits, nr);
    cr_assert_lt(fabs(lhs - rhs) / fabs(lhs), 1e-5, "<Ax,y> = %.9g, <x,A^T y> = %.9g", lhs, rhs);
    free(x);
    free(bp);
    free(xs);
    free(xe);
    free(y);
    free(ax);
}

Test(projector, tof_bins_add_up_to_the_non_tof_projection_and_peak_at_the_source)
{
    mist_img_geom g = grid(41, 41, 5, 2.0f, 2.0f, 2.0f);
    size_t nv = mist_img_count(&g);
    float *img = calloc(nv, sizeof *img);
    /* One hot voxel 20 mm from the centre along +x, on the ray's line. */
    int hot = 20 + 10;
    img[(2 * 41 + 20) * 41 + hot] = 1.0f;
    mist_tof tof = {.n_tof = 11, .bin_mm = 7.5f, .sigma_mm = 6.0f};
    float p1[3] = {-300, 0, 0}, p2[3] = {300, 0, 0}, t[11];
    mist_joseph3d_tof_fwd_ray(&g, img, p1, p2, &tof, t);
    float sum = 0;
    int kmax = 0;
    for (int k = 0; k < 11; k++) {
        sum += t[k];
        if (t[k] > t[kmax])
            kmax = k;
    }
    cr_assert_float_eq(sum, mist_joseph3d_fwd_ray(&g, img, p1, p2), 1e-5);
    /* x = +20 mm toward p2: bin centred nearest 20 mm, (k - 5) 7.5 -> k = 8 (22.5 mm). */
    cr_assert_eq(kmax, 8, "peak in bin %d", kmax);
    /* Reversed ray: x = -20 mm, the mirror bin. */
    mist_joseph3d_tof_fwd_ray(&g, img, p2, p1, &tof, t);
    kmax = 0;
    for (int k = 0; k < 11; k++)
        if (t[k] > t[kmax])
            kmax = k;
    cr_assert_eq(kmax, 2, "peak in bin %d", kmax);
    free(img);
}

Test(projector, tof_back_is_the_adjoint_of_tof_forward)
{
    mist_img_geom g = grid(15, 13, 9, 2.0f, 2.5f, 3.0f);
    size_t nv = mist_img_count(&g), nr = 1500;
    mist_tof tof = {.n_tof = 9, .bin_mm = 12.0f, .sigma_mm = 10.0f};
    float *x = malloc(nv * sizeof *x), *bp = calloc(nv, sizeof *bp);
    float *y = malloc(nr * 9 * sizeof *y), *ax = malloc(nr * 9 * sizeof *ax);
    float *ends = malloc(6 * nr * sizeof *ends);
    mist_rng rng;
    mist_rng_seed(&rng, 777, 3);
    for (size_t i = 0; i < nv; i++)
        x[i] = (float)mist_rng_uniform(&rng);
    for (size_t r = 0; r < nr; r++) {
        for (int e = 0; e < 2; e++) {
            double u[3], n2 = 0;
            for (int k = 0; k < 3; k++) {
                u[k] = 2 * mist_rng_uniform(&rng) - 1;
                n2 += u[k] * u[k];
            }
            for (int k = 0; k < 3; k++)
                ends[6 * r + 3 * e + k] = (float)(50.0 * u[k] / sqrt(n2));
        }
        for (int k = 0; k < 9; k++)
            y[9 * r + k] = (float)mist_rng_uniform(&rng);
    }
    for (size_t r = 0; r < nr; r++) {
        mist_joseph3d_tof_fwd_ray(&g, x, ends + 6 * r, ends + 6 * r + 3, &tof, ax + 9 * r);
        mist_joseph3d_tof_back_ray(&g, bp, ends + 6 * r, ends + 6 * r + 3, &tof, y + 9 * r);
    }
    double lhs = 0, rhs = 0;
    for (size_t i = 0; i < nr * 9; i++)
        lhs += (double)ax[i] * y[i];
    for (size_t i = 0; i < nv; i++)
        rhs += (double)x[i] * bp[i];
    cr_log_info("TOF adjointness: relative error %.2e", fabs(lhs - rhs) / fabs(lhs));
    cr_assert_gt(lhs, 0);
    cr_assert_lt(fabs(lhs - rhs) / fabs(lhs), 1e-5, "%.9g vs %.9g", lhs, rhs);
    free(x);
    free(bp);
    free(y);
    free(ax);
    free(ends);
}
