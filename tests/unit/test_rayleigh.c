/* Rayleigh sampling: the angular distribution against xraylib's DCS_Rayl (Thomson x F^2) by
 * chi-square (4-sigma quantile), and the sampling table. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <xraylib.h>

#include "physics/rayleigh.h"
#include "physics/validate_physics.h"

static mist_material mat(const char *formula, double rho)
{
    mist_material m;
    mist_error err;
    cr_assert_eq(mist_material_from_formula(formula, formula, rho, &m, &err), MIST_OK, "%s", err.msg);
    return m;
}

static void check(const mist_material *m, double e, uint64_t seed)
{
    mist_validation v = {0};
    mist_error err;
    cr_assert_eq(mist_validate_rayleigh(m, e, 1000000, seed, &v, &err), MIST_OK, "%s", err.msg);
    const mist_validation_row *r = &v.rows[0];
    cr_expect(r->pass, "%s: chi2 %.1f for %g dof (limit %.1f)", r->quantity, r->simulated,
              r->expected, mist_validate_chi2_limit(r->expected, 4.0));
    mist_validation_free(&v);
}

Test(rayleigh, water_matches_form_factor_weighted_thomson)
{
    mist_material w = mat("H2O", 1.0);
    check(&w, 140.5, 1);
    check(&w, 511.0, 2);
    check(&w, 30.0, 3);
}

Test(rayleigh, heavy_materials_match_form_factor_weighted_thomson)
{
    mist_material pb = mat("Pb", 11.35), bgo = mat("Bi4Ge3O12", 7.13);
    check(&pb, 140.5, 4);
    check(&pb, 511.0, 5);
    check(&bgo, 245.4, 6);
}

Test(rayleigh, table_is_monotone_and_matches_xraylib)
{
    mist_material w = mat("H2O", 1.0);
    mist_rayleigh_table *t = malloc(sizeof *t);
    mist_error err;
    cr_assert_eq(mist_rayleigh_build(&w, t, &err), MIST_OK);
    for (int j = 1; j < MIST_RAYLEIGH_NX; j++) {
        cr_assert(t->x[j] > t->x[j - 1]);
        cr_assert(t->cum[j] >= t->cum[j - 1]);
    }
    cr_expect_float_eq(t->f2[0], (2.0 * 1.0 + 64.0) / 3.0, 1e-9); /* F(0) = Z: (2 H + O)/3 */
    cr_expect(t->x[MIST_RAYLEIGH_NX - 1] >= pow(2048.0 / MIST_HC_KEV_ANGSTROM, 2));
    free(t);
}

Test(rayleigh, rejects_no_sample_and_stays_in_range)
{
    mist_material pb = mat("Pb", 11.35);
    mist_rayleigh_table *t = malloc(sizeof *t);
    mist_error err;
    cr_assert_eq(mist_rayleigh_build(&pb, t, &err), MIST_OK);
    mist_rng rng = mist_rng_substream(7, 0);
    const double e[] = {1.0, 10.0, 140.5, 2048.0};
    for (int k = 0; k < 4; k++)
        for (int i = 0; i < 20000; i++) {
            double c = mist_rayleigh_sample(t, e[k], &rng);
            cr_assert(c >= -1.0 && c <= 1.0 && isfinite(c));
        }
    free(t);
}
