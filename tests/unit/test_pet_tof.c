/* TOF sinograms: the TOF bin of a coincidence follows the LOR ordering of
 * sinogram.c, and a point source off-centre on an ideal ring with 200 ps
 * timing puts its trues' TOF centroid at 2 x / c (x its distance along the
 * LOR from the LOR's midpoint) with the spread the timing resolution gives. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/pet_sim.h"
#include "transport/photon.h"

#define PI 3.14159265358979323846

Test(pet_tof, scanner_keys_and_bins)
{
    mist_pet_scanner s;
    mist_error err;
    cr_assert_eq(mist_pet_scanner_load(MIST_TEST_DATA_DIR "/pet_ideal_tof.yaml", &s, &err), MIST_OK,
                 "%s", err.msg);
    cr_expect_eq(s.tof_bins, 41);
    cr_expect_float_eq(s.tof_bin_s, 50e-12, 1e-20);
    cr_expect_float_eq(s.tof_fwhm_s, 200e-12, 1e-20);
    mist_sino_geom g;
    cr_assert_eq(mist_sino_init(&g, 256, 1, 256, 1, 0, 421.0, &err), MIST_OK, "%s", err.msg);
    mist_sino_set_tof(&g, 41, 50e-12);
    cr_expect_eq(mist_sino_size(&g), (size_t)41 * 128 * 256);
    cr_expect_eq(mist_sino_tof_index(&g, 0.0), 20);
    cr_expect_eq(mist_sino_tof_index(&g, 24.9e-12), 20);
    cr_expect_eq(mist_sino_tof_index(&g, 25.1e-12), 21);
    cr_expect_eq(mist_sino_tof_index(&g, -25.1e-12), 19);
    cr_expect_eq(mist_sino_tof_index(&g, 1e-6), 40, "clamped to the last bin");
    cr_expect_eq(mist_sino_tof_index(&g, -1e-6), 0, "clamped to the first bin");
    /* Crystals 64 (+y) and 192 (-y): phi = 0, t = (0, 1): 192 is first.
     * Crystal 192 hit 100 ps before 64: tau = t(192) - t(64) = -100 ps. */
    double tau;
    int64_t b = mist_sino_bin_tof(&g, 64, 192, -100e-12, &tau);
    cr_expect_float_eq(tau, -100e-12, 1e-20, "dt = t(192) - t(64) = -100 ps gives tau %g", tau);
    int64_t b0 = mist_sino_bin(&g, 64, 192);
    cr_expect_eq(b - b0, (int64_t)18 * 128 * 256, "tau -100 ps is TOF bin 18");
    cr_expect_eq(mist_sino_bin_tof(&g, 192, 64, 100e-12, &tau), b, "the pair in either order");
    cr_expect_float_eq(tau, -100e-12, 1e-20);
    mist_sino_free(&g);
    /* tof_bins without a timing resolution is an input error naming the key. */
    cr_expect_eq(mist_pet_scanner_load(MIST_TEST_DATA_DIR "/pet_bad_tof.yaml", &s, &err),
                 MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "pet_bad_tof.yaml:6:11: tof_bins: expected 1 without") != NULL, "%s",
              err.msg);
}

Test(pet_tof, off_centre_point_source_tof_centroid_is_two_x_over_c)
{
    mist_pet_scanner sc;
    mist_acquisition acq;
    mist_tallies t;
    mist_pet_sim ps;
    mist_error err;
    memset(&t, 0, sizeof t);
    cr_assert_eq(mist_pet_scanner_load(MIST_TEST_DATA_DIR "/pet_ideal_tof.yaml", &sc, &err),
                 MIST_OK, "%s", err.msg);
    const double activity_Bq = 5e7, src[3] = {0.0, 100.0, 0.0};
    cr_assert_eq(mist_acquisition_init(&acq, mist_nuclide_find("F-18"), activity_Bq, 0.0, 20.0,
                                       1e-3, 20, 1.0, &t, &err),
                 MIST_OK, "%s", err.msg);
    mist_emission_options opt = mist_emission_default_options();
    opt.positron_range = 0; /* the annihilation at the source point, back to back */
    opt.acollinearity = 0;
    cr_assert_eq(
        mist_pet_sim_init(&ps, &acq, &sc, NULL, &opt, src, 1.0, activity_Bq * 1e-3, &t, &err),
        MIST_OK, "%s", err.msg);
    cr_assert_eq(mist_tallies_alloc(&t, &err), MIST_OK);
    cr_assert_eq(t.arrays[ps.id_trues].ndim, 4);
    cr_assert_eq(t.arrays[ps.id_trues].dims[0], 41);
    mist_engine_opts eo = {.seed = 11, .n_batches = 20, .quiet = 1, .label = "t", .unit = "d"};
    cr_assert_eq(mist_engine_run(&eo, mist_pet_sim_batch, &ps, &t, NULL, &err), MIST_OK, "%s",
                 err.msg);

    /* Per view: x = src . t with t = (-sin phi, cos phi), phi at the middle
     * of the view's two mashed angles; expected tau = 2 x / c.  Two halves of
     * the views (x > 0 and x < 0) check the sign, all views the spread. */
    const mist_sino_geom *g = &ps.sino;
    cr_assert_eq(mist_tallies_densify(&t, ps.id_trues, &err), MIST_OK, "%s", err.msg);
    const uint64_t *tr = mist_tally_data(&t, ps.id_trues);
    double w = g->tof_bin_s, sum[2] = {0}, expect[2] = {0}, n[2] = {0}, var = 0, n_all = 0;
    for (uint32_t k = 0; k < g->n_tof; k++) {
        double centre = ((double)k - 0.5 * (g->n_tof - 1)) * w;
        for (uint32_t v = 0; v < g->n_views; v++) {
            double phi = PI * (2.0 * v + 0.5) / g->n_crystals;
            double x = -src[0] * sin(phi) + src[1] * cos(phi);
            double tau = 2.0 * x / MIST_SPEED_OF_LIGHT_MM_S;
            int half = x < 0;
            const uint64_t *row = tr + ((size_t)k * g->n_planes * g->n_views + v) * g->n_radial;
            for (uint32_t r = 0; r < g->n_radial; r++) {
                double c = (double)row[r];
                sum[half] += c * centre;
                expect[half] += c * tau;
                n[half] += c;
                var += c * (centre - tau) * (centre - tau);
                n_all += c;
            }
        }
    }
    const uint64_t *cnt = mist_tally_data(&t, ps.id_counts);
    cr_expect_eq((double)cnt[MIST_PET_TRUES], n_all, "every true in the TOF sinogram");
    /* Spread per event: timing sigma and the bin width's uniform share. */
    double sigma = sc.tof_fwhm_s / (2.0 * sqrt(2.0 * log(2.0)));
    double spread = sqrt(sigma * sigma + w * w / 12.0);
    for (int h = 0; h < 2; h++) {
        cr_assert_gt(n[h], 4000, "half %d: %g trues", h, n[h]);
        double mean = sum[h] / n[h], want = expect[h] / n[h], se = spread / sqrt(n[h]);
        cr_log_info("TOF centroid (%s): %.2f ps, 2x/c predicts %.2f ps (%+.2f se, %g trues)",
                    h ? "x < 0" : "x > 0", mean * 1e12, want * 1e12, (mean - want) / se, n[h]);
        cr_expect_lt(fabs(mean - want), 4 * se, "half %d: centroid %g ps vs %g ps", h, mean * 1e12,
                     want * 1e12);
    }
    /* Variance of a Gaussian sample: relative standard error sqrt(2 / n). */
    double rms = sqrt(var / n_all);
    cr_log_info("TOF spread: rms %.2f ps, expected %.2f ps (sigma %.2f ps, bin %.0f ps)",
                rms * 1e12, spread * 1e12, sigma * 1e12, w * 1e12);
    cr_expect_lt(fabs(rms * rms / (spread * spread) - 1.0), 4 * sqrt(2.0 / n_all),
                 "rms %g ps vs %g ps", rms * 1e12, spread * 1e12);
    mist_pet_sim_free(&ps);
    mist_tallies_free(&t);
}
