/* PET acquisition on the ideal ring: sensitivity of a point source in air
 * against the analytic solid angle; truth and sinogram bookkeeping. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/pet_sim.h"
#include "physics/xsec.h"
#include "transport/voxel_grid.h"

#define GEOM MIST_TEST_DATA_DIR "/../../geometry/"
#define PI 3.14159265358979323846

typedef struct setup {
    mist_pet_scanner scanner;
    mist_acquisition acq;
    mist_tallies t;
    mist_pet_sim ps;
} setup;

static void run_in(setup *s, const char *nuclide, double activity_Bq, const double src[3],
                   int physics, uint64_t seed, const mist_tracker *medium)
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
    cr_assert_eq(mist_pet_sim_init(&s->ps, &s->acq, &s->scanner, NULL, &opt, src, 1.0,
                                   activity_Bq * 1e-3, &s->t, &err), MIST_OK, "%s", err.msg);
    mist_pet_sim_set_medium(&s->ps, medium);
    cr_assert_eq(mist_tallies_alloc(&s->t, &err), MIST_OK);
    mist_engine_opts eo = {.seed = seed, .n_batches = 20, .quiet = 1, .label = "t", .unit = "d"};
    cr_assert_eq(mist_engine_run(&eo, mist_pet_sim_batch, &s->ps, &s->t, NULL, &err), MIST_OK,
                 "%s", err.msg);
}

static void run(setup *s, const char *nuclide, double activity_Bq, const double src[3], int physics,
                uint64_t seed)
{
    run_in(s, nuclide, activity_Bq, src, physics, seed, NULL);
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
    cr_log_info("solid angle: trues %g, expected %g (%+.2f sd)", trues, n * p,
                (trues - n * p) / sqrt(n * p * (1 - p)));
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
    mist_error err = {0};
    cr_assert_eq(mist_tallies_densify(&s.t, s.ps.id_trues, &err), MIST_OK, "%s", err.msg);
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

Test(pet_sim, delayed_window_estimates_randoms_and_randoms_grow_as_activity_squared)
{
    /* All-pairs sorting: the delayed window counts pairs of uncorrelated
     * singles in a window as wide as the prompt one, so delayed = randoms in
     * expectation; with no dead time the singles rate is proportional to the
     * activity and the randoms to its square: a decade of activity, a factor
     * 100.  Variances of pair counts: mean (1 + 4 r tau) (U-statistic). */
    const double o[3] = {0, 0, 0};
    const double activity[2] = {1e7, 1e8};
    double randoms[2], var[2];
    for (int k = 0; k < 2; k++) {
        setup s;
        run(&s, "F-18", activity[k], o, 1, 20 + (uint64_t)k);
        const uint64_t *c = mist_tally_data(&s.t, s.ps.id_counts);
        double r = (double)c[MIST_PET_RANDOMS], d = (double)c[MIST_PET_DELAYED];
        double rate = (double)c[MIST_PET_SINGLES] / 0.02; /* 20 windows of 1 ms */
        double f = 1 + 4 * rate * s.scanner.coincidence_window_s;
        cr_expect_gt(r, 1000, "activity %g: %g randoms", activity[k], r);
        cr_expect_lt(fabs(r - d), 4 * sqrt((r + d) * f), "activity %g: randoms %g, delayed %g",
                     activity[k], r, d);
        cr_expect_leq(mist_tally_sum(&s.t, s.ps.id_delayed), c[MIST_PET_DELAYED]);
        randoms[k] = r;
        var[k] = r * f;
        done(&s);
    }
    double ratio = randoms[1] / randoms[0];
    double sd = ratio * sqrt(var[0] / (randoms[0] * randoms[0]) + var[1] / (randoms[1] * randoms[1]));
    cr_expect_lt(fabs(ratio - 100.0), 4 * sd, "randoms ratio %g +- %g for 10x activity", ratio, sd);
}

Test(pet_sim, unscattered_coincidences_follow_the_attenuation_integral)
{
    /* A point source at the centre of a water box (half-width a = 100 mm in x
     * and y, 400 mm long; its faces coincide with voxel faces, so the
     * voxelised geometry is exact).  A pair along (theta, phi) crosses
     * l = a / (max(|cos phi|, |sin phi|) sin theta) of water each way and is
     * unscattered with probability exp(-2 mu l); over the ring's accepted
     * directions |cos theta| < c:
     *   trues / positrons = 1/(4 pi) int int exp(-2 mu l) d(cos theta) d phi. */
    const double a = 100.0;
    mist_error err;
    mist_material water;
    cr_assert_eq(mist_material_from_formula("water", "H2O", 1.0, &water, &err), MIST_OK, "%s", err.msg);
    mist_voxel_grid *g;
    const size_t n[3] = {100, 100, 200};
    const double vox[3] = {2.0, 2.0, 2.0};
    cr_assert_eq(mist_voxel_grid_create_centered(n, vox, &g, &err), MIST_OK, "%s", err.msg);
    mist_voxel_grid_set_material(g, 0, 0);
    mist_tracker *tr;
    cr_assert_eq(mist_tracker_create(g, &water, 1, NULL, &tr, &err), MIST_OK, "%s", err.msg);
    mist_xsec xs;
    cr_assert_eq(mist_xsec_build(&water, &xs, &err), MIST_OK);
    double mu = mist_xsec_mu(&xs, MIST_XS_TOTAL, MIST_ANNIHILATION_KEV); /* [1/mm] */

    setup s;
    const double o[3] = {0, 0, 0};
    run_in(&s, "F-18", 5e7, o, 0, 31, tr);
    double R = s.scanner.radius_mm, L = s.scanner.axial_fov_mm, c = L / sqrt(4 * R * R + L * L);
    /* Simpson over phi in [0, pi/4] (8-fold symmetry) and u = cos theta in [0, c] (2-fold). */
    const int m = 400;
    double sum = 0;
    for (int i = 0; i <= m; i++) {
        double phi = (PI / 4) * i / m, wi = (i == 0 || i == m) ? 1 : (i % 2 ? 4 : 2);
        for (int j = 0; j <= m; j++) {
            double u = c * j / m, wj = (j == 0 || j == m) ? 1 : (j % 2 ? 4 : 2);
            double l = a / (cos(phi) * sqrt(1 - u * u));
            sum += wi * wj * exp(-2 * mu * l);
        }
    }
    double integral = sum * (PI / 4 / m / 3) * (c / m / 3) * 16 / (4 * PI);
    const uint64_t *cnt = mist_tally_data(&s.t, s.ps.id_counts);
    double positrons = (double)cnt[MIST_PET_DECAYS] * mist_nuclide_positron_fraction(s.acq.nuclide);
    double expect = positrons * integral, trues = (double)cnt[MIST_PET_TRUES];
    cr_expect_lt(fabs(trues - expect), 4 * sqrt(expect), "trues %g vs %g (mu %g /mm)", trues, expect,
                 mu);
    cr_log_info("attenuation: trues %g, expected %g (%+.2f sd), mu %g /mm", trues, expect,
                (trues - expect) / sqrt(expect), mu);
    cr_expect_gt(cnt[MIST_PET_SCATTERS], 0, "scatter in 100 mm of water");
    done(&s);
    mist_tracker_free(tr);
    mist_voxel_grid_free(g);
}

/* The small LSO block ring of the tests and the project's material list. */
static void load_blocks(mist_pet_scanner *sc, mist_material_list *ml)
{
    mist_error err;
    cr_assert_eq(mist_pet_scanner_load(MIST_TEST_DATA_DIR "/pet_blocks_small.yaml", sc, &err),
                 MIST_OK, "%s", err.msg);
    cr_assert_eq(mist_material_list_load(ml, GEOM "materials.yaml", &err), MIST_OK, "%s", err.msg);
}

Test(pet_sim, block_crystal_spectrum_has_photopeak_and_compton_edge)
{
    /* Singles of 511 keV photons in LSO blocks (perfect energy resolution):
     * the photopeak at 511 keV is the tallest bin, and the continuum of single
     * Compton scatters ends at the Compton edge E 2a / (1 + 2a), a = E / m_e c^2
     * = 1: 340.7 keV, where the spectrum drops most steeply. */
    mist_error err;
    mist_pet_scanner sc;
    mist_material_list ml = {0};
    load_blocks(&sc, &ml);
    mist_tallies t;
    memset(&t, 0, sizeof t);
    mist_acquisition acq;
    mist_pet_sim ps;
    const double o[3] = {0, 0, 0};
    mist_emission_options opt = mist_emission_default_options();
    cr_assert_eq(mist_acquisition_init(&acq, mist_nuclide_find("F-18"), 5e7, 0, 20, 1e-3, 20, 1,
                                       &t, &err), MIST_OK);
    cr_assert_eq(mist_pet_sim_init(&ps, &acq, &sc, &ml, &opt, o, 1.0, 5e4, &t, &err), MIST_OK,
                 "%s", err.msg);
    cr_assert_eq(mist_tallies_alloc(&t, &err), MIST_OK);
    mist_engine_opts eo = {.seed = 3, .n_batches = 20, .quiet = 1, .label = "t", .unit = "d"};
    cr_assert_eq(mist_engine_run(&eo, mist_pet_sim_batch, &ps, &t, NULL, &err), MIST_OK, "%s",
                 err.msg);
    const uint64_t *sp = mist_tally_data(&t, ps.id_spectrum);
    size_t peak = 0;
    for (size_t e = 0; e < MIST_PET_SPECTRUM_BINS; e++)
        if (sp[e] > sp[peak])
            peak = e;
    cr_expect_eq(peak, 510, "photopeak in bin %zu keV", peak); /* 510.999 keV */
    double edge = MIST_ANNIHILATION_KEV * 2.0 / 3.0, best_drop = 0, at = 0;
    for (int e = 250; e < 450; e += 4) {
        double a = 0, b = 0;
        for (int k = 0; k < 4; k++) {
            a += (double)sp[e + k];
            b += (double)sp[e + 4 + k];
        }
        if (a - b > best_drop) {
            best_drop = a - b;
            at = e + 4; /* the drop happens at the boundary between the two bins */
        }
    }
    cr_log_info("blocks: photopeak bin %zu, steepest drop at %g keV (edge %g)", peak, at, edge);
    cr_expect_lt(fabs(at - edge), 4.0, "steepest drop at %g keV, Compton edge %g keV", at, edge);
    const uint64_t *c = mist_tally_data(&t, ps.id_counts);
    cr_expect_gt(c[MIST_PET_DETECTOR_SCATTERS], 0, "inter-crystal scatter happens");
    cr_expect_eq(c[MIST_PET_SCATTERS], 0, "no phantom");
    mist_pet_sim_free(&ps);
    mist_tallies_free(&t);
    mist_material_list_free(&ml);
}

Test(pet_sim, photons_leaving_a_phantom_reach_the_crystals)
{
    /* Point source in a 60 mm water box inside the small block ring: the
     * crystals see photons, some of them scattered in the water first. */
    mist_error err;
    mist_pet_scanner sc;
    mist_material_list ml = {0};
    load_blocks(&sc, &ml);
    mist_voxel_grid *g;
    const size_t n[3] = {30, 30, 30};
    const double vox[3] = {2.0, 2.0, 2.0};
    cr_assert_eq(mist_voxel_grid_create_centered(n, vox, &g, &err), MIST_OK);
    const mist_material *water = mist_material_list_find(&ml, "water");
    cr_assert_not_null(water);
    mist_voxel_grid_set_material(g, 0, (int)(water - ml.items));
    mist_tracker *tr;
    cr_assert_eq(mist_tracker_create(g, ml.items, ml.n, NULL, &tr, &err), MIST_OK, "%s", err.msg);
    mist_tallies t;
    memset(&t, 0, sizeof t);
    mist_acquisition acq;
    mist_pet_sim ps;
    const double o[3] = {0, 0, 0};
    mist_emission_options opt = mist_emission_default_options();
    cr_assert_eq(mist_acquisition_init(&acq, mist_nuclide_find("F-18"), 1e7, 0, 20, 1e-3, 20, 1,
                                       &t, &err), MIST_OK);
    cr_assert_eq(mist_pet_sim_init(&ps, &acq, &sc, &ml, &opt, o, 1.0, 1e4, &t, &err), MIST_OK);
    mist_pet_sim_set_medium(&ps, tr);
    cr_assert_eq(mist_tallies_alloc(&t, &err), MIST_OK);
    mist_engine_opts eo = {.seed = 4, .n_batches = 20, .quiet = 1, .label = "t", .unit = "d"};
    cr_assert_eq(mist_engine_run(&eo, mist_pet_sim_batch, &ps, &t, NULL, &err), MIST_OK);
    const uint64_t *c = mist_tally_data(&t, ps.id_counts);
    cr_expect_gt(c[MIST_PET_TRUES], 100, "trues %llu", (unsigned long long)c[MIST_PET_TRUES]);
    cr_expect_gt(c[MIST_PET_SCATTERS], 0);
    mist_pet_sim_free(&ps);
    mist_tallies_free(&t);
    mist_tracker_free(tr);
    mist_voxel_grid_free(g);
    mist_material_list_free(&ml);
}

Test(pet_sim, readout_units_split_a_block_s_energy)
{
    /* The same photons (same random numbers) tracked through blocks read out whole and
     * read out per crystal (readout 1 x 1): tracking is identical, so the per-crystal
     * singles of each photon add up to the whole-block single's energy, every one of them
     * in its own crystal, and there are more singles (inter-crystal scatter splits them). */
    mist_error err;
    mist_pet_scanner whole, split;
    mist_material_list ml = {0};
    load_blocks(&whole, &ml);
    split = whole;
    split.readout_transaxial = split.readout_axial = 1;
    mist_pet_blocks bw, bs;
    cr_assert_eq(mist_pet_blocks_init(&bw, &whole, &ml, &err), MIST_OK, "%s", err.msg);
    cr_assert_eq(mist_pet_blocks_init(&bs, &split, &ml, &err), MIST_OK, "%s", err.msg);
    size_t n_whole = 0, n_split = 0, compared = 0;
    for (uint64_t i = 0; i < 20000; i++) {
        mist_rng ra = mist_rng_substream(11, i), rb = mist_rng_substream(11, i);
        double dir[3], o[3] = {0, 0, 0};
        mist_rng_isotropic(&ra, dir);
        mist_rng_isotropic(&rb, dir);
        dir[2] *= 0.05; /* towards the one block ring (32 mm axially) */
        double norm = sqrt(dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]);
        for (int k = 0; k < 3; k++)
            dir[k] /= norm;
        mist_photon pa = mist_photon_make(o, dir, MIST_ANNIHILATION_KEV, 0.0);
        mist_photon pb = pa;
        mist_block_hit ha[MIST_BLOCKS_MAX_HITS], hb[MIST_BLOCKS_MAX_HITS];
        int na = mist_pet_blocks_detect(&bw, &pa, &ra, ha);
        int nb = mist_pet_blocks_detect(&bs, &pb, &rb, hb);
        n_whole += (size_t)na;
        n_split += (size_t)nb;
        cr_assert_eq(pa.edep_keV, pb.edep_keV, "photon %lu tracked differently", (unsigned long)i);
        if (nb == MIST_BLOCKS_MAX_HITS || na == MIST_BLOCKS_MAX_HITS)
            continue; /* singles beyond the cap are dropped: no sum to compare */
        double ea = 0, eb = 0;
        for (int h = 0; h < na; h++)
            ea += ha[h].energy_keV;
        for (int h = 0; h < nb; h++) {
            eb += hb[h].energy_keV;
            for (int g = 0; g < h; g++)
                cr_assert_neq(hb[h].crystal, hb[g].crystal, "two singles of one crystal");
        }
        cr_assert_float_eq(ea, eb, 1e-9, "photon %lu: %g keV whole, %g split", (unsigned long)i,
                           ea, eb);
        compared++;
    }
    cr_log_info("readout units: %zu singles whole-block, %zu per crystal, %zu photons compared",
                n_whole, n_split, compared);
    cr_expect_gt(n_whole, 5000, "photons reach the blocks");
    cr_expect_gt(n_split, n_whole, "per-crystal readout splits inter-crystal scatter");
    mist_material_list_free(&ml);
}
