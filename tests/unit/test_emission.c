/* Emission sampling: branching ratios and line intensities within statistics,
 * prompt/delayed coincidence structure, annihilation geometry. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>

#include "physics/emission.h"

#define PI 3.14159265358979323846

static mist_emitter em; /* large: keep off the stack */

/* |observed - expected| within 4 binomial standard deviations. */
static void assert_binomial(long k, long n, double p, const char *what)
{
    double sd = sqrt(n * p * (1.0 - p));
    cr_assert_leq(fabs(k - n * p), 4.0 * sd + 1e-9, "%s: %ld of %ld, expected p = %g", what, k,
                  n, p);
}

/* Every nuclide: positron branches and photon lines per decay. */
Test(emission, branching_and_line_intensities)
{
    const long N = 200000;
    for (size_t i = 0; i < mist_nuclide_count(); i++) {
        const mist_nuclide *nuc = mist_nuclide_at(i);
        mist_error err;
        cr_assert_eq(mist_emitter_init(&em, nuc, NULL, &err), MIST_OK, "%s: %s", nuc->name,
                     err.msg);
        long branch[MIST_NUCLIDE_MAX_BETA] = {0}, line[MIST_NUCLIDE_MAX_LINES] = {0};
        long with_beta[MIST_NUCLIDE_MAX_LINES] = {0};
        mist_rng rng = mist_rng_substream(1000 + i, 0);
        double o[3] = {1, 2, 3};
        mist_decay d;
        for (long k = 0; k < N; k++) {
            mist_emission_sample(&em, &rng, o, 1.0, &d);
            cr_assert_leq(d.n_photons, MIST_DECAY_MAX_PHOTONS);
            if (d.branch >= 0)
                branch[d.branch]++;
            for (int p = 0; p < d.n_photons; p++) {
                int l = d.photons[p].line;
                if (l < 0)
                    continue;
                line[l]++;
                if (d.branch >= 0 && d.branch == nuc->lines[l].branch)
                    with_beta[l]++;
            }
        }
        char what[96];
        for (int b = 0; b < nuc->n_beta; b++) {
            snprintf(what, sizeof what, "%s branch %d", nuc->name, b);
            assert_binomial(branch[b], N, nuc->beta[b].intensity, what);
        }
        for (int l = 0; l < nuc->n_lines; l++) {
            snprintf(what, sizeof what, "%s %.1f keV", nuc->name, nuc->lines[l].energy_keV);
            assert_binomial(line[l], N, nuc->lines[l].intensity, what);
            if (nuc->lines[l].branch >= 0) {
                snprintf(what, sizeof what, "%s %.1f keV with a positron", nuc->name,
                         nuc->lines[l].energy_keV);
                assert_binomial(with_beta[l], N, nuc->lines[l].with_beta, what);
            }
        }
    }
}

/* Sc-44: every positron comes with the prompt 1157 keV photon, at time 0.
 * Zr-89: the 909 keV photon is delayed with the Y-89m lifetime.
 * Cu-64: the 1346 keV photon never comes with a positron. */
Test(emission, prompt_and_delayed_gammas)
{
    mist_error err;
    mist_rng rng = mist_rng_substream(77, 0);
    double o[3] = {0, 0, 0};
    mist_decay d;

    cr_assert_eq(mist_emitter_init(&em, mist_nuclide_find("Sc-44"), NULL, &err), MIST_OK);
    for (int k = 0; k < 100000; k++) {
        mist_emission_sample(&em, &rng, o, 1.0, &d);
        if (d.branch < 0)
            continue;
        cr_assert_eq(d.n_photons, 3);
        cr_assert_float_eq(d.photons[2].energy_keV, 1157.02, 1e-9);
        cr_assert_eq(d.photons[2].origin, MIST_PHOTON_PROMPT);
        cr_assert_eq(d.photons[2].time_s, 0.0);
    }

    cr_assert_eq(mist_emitter_init(&em, mist_nuclide_find("Zr-89"), NULL, &err), MIST_OK);
    double s = 0.0;
    long n = 0;
    for (int k = 0; k < 200000; k++) {
        mist_emission_sample(&em, &rng, o, 1.0, &d);
        for (int p = 0; p < d.n_photons; p++)
            if (d.photons[p].line == 0) {
                cr_assert_eq(d.photons[p].origin, MIST_PHOTON_DELAYED);
                cr_assert_gt(d.photons[p].time_s, 0.0);
                s += d.photons[p].time_s;
                n++;
            }
    }
    double tau = 15.663 / log(2.0); /* exponential: sd = mean */
    cr_assert_lt(fabs(s / n - tau), 4.0 * tau / sqrt(n), "mean delay %g s", s / n);

    cr_assert_eq(mist_emitter_init(&em, mist_nuclide_find("Cu-64"), NULL, &err), MIST_OK);
    for (int k = 0; k < 200000; k++) {
        mist_emission_sample(&em, &rng, o, 1.0, &d);
        if (d.branch >= 0)
            cr_assert_eq(d.n_photons, 2, "1346 keV with a positron");
    }
}

/* Pair geometry: 511 keV, same point, isotropic, acollinearity 0.5 degree
 * FWHM per plane (sd of the in-plane deviation = FWHM / 2.3548), exact
 * back-to-back when switched off, no displacement when range is off. */
Test(emission, annihilation_pair)
{
    mist_error err;
    mist_emission_options opt = mist_emission_default_options();
    cr_assert_eq(mist_emitter_init(&em, mist_nuclide_find("F-18"), &opt, &err), MIST_OK);
    mist_rng rng = mist_rng_substream(5, 0);
    double o[3] = {10, -5, 2};
    mist_decay d;
    long n = 0;
    double sum_dir[3] = {0, 0, 0}, sum_dev2 = 0.0;
    for (int k = 0; k < 300000; k++) {
        mist_emission_sample(&em, &rng, o, 1.0, &d);
        if (d.branch < 0)
            continue;
        const mist_emitted_photon *a = &d.photons[0], *b = &d.photons[1];
        cr_assert_eq(a->energy_keV, MIST_ANNIHILATION_KEV);
        cr_assert_eq(b->energy_keV, MIST_ANNIHILATION_KEV);
        for (int c = 0; c < 3; c++) {
            cr_assert_eq(a->pos_mm[c], b->pos_mm[c]);
            sum_dir[c] += a->dir[c];
        }
        /* total deviation angle from 180 degrees; its square is the sum of
         * the squares of the two in-plane angles (small angles) */
        double dot = -(a->dir[0] * b->dir[0] + a->dir[1] * b->dir[1] + a->dir[2] * b->dir[2]);
        double dev = acos(fmin(1.0, dot));
        sum_dev2 += dev * dev;
        n++;
    }
    for (int c = 0; c < 3; c++)
        cr_assert_lt(fabs(sum_dir[c] / n), 4.0 * sqrt(1.0 / 3.0 / n), "direction %d", c);
    double sigma = 0.5 / 2.354820045 * PI / 180.0;
    /* E[dev^2] = 2 sigma^2; dev^2 / sigma^2 is chi-square(2): sd 2 sigma^2 */
    double mean2 = sum_dev2 / n;
    cr_assert_lt(fabs(mean2 - 2 * sigma * sigma), 4.0 * 2 * sigma * sigma / sqrt(n),
                 "acollinearity rms %g deg", sqrt(mean2 / 2) * 180 / PI);

    opt.acollinearity = 0;
    opt.positron_range = 0;
    cr_assert_eq(mist_emitter_init(&em, mist_nuclide_find("F-18"), &opt, &err), MIST_OK);
    for (int k = 0; k < 1000; k++) {
        mist_emission_sample(&em, &rng, o, 1.0, &d);
        if (d.branch < 0)
            continue;
        for (int c = 0; c < 3; c++) {
            cr_assert_eq(d.photons[1].dir[c], -d.photons[0].dir[c]);
            cr_assert_eq(d.photons[0].pos_mm[c], o[c]);
        }
    }
    opt.acollinearity_fwhm_deg = -1.0;
    cr_assert_eq(mist_emitter_init(&em, mist_nuclide_find("F-18"), &opt, &err), MIST_ERR_INPUT);
}

/* Same seed, same decays: the sampler is a pure function of the stream. */
Test(emission, reproducible)
{
    mist_error err;
    cr_assert_eq(mist_emitter_init(&em, mist_nuclide_find("I-124"), NULL, &err), MIST_OK);
    mist_rng r1 = mist_rng_substream(9, 3), r2 = mist_rng_substream(9, 3);
    double o[3] = {0, 0, 0};
    mist_decay a, b;
    for (int k = 0; k < 1000; k++) {
        mist_emission_sample(&em, &r1, o, 1.0, &a);
        mist_emission_sample(&em, &r2, o, 1.0, &b);
        cr_assert_eq(a.n_photons, b.n_photons);
        for (int p = 0; p < a.n_photons; p++)
            cr_assert_eq(a.photons[p].dir[2], b.photons[p].dir[2]);
    }
}
