/* PET acquisition on the ideal ring: sensitivity of a point source in air
 * against the analytic solid angle; truth and sinogram bookkeeping. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/pet_sim.h"

#define GEOM MIST_TEST_DATA_DIR "/../../geometry/"

typedef struct setup {
    mist_pet_scanner scanner;
    mist_acquisition acq;
    mist_tallies t;
    mist_pet_sim ps;
} setup;

static void run(setup *s, const char *nuclide, double activity_Bq, const double src[3], int physics,
                uint64_t seed)
{
    mist_error err;
    memset(s, 0, sizeof *s);
    cr_assert_eq(mist_pet_scanner_load(GEOM "pet_ideal_ring.yaml", &s->scanner, &err), MIST_OK,
                 "%s", err.msg);
    /* 20 windows of 1 ms at full activity, no decay to speak of. */
    cr_assert_eq(mist_acquisition_init(&s->acq, mist_nuclide_find(nuclide), activity_Bq, 0.0, 20.0,
                                       1e-3, 20, 1.0, &s->t, &err), MIST_OK, "%s", err.msg);
    mist_emission_options opt = mist_emission_default_options();
    opt.positron_range = physics;
    opt.acollinearity = physics;
    cr_assert_eq(mist_pet_sim_init(&s->ps, &s->acq, &s->scanner, &opt, src, 1.0,
                                   activity_Bq * 1e-3, &s->t, &err), MIST_OK, "%s", err.msg);
    cr_assert_eq(mist_tallies_alloc(&s->t, &err), MIST_OK);
    mist_engine_opts eo = {.seed = seed, .n_batches = 20, .quiet = 1, .label = "t", .unit = "d"};
    cr_assert_eq(mist_engine_run(&eo, mist_pet_sim_batch, &s->ps, &s->t, NULL, &err), MIST_OK,
                 "%s", err.msg);
}

static void done(setup *s)
{
    mist_pet_sim_free(&s->ps);
    mist_tallies_free(&s->t);
}

Test(pet_sim, point_source_sensitivity_is_the_solid_angle)
{
    /* Back-to-back photons from the centre of a ring of radius R and axial
     * length L are both detected when |cos theta| < L / sqrt(4 R^2 + L^2):
     * trues per decay = positron fraction x L / sqrt(4 R^2 + L^2). */
    setup s;
    const double o[3] = {0, 0, 0};
    run(&s, "F-18", 5e6, o, 0, 7);
    const uint64_t *c = mist_tally_data(&s.t, s.ps.id_counts);
    double n = (double)c[MIST_PET_DECAYS];
    double R = s.scanner.radius_mm, L = s.scanner.axial_fov_mm;
    double p = mist_nuclide_positron_fraction(s.acq.nuclide) * L / sqrt(4 * R * R + L * L);
    double trues = (double)c[MIST_PET_TRUES];
    cr_expect_gt(n, 9.0e4);
    cr_expect_lt(fabs(trues - n * p), 4 * sqrt(n * p * (1 - p)), "trues %g vs %g (n %g)", trues,
                 n * p, n);
    /* At 5 MBq and a 4 ns window randoms are rare and the books balance. */
    cr_expect_eq(c[MIST_PET_PROMPTS], c[MIST_PET_TRUES] + c[MIST_PET_SCATTERS] +
                                          c[MIST_PET_DETECTOR_SCATTERS] + c[MIST_PET_RANDOMS]);
    cr_expect_eq(mist_tally_sum(&s.t, s.ps.id_prompts) + c[MIST_PET_OUTSIDE_SINOGRAM],
                 c[MIST_PET_PROMPTS]);
    cr_expect_eq(mist_tally_sum(&s.t, s.ps.id_trues), c[MIST_PET_TRUES]);
    cr_expect_eq(c[MIST_PET_SCATTERS], 0, "nothing to scatter in air");
    done(&s);
}

Test(pet_sim, centred_source_fills_the_central_radial_bin)
{
    /* Every LOR through the axis has rho = 0: radial bin n_radial / 2. */
    setup s;
    const double o[3] = {0, 0, 0};
    run(&s, "F-18", 1e6, o, 0, 8);
    const uint64_t *tr = mist_tally_data(&s.t, s.ps.id_trues);
    uint64_t central = 0, all = mist_tally_sum(&s.t, s.ps.id_trues);
    size_t nr = s.ps.sino.n_radial;
    for (size_t i = 0; i < mist_sino_size(&s.ps.sino); i++)
        if (i % nr == nr / 2)
            central += tr[i];
    cr_expect_gt(all, 1000);
    cr_expect_eq(central, all);
    done(&s);
}
