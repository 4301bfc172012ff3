/* Materials and cross-section tables: NIST water, xraylib agreement, the extension above
 * 800 keV, and material input errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xraylib.h>

#include "model/material.h"
#include "physics/validate_physics.h"
#include "physics/xsec.h"

static mist_xsec *build(const char *formula, double rho)
{
    mist_material m;
    mist_error err;
    cr_assert_eq(mist_material_from_formula(formula, formula, rho, &m, &err), MIST_OK, "%s", err.msg);
    mist_xsec *xs = malloc(sizeof *xs);
    cr_assert_eq(mist_xsec_build(&m, xs, &err), MIST_OK, "%s", err.msg);
    return xs;
}

Test(xsec, water_matches_nist_at_imaging_energies)
{
    /* 140.5 keV (Tc-99m), 511 keV (annihilation), and the NIST grid points 150 / 500 keV. */
    const double e[] = {140.5, 150.0, 500.0, 511.0};
    for (int i = 0; i < 4; i++) {
        mist_validation v = {0};
        mist_error err;
        cr_assert_eq(mist_validate_water_table(e[i], &v, &err), MIST_OK, "%s", err.msg);
        const mist_validation_row *r = &v.rows[0];
        cr_expect(fabs(r->simulated / r->expected - 1.0) < 0.01, "%g keV: %g vs NIST %g", e[i],
                  r->simulated, r->expected);
        cr_expect(r->pass);
        mist_validation_free(&v);
    }
    /* The NIST check values themselves (physics-data.md s.1). */
    cr_expect_float_eq(mist_validate_nist_water(150.0), 0.1505, 1e-12);
    cr_expect_float_eq(mist_validate_nist_water(500.0), 0.09687, 1e-12);
}

Test(xsec, water_above_800_keV_matches_nist)
{
    const double e[] = {1000.0, 1250.0}, nist[] = {0.07072, 0.06323};
    mist_xsec *xs = build("H2O", 1.0);
    for (int i = 0; i < 2; i++) {
        double mu_rho = mist_xsec_mu(xs, MIST_XS_TOTAL, e[i]) * 10.0;
        cr_expect(fabs(mu_rho / nist[i] - 1.0) < 0.01, "%g keV: %g vs NIST %g", e[i], mu_rho,
                  nist[i]);
    }
    free(xs);
}

Test(xsec, table_interpolation_matches_xraylib)
{
    /* Log-log interpolation on 64 points per octave: within 0.1 % of xraylib away from edges. */
    const char *f[] = {"H2O", "Pb", "Lu1.8Y0.2SiO5", "NaI"};
    const double rho[] = {1.0, 11.35, 7.1, 3.67};
    const double e[] = {20.0, 140.5, 171.3, 245.4, 364.5, 511.0, 662.0};
    for (int k = 0; k < 4; k++) {
        mist_xsec *xs = build(f[k], rho[k]);
        for (int i = 0; i < 7; i++) {
            double ref = CS_Total_CP(f[k], e[i], NULL) * rho[k] * 0.1;
            double mu = mist_xsec_mu(xs, MIST_XS_TOTAL, e[i]);
            cr_expect(fabs(mu / ref - 1.0) < 1e-3, "%s %g keV: %g vs xraylib %g", f[k], e[i], mu,
                      ref);
            double parts = mist_xsec_mu(xs, MIST_XS_PHOTO, e[i]) +
                           mist_xsec_mu(xs, MIST_XS_COMPTON, e[i]) +
                           mist_xsec_mu(xs, MIST_XS_RAYLEIGH, e[i]);
            cr_expect(fabs(parts / mu - 1.0) < 1e-4, "%s %g keV: partials %g total %g", f[k],
                      e[i], parts, mu);
        }
        free(xs);
    }
}

Test(xsec, grid_covers_1_keV_to_beyond_1500_keV)
{
    cr_expect_float_eq(mist_xsec_grid_energy(0), 1.0, 1e-12);
    cr_expect(mist_xsec_grid_energy(MIST_XSEC_N - 1) >= 1500.0);
    mist_xsec_point p = mist_xsec_locate(mist_xsec_grid_energy(100));
    cr_expect_eq(p.i, 100);
    cr_expect(p.f < 1e-9);
}

Test(xsec, incoherent_above_800_keV_is_free_electron_klein_nishina)
{
    mist_material w;
    mist_error err;
    cr_assert_eq(mist_material_from_formula("water", "H2O", 1.0, &w, &err), MIST_OK);
    double mu_rho;
    cr_assert_eq(mist_xsec_mass_atten(&w, MIST_XS_COMPTON, 1000.0, &mu_rho, &err), MIST_OK);
    double kn = mist_material_z_over_a(&w) * AVOGNUM * CS_KN(1000.0, NULL);
    cr_expect_float_eq(mu_rho, kn, 1e-12 * kn);
    /* physics-data.md s.1: 0.07060 cm2/g at 1 MeV. */
    cr_expect(fabs(kn - 0.07060) < 0.00002, "KN water 1 MeV %g", kn);
}

Test(xsec, photoelectric_extrapolation_error_is_small)
{
    /* Extrapolated from 790-800 keV vs the values xraylib still has for Z >= 11 below ~990 keV. */
    const int z[] = {82, 71, 53, 11};
    for (int i = 0; i < 4; i++) {
        for (double e = 900.0; e <= 950.0; e += 50.0) {
            mist_validation v = {0};
            mist_error err;
            cr_assert_eq(mist_validate_photo_extrapolation(z[i], e, &v, &err), MIST_OK, "%s",
                         err.msg);
            const mist_validation_row *r = &v.rows[0];
            cr_expect(fabs(r->simulated / r->expected - 1.0) < 0.02, "Z=%d %g keV: %g vs %g", z[i],
                      e, r->simulated, r->expected);
            cr_expect(r->pass);
            mist_validation_free(&v);
        }
    }
}

Test(xsec, lead_k_edge_is_resolved_to_one_cell)
{
    /* Pb K edge 88.0 keV: 1.5 % either side the table follows xraylib's jump. */
    mist_xsec *xs = build("Pb", 11.35);
    double below = mist_xsec_mu(xs, MIST_XS_PHOTO, 86.5), above = mist_xsec_mu(xs, MIST_XS_PHOTO, 89.5);
    cr_expect(fabs(below / (CS_Photo(82, 86.5, NULL) * 1.135) - 1.0) < 0.01);
    cr_expect(fabs(above / (CS_Photo(82, 89.5, NULL) * 1.135) - 1.0) < 0.01);
    cr_expect(above > 3.0 * below);
    free(xs);
}

Test(material, formula_fractions_and_nist_agree_for_water)
{
    mist_material a, b, c;
    mist_error err;
    const char *sym[] = {"H", "O"};
    const double pct[] = {11.19, 88.81}; /* NIST, physics-data.md s.2 */
    cr_assert_eq(mist_material_from_formula("w1", "H2O", 1.0, &a, &err), MIST_OK);
    cr_assert_eq(mist_material_from_fractions("w2", 2, sym, pct, 1.0, &b, &err), MIST_OK, "%s",
                 err.msg);
    cr_assert_eq(mist_material_from_nist("w3", "Water, Liquid", 0.0, &c, &err), MIST_OK, "%s",
                 err.msg);
    cr_expect_eq(a.n_elements, 2);
    cr_expect_float_eq(c.density_g_cm3, 1.0, 1e-9);
    for (int i = 0; i < 2; i++) {
        cr_expect(fabs(a.mass_fraction[i] - b.mass_fraction[i]) < 2e-3);
        cr_expect(fabs(a.mass_fraction[i] - c.mass_fraction[i]) < 2e-3);
    }
    /* NIST Z/A of water 0.55508; xraylib's atomic weights (H 1.01) give 0.55494. */
    cr_expect(fabs(mist_material_z_over_a(&a) - 0.55508) < 3e-4, "Z/A %g", mist_material_z_over_a(&a)); /* NIST Z/A of water */
}

Test(material, bad_input_is_one_sentence)
{
    mist_material m;
    mist_error err;
    const char *sym[] = {"H", "Xx"}, *ok[] = {"H", "O"};
    const double f[] = {50.0, 50.0}, half[] = {30.0, 30.0};
    cr_expect_eq(mist_material_from_fractions("m", 2, sym, f, 1.0, &m, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "'Xx' is not an element symbol") != NULL, "%s", err.msg);
    cr_expect_eq(mist_material_from_fractions("m", 2, ok, half, 1.0, &m, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "sum to 60") != NULL, "%s", err.msg);
    cr_expect_eq(mist_material_from_formula("m", "H2O", -1.0, &m, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "density") != NULL, "%s", err.msg);
    cr_expect_eq(mist_material_from_formula("m", "H2)O", 1.0, &m, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "not a chemical formula") != NULL, "%s", err.msg);
    cr_expect_eq(mist_material_from_nist("m", "Unobtainium", 0.0, &m, &err), MIST_ERR_INPUT);
}

Test(material, list_replaces_by_name)
{
    mist_material_list list = {0};
    mist_material a, b;
    mist_error err;
    cr_assert_eq(mist_material_from_formula("water", "H2O", 1.0, &a, &err), MIST_OK);
    cr_assert_eq(mist_material_from_formula("water", "H2O2", 1.1, &b, &err), MIST_OK);
    cr_assert_eq(mist_material_list_put(&list, &a, &err), MIST_OK);
    cr_assert_eq(mist_material_list_put(&list, &b, &err), MIST_OK);
    cr_expect_eq(list.n, 1);
    cr_expect_float_eq(mist_material_list_find(&list, "water")->density_g_cm3, 1.1, 1e-12);
    cr_expect_null(mist_material_list_find(&list, "ice"));
    mist_material_list_free(&list);
}
