/* Activity maps and decay-position sampling. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/shapes.h"
#include "transport/source.h"

#define PI 3.14159265358979323846
#define TRACERS MIST_TEST_DATA_DIR "/../../phantoms/tracers/"

Test(source, nema_iec_activity_totals_and_sphere_ratio)
{
    /* Fixed concentrations: the phantom holds the injected activity (here at
     * t = 0, no tracer), and each sphere's activity is sphere_to_background x
     * the background concentration x its exact volume (partial volumes). */
    mist_nema_iec_params p;
    mist_nema_iec_defaults(&p);
    p.voxel_mm = 2.0;
    mist_phantom *ph;
    mist_error err;
    cr_assert_eq(mist_shapes_nema_iec(&p, &ph, &err), MIST_OK, "%s", err.msg);
    mist_source s;
    cr_assert_eq(mist_source_build(&s, ph, NULL, 10.0, 0.0, &err), MIST_OK, "%s", err.msg);
    cr_expect_float_eq(s.total_Bq, 10e6, 1e-3 * 10e6, "total %g Bq", s.total_Bq);
    /* Background concentration from a voxel far from the spheres, lung and walls. */
    size_t ijk[3];
    const double far[3] = {-100.0, -40.0, 0.0};
    cr_assert(mist_phantom_locate(ph, far, ijk));
    double voxel_mL = 8e-3;
    double c_bg = s.activity_Bq[mist_phantom_index(ph, ijk[0], ijk[1], ijk[2])] / voxel_mL;
    cr_assert_gt(c_bg, 0);
    for (size_t l = 0; l < ph->n_lesions; l++) {
        const mist_phantom_lesion *les = &ph->lesions[l];
        double in_sphere = 0; /* activity of the sphere's own share of its voxels */
        for (size_t e = les->pv_offset; e < les->pv_offset + les->pv_count; e++)
            in_sphere += ph->pv_fraction[e] * p.sphere_to_background * c_bg * voxel_mL;
        double r = les->diameter_mm / 2, exact = p.sphere_to_background * c_bg * 4.0 / 3.0 * PI *
                                                 r * r * r * 1e-3;
        cr_expect_lt(fabs(in_sphere / exact - 1), 0.02, "sphere %s: %g vs %g Bq", les->name,
                     in_sphere, exact);
    }
    mist_source_free(&s);
    mist_phantom_free(ph);
}

Test(source, sampling_matches_the_map)
{
    /* Decay positions binned by voxel against the map: chi-square, 4 sigma. */
    mist_cylinder_params p;
    mist_cylinder_defaults(&p);
    p.voxel_mm = 10.0;
    p.diameter_mm = 100.0;
    p.length_mm = 60.0;
    mist_phantom *ph;
    mist_error err;
    cr_assert_eq(mist_shapes_cylinder(&p, &ph, &err), MIST_OK, "%s", err.msg);
    /* Give one voxel ring a hot spot: a lesion of 3x the background. */
    const double c[3] = {20, 0, 0}, semi[3] = {12, 12, 12};
    cr_assert_eq(mist_phantom_add_lesion(ph, "hot", "tumor_her2_pos", c, semi, 1, &err), MIST_OK,
                 "%s", err.msg);
    mist_tracer *tr;
    cr_assert_eq(mist_tracer_load(TRACERS "ga68_aby025.yaml", &tr, &err), MIST_OK, "%s", err.msg);
    /* The cylinder's water has no tracer class: give it the muscle class. */
    int w = mist_phantom_tissue_find(ph, p.tissue);
    cr_assert_geq(w, 0);
    strcpy(ph->tissues[w].uptake, "muscle");
    mist_source s;
    cr_assert_eq(mist_source_build(&s, ph, tr, 100.0, 7200.0, &err), MIST_OK, "%s", err.msg);
    size_t n = mist_phantom_count(ph);
    double *hits = calloc(n, sizeof *hits);
    mist_rng rng = mist_rng_substream(5, 0);
    const int draws = 500000;
    for (int i = 0; i < draws; i++) {
        double pos[3], rho;
        mist_source_sample(&s, &rng, pos, &rho);
        size_t q[3];
        cr_assert(mist_phantom_locate(ph, pos, q));
        hits[mist_phantom_index(ph, q[0], q[1], q[2])]++;
        cr_assert_gt(rho, 0.5);
    }
    double chi2 = 0;
    size_t bins = 0;
    for (size_t v = 0; v < n; v++) {
        double e = draws * s.activity_Bq[v] / s.total_Bq;
        if (e > 0) {
            chi2 += (hits[v] - e) * (hits[v] - e) / e;
            bins++;
        } else {
            cr_expect_eq(hits[v], 0, "voxel %zu without activity was sampled", v);
        }
    }
    double dof = (double)bins - 1;
    cr_expect_lt(chi2, dof + 4 * sqrt(2 * dof), "chi2 %g for %g dof", chi2, dof);
    /* Tracer concentrations: a muscle voxel holds muscle's concentration x volume. */
    const double far[3] = {-40, 0, 0};
    size_t q[3];
    cr_assert(mist_phantom_locate(ph, far, q));
    double expect = mist_tracer_concentration(tr, MIST_TISSUE_MUSCLE, 7200.0) * 100.0 * 1.0;
    cr_expect_float_eq(s.activity_Bq[mist_phantom_index(ph, q[0], q[1], q[2])], expect,
                       1e-5 * expect);
    free(hits);
    mist_source_free(&s);
    mist_tracer_free(tr);
    mist_phantom_free(ph);
}

/* A muscle cylinder with lesions for the component tests (tracer: Ga-68-ABY-025 at 2 h:
 * muscle SUV 0.5, adipose 0.25, glandular 0.8, HER2+ 13-ish, lymph node 0.9). */
static mist_phantom *component_phantom(mist_tracer **tr)
{
    mist_cylinder_params p;
    mist_cylinder_defaults(&p);
    p.voxel_mm = 4.0;
    p.diameter_mm = 120.0;
    p.length_mm = 60.0;
    mist_phantom *ph;
    mist_error err;
    cr_assert_eq(mist_shapes_cylinder(&p, &ph, &err), MIST_OK, "%s", err.msg);
    int w = mist_phantom_tissue_find(ph, p.tissue);
    cr_assert_geq(w, 0);
    strcpy(ph->tissues[w].uptake, "muscle");
    const double semi_fat[3] = {14, 14, 14}, semi_s[3] = {5, 5, 5}, semi_h[3] = {7, 7, 7};
    const double c_fat[3] = {-25, 0, 0}, c_straddle[3] = {-12, 0, 0}, c_hot[3] = {25, 0, 0},
                 c_cold[3] = {0, 30, 0}, c_flat[3] = {0, -30, 0};
    cr_assert_eq(mist_phantom_add_lesion(ph, "fat", "adipose", c_fat, semi_fat, 1, &err), MIST_OK,
                 "%s", err.msg);
    /* Overlaps "fat" and the muscle: two hosts, and a voxel that both lesions cover. */
    cr_assert_eq(mist_phantom_add_lesion(ph, "straddle", "lymph_node", c_straddle, semi_s, 1, &err),
                 MIST_OK, "%s", err.msg);
    cr_assert_eq(mist_phantom_add_lesion(ph, "hot", "tumor_her2_pos", c_hot, semi_h, 1, &err),
                 MIST_OK, "%s", err.msg);
    cr_assert_eq(mist_phantom_add_lesion(ph, "cold", "adipose", c_cold, semi_s, 1, &err), MIST_OK,
                 "%s", err.msg);
    cr_assert_eq(mist_phantom_add_lesion(ph, "flat", p.tissue, c_flat, semi_s, 1, &err), MIST_OK,
                 "%s", err.msg);
    cr_assert_eq(mist_tracer_load(TRACERS "ga68_aby025.yaml", tr, &err), MIST_OK, "%s", err.msg);
    return ph;
}

Test(source, components_add_up_to_the_full_map)
{
    /* Every lesion-free background class plus every lesion's (signed) excess gives the full
     * map bit for bit (one rounding of the double sum, as the map is built); the tissue
     * classes' partial-volume shares give it within float32 rounding. */
    mist_tracer *tr;
    mist_phantom *ph = component_phantom(&tr);
    mist_error err;
    const double t = 7200.0, mbq = 200.0;
    mist_source full;
    cr_assert_eq(mist_source_build(&full, ph, tr, mbq, t, &err), MIST_OK, "%s", err.msg);
    size_t n = mist_phantom_count(ph);
    double *sum = calloc(n, sizeof *sum), *tsum = calloc(n, sizeof *tsum);
    double total = 0.0;
    for (int kind = MIST_COMPONENT_TISSUE; kind <= MIST_COMPONENT_LESION; kind++) {
        int count = kind == MIST_COMPONENT_LESION ? (int)ph->n_lesions : (int)ph->n_tissues;
        for (int i = 0; i < count; i++) {
            mist_component c = {.kind = (mist_component_kind)kind, .index = i};
            mist_source s;
            cr_assert_eq(mist_source_build_component(&s, ph, tr, mbq, t, &c, &err), MIST_OK,
                         "kind %d index %d: %s", kind, i, err.msg);
            cr_assert(s.sign == 1 || s.sign == -1);
            for (size_t v = 0; v < n; v++) {
                cr_assert_geq(s.activity_Bq[v], 0.0f);
                double a = s.sign * (double)s.activity_Bq[v];
                if (kind == MIST_COMPONENT_TISSUE)
                    tsum[v] += a;
                else
                    sum[v] += a;
            }
            if (kind != MIST_COMPONENT_TISSUE)
                total += s.sign * s.total_Bq;
            mist_source_free(&s);
        }
    }
    size_t lesion_voxels = 0;
    for (size_t v = 0; v < n; v++) {
        cr_assert_eq((float)sum[v], full.activity_Bq[v], "voxel %zu: %.9g vs %.9g", v, sum[v],
                     (double)full.activity_Bq[v]);
        cr_assert_leq(fabs(tsum[v] - full.activity_Bq[v]), 3e-7 * full.activity_Bq[v],
                      "voxel %zu: tissue shares %.9g vs %.9g", v, tsum[v],
                      (double)full.activity_Bq[v]);
    }
    for (size_t e = 0; e < ph->n_pv; e++)
        lesion_voxels++;
    cr_assert_gt(lesion_voxels, 100);
    cr_expect_float_eq(total, full.total_Bq, 1e-9 * full.total_Bq, "%.12g vs %.12g", total,
                       full.total_Bq);
    free(sum);
    free(tsum);
    mist_source_free(&full);
    mist_phantom_free(ph);
    mist_tracer_free(tr);
}

Test(source, lesion_excess_signs_empty_and_unit_tissue)
{
    mist_tracer *tr;
    mist_phantom *ph = component_phantom(&tr);
    mist_error err;
    const double t = 7200.0, mbq = 200.0, vol = 0.064;
    double conc[MIST_PHANTOM_MAX_TISSUES];
    cr_assert_eq(mist_source_concentrations(ph, tr, mbq, t, conc, &err), MIST_OK, "%s", err.msg);
    /* Hot: f (a_L - a_host) V over its voxels; cold: the same with sign -1; flat: empty. */
    const char *names[3] = {"hot", "cold", "flat"};
    const int signs[3] = {1, -1, 1};
    for (int k = 0; k < 3; k++) {
        int i = 0;
        while (strcmp(ph->lesions[i].name, names[k]))
            i++;
        const mist_phantom_lesion *les = &ph->lesions[i];
        double expect = 0;
        for (size_t e = les->pv_offset; e < les->pv_offset + les->pv_count; e++)
            expect += ph->pv_fraction[e] * (conc[les->label] - conc[ph->pv_under[e]]) * vol;
        mist_component c = {.kind = MIST_COMPONENT_LESION, .index = i, .scale = 10.0};
        mist_source s;
        cr_assert_eq(mist_source_build_component(&s, ph, tr, mbq, t, &c, &err), MIST_OK, "%s: %s",
                     names[k], err.msg);
        cr_expect_eq(s.sign, signs[k], "%s", names[k]);
        cr_expect_float_eq(s.sign * s.total_Bq, 10.0 * expect, 1e-5 * fabs(expect) + 1e-12,
                           "%s: %g vs %g", names[k], s.total_Bq, expect);
        if (k == 2)
            cr_expect(s.n_active == 0 && s.total_Bq == 0.0 && s.table == NULL);
        else
            cr_expect_gt(s.n_active, 0);
        mist_source_free(&s);
    }
    /* Unit concentration of a tissue class: its volume share x the voxel volume in mL. */
    int w = mist_phantom_tissue_find(ph, "tumor_her2_pos");
    mist_component c = {.kind = MIST_COMPONENT_TISSUE, .index = w, .unit = 1};
    mist_source s;
    cr_assert_eq(mist_source_build_component(&s, ph, tr, mbq, t, &c, &err), MIST_OK, "%s",
                 err.msg);
    double r = 7.0, sphere_mL = 4.0 / 3.0 * PI * r * r * r * 1e-3;
    cr_expect_lt(fabs(s.total_Bq / sphere_mL - 1.0), 0.02, "%g Bq vs %g mL", s.total_Bq,
                 sphere_mL);
    mist_source_free(&s);
    mist_phantom_free(ph);
    mist_tracer_free(tr);
}

Test(source, lesion_excess_of_both_signs_is_refused)
{
    /* A muscle lesion across adipose (hotter than it) and glandular tissue (colder). */
    mist_tracer *tr;
    mist_phantom *ph = component_phantom(&tr);
    mist_error err;
    const double semi[3] = {7, 7, 7}, semi_m[3] = {5, 5, 5}, c_g[3] = {-25, 0, 20},
                 c_m[3] = {-25, 0, 14};
    cr_assert_eq(mist_phantom_add_lesion(ph, "gland", "glandular", c_g, semi, 1, &err), MIST_OK,
                 "%s", err.msg);
    cr_assert_eq(mist_phantom_add_lesion(ph, "mixed", "lymph_node", c_m, semi_m, 1, &err),
                 MIST_OK, "%s", err.msg);
    /* Above "fat" (adipose 0.25) and below "gland" (glandular 0.8): lymph_node (0.9) would be
     * hotter than both, so give it the uptake of muscle (0.5). */
    int ln = mist_phantom_tissue_find(ph, "lymph_node");
    strcpy(ph->tissues[ln].uptake, "muscle");
    int gl = mist_phantom_tissue_find(ph, "glandular");
    cr_assert_geq(gl, 0);
    mist_component c = {.kind = MIST_COMPONENT_LESION, .index = (int)ph->n_lesions - 1};
    mist_source s;
    cr_assert_eq(mist_source_build_component(&s, ph, tr, 200.0, 7200.0, &c, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "'mixed'") && strstr(err.msg, "changes sign"), "%s", err.msg);
    c.index = 99;
    cr_assert_eq(mist_source_build_component(&s, ph, tr, 200.0, 7200.0, &c, &err), MIST_ERR_INPUT);
    mist_phantom_free(ph);
    mist_tracer_free(tr);
}
