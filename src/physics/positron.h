/*
 * positron.h - positron emission physics: the beta+ energy spectrum, the
 * positron range, and where the positron annihilates.
 *
 * Energy: the allowed spectrum shape N(W) ~ F(Z', W) p W (W0 - W)^2 (W total
 * energy, p momentum in electron-mass units) with the non-relativistic Fermi
 * function F = 2 pi eta / (1 - exp(-2 pi eta)), eta = -Z' alpha W / p for a
 * positron leaving a daughter of charge Z' (Fermi 1934; see Krane,
 * "Introductory Nuclear Physics", 1988, ch. 9).  Each branch's spectrum is
 * integrated once into an inverse-CDF table, so sampling costs one 32-bit output.
 *
 * Range: the Katz-Penfold range-energy relation (Katz & Penfold, Rev Mod Phys
 * 24:28, 1952, used for positrons by Palmer & Brownell, IEEE TMI 11:373, 1992)
 * R [g/cm2] = 0.412 E^(1.265 - 0.0954 ln E) for E < 2.5 MeV, 0.530 E - 0.106
 * above (E in MeV).  It was fitted to the absorption of beta rays, so R is a
 * penetration depth (the practical range), not the length of the tortuous
 * path.
 *
 * Path model: the annihilation point lies at distance r = s R(E) from the
 * emission point in an isotropic direction, with s in [0, 1] distributed as
 * s = u^(1/a) (density a s^(a-1), mean a/(a+1)).  The exponent a = 9 (mean
 * end-point distance 0.9 R) was CHOSEN by comparing the 1-D projected F-18
 * distribution in water with Levin & Hoffman (Phys Med Biol 44:781, 1999);
 * C-11, N-13, O-15 (Levin & Hoffman) and the tabulated mean ranges of the
 * other nuclides are the independent checks (tests/unit/test_positron.c).
 *
 * Density: ranges are mass thicknesses [g/cm2]; in a material of density rho
 * the distance is R / rho, so a positron goes 1/0.26 = 3.8 times further in
 * inflated lung than in water.  mist_positron_move() spends the mass
 * thickness along a straight line through a varying density field, which is
 * what moves the annihilation point correctly across tissue boundaries.
 */
#ifndef MIST_PHYSICS_POSITRON_H
#define MIST_PHYSICS_POSITRON_H

#include <stdint.h>

#include "core/rng.h"
#include "core/status.h"

/* Inverse-CDF table sizes: nodes at u = i / N. */
#define MIST_POSITRON_PATH_TABLE_N 1024
#define MIST_POSITRON_TABLE_N 1024

/* Path-model exponent a (see above): mean end-point distance a/(a+1) R. */
#define MIST_POSITRON_PATH_EXPONENT 9.0

/* One beta+ branch ready for sampling (built once, read-only afterwards). */
typedef struct mist_positron_spectrum {
    double endpoint_keV;                               /**< maximum kinetic energy [keV] */
    int z_daughter;                                    /**< charge of the daughter nucleus */
    double mean_keV;                                   /**< mean kinetic energy of the shape [keV] */
    double mean_range_g_cm2;                           /**< mean Katz-Penfold range [g/cm2] */
    float energy_keV[MIST_POSITRON_TABLE_N + 1];       /**< inverse CDF of the energy [keV] */
    float range_g_cm2[MIST_POSITRON_TABLE_N + 1];      /**< Katz-Penfold range at those [g/cm2] */
    float path_fraction[MIST_POSITRON_PATH_TABLE_N + 1]; /**< inverse CDF of s = u^(1/a) */
} mist_positron_spectrum;

/* Spectrum shape N(E) (unnormalised) at kinetic energy e_keV for a positron of
 * endpoint e0_keV leaving a daughter of charge z_daughter; 0 outside (0, e0). */
double mist_positron_shape(int z_daughter, double e0_keV, double e_keV);

/* Katz-Penfold practical range [g/cm2] of a positron (or electron) of kinetic
 * energy e_keV (0 for e_keV <= 0). */
double mist_positron_range_kp_g_cm2(double e_keV);

/* Integrate the spectrum and fill the sampling tables.  Errors (MIST_ERR_INPUT):
 * endpoint not in (0, 10 MeV], z_daughter not in [0, 120]. */
mist_status mist_positron_spectrum_init(mist_positron_spectrum *sp, int z_daughter,
                                        double endpoint_keV, mist_error *err);

/* A table position from one 32-bit output: its top 10 bits pick the node interval of a
 * 1024-interval table, the other 22 the place in it, (k + 1/2) 2^-22; the interpolated inverse
 * CDF is then sampled to 2^-32 in probability (rng.h, mist_rng_uniform32). */
static inline int mist_positron_table_pos(mist_rng *rng, double *f)
{
    uint32_t b = mist_rng_u32(rng);
    *f = ((double)(b & 0x3FFFFFu) + 0.5) * 0x1.0p-22;
    return (int)(b >> 22);
}

/* Kinetic energy [keV] and its Katz-Penfold range [g/cm2] at table position (cell i in
 * [0, 1024), place f in [0, 1) in it), linear between the nodes. */
static inline double mist_positron_energy_at(const mist_positron_spectrum *sp, int i, double f,
                                             double *range_g_cm2)
{
    *range_g_cm2 = sp->range_g_cm2[i] + f * (sp->range_g_cm2[i + 1] - sp->range_g_cm2[i]);
    return sp->energy_keV[i] + f * (sp->energy_keV[i + 1] - sp->energy_keV[i]);
}

/* Path-model fraction s at table position (cell i in [0, 1024), place f in [0, 1)). */
static inline double mist_positron_path_fraction_at(const mist_positron_spectrum *sp, int i,
                                                    double f)
{
    return sp->path_fraction[i] + f * (sp->path_fraction[i + 1] - sp->path_fraction[i]);
}

/* Sample a kinetic energy [keV] together with its Katz-Penfold range [g/cm2]
 * (one 32-bit output: the two come from the same table position). */
static inline double mist_positron_sample_energy(const mist_positron_spectrum *sp,
                                                 mist_rng *rng, double *range_g_cm2)
{
    _Static_assert(MIST_POSITRON_TABLE_N == 1024, "table position takes 10 bits");
    double f;
    int i = mist_positron_table_pos(rng, &f);
    if (range_g_cm2)
        *range_g_cm2 = sp->range_g_cm2[i] + f * (sp->range_g_cm2[i + 1] - sp->range_g_cm2[i]);
    return sp->energy_keV[i] + f * (sp->energy_keV[i + 1] - sp->energy_keV[i]);
}

/* Path-model fraction s = u^(1/a) of the range (one 32-bit output), from a table of
 * MIST_POSITRON_PATH_TABLE_N + 1 nodes in the spectrum with linear interpolation (the table's
 * largest error, at the lowest node, concerns P(s < 0.4) = 3e-4). */
static inline double mist_positron_sample_path_fraction(const mist_positron_spectrum *sp,
                                                        mist_rng *rng)
{
    _Static_assert(MIST_POSITRON_PATH_TABLE_N == 1024, "table position takes 10 bits");
    double f;
    int i = mist_positron_table_pos(rng, &f);
    return sp->path_fraction[i] + f * (sp->path_fraction[i + 1] - sp->path_fraction[i]);
}

/* Sample the straight-line distance from emission to annihilation as a mass
 * thickness [g/cm2]: energy from the spectrum, Katz-Penfold range, path model.
 * Divide by the density [g/cm3] and multiply by 10 for mm. */
double mist_positron_sample_distance_g_cm2(const mist_positron_spectrum *sp, mist_rng *rng);

/* Density [g/cm3] at point p_mm; used by mist_positron_move(). */
typedef double (*mist_density_fn)(void *ctx, const double p_mm[3]);

/* Move from origin_mm along unit vector dir, spending the mass thickness
 * dist_g_cm2 through the density field (sampled every step_mm, midpoint
 * rule; a zero density is crossed freely, as vacuum).  Writes the end point
 * to out_mm and returns the geometric distance travelled [mm].  Gives up
 * after max_mm (returns the point reached there). */
double mist_positron_move(double dist_g_cm2, const double origin_mm[3], const double dir[3],
                          mist_density_fn density, void *ctx, double step_mm, double max_mm,
                          double out_mm[3]);

#endif
