/* Phantom grid: index <-> mm, tissue table, lesion partial volumes against 4/3 pi r^3. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/rng.h"
#include "model/phantom.h"

#define PI 3.14159265358979323846

static mist_phantom *water_box(double voxel, size_t n)
{
    size_t dims[3] = {n, n, n};
    double v[3] = {voxel, voxel, voxel};
    double o[3] = {-0.5 * (double)(n - 1) * voxel, -0.5 * (double)(n - 1) * voxel,
                   -0.5 * (double)(n - 1) * voxel};
    mist_phantom *p = NULL;
    mist_error err;
    cr_assert_eq(mist_phantom_create("box", dims, v, o, &p, &err), MIST_OK, "%s", err.msg);
    uint8_t w;
    cr_assert_eq(mist_phantom_tissue_label(p, "water", &w, &err), MIST_OK, "%s", err.msg);
    memset(p->labels, w, mist_phantom_count(p));
    return p;
}

Test(phantom, index_and_mm_round_trip)
{
    mist_phantom *p = water_box(2.0, 11);
    double c[3];
    mist_phantom_center_mm(p, 0, 0, 0, c);
    cr_expect_float_eq(c[0], -10.0, 1e-12);
    mist_phantom_center_mm(p, 3, 5, 7, c);
    size_t ijk[3];
    cr_assert(mist_phantom_locate(p, c, ijk));
    cr_expect(ijk[0] == 3 && ijk[1] == 5 && ijk[2] == 7);
    cr_expect_eq(mist_phantom_index(p, 3, 5, 7), (7 * 11 + 5) * 11 + 3);
    double out[3] = {0.0, 0.0, 11.01}; /* beyond the last voxel's far face at 11 mm */
    cr_expect_not(mist_phantom_locate(p, out, ijk));
    mist_phantom_free(p);
}

Test(phantom, tissue_table_and_user_classes)
{
    mist_phantom *p = water_box(2.0, 4);
    mist_error err;
    uint8_t l1, l2;
    cr_expect_str_eq(p->tissues[0].name, "air");
    cr_assert_eq(mist_phantom_tissue_label(p, "glandular", &l1, &err), MIST_OK);
    cr_expect_float_eq(p->tissues[l1].density_g_cm3, 1.04, 1e-12); /* Hammerstein 1979 */
    cr_expect_eq(mist_phantom_tissue_label(p, "glandular", &l2, &err), MIST_OK);
    cr_expect_eq(l1, l2);
    cr_expect_eq(mist_phantom_tissue_label(p, "tumour", &l2, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "unknown tissue class 'tumour'"), "%s", err.msg);
    mist_tissue t = {"seroma", "water", "none", 1.01, 0.0};
    cr_expect_eq(mist_phantom_tissue_add(p, &t, &l2, &err), MIST_OK, "%s", err.msg);
    mist_tissue bad = {"foam", "styrofoam", "none", 0.03, 0.0};
    cr_expect_eq(mist_phantom_tissue_add(p, &bad, &l2, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "unknown material 'styrofoam'"), "%s", err.msg);
    mist_phantom_free(p);
}

/* Voxelised volumes of spheres 3-20 mm at 1 mm voxels, centred at random sub-voxel
 * offsets, equal 4/3 pi r^3 within 2 % (issue 4); the supersampled partial volumes are in
 * fact far closer. */
Test(phantom, lesion_volumes_match_spheres)
{
    mist_phantom *p = water_box(1.0, 48);
    mist_rng rng = mist_rng_substream(11, 0);
    const double diam[] = {3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0};
    double worst = 0.0;
    for (size_t d = 0; d < sizeof diam / sizeof diam[0]; d++) {
        for (int rep = 0; rep < 4; rep++) {
            double c[3], r = 0.5 * diam[d], ax[3] = {r, r, r};
            for (int a = 0; a < 3; a++)
                c[a] = mist_rng_uniform(&rng) - 0.5;
            char name[32];
            snprintf(name, sizeof name, "s%zu_%d", d, rep);
            mist_error err;
            cr_assert_eq(mist_phantom_add_lesion(p, name, "tumor_her2_pos", c, ax, 1, &err),
                         MIST_OK, "%s", err.msg);
            const mist_phantom_lesion *l = &p->lesions[p->n_lesions - 1];
            double exact = 4.0 / 3.0 * PI * r * r * r;
            double rel = fabs(l->volume_mm3 / exact - 1.0);
            cr_expect_lt(rel, 0.02, "%g mm sphere: %g mm3 vs %g mm3", diam[d], l->volume_mm3,
                         exact);
            cr_expect_float_eq(l->diameter_mm, diam[d], 1e-9);
            if (rel > worst)
                worst = rel;
        }
    }
    cr_log_info("largest lesion volume error, 3-20 mm spheres at 1 mm voxels: %.4f %%",
                100.0 * worst);
    mist_phantom_free(p);
}

/* A 4 mm lesion in 2 mm voxels keeps its volume through the fractions, while its label
 * footprint alone would not; labels mark voxels at least half inside. */
Test(phantom, small_lesion_in_coarse_voxels_keeps_its_volume)
{
    mist_phantom *p = water_box(2.0, 16);
    double c[3] = {0.3, -0.7, 0.45}, ax[3] = {2.0, 2.0, 2.0};
    mist_error err;
    cr_assert_eq(mist_phantom_add_lesion(p, "small", "node_met", c, ax, 1, &err), MIST_OK);
    const mist_phantom_lesion *l = &p->lesions[0];
    double exact = 4.0 / 3.0 * PI * 8.0;
    cr_expect_lt(fabs(l->volume_mm3 / exact - 1.0), 0.01, "%g vs %g", l->volume_mm3, exact);
    uint8_t water = (uint8_t)mist_phantom_tissue_find(p, "water");
    for (size_t e = l->pv_offset; e < l->pv_offset + l->pv_count; e++) {
        cr_expect_eq(p->pv_under[e], water);
        cr_expect_eq(p->labels[p->pv_voxel[e]] == l->label, p->pv_fraction[e] >= 0.5f);
    }
    /* density mixes lesion and background by the fraction */
    float *rho = malloc(mist_phantom_count(p) * sizeof *rho);
    mist_phantom_density(p, rho);
    size_t e = l->pv_offset;
    double f = p->pv_fraction[e];
    cr_expect_float_eq(rho[p->pv_voxel[e]], f * 1.05 + (1.0 - f) * 1.00, 1e-5);
    free(rho);
    mist_phantom_free(p);
}

Test(phantom, ellipsoid_volume)
{
    mist_phantom *p = water_box(1.0, 40);
    double c[3] = {0.2, 0.1, -0.3}, ax[3] = {8.0, 5.0, 3.0};
    mist_error err;
    cr_assert_eq(mist_phantom_add_lesion(p, "e", "tumor_her2_neg", c, ax, 1, &err), MIST_OK);
    double exact = 4.0 / 3.0 * PI * 8.0 * 5.0 * 3.0;
    cr_expect_lt(fabs(p->lesions[0].volume_mm3 / exact - 1.0), 0.01);
    cr_expect_float_eq(p->lesions[0].diameter_mm, 2.0 * cbrt(120.0), 1e-9);
    mist_phantom_free(p);
}

Test(phantom, lesions_outside_are_errors)
{
    mist_phantom *p = water_box(1.0, 20);
    mist_error err;
    double ax[3] = {2.0, 2.0, 2.0};
    double beyond[3] = {9.0, 0.0, 0.0};
    cr_expect_eq(mist_phantom_add_lesion(p, "edge", "node_met", beyond, ax, 1, &err),
                 MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "lesion 'edge'") && strstr(err.msg, "extends beyond the phantom grid"),
              "%s", err.msg);
    p->labels[mist_phantom_index(p, 10, 10, 10)] = MIST_PHANTOM_AIR;
    double c[3] = {0.5, 0.5, 0.5};
    cr_expect_eq(mist_phantom_add_lesion(p, "air", "node_met", c, ax, 1, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "outside the body (in air)"), "%s", err.msg);
    mist_lesion study = {.name = "node1", .tissue = "node_mets", .center_mm = {0, 0, 0},
                         .diameter_mm = 5.0};
    cr_expect_eq(mist_phantom_add_study_lesions(p, &study, 1, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "unknown tissue class 'node_mets'"), "%s", err.msg);
    mist_phantom_free(p);
}
