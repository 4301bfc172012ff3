/* Compton sampling: the Compton relation on every sample, and the angular distribution against
 * xraylib's DCS_Compt (KN x S(q)) and DCS_KN by chi-square (4-sigma quantile). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <xraylib.h>

#include "physics/compton.h"
#include "physics/validate_physics.h"

static mist_material mat(const char *formula, double rho)
{
    mist_material m;
    mist_error err;
    cr_assert_eq(mist_material_from_formula(formula, formula, rho, &m, &err), MIST_OK, "%s", err.msg);
    return m;
}

static void check(const mist_material *m, double e, mist_compton_model model, uint64_t seed)
{
    mist_validation v = {0};
    mist_error err;
    cr_assert_eq(mist_validate_compton(m, e, model, 1000000, seed, &v, &err), MIST_OK, "%s", err.msg);
    const mist_validation_row *r = &v.rows[0];
    cr_expect(r->pass, "%s: chi2 %.1f for %g dof (limit %.1f)", r->quantity, r->simulated,
              r->expected, mist_validate_chi2_limit(r->expected, 4.0));
    mist_validation_free(&v);
}

Test(compton, scatter_function_model_matches_dcs_compt_water)
{
    mist_material w = mat("H2O", 1.0);
    check(&w, 140.5, MIST_COMPTON_SCATTER_FUNCTION, 1);
    check(&w, 511.0, MIST_COMPTON_SCATTER_FUNCTION, 2);
}

Test(compton, scatter_function_model_matches_dcs_compt_heavy)
{
    mist_material pb = mat("Pb", 11.35), lyso = mat("Lu1.8Y0.2SiO5", 7.1);
    check(&pb, 140.5, MIST_COMPTON_SCATTER_FUNCTION, 3);
    check(&lyso, 511.0, MIST_COMPTON_SCATTER_FUNCTION, 4);
    check(&pb, 30.0, MIST_COMPTON_SCATTER_FUNCTION, 5); /* S(q) matters most at low energy */
}

Test(compton, klein_nishina_model_matches_dcs_kn)
{
    mist_material w = mat("H2O", 1.0);
    check(&w, 140.5, MIST_COMPTON_KLEIN_NISHINA, 6);
    check(&w, 511.0, MIST_COMPTON_KLEIN_NISHINA, 7);
    check(&w, 1346.0, MIST_COMPTON_KLEIN_NISHINA, 8);
}

Test(compton, models_differ_where_binding_matters)
{
    /* At 30 keV in lead the S(q) model must fail the plain KN reference and vice versa: the
     * chi-square test has the power to tell them apart. */
    mist_material pb = mat("Pb", 11.35);
    mist_compton_table *t = malloc(sizeof *t);
    mist_error err;
    cr_assert_eq(mist_compton_build(&pb, t, &err), MIST_OK);
    mist_rng rng = mist_rng_substream(9, 0);
    double sum_kn = 0.0, sum_s = 0.0, c;
    const int n = 200000;
    for (int i = 0; i < n; i++) {
        mist_compton_sample(t, MIST_COMPTON_KLEIN_NISHINA, 30.0, &rng, &c);
        sum_kn += c;
        mist_compton_sample(t, MIST_COMPTON_SCATTER_FUNCTION, 30.0, &rng, &c);
        sum_s += c;
    }
    /* S(q) suppresses forward scattering: the mean cosine drops, by far more than the
     * statistical error (~0.002). */
    cr_expect(sum_s / n < sum_kn / n - 0.05, "mean cos S %g KN %g", sum_s / n, sum_kn / n);
    free(t);
}

Test(compton, scatter_function_table_is_bounded)
{
    mist_material w = mat("H2O", 1.0);
    mist_compton_table *t = malloc(sizeof *t);
    mist_error err;
    cr_assert_eq(mist_compton_build(&w, t, &err), MIST_OK);
    for (int k = 0; k < MIST_COMPTON_NQ; k++)
        cr_expect(t->s_norm[k] >= 0.0 && t->s_norm[k] <= 1.0);
    cr_expect(mist_compton_s_norm(t, 1e-4) == 0.0);
    cr_expect(mist_compton_s_norm(t, 50.0) > 0.999);
    /* Against xraylib at an off-grid q: S(q, O) and S(q, H) weighted by electrons. */
    double q = 0.7;
    double ref = (2.0 * SF_Compt(1, q, NULL) + SF_Compt(8, q, NULL)) / 10.0;
    cr_expect(fabs(mist_compton_s_norm(t, q) - ref) < 2e-3, "%g vs %g", mist_compton_s_norm(t, q), ref);
    free(t);
}

Test(compton, relation_and_range_on_every_sample)
{
    mist_rng rng = mist_rng_substream(10, 0);
    const double e[] = {30.0, 140.5, 511.0, 1077.0};
    for (int k = 0; k < 4; k++) {
        double kk = e[k] / MIST_ELECTRON_MASS_KEV;
        for (int i = 0; i < 100000; i++) {
            double c, e1 = mist_compton_sample(NULL, MIST_COMPTON_KLEIN_NISHINA, e[k], &rng, &c);
            cr_assert(c >= -1.0 && c <= 1.0);
            cr_assert(fabs(e1 - mist_compton_energy(e[k], c)) <= 1e-9 * e[k]);
            cr_assert(e1 <= e[k] && e1 >= e[k] / (1.0 + 2.0 * kk) * (1.0 - 1e-12));
        }
    }
}
