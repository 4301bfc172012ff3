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
