/* The SPECT acquisition (engine/spect_sim.h): forced detection gives the
 * projections of analog simulation within statistics (Tc-99m point in a
 * water box: photopeak and TEW windows, primary and scattered, centre and
 * periphery of the projections), with a much smaller variance per decay; the
 * orbit's views and stops; a run is a pure function of (seed, batch). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/acquisition.h"
#include "engine/spect_sim.h"
#include "transport/tracker.h"
#include "transport/voxel_grid.h"

#define DATA MIST_TEST_DATA_DIR "/"
#define GEOM MIST_TEST_DATA_DIR "/../../geometry/"
#define NB 10

typedef struct setup {
    mist_material_list materials;
    mist_spect_camera cam;
    mist_acquisition acq;
    mist_tallies t;
    mist_spect_sim *ss;
    mist_voxel_grid *g;
    mist_tracker *tr;
} setup;

static void make(setup *s, int forced, double decays, uint32_t views)
{
    mist_error err;
    memset(s, 0, sizeof *s);
    cr_assert_eq(mist_material_list_load(&s->materials, GEOM "materials.yaml", &err), MIST_OK);
    cr_assert_eq(mist_spect_camera_load(DATA "spect_coarse.yaml", &s->cam, &err), MIST_OK, "%s",
                 err.msg);
    const size_t n[3] = {40, 40, 40};
    const double vox[3] = {2.5, 2.5, 2.5};
    cr_assert_eq(mist_voxel_grid_create_centered(n, vox, &s->g, &err), MIST_OK);
    const mist_material *w = mist_material_list_find(&s->materials, "water");
    mist_voxel_grid_set_material(s->g, 0, (int)(w - s->materials.items));
    cr_assert_eq(mist_tracker_create(s->g, s->materials.items, s->materials.n, NULL, &s->tr, &err),
                 MIST_OK);
    /* decays over 1 s at constant activity (Tc-99m's half-life is 6 h). */
    cr_assert_eq(mist_acquisition_init(&s->acq, mist_nuclide_find("Tc-99m"), decays, 0.0, 1.0, 1.0,
                                       NB, 1.0, &s->t, &err),
                 MIST_OK);
    mist_spect_orbit o = {.n_views = views, .orbit_deg = 360.0, .radius_mm = 120.0,
                          .model = MIST_COLLIMATOR_FAST, .forced = forced};
    const double src[3] = {10.0, 5.0, 0.0};
    s->ss = malloc(sizeof *s->ss);
    cr_assert_eq(mist_spect_sim_init(s->ss, &s->acq, &s->cam, &o, &s->materials, src, &s->t, &err),
                 MIST_OK, "%s", err.msg);
    cr_assert_eq(mist_spect_sim_set_medium(s->ss, s->tr, &err), MIST_OK, "%s", err.msg);
    cr_assert_eq(mist_tallies_alloc(&s->t, &err), MIST_OK);
}

static void unmake(setup *s)
{
    mist_spect_sim_free(s->ss);
    free(s->ss);
    mist_tallies_free(&s->t);
    mist_tracker_free(s->tr);
    mist_voxel_grid_free(s->g);
    mist_material_list_free(&s->materials);
}

/* Regions of the projections compared: per window, all / primary, centre 4x4 pixels / rest. */
#define NQ 12
static void quantities(setup *s, double q[NQ])
{
    const mist_spect_sim *ss = s->ss;
    const uint64_t *p = mist_tally_data(&s->t, ss->id_proj), *pr = mist_tally_data(&s->t, ss->id_primary);
    memset(q, 0, NQ * sizeof q[0]);
    size_t nr = s->cam.n_rows, nc = s->cam.n_cols;
    for (int w = 0; w < 3; w++)
        for (size_t v = 0; v < ss->orbit.n_views; v++)
            for (size_t r = 0; r < nr; r++)
                for (size_t c = 0; c < nc; c++) {
                    size_t i = ((w * ss->orbit.n_views + v) * nr + r) * nc + c;
                    int centre = r >= nr / 2 - 2 && r < nr / 2 + 2 && c >= nc / 2 - 2 && c < nc / 2 + 2;
                    q[w * 4 + centre] += mist_spect_value(ss, p[i]);
                    q[w * 4 + 2 + centre] += mist_spect_value(ss, pr[i]);
                }
}

/* Run the batches; per-quantity total and its standard error from the spread of the batches
 * about the mean of their stop (the stops see the source from different sides). */
static void run(setup *s, double total[NQ], double se[NQ])
{
    double prev[NQ] = {0}, cur[NQ], x[NB][NQ];
    for (uint64_t b = 0; b < NB; b++) {
        mist_rng rng = mist_rng_substream(2026, b);
        double work;
        mist_error err;
        cr_assert_eq(mist_spect_sim_batch(s->ss, b, &rng, &s->t, &work, &err), MIST_OK);
        quantities(s, cur);
        for (int i = 0; i < NQ; i++) {
            x[b][i] = cur[i] - prev[i];
            prev[i] = cur[i];
        }
    }
    uint64_t per = s->ss->batches_per_stop;
    for (int i = 0; i < NQ; i++) {
        double ss2 = 0;
        total[i] = prev[i];
        for (uint64_t st = 0; st < NB / per; st++) {
            double m = 0;
            for (uint64_t b = st * per; b < (st + 1) * per; b++)
                m += x[b][i] / per;
            for (uint64_t b = st * per; b < (st + 1) * per; b++)
                ss2 += (x[b][i] - m) * (x[b][i] - m);
        }
        double var = ss2 / (NB - NB / per); /* per batch */
        se[i] = sqrt(var * NB);
    }
}

Test(spect_sim, forced_detection_equals_analog_within_statistics, .timeout = 120)
{
    setup a, f;
    double ma[NQ], sa[NQ], mf[NQ], sf[NQ];
    const double decays = 1.5e6, ratio = 50.0;
    make(&a, 0, decays, 4);
    run(&a, ma, sa);
    make(&f, 1, decays / ratio, 4);
    run(&f, mf, sf);
    static const char *const names[NQ] = {
        "peak rest", "peak centre", "peak primary rest", "peak primary centre",
        "lower rest", "lower centre", "lower primary rest", "lower primary centre",
        "upper rest", "upper centre", "upper primary rest", "upper primary centre"};
    for (int i = 0; i < NQ; i++) {
        /* Analog counts are Poisson: sd sqrt(N); FD scaled by the decay ratio. */
        double fa = mf[i] * ratio, sfa = sf[i] * ratio, sda = sqrt(fmax(ma[i], 1.0));
        double sd = sqrt(sda * sda + sfa * sfa);
        cr_expect(fabs(fa - ma[i]) < 4 * sd, "%s: analog %g +- %g, forced %g +- %g", names[i],
                  ma[i], sda, fa, sfa);
        cr_log_info("%s: analog %g +- %g, forced %g +- %g", names[i], ma[i], sda, fa, sfa);
    }
    /* The photopeak total: per decay, FD's variance is far below analog's. */
    double va = ma[0] + ma[1], vf = (sf[0] * sf[0] + sf[1] * sf[1]) * ratio;
    cr_expect(va / vf > 10.0, "variance per decay analog/FD = %g", va / vf);
    cr_expect(ma[1] > 300, "analog photopeak centre counts %g: too few for a test", ma[1]);
    unmake(&a);
    unmake(&f);
}

Test(spect_sim, views_and_stops)
{
    setup s;
    make(&s, 0, 1000, 10);
    cr_expect_eq(s.ss->n_stops, 5u);
    cr_expect_eq(s.ss->batches_per_stop, 2u);
    cr_expect_float_eq(mist_spect_view_angle(s.ss, 5), 3.14159265358979323846, 1e-12,
                       "head 2 sits opposite head 1");
    unmake(&s);
}

#include "engine/validate_spect.h"

/* Planar molecular breast imaging: the two CZT heads 25 and 45 mm from a point in air see the
 * same count (a parallel-hole collimator's sensitivity does not depend on distance), and the
 * full Monte Carlo of the registered square tungsten holes gives the fast model's count. */
Test(spect_sim, mbi_planar_heads_and_models_agree, .timeout = 120)
{
    double n[2][2];
    for (int model = 0; model < 2; model++) {
        mist_spect_point p;
        mist_error err;
        mist_spect_point_opts o = {.camera_file = GEOM "mbi_czt.yaml", .nuclide = "Tc-99m",
                                   .decays = 1.0e6, .batches = 2, .views = 2, .radius_mm = 35,
                                   .source_mm = {10, 3, -4}, .model = (mist_collimator_model)model};
        cr_assert_eq(mist_spect_point_make(&p, &o, &err), MIST_OK, "%s", err.msg);
        cr_assert_eq(mist_spect_point_run(&p, 31, &err), MIST_OK);
        for (uint32_t v = 0; v < 2; v++)
            n[model][v] = mist_spect_point_sum(&p, p.ss->id_proj, 0, v, 0, p.cam.n_cols);
        mist_spect_point_free(&p);
    }
    for (int m = 0; m < 2; m++)
        cr_expect(fabs(n[m][0] - n[m][1]) < 4 * sqrt(n[m][0] + n[m][1]),
                  "model %d: head 1 %g, head 2 %g", m, n[m][0], n[m][1]);
    double fast = n[0][0] + n[0][1], full = n[1][0] + n[1][1];
    cr_expect(fabs(fast - full) < 4 * sqrt(fast + full), "fast %g, full %g", fast, full);
    cr_expect_gt(fast, 200.0);
}

/* In-111 on the ME collimator: both photopeak windows (171 and 245 keV) collect counts. */
Test(spect_sim, in111_both_photopeaks, .timeout = 120)
{
    mist_spect_point p;
    mist_error err;
    mist_spect_point_opts o = {.camera_file = GEOM "spect_symbia_me.yaml", .nuclide = "In-111",
                               .decays = 2.0e4, .batches = 2, .views = 2, .radius_mm = 200,
                               .source_mm = {100, 0, 0}, .model = MIST_COLLIMATOR_FAST,
                               .forced = 1};
    cr_assert_eq(mist_spect_point_make(&p, &o, &err), MIST_OK, "%s", err.msg);
    cr_assert_eq(p.ss->n_windows, 6);
    cr_assert_eq(mist_spect_point_run(&p, 5, &err), MIST_OK);
    double w171 = mist_spect_point_sum(&p, p.ss->id_proj, 0, 0, 0, p.cam.n_cols);
    double w245 = mist_spect_point_sum(&p, p.ss->id_proj, 3, 0, 0, p.cam.n_cols);
    /* The 245 keV window against the analytic geometric efficiency (L_eff at 245 keV) x yield x
     * photopeak efficiency, within 10 % (the sensitivity rows of mist validate); the 171 keV
     * window holds at least its own line's share (plus down-scatter of 245 keV photons). */
    double d = (double)mist_tally_sum(&p.t, p.acq.id_batch);
    mist_rng rng = mist_rng_substream(6, 0);
    double e245 = mist_spect_photopeak_efficiency(p.ss, 245.35, 3, 50000, &rng);
    double e171 = mist_spect_photopeak_efficiency(p.ss, 171.28, 0, 50000, &rng);
    double a245 = mist_spect_analytic_efficiency(&p.cam, mist_collimator_mu(&p.ss->coll, 245.35)) *
                  0.941 * e245 * d;
    double a171 = mist_spect_analytic_efficiency(&p.cam, mist_collimator_mu(&p.ss->coll, 171.28)) *
                  0.907 * e171 * d;
    cr_log_info("In-111 ME: 171 window %g (analytic line alone %g), 245 window %g (analytic %g)",
                w171, a171, w245, a245);
    cr_expect(fabs(w245 / a245 - 1) < 0.10, "245 keV window %g vs analytic %g", w245, a245);
    cr_expect(w171 > 0.9 * a171, "171 keV window %g vs analytic %g", w171, a171);
    mist_spect_point_free(&p);
}

/* A body-contour orbit puts each view clearance_mm beyond the body along its normal: for the
 * 100 mm water cube seen from angle a, 50 (|cos a| + |sin a|) mm (views every 36 degrees). */
Test(spect_sim, contour_orbit_follows_the_body)
{
    setup s;
    mist_error err;
    make(&s, 0, 1000, 10);
    s.ss->orbit.contour = 1;
    s.ss->orbit.clearance_mm = 20;
    cr_assert_eq(mist_spect_sim_set_medium(s.ss, s.tr, &err), MIST_OK, "%s", err.msg);
    const double pi = 3.14159265358979323846;
    for (uint32_t v = 0; v < 10; v++) {
        double a = v * pi / 5.0;
        cr_expect_float_eq(s.ss->radius_view_mm[v], 50.0 * (fabs(cos(a)) + fabs(sin(a))) + 20.0,
                           1e-9, "view %u", v);
    }
    /* A circular orbit inside the body is refused. */
    s.ss->orbit.contour = 0;
    for (uint32_t v = 0; v < 10; v++)
        s.ss->radius_view_mm[v] = 60.0;
    cr_expect_eq(mist_spect_sim_set_medium(s.ss, s.tr, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "body reaches 69.8 mm from the rotation axis (z) toward view 1") !=
                  NULL,
              "%s", err.msg);
    unmake(&s);
}

/* A 180-degree orbit: the two heads stand at 90 degrees (view 2 of 4 is head 2's first, at 90
 * degrees), and a point at the centre of the water cube gives every view the same count. */
Test(spect_sim, orbit_180_heads_at_right_angles, .timeout = 60)
{
    mist_spect_point p;
    mist_error err;
    mist_spect_point_opts o = {.camera_file = DATA "spect_coarse.yaml", .nuclide = "Tc-99m",
                               .decays = 1.0e6, .batches = 4, .views = 4, .radius_mm = 130,
                               .water_diameter_mm = 100, .model = MIST_COLLIMATOR_FAST};
    cr_assert_eq(mist_spect_point_make(&p, &o, &err), MIST_OK, "%s", err.msg);
    p.ss->orbit.orbit_deg = 180.0;
    cr_expect_float_eq(mist_spect_view_angle(p.ss, 2), 3.14159265358979323846 / 2, 1e-12);
    cr_expect_float_eq(mist_spect_view_angle(p.ss, 1), 3.14159265358979323846 / 4, 1e-12);
    cr_assert_eq(mist_spect_point_run(&p, 12, &err), MIST_OK);
    double n[4], sum = 0;
    for (uint32_t v = 0; v < 4; v++)
        sum += n[v] = mist_spect_point_sum(&p, p.ss->id_proj, 0, v, 0, p.cam.n_cols);
    for (uint32_t v = 0; v < 4; v++)
        cr_expect(fabs(n[v] - sum / 4) < 4 * sqrt(sum / 4), "view %u: %g of %g", v, n[v], sum);
    cr_expect_gt(sum, 1000.0);
    mist_spect_point_free(&p);
}
