/* Parallel-hole collimators (detector/collimator.h) and camera files
 * (detector/spect_camera.h): the camera files load with the values of
 * ../shared/reference/scanners.md; the hole lattice has the open fraction
 * (d / (d + t))^2; the exact septal path of straight rays; the fast model's
 * transmission table agrees with the full Monte Carlo of the explicit hole
 * array (unscattered photons leaving the back face) within binomial
 * statistics at several incidence angles and energies. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "detector/collimator.h"
#include "detector/spect_camera.h"
#include "physics/nuclide.h"

#define GEOM MIST_TEST_DATA_DIR "/../../geometry/"

static mist_material_list materials;

static void load_materials(void)
{
    mist_error err;
    memset(&materials, 0, sizeof materials);
    cr_assert_eq(mist_material_list_load(&materials, GEOM "materials.yaml", &err), MIST_OK, "%s",
                 err.msg);
}

static void free_materials(void)
{
    mist_material_list_free(&materials);
}

TestSuite(spect_collimator, .init = load_materials, .fini = free_materials);

static mist_collimator *make(const char *file, mist_spect_camera *cam)
{
    mist_error err;
    cr_assert_eq(mist_spect_camera_load(file, cam, &err), MIST_OK, "%s", err.msg);
    mist_collimator *c = malloc(sizeof *c);
    cr_assert(c);
    cr_assert_eq(mist_collimator_init(c, &cam->collimator, &materials, &err), MIST_OK, "%s",
                 err.msg);
    return c;
}

Test(spect_collimator, camera_files_hold_the_reference_values)
{
    const struct {
        const char *file;
        double d, t, L;
        mist_hole_shape shape;
        const char *crystal;
    } e[] = {{GEOM "spect_symbia_lehr.yaml", 1.11, 0.16, 24.05, MIST_HOLES_HEXAGONAL, "nai"},
             {GEOM "spect_symbia_leap.yaml", 1.45, 0.20, 24.05, MIST_HOLES_HEXAGONAL, "nai"},
             {GEOM "spect_symbia_me.yaml", 2.94, 1.14, 40.64, MIST_HOLES_HEXAGONAL, "nai"},
             {GEOM "spect_ge_lehr.yaml", 1.5, 0.2, 35, MIST_HOLES_HEXAGONAL, "nai"},
             {GEOM "spect_ge_megp.yaml", 3.0, 1.05, 58, MIST_HOLES_HEXAGONAL, "nai"},
             {GEOM "mbi_czt.yaml", 2.26, 0.2, 45, MIST_HOLES_SQUARE, "czt"}};
    for (size_t i = 0; i < sizeof e / sizeof e[0]; i++) {
        mist_spect_camera c;
        mist_error err;
        cr_assert_eq(mist_spect_camera_load(e[i].file, &c, &err), MIST_OK, "%s", err.msg);
        cr_expect_float_eq(c.collimator.hole_mm, e[i].d, 1e-12, "%s", e[i].file);
        cr_expect_float_eq(c.collimator.septa_mm, e[i].t, 1e-12, "%s", e[i].file);
        cr_expect_float_eq(c.collimator.length_mm, e[i].L, 1e-12, "%s", e[i].file);
        cr_expect_eq(c.collimator.shape, e[i].shape, "%s", e[i].file);
        cr_expect_str_eq(c.crystal_material, e[i].crystal);
        cr_expect_eq(c.n_heads, 2u);
        if (!strcmp(e[i].crystal, "nai"))
            cr_expect_float_eq(c.crystal_mm, 9.5, 1e-12, "%s", e[i].file);
    }
}

Test(spect_collimator, windows_cover_every_photopeak_with_tew)
{
    mist_spect_camera c;
    mist_error err;
    cr_assert_eq(mist_spect_camera_load(GEOM "spect_symbia_me.yaml", &c, &err), MIST_OK);
    mist_energy_window w[MIST_SPECT_MAX_WINDOWS];
    int n = mist_spect_windows(&c, mist_nuclide_find("In-111"), w);
    cr_assert_eq(n, 6, "In-111: two photopeaks with two TEW windows each");
    cr_expect_float_eq(w[0].lo_keV, 171.28 * 0.9, 1e-9);
    cr_expect_float_eq(w[0].hi_keV, 171.28 * 1.1, 1e-9);
    cr_expect_float_eq(w[1].hi_keV, w[0].lo_keV, 1e-12);
    cr_expect_float_eq(w[2].lo_keV, w[0].hi_keV, 1e-12);
    cr_expect_float_eq(w[2].hi_keV - w[2].lo_keV, 171.28 * 0.06, 1e-9);
    cr_expect_float_eq(w[3].peak_keV, 245.35, 1e-9);
    cr_expect_eq(mist_spect_windows(&c, mist_nuclide_find("Tc-99m"), w), 3);
    cr_expect_eq(mist_spect_windows(&c, mist_nuclide_find("F-18"), w), 0,
                 "no single-photon line to image");
}

Test(spect_collimator, bad_camera_file_names_the_key)
{
    mist_spect_camera c;
    mist_error err;
    cr_expect_eq(mist_spect_camera_load(GEOM "pet_ideal_ring.yaml", &c, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "pet_ideal_ring.yaml:") != NULL, "%s", err.msg);
}

/* At normal incidence a ray is either all in a hole (l = 0) or all in a septum (l = L); the open
 * share of the face is the hole area over the cell area, (d / (d + t))^2 for both lattices. */
Test(spect_collimator, open_fraction_and_straight_paths)
{
    const char *files[] = {GEOM "spect_symbia_lehr.yaml", GEOM "mbi_czt.yaml"};
    for (int f = 0; f < 2; f++) {
        mist_spect_camera cam;
        mist_collimator *c = make(files[f], &cam);
        double d = c->g.hole_mm, p = c->pitch_mm, L = c->g.length_mm;
        mist_rng rng = mist_rng_substream(5, (uint64_t)f);
        int n = 200000, open = 0;
        for (int i = 0; i < n; i++) {
            double x = 100.0 * (mist_rng_uniform(&rng) - 0.5), y = 100.0 * (mist_rng_uniform(&rng) - 0.5);
            int in = mist_collimator_in_hole(c, x, y);
            open += in;
            double l = mist_collimator_septal_path(c, x, y, 0.0, 0.0);
            cr_assert_float_eq(l, in ? 0.0 : L, 1e-9, "normal ray at (%g, %g)", x, y);
        }
        double expect = (d / p) * (d / p), sd = sqrt(expect * (1 - expect) / n);
        cr_expect(fabs(open / (double)n - expect) < 4 * sd, "%s: open %g, expected %g", files[f],
                  open / (double)n, expect);
        /* The table's geometric share at t = 0 is the open fraction (exact polygon overlap). */
        cr_expect(fabs(c->geo[0][0] - expect) < 1e-9, "geo(0) %g vs %g", c->geo[0][0], expect);
        /* A ray from a hole centre tilted by 1.5 pitches over the length crosses septa; the path
         * in them is at least one septum crossing and at most the whole length. */
        double t = 1.5 * p / L, l = mist_collimator_septal_path(c, 0.5 * p * (f == 1), 0.5 * p * (f == 1), t, 0);
        cr_expect(l >= c->g.septa_mm * sqrt(1 + t * t) * 0.999 && l < L * sqrt(1 + t * t), "%g", l);
        mist_collimator_free(c);
        free(c);
    }
}

/* The fast model against the full Monte Carlo: photons at random face points with fixed slopes;
 * the full MC's photons that leave the back face without scattering (no Compton, Rayleigh or
 * fluorescence) pass with probability T(t, E) exactly.  Binomial error, 4 sigma. */
static void agree(const char *file, double e_keV, const double (*slopes)[2], int n_slopes,
                  int n)
{
    mist_spect_camera cam;
    mist_collimator *c = make(file, &cam);
    for (int s = 0; s < n_slopes; s++) {
        double tu = slopes[s][0], tv = slopes[s][1], k = sqrt(1 + tu * tu + tv * tv);
        mist_rng rng = mist_rng_substream(77, (uint64_t)s);
        int pass = 0;
        for (int i = 0; i < n; i++) {
            mist_photon p;
            memset(&p, 0, sizeof p);
            p.pos_mm[0] = 40.0 * (mist_rng_uniform(&rng) - 0.5);
            p.pos_mm[1] = 40.0 * (mist_rng_uniform(&rng) - 0.5);
            p.dir[0] = tu / k;
            p.dir[1] = tv / k;
            p.dir[2] = 1 / k;
            p.energy_keV = e_keV;
            p.weight = 1;
            if (mist_collimator_track(c, &p, &rng) && !p.n_compton && !p.n_rayleigh &&
                !(p.flags & MIST_COLL_XRAY_FLAG))
                pass++;
        }
        double T = mist_collimator_transmission(c, tu, tv, e_keV), f = pass / (double)n;
        double sd = sqrt(fmax(T * (1 - T), 1.0 / n) / n);
        cr_expect(fabs(f - T) < 4 * sd + 0.002 * T,
                  "%s at %g keV, slopes (%g, %g): full MC %g, fast model %g (sd %g)", file, e_keV,
                  tu, tv, f, T, sd);
    }
    mist_collimator_free(c);
    free(c);
}

Test(spect_collimator, fast_model_agrees_with_full_mc_lehr)
{
    const double s[][2] = {{0, 0}, {0.02, 0.0}, {0.03, 0.02}, {0.06, 0.0}, {0.15, 0.1}};
    agree(GEOM "spect_symbia_lehr.yaml", 140.5, s, 5, 40000);
}

Test(spect_collimator, fast_model_agrees_with_full_mc_me_in111)
{
    const double s[][2] = {{0, 0}, {0.05, 0.0}, {0.1, 0.05}, {0.3, 0.0}};
    agree(GEOM "spect_symbia_me.yaml", 245.35, s, 4, 20000);
}
