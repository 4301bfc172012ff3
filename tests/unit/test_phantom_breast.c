/* Breast generator: BI-RADS glandular fractions, determinism per seed, anatomy, speed. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "model/breast.h"

static mist_phantom *make(mist_breast_params *p, mist_breast_anatomy *an)
{
    mist_phantom *ph = NULL;
    mist_error err;
    cr_assert_eq(mist_breast_generate(p, &ph, an, &err), MIST_OK, "%s", err.msg);
    return ph;
}

/* Glandular share of the breast interior (labels counted afresh) within 2 % absolute of
 * 1 - the VICTRE fat fraction for each BI-RADS class, at 1 mm voxels with ligaments. */
Test(breast, glandular_fraction_per_birads)
{
    const char classes[] = "abcd";
    for (int c = 0; c < 4; c++) {
        mist_breast_params p;
        mist_breast_defaults(&p);
        p.fat_fraction = mist_breast_birads_fat_fraction(classes[c]);
        mist_breast_anatomy an;
        mist_phantom *ph = make(&p, &an);
        int g = mist_phantom_tissue_find(ph, "glandular"), a = mist_phantom_tissue_find(ph, "adipose");
        /* interior voxels = glandular + adipose inside the breast (y > 0 excludes the chest) */
        uint64_t ng = 0, na = 0;
        for (size_t k = 0; k < ph->n[2]; k++)
            for (size_t j = 0; j < ph->n[1]; j++)
                for (size_t i = 0; i < ph->n[0]; i++) {
                    double r[3];
                    mist_phantom_center_mm(ph, i, j, k, r);
                    uint8_t l = ph->labels[mist_phantom_index(ph, i, j, k)];
                    if (r[1] > 5.0) {
                        ng += l == g;
                        na += l == a;
                    }
                }
        double target = 1.0 - p.fat_fraction;
        cr_expect_lt(fabs(an.glandular_fraction - target), 0.02, "BI-RADS %c: %g vs %g",
                     classes[c], an.glandular_fraction, target);
        double front = (double)ng / (double)(ng + na);
        cr_expect_lt(fabs(front - target), 0.05, "BI-RADS %c in front of the chest: %g",
                     classes[c], front);
        cr_log_info("BI-RADS %c: target glandular %.3f, generated %.4f (%llu of %llu voxels)",
                    classes[c], target, an.glandular_fraction,
                    (unsigned long long)an.glandular_voxels,
                    (unsigned long long)an.interior_voxels);
        mist_phantom_free(ph);
    }
}

Test(breast, same_seed_same_phantom_other_seed_other_texture)
{
    mist_breast_params p;
    mist_breast_defaults(&p);
    p.voxel_mm = 2.0;
    mist_phantom *a = make(&p, NULL), *b = make(&p, NULL);
    cr_assert_eq(mist_phantom_count(a), mist_phantom_count(b));
    cr_expect_eq(memcmp(a->labels, b->labels, mist_phantom_count(a)), 0);
    p.seed = 2;
    mist_phantom *c = make(&p, NULL);
    size_t differ = 0;
    for (size_t v = 0; v < mist_phantom_count(a); v++)
        differ += a->labels[v] != c->labels[v];
    cr_expect_gt(differ, 1000, "only %zu voxels differ between seeds 1 and 2", differ);
    mist_phantom_free(a);
    mist_phantom_free(b);
    mist_phantom_free(c);
}

Test(breast, anatomy_is_where_it_should_be)
{
    mist_breast_params p;
    mist_breast_defaults(&p);
    p.voxel_mm = 2.0;
    mist_breast_anatomy an;
    mist_phantom *ph = make(&p, &an);
    size_t ijk[3];
    double r[3];
    /* breast interior on the axis halfway to the nipple */
    mist_breast_locate(&an, MIST_QUADRANT_CENTRAL, 0.5, 0.0, r);
    cr_assert(mist_phantom_locate(ph, r, ijk));
    const char *t = ph->tissues[ph->labels[mist_phantom_index(ph, ijk[0], ijk[1], ijk[2])]].name;
    cr_expect(!strcmp(t, "adipose") || !strcmp(t, "glandular"), "%s", t);
    /* upper outer quadrant is superior and lateral */
    mist_breast_locate(&an, MIST_QUADRANT_UOQ, 0.5, 0.6, r);
    cr_expect(r[0] > 10.0 && r[2] > 0.0);
    /* nipple tip is skin, the point just beyond it air */
    double tip[3] = {an.nipple_mm[0], an.nipple_mm[1] - 1.0, an.nipple_mm[2]};
    cr_assert(mist_phantom_locate(ph, tip, ijk));
    cr_expect_str_eq(ph->tissues[ph->labels[mist_phantom_index(ph, ijk[0], ijk[1], ijk[2])]].name,
                     "skin");
    /* every tissue of the chest wall and the cavity is present */
    uint64_t counts[256];
    mist_phantom_label_counts(ph, counts);
    const char *need[] = {"skin", "muscle", "bone", "lung", "myocardium", "blood", "liver",
                          "lymph_node"};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        int l = mist_phantom_tissue_find(ph, need[i]);
        cr_expect(l > 0 && counts[l] > 0, "no %s voxels", need[i]);
    }
    cr_expect_eq(an.n_nodes, (size_t)(p.nodes_level1 + p.nodes_level2));
    double c[3], d;
    mist_error err;
    cr_expect_eq(mist_breast_node(&an, 2, 0, c, &d, &err), MIST_OK);
    cr_expect(d >= 5.0 && d <= 9.0);
    cr_expect_eq(mist_breast_node(&an, 2, 7, c, &d, &err), MIST_ERR_INPUT);
    mist_phantom_free(ph);
}

/* Issue 4: a 1 mm breast + chest wall phantom in under 10 s on one core. */
Test(breast, one_mm_phantom_in_under_ten_seconds)
{
    mist_breast_params p;
    mist_breast_defaults(&p);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    mist_phantom *ph = make(&p, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    cr_log_info("1 mm breast + chest wall phantom (%zu x %zu x %zu voxels): %.2f s", ph->n[0],
                ph->n[1], ph->n[2], s);
    cr_expect_lt(s, 10.0);
    mist_phantom_free(ph);
}

Test(breast, bad_parameters_are_named)
{
    mist_breast_params p;
    mist_breast_defaults(&p);
    p.voxel_mm = 3.0;
    mist_phantom *ph;
    mist_error err;
    cr_expect_eq(mist_breast_generate(&p, &ph, NULL, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "voxel_mm = 3"), "%s", err.msg);
    cr_expect_null(ph);
}
