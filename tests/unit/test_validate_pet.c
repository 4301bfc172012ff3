/* NEMA NU 2 scatter fraction: the truth-counter SF, and the 40 mm band
 * method on a synthetic sinogram of a line source 45 mm off axis on a flat
 * scatter background, with uniform randoms that the delayed sinogram removes:
 * the band method recovers the SF the sinogram was built with. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "engine/pet_sim.h"
#include "engine/validate_pet.h"

#define PI 3.14159265358979323846

Test(validate_pet, sf_from_truth_counters)
{
    uint64_t c[MIST_PET_N_COUNTERS] = {0};
    c[MIST_PET_TRUES] = 500;
    c[MIST_PET_DETECTOR_SCATTERS] = 100;
    c[MIST_PET_SCATTERS] = 400;
    c[MIST_PET_RANDOMS] = 1000; /* not part of S / (S + T) */
    double sf, se;
    mist_pet_sf_truth(c, &sf, &se);
    cr_expect_float_eq(sf, 0.4, 1e-12);
    cr_expect_float_eq(se, sqrt(0.4 * 0.6 / 1000), 1e-12);
}

Test(validate_pet, band_method_recovers_a_flat_scatter_background)
{
    mist_sino_geom g;
    mist_error err;
    /* 2 rings (3 planes with span 1), 256 crystals, 600 mm ring. */
    cr_assert_eq(mist_sino_init(&g, 256, 2, 256, 1, 1, 300.0, &err), MIST_OK, "%s", err.msg);
    size_t n = mist_sino_size(&g), nr = g.n_radial;
    uint64_t *prompts = calloc(n, 8), *delayed = calloc(n, 8), *trues = calloc(n, 8),
             *scat = calloc(n, 8), *det = calloc(n, 8);
    cr_assert(prompts && delayed && trues && scat && det);
    const uint64_t peak = 1000, background = 3, randoms = 2;
    double s_sum = 0, t_sum = 0;
    for (size_t p = 0; p < g.n_planes; p++) {
        for (size_t v = 0; v < g.n_views; v++) {
            /* Line source at (45, 0) mm: s = 45 cos(phi), bin r = n/2 + rho. */
            double phi = PI * (2.0 * v + 0.5) / g.n_crystals;
            double rho = g.n_crystals / PI * asin(45.0 * cos(phi) / g.radius_mm);
            size_t rp = (size_t)lround((double)nr / 2 + rho);
            for (size_t r = 0; r < nr; r++) {
                double s = g.radius_mm * sin(PI * ((double)r - nr / 2.0) / g.n_crystals);
                size_t i = (p * g.n_views + v) * nr + r;
                scat[i] = background;
                trues[i] = r == rp ? peak : 0;
                delayed[i] = randoms;
                prompts[i] = scat[i] + trues[i] + randoms;
                if (fabs(s) <= 120.0) {
                    s_sum += (double)scat[i];
                    t_sum += (double)trues[i];
                }
            }
        }
    }
    double sf, truth;
    cr_assert_eq(mist_pet_sf_nema_band(&g, prompts, delayed, trues, det, scat, &sf, &truth, &err),
                 MIST_OK, "%s", err.msg);
    cr_expect_float_eq(truth, s_sum / (s_sum + t_sum), 1e-12);
    cr_log_info("band SF %.4f, truth %.4f", sf, truth);
    cr_expect_lt(fabs(sf / truth - 1.0), 0.01, "band SF %g vs truth %g", sf, truth);
    /* An empty sinogram is an error, not a number. */
    uint64_t *zero = calloc(n, 8);
    cr_expect_eq(mist_pet_sf_nema_band(&g, zero, NULL, NULL, NULL, NULL, &sf, NULL, &err),
                 MIST_ERR_INPUT);
    free(zero);
    free(prompts);
    free(delayed);
    free(trues);
    free(scat);
    free(det);
    mist_sino_free(&g);
}
