/* Nuclide library: look-up by name, table consistency, exact frame decays. */
#include <criterion/criterion.h>
#include <math.h>

#include "physics/nuclide.h"

Test(nuclide, find_accepts_name_forms)
{
    const mist_nuclide *ga = mist_nuclide_find("Ga-68");
    cr_assert_not_null(ga);
    cr_assert_eq(mist_nuclide_find("ga68"), ga);
    cr_assert_eq(mist_nuclide_find("68Ga"), ga);
    cr_assert_eq(mist_nuclide_find("GA_68"), ga);
    const mist_nuclide *tc = mist_nuclide_find("Tc-99m");
    cr_assert_not_null(tc);
    cr_assert_eq(mist_nuclide_find("99mTc"), tc);
    cr_assert_eq(mist_nuclide_find("tc99m"), tc);
    cr_assert_null(mist_nuclide_find("Tc-99"), "the ground state is not the isomer");
    cr_assert_null(mist_nuclide_find("Xx-1"));
    cr_assert_null(mist_nuclide_find(""));
    cr_assert_null(mist_nuclide_find(NULL));
    cr_assert_float_eq(ga->half_life_s, 67.71 * 60.0, 1e-9);
}

Test(nuclide, library_holds_the_required_nuclides)
{
    const char *names[] = {"F-18",  "C-11",  "Ga-68", "Cu-64", "Zr-89",  "I-124", "Sc-44",
                           "Y-86",  "Tc-99m", "In-111", "I-123", "I-125", "Lu-177", "Re-188"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const mist_nuclide *n = mist_nuclide_find(names[i]);
        cr_assert_not_null(n, "%s missing", names[i]);
        cr_assert_str_eq(n->name, names[i]);
        cr_assert_gt(n->half_life_s, 0.0);
    }
    cr_assert_eq(mist_nuclide_count(), sizeof names / sizeof names[0]);
    cr_assert_null(mist_nuclide_at(mist_nuclide_count()));
}

Test(nuclide, table_is_consistent)
{
    for (size_t i = 0; i < mist_nuclide_count(); i++) {
        const mist_nuclide *n = mist_nuclide_at(i);
        double pb = mist_nuclide_positron_fraction(n);
        cr_assert(pb >= 0.0 && pb <= 1.0, "%s", n->name);
        for (int b = 0; b < n->n_beta; b++) {
            cr_assert_gt(n->beta[b].endpoint_keV, 0.0);
            cr_assert(n->beta[b].mean_keV > 0.25 * n->beta[b].endpoint_keV &&
                          n->beta[b].mean_keV < 0.5 * n->beta[b].endpoint_keV,
                      "%s branch %d mean", n->name, b);
        }
        for (int l = 0; l < n->n_lines; l++) {
            const mist_photon_line *ln = &n->lines[l];
            cr_assert(ln->intensity > 0.0 && ln->intensity <= 1.0, "%s line %d", n->name, l);
            if (ln->branch >= 0) {
                cr_assert_lt(ln->branch, n->n_beta);
                cr_assert_leq(ln->with_beta, n->beta[ln->branch].intensity + 1e-12);
                cr_assert_leq(ln->intensity - ln->with_beta, 1.0 - pb + 1e-9, "%s line %d",
                              n->name, l);
            }
        }
    }
    /* The prompt and delayed gammas the issue names. */
    const mist_nuclide *zr = mist_nuclide_find("Zr-89");
    cr_assert_float_eq(zr->lines[0].energy_keV, 909.15, 1e-9);
    cr_assert_float_eq(zr->lines[0].delay_half_life_s, 15.663, 1e-9);
    const mist_nuclide *sc = mist_nuclide_find("Sc-44");
    cr_assert_eq(sc->lines[0].delay_half_life_s, 0.0);
    cr_assert_float_eq(sc->lines[0].with_beta, sc->beta[0].intensity, 1e-12);
    const mist_nuclide *i124 = mist_nuclide_find("I-124");
    cr_assert_float_eq(i124->lines[0].energy_keV, 602.73, 1e-9);
    cr_assert_gt(i124->lines[0].with_beta, 0.0);
}

/* Frame decays: compare with a brute-force midpoint sum of A(t) dt (an
 * independent evaluation of the same integral) and with the exact identities. */
Test(nuclide, decays_in_frame_exact)
{
    const mist_nuclide *ga = mist_nuclide_find("Ga-68");
    double a0 = 200e6, t0 = 7200.0, T = 600.0;
    double n = mist_nuclide_decays_in_frame(ga, a0, t0, T);
    double sum = 0.0;
    int steps = 200000;
    for (int k = 0; k < steps; k++)
        sum += mist_nuclide_activity(ga, a0, t0 + (k + 0.5) * T / steps) * T / steps;
    /* midpoint-rule error is (T^2/24) lambda^2 relative: < 1e-9 here */
    cr_assert_float_eq(n / sum, 1.0, 1e-9);
    /* Additivity over consecutive frames, and the infinite frame a0 / lambda. */
    double n1 = mist_nuclide_decays_in_frame(ga, a0, t0, 200.0);
    double n2 = mist_nuclide_decays_in_frame(ga, a0, t0 + 200.0, 400.0);
    cr_assert_float_eq((n1 + n2) / n, 1.0, 1e-13);
    double lambda = mist_nuclide_decay_constant(ga);
    cr_assert_float_eq(mist_nuclide_decays_in_frame(ga, a0, 0.0, 1e9) * lambda / a0, 1.0,
                       1e-12);
    /* A 1 s frame of a long-lived nuclide is A(t0) * 1 s to first order. */
    const mist_nuclide *zr = mist_nuclide_find("Zr-89");
    double nz = mist_nuclide_decays_in_frame(zr, 37e6, 4 * 86400.0, 1.0);
    double az = mist_nuclide_activity(zr, 37e6, 4 * 86400.0 + 0.5);
    cr_assert_float_eq(nz / az, 1.0, 1e-12);
    /* One half-life halves the activity. */
    cr_assert_float_eq(mist_nuclide_activity(ga, a0, ga->half_life_s) / a0, 0.5, 1e-14);
}

Test(nuclide, photon_yield)
{
    const mist_nuclide *in = mist_nuclide_find("In-111");
    cr_assert_float_eq(mist_nuclide_photon_yield(in, 150.0, 260.0), 0.907 + 0.941, 1e-12);
    cr_assert_float_eq(mist_nuclide_photon_yield(mist_nuclide_find("F-18"), 0, 1e4), 0.0,
                       1e-15);
}
