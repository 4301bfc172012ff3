#include "physics/nuclide.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Time units [s]. */
#define MIN_S 60.0
#define HOUR_S 3600.0
#define DAY_S 86400.0
#define LN2 0.693147180559945309417 /* ln 2 */

/* Shorthands for the table. */
#define GAMMA(e, i) {(e), (i), MIST_LINE_GAMMA, -1, 0.0, 0.0}
#define XRAY(e, i) {(e), (i), MIST_LINE_XRAY, -1, 0.0, 0.0}
/* A gamma line of which `wb` photons per decay follow positron branch `b`. */
#define GAMMA_B(e, i, b, wb) {(e), (i), MIST_LINE_GAMMA, (b), (wb), 0.0}

/*
 * Sources:
 *  [REF]   ../shared/reference/physics-data.md section 4 (the project's data page:
 *          NNDC, "J Nucl Med 2022" isotope table, PRISMAP, BIPM-5, Uddin 2022).
 *  [NNDC]  NNDC NuDat / ENSDF decay radiation data (www.nndc.bnl.gov/nudat3),
 *          values as evaluated there; branch mean energies are ENSDF's.
 *  [DDEP]  LNHB/DDEP recommended data (www.lnhb.fr/nuclear-data).
 *  [U]     unconfirmed: quoted from memory of the evaluations above, to be
 *          re-checked against NuDat before relying on it (marked per value).
 * Photons below ~15 keV (K X-rays of Z < 40 daughters) are left out: they
 * never leave the body in numbers that matter and lie below every window.
 */
static const mist_nuclide NUCLIDES[] = {
    /* ---------------- PET ---------------- */
    {.name = "F-18", .symbol = "F", .mass = 18, .z = 9,
     .half_life_s = 109.77 * MIN_S, /* [REF], [NNDC] 109.77(5) min */
     .n_beta = 1,
     .beta = {{0.9673, 633.5, 249.8}}, /* [NNDC]; [REF] 96.7 %, 0.633 MeV, 250 keV */
     .n_lines = 0,
     .source = "NNDC ENSDF; physics-data.md s.4"},
    {.name = "C-11", .symbol = "C", .mass = 11, .z = 6,
     .half_life_s = 20.385 * MIN_S, /* [REF]; ENSDF (Kelley 2012) 20.364 min [U], 0.1 % shorter */
     .n_beta = 1,
     .beta = {{0.9976, 960.4, 385.7}}, /* [NNDC]; [REF] 99.8 %, 0.960 MeV, 386 keV */
     .n_lines = 0,
     .source = "physics-data.md s.4; NNDC ENSDF"},
    {.name = "Ga-68", .symbol = "Ga", .mass = 68, .z = 31,
     .half_life_s = 67.71 * MIN_S, /* [NNDC] 67.71(8) min; [REF] 67.7 min */
     .n_beta = 2,
     .beta = {{0.8772, 1899.1, 836.0},  /* [NNDC]; [REF] 87.7 %, 1.899 MeV */
              {0.0119, 821.7, 352.6}},  /* [NNDC]; [REF] 1.2 %, 0.821 MeV; feeds the 1077 level */
     .n_lines = 1,
     /* 1077.34 keV, 3.22 % [NNDC] ([REF] 3.2 % [U]): 1.19 % after the 822 keV positron
      * branch (prompt coincidence), the rest after electron capture. */
     .lines = {GAMMA_B(1077.34, 0.0322, 1, 0.0119)},
     .source = "NNDC ENSDF; physics-data.md s.4"},
    {.name = "Cu-64", .symbol = "Cu", .mass = 64, .z = 29,
     .half_life_s = 12.701 * HOUR_S, /* [NNDC] 12.701(2) h; [REF] 12.70 h */
     .n_beta = 1,
     .beta = {{0.1752, 653.0, 278.2}}, /* [REF] 17.52 % (beta- 38.48 %, EC 43.53 %), 0.653 MeV */
     .n_lines = 1,
     /* 1345.77 keV, 0.475 % [NNDC] ([REF] 0.47 %): electron capture to the 64Ni
      * 1346 level, so never with a positron. */
     .lines = {GAMMA_B(1345.77, 0.00475, 0, 0.0)},
     .source = "physics-data.md s.4; NNDC ENSDF"},
    {.name = "Zr-89", .symbol = "Zr", .mass = 89, .z = 40,
     .half_life_s = 78.41 * HOUR_S, /* [REF], [NNDC] 78.41(12) h */
     .n_beta = 1,
     /* [NNDC] 22.74 % to 89mY, 902 keV, mean 395.5 keV ([REF] 22.7 %, 0.902 MeV, 389 keV) */
     .beta = {{0.2274, 902.0, 395.5}},
     .n_lines = 2,
     .lines =
         {/* 909.15 keV, 99.04 % [NNDC] ([REF] ~99 % [U]): emitted by 89mY, T1/2 15.663 s
           * [NNDC] ([REF] ~15.7 s [U]), which both the positron branch and electron
           * capture feed: delayed, never in prompt coincidence with the positron. */
          {909.15, 0.9904, MIST_LINE_GAMMA, 0, 0.2274, 15.663},
          /* 1713.0 keV, 0.745 % [NNDC][U]: electron capture to the 1744 level. */
          GAMMA_B(1713.0, 0.00745, 0, 0.0)},
     .source = "physics-data.md s.4 (Fischer 2013); NNDC ENSDF"},
    {.name = "I-124", .symbol = "I", .mass = 124, .z = 53,
     .half_life_s = 4.1760 * DAY_S, /* [NNDC] 4.1760(3) d = 100.2 h, [REF] 100.2 h */
     .n_beta = 3,
     .beta = {{0.117, 1534.9, 687.0},  /* [REF] 11.7 %, 1.535 MeV; to the 602.7 level; mean [NNDC][U] */
              {0.107, 2137.6, 974.7},  /* [REF] 10.7 %, 2.138 MeV; to the ground state; mean [U] */
              {0.003, 812.3, 367.5}},  /* [REF] 0.3 %, 0.812 MeV; to the 1325 level; mean [U] */
     .n_lines = 5,
     .lines =
         {/* 602.73 keV 62.9 % [NNDC] ([REF] ~63 %): prompt, 11.7 % with the 1535 keV
           * positrons, the rest after electron capture (the 0.3 % that follow the
           * 812 keV branch are counted with EC: a simplification). */
          GAMMA_B(602.73, 0.629, 0, 0.117),
          /* 722.78 keV 10.35 % [NNDC] ([REF] ~10 %): 0.3 % with the 812 keV branch. */
          GAMMA_B(722.78, 0.1035, 2, 0.003),
          /* 1690.96 keV 11.15 % [NNDC] ([REF] ~11 % [U]): after electron capture. */
          GAMMA_B(1690.96, 0.1115, 0, 0.0),
          /* Te K X-rays after electron capture; assumed: the I-123 intensities of
           * [REF] (27.47 keV 45.9 %, 27.20 keV 24.7 %) scaled by I-124's capture
           * fraction 1 - 0.227 = 0.773. */
          {27.47, 0.355, MIST_LINE_XRAY, 0, 0.0, 0.0},
          {27.20, 0.191, MIST_LINE_XRAY, 0, 0.0, 0.0}},
     .source = "physics-data.md s.4; NNDC ENSDF"},
    {.name = "Sc-44", .symbol = "Sc", .mass = 44, .z = 21,
     .half_life_s = 4.042 * HOUR_S, /* [REF] (PRISMAP) 4.042 h */
     .n_beta = 1,
     .beta = {{0.9427, 1474.0, 632.0}}, /* [REF] 94.27 %, 1.474 MeV, mean 632 keV */
     .n_lines = 1,
     /* 1157.02 keV 99.9 % [REF]: from the 44Ca 1157 level (2.6 ps), which every
      * positron branch feeds, so it is in prompt coincidence with the positron. */
     .lines = {GAMMA_B(1157.02, 0.999, 0, 0.9427)},
     .source = "physics-data.md s.4 (PRISMAP)"},
    {.name = "Y-86", .symbol = "Y", .mass = 86, .z = 39,
     .half_life_s = 14.74 * HOUR_S, /* [NNDC] 14.74(2) h; [REF] 14.7 h */
     .n_beta = 4,
     /* Branches [U]: recalled from ENSDF; their sum (23.1 %) is below the 27.2 %
      * total of [REF] (Uddin 2022): the minor branches are missing; re-check. */
     .beta = {{0.119, 1221.0, 535.0},
              {0.056, 1545.0, 681.0},
              {0.036, 1988.0, 883.0},
              {0.020, 3141.0, 1437.0}},
     .n_lines = 9,
     /* Lines [NNDC][U] (1076.6 keV 82.5 % is [REF]); the 86Sr 1077 level is fed by
      * nearly every decay, so the lines are treated as independent of the mode. */
     .lines = {GAMMA(1076.63, 0.825), GAMMA(627.72, 0.326), GAMMA(1153.05, 0.305),
               GAMMA(777.37, 0.224), GAMMA(1920.72, 0.208), GAMMA(1854.38, 0.172),
               GAMMA(443.13, 0.169), GAMMA(703.33, 0.154), GAMMA(645.87, 0.092)},
     .source = "physics-data.md s.4 (Uddin 2022); NNDC ENSDF [U]"},

    /* ---------------- SPECT ---------------- */
    {.name = "Tc-99m", .symbol = "Tc", .mass = 99, .isomer = 1, .z = 43,
     .half_life_s = 6.0067 * HOUR_S, /* [NNDC] 6.0067(10) h; [REF] 6.01 h */
     .n_lines = 3,
     .lines = {GAMMA(140.511, 0.885), /* [REF] 88.5 % */
               XRAY(18.37, 0.040),   /* Tc K-alpha1 [NNDC][U] */
               XRAY(18.25, 0.021)},  /* Tc K-alpha2 [NNDC][U] */
     .source = "physics-data.md s.4 (JNM 2022); NNDC ENSDF"},
    {.name = "In-111", .symbol = "In", .mass = 111, .z = 49,
     .half_life_s = 2.8047 * DAY_S, /* [REF] (BIPM-5) */
     .n_lines = 5,
     .lines = {GAMMA(171.28, 0.907), /* [REF] */
               /* 245.35 keV 94.1 % [REF], from the 111Cd 245 level, T1/2 84.5 ns [NNDC][U] */
               {245.35, 0.941, MIST_LINE_GAMMA, -1, 0.0, 84.5e-9},
               XRAY(23.17, 0.451), /* Cd K-alpha1 [NNDC][U] */
               XRAY(22.98, 0.240), /* Cd K-alpha2 [NNDC][U] */
               XRAY(26.10, 0.145)}, /* Cd K-beta [NNDC][U] */
     .source = "physics-data.md s.4 (BIPM-5); NNDC ENSDF"},
    {.name = "I-123", .symbol = "I", .mass = 123, .z = 53,
     .half_life_s = 13.2232 * HOUR_S, /* [REF] (BIPM/NNDC) */
     .n_lines = 5,
     .lines = {GAMMA(158.97, 0.833), GAMMA(528.96, 0.013), /* [REF] */
               XRAY(27.47, 0.459), XRAY(27.20, 0.247),      /* [REF] Te K-alpha1, K-alpha2 */
               XRAY(31.0, 0.159)},                          /* Te K-beta [NNDC][U] */
     .source = "physics-data.md s.4 (BIPM/NNDC)"},
    {.name = "I-125", .symbol = "I", .mass = 125, .z = 53,
     .half_life_s = 59.388 * DAY_S, /* [NNDC] 59.388(28) d; [REF] 59.4 d */
     .n_lines = 4,
     .lines = {GAMMA(35.49, 0.0668), /* [NNDC]; [REF] 6.7 % */
               XRAY(27.47, 0.740), XRAY(27.20, 0.400), /* Te K-alpha1/2 [NNDC][U] */
               XRAY(31.0, 0.259)},                      /* Te K-beta [NNDC][U] */
     .source = "physics-data.md s.4; NNDC ENSDF"},
    {.name = "Lu-177", .symbol = "Lu", .mass = 177, .z = 71,
     .half_life_s = 6.647 * DAY_S, /* [REF] (EJNMMI Phys 2020) */
     .n_lines = 2,
     .lines = {GAMMA(208.37, 0.1038), /* [NNDC] 10.38 %; [REF] rounds to 11 % */
               GAMMA(112.95, 0.0620)}, /* [NNDC] 6.20 %; [REF] 6.4 % */
     .source = "physics-data.md s.4; NNDC ENSDF"},
    {.name = "Re-188", .symbol = "Re", .mass = 188, .z = 75,
     .half_life_s = 17.003 * HOUR_S, /* [NNDC][U]; [REF] 17.0 h [U] */
     .n_lines = 3,
     .lines = {GAMMA(155.04, 0.1561), /* [NNDC][U]; [REF] ~15 % [U] */
               GAMMA(633.0, 0.0137),  /* [NNDC][U] */
               GAMMA(478.0, 0.0108)}, /* [NNDC][U] */
     .source = "NNDC ENSDF [U]; physics-data.md s.4"},
};

#define N_NUCLIDES (sizeof NUCLIDES / sizeof NUCLIDES[0])

size_t mist_nuclide_count(void) { return N_NUCLIDES; }

const mist_nuclide *mist_nuclide_at(size_t i) { return i < N_NUCLIDES ? &NUCLIDES[i] : NULL; }

/* Lower-case name with '-', '_', ' ' removed; 0 if it does not fit. */
static int normalize(const char *in, char *out, size_t size)
{
    size_t n = 0;
    for (; *in; in++) {
        if (*in == '-' || *in == '_' || *in == ' ')
            continue;
        if (n + 1 >= size)
            return 0;
        out[n++] = (char)tolower((unsigned char)*in);
    }
    out[n] = '\0';
    return n > 0;
}

const mist_nuclide *mist_nuclide_find(const char *name)
{
    char key[32], form[32], sym[8];
    if (!name || !normalize(name, key, sizeof key))
        return NULL;
    for (size_t i = 0; i < N_NUCLIDES; i++) {
        const mist_nuclide *nuc = &NUCLIDES[i];
        normalize(nuc->symbol, sym, sizeof sym);
        const char *m = nuc->isomer ? "m" : "";
        /* ga68, 68ga, and for isomers tc99m, 99mtc, 99tcm */
        snprintf(form, sizeof form, "%s%d%s", sym, nuc->mass, m);
        if (strcmp(key, form) == 0)
            return nuc;
        snprintf(form, sizeof form, "%d%s%s", nuc->mass, m, sym);
        if (strcmp(key, form) == 0)
            return nuc;
        snprintf(form, sizeof form, "%d%s%s", nuc->mass, sym, m);
        if (strcmp(key, form) == 0)
            return nuc;
    }
    return NULL;
}

double mist_nuclide_decay_constant(const mist_nuclide *nuc)
{
    return LN2 / nuc->half_life_s;
}

double mist_nuclide_activity(const mist_nuclide *nuc, double a0_Bq, double t_s)
{
    return a0_Bq * exp(-mist_nuclide_decay_constant(nuc) * t_s);
}

double mist_nuclide_decays_in_frame(const mist_nuclide *nuc, double a0_Bq, double t0_s,
                                    double duration_s)
{
    double lambda = mist_nuclide_decay_constant(nuc);
    return a0_Bq * exp(-lambda * t0_s) * (-expm1(-lambda * duration_s)) / lambda;
}

double mist_nuclide_positron_fraction(const mist_nuclide *nuc)
{
    double sum = 0.0;
    for (int b = 0; b < nuc->n_beta; b++)
        sum += nuc->beta[b].intensity;
    return sum;
}

double mist_nuclide_photon_yield(const mist_nuclide *nuc, double lo_keV, double hi_keV)
{
    double sum = 0.0;
    for (int i = 0; i < nuc->n_lines; i++)
        if (nuc->lines[i].energy_keV >= lo_keV && nuc->lines[i].energy_keV <= hi_keV)
            sum += nuc->lines[i].intensity;
    return sum;
}
