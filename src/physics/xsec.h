/*
 * xsec.h - photon cross-section tables per material.
 *
 * For one material, the linear attenuation coefficients [1/mm] of
 * photoelectric absorption, Compton (incoherent) and Rayleigh (coherent)
 * scattering and their total, tabulated once per run on a grid uniform in
 * log(E) from 1 keV to 2048 keV (64 points per octave, so a cell spans 1.09 %
 * in energy) and interpolated log-log.  Values come from xraylib (Schoonjans
 * et al., Spectrochim. Acta B 66:776, 2011): CS_Photo, CS_Compt, CS_Rayl in
 * cm2/g, summed over the elements by mass fraction and scaled by density.
 *
 * xraylib 4 stops at 800 keV (it returns 0 above).  Above 800 keV:
 *  - incoherent: Klein-Nishina on free electrons, (Z/A) N_A sigma_KN(E)
 *    (xraylib CS_KN).  Binding makes xraylib's value at 800 keV differ from
 *    this by +0.02 % (O), -0.3 % (H), -1.1 % (Pb): the table steps by that much
 *    at 800 keV.  Water: 0.07060 cm2/g at 1 MeV (NIST 0.07072, -0.2 %).
 *  - photoelectric and Rayleigh: log-log extrapolation with the slope of the
 *    last tabulated interval (790-800 keV).  A longer base (the last decade,
 *    80-800 keV) is worse: it crosses the K edges of Pb/Bi and errs by -9 % for
 *    Na at 900 keV.  Checked against the photoelectric values xraylib still
 *    gives between 800 and 990 keV for Z >= 11: -0.4 % at 900 keV and -0.75 %
 *    at 950 keV for Pb, Lu, I (test_xsec).  The log-log slope flattens with
 *    energy, so the extrapolation underestimates photoabsorption by an
 *    estimated 5 % at 1.5 MeV; that is below 1 % of the total in lead and
 *    below 0.01 % in tissue.
 *  - pair production (threshold 1022 keV) is not included: < 0.1 % of the
 *    total in tissue up to 1.35 MeV, but about 1-3 % in lead at 1.25-1.5 MeV
 *    (Hubbell & Seltzer, NIST XCOM).
 * Absorption edges fall between grid points and are smeared over one cell.
 *
 * Evaluation: locate the energy once (mist_xsec_locate, one logarithm), then read
 * any process of any material at that point with one exp() (both inline, from
 * core/fastmath.h: within an ulp of libm's).
 */
#ifndef MIST_PHYSICS_XSEC_H
#define MIST_PHYSICS_XSEC_H

#include <math.h>

#include "core/fastmath.h"

#include "core/status.h"
#include "model/material.h"

#define MIST_XSEC_E_MIN_KEV 1.0       /**< [keV] lowest grid energy */
#define MIST_XSEC_PER_OCTAVE 64       /**< grid points per doubling of energy */
#define MIST_XSEC_OCTAVES 11          /**< 1 keV .. 2048 keV */
#define MIST_XSEC_N (MIST_XSEC_OCTAVES * MIST_XSEC_PER_OCTAVE + 1)
#define MIST_XSEC_E_MAX_KEV 2048.0    /**< [keV] highest grid energy */
#define MIST_XSEC_XRL_MAX_KEV 800.0   /**< [keV] xraylib's upper limit (physics-data.md s.1) */

typedef enum mist_xsec_process {
    MIST_XS_PHOTO = 0,
    MIST_XS_COMPTON = 1,
    MIST_XS_RAYLEIGH = 2,
    MIST_XS_TOTAL = 3,
    MIST_XS_NPROC = 4
} mist_xsec_process;

typedef struct mist_xsec {
    double density_g_cm3;                         /**< [g/cm3] of the material */
    double ln_mu[MIST_XS_NPROC][MIST_XSEC_N];     /**< ln(mu [1/mm]) at the grid energies */
    double frac_compton[MIST_XSEC_N];             /**< mu_compton / (sum of partials) */
    double frac_photo[MIST_XSEC_N];               /**< mu_photo / (sum of partials) */
} mist_xsec;

/* Where an energy falls on the grid: cell i and fraction f in log(E). */
typedef struct mist_xsec_point {
    int i;    /**< cell, 0 .. MIST_XSEC_N-2 */
    double f; /**< position in the cell, [0, 1] */
} mist_xsec_point;

/* Energy [keV] of grid point i. */
double mist_xsec_grid_energy(int i);

/* Mass attenuation of one material [cm2/g] straight from xraylib with the extension above
 * 800 keV described above (no grid); used to build the tables and by the checks. */
mist_status mist_xsec_mass_atten(const mist_material *m, mist_xsec_process p, double e_keV,
                                 double *mu_rho_cm2_g, mist_error *err);

/* Build the table of a material (about 1 ms per element). */
mist_status mist_xsec_build(const mist_material *m, mist_xsec *out, mist_error *err);

/* Locate an energy; energies outside [1, 2048] keV are clamped to the grid's ends. */
static inline mist_xsec_point mist_xsec_locate(double e_keV)
{
    /* log2(E / E_min) * 64 with the inline logarithm (core/fastmath.h: within an ulp of
     * libm's, so cells and fractions are libm's up to rounding). */
    double x = mist_fast_log(e_keV * (1.0 / MIST_XSEC_E_MIN_KEV)) *
               (MIST_XSEC_PER_OCTAVE / 0.693147180559945309417232121458176568);
    if (!(x > 0.0))
        x = 0.0;
    if (x > (double)(MIST_XSEC_N - 1))
        x = (double)(MIST_XSEC_N - 1);
    int i = (int)x;
    if (i > MIST_XSEC_N - 2)
        i = MIST_XSEC_N - 2;
    return (mist_xsec_point){i, x - i};
}

/* Interpolate a table row (ln values) at a located point: log-log interpolation. */
static inline double mist_xsec_interp(const double *ln_row, mist_xsec_point p)
{
    return mist_fast_exp(ln_row[p.i] + p.f * (ln_row[p.i + 1] - ln_row[p.i]));
}

/* Linear attenuation coefficient [1/mm] of a process at a located point. */
static inline double mist_xsec_mu_at(const mist_xsec *xs, mist_xsec_process proc, mist_xsec_point p)
{
    return mist_xsec_interp(xs->ln_mu[proc], p);
}

/* Branching fractions of a real collision at a located point, interpolated linearly in the
 * cell (they vary slowly; the difference from the ratio of the log-log interpolated partials
 * is below 1e-4 of the total): *compton, *photo; Rayleigh is the rest. */
static inline void mist_xsec_fractions(const mist_xsec *xs, mist_xsec_point p, double *compton,
                                       double *photo)
{
    *compton = xs->frac_compton[p.i] + p.f * (xs->frac_compton[p.i + 1] - xs->frac_compton[p.i]);
    *photo = xs->frac_photo[p.i] + p.f * (xs->frac_photo[p.i + 1] - xs->frac_photo[p.i]);
}

/* Linear attenuation coefficient [1/mm] of a process at an energy [keV]. */
double mist_xsec_mu(const mist_xsec *xs, mist_xsec_process proc, double e_keV);

#endif
