/*
 * validate_physics.h - the physics validation suite behind `mist validate`.
 *
 * Each check compares something mist computes with an independent reference
 * and appends one row (core/validation.h): what was checked, the source of
 * the expected value, expected and simulated values, the deviation in units
 * of its standard error (or relative, for table checks), and pass/fail.
 *  - tables: water mu/rho against NIST (Hubbell & Seltzer, NIST SRD 126), the
 *    photoelectric extrapolation above 800 keV against xraylib's own values;
 *    relative rows (sigma 0) with tolerance 1 % or 2 %;
 *  - samplers: Compton and Rayleigh angular distributions against xraylib's
 *    DCS_Compt / DCS_KN / DCS_Rayl, by a chi-square test over angle bins:
 *    expected = degrees of freedom k, simulated = chi2, deviation =
 *    (chi2 - k)/sqrt(2k), tolerance = that of the chi-square quantile at 4
 *    sigma (upper tail 3.2e-5, Wilson-Hilferty approximation), one-sided;
 *  - transport: narrow-beam transmission against exp(-mu x) (binomial sigma,
 *    pass within 4 sigma); Woodcock against voxel-by-voxel ray tracing on a
 *    bone / lung / soft-tissue phantom (unscattered fraction by a two-sample
 *    test, scattered spectrum by a two-sample chi-square).
 * Every check uses fixed seeds, so a run is reproducible.  The unit tests call
 * the same checks (tests/unit/test_*.c).
 */
#ifndef MIST_PHYSICS_VALIDATE_PHYSICS_H
#define MIST_PHYSICS_VALIDATE_PHYSICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "core/validation.h"
#include "model/material.h"
#include "physics/compton.h"

/* Run the whole suite, appending its rows to v (core/validation.h).  quick: 10x fewer samples
 * (well under a second instead of a few seconds).  The status is MIST_OK even when a check
 * fails (look at each row's pass, or mist_validation_failures); errors are set-up failures
 * (xraylib, memory). */
mist_status mist_validate_physics(int quick, mist_validation *v, mist_error *err);

/* --- The checks: each appends one row (mist_validate_woodcock: three) ---- */

/* NIST mu/rho of liquid water [cm2/g] at e_keV (100..1500 keV), log-log interpolated in the
 * NIST table. */
double mist_validate_nist_water(double e_keV);

/* Water mu/rho from mist's table against NIST, tolerance 1 %. */
mist_status mist_validate_water_table(double e_keV, mist_validation *v, mist_error *err);

/* The photoelectric extrapolation above 800 keV against xraylib's CS_Photo of element Z (which
 * xraylib still tabulates to ~990 keV for Z >= 11), tolerance 2 %. */
mist_status mist_validate_photo_extrapolation(int Z, double e_keV, mist_validation *v,
                                              mist_error *err);

/* Compton angular distribution of n samples (and the Compton relation on each: a violation
 * fails the row) against xraylib's DCS_Compt (S(q) model) or DCS_KN. */
mist_status mist_validate_compton(const mist_material *m, double e_keV, mist_compton_model model,
                                  uint64_t n, uint64_t seed, mist_validation *v,
                                  mist_error *err);

/* Rayleigh angular distribution of n samples against xraylib's DCS_Rayl (Thomson x F^2). */
mist_status mist_validate_rayleigh(const mist_material *m, double e_keV, uint64_t n, uint64_t seed,
                                   mist_validation *v, mist_error *err);

/* Narrow-beam transmission: a pencil beam through a slab of m, thickness_mm, in air, with a
 * denser insert beside the beam so that Woodcock tracking makes virtual collisions; the
 * fraction leaving without interaction against exp(-mu x) from the tables.  raytrace: use the
 * voxel-by-voxel tracker instead of Woodcock. */
mist_status mist_validate_transmission(const mist_material *m, const mist_material *insert,
                                       double e_keV, double thickness_mm, int raytrace,
                                       uint64_t n, uint64_t seed, mist_validation *v,
                                       mist_error *err);

/* Woodcock against ray tracing: n photons of e_keV from a point in a 128 mm bone / lung /
 * soft-tissue phantom with each tracker; rows: unscattered fraction, scattered spectrum
 * (40 energy bins) and fates (chi-square), mean number of Compton scatters of escaping
 * photons. */
mist_status mist_validate_woodcock(double e_keV, uint64_t n, uint64_t seed,
                                   mist_validation *v, mist_error *err);

/* --- Statistics helpers -------------------------------------------------- */

/* Chi-square quantile with k degrees of freedom at z standard deviations of the upper tail
 * (Wilson & Hilferty, PNAS 17:684, 1931). */
double mist_validate_chi2_limit(double k, double z);

/* Pearson chi-square of observed counts against expected probabilities (normalised here) for
 * n_total samples; consecutive bins are merged until each expects >= 5 counts.  Writes the
 * degrees of freedom (merged bins - 1). */
double mist_validate_chi2(const double *observed, const double *prob, size_t bins, double n_total,
                          double *dof);

/* Two-sample chi-square of two histograms from equal numbers of samples, merging bins until
 * each holds >= 10 counts in both together. */
double mist_validate_chi2_two_sample(const double *a, const double *b, size_t bins, double *dof);

/* Append a chi-square row (one-sided pass: chi2 <= the 4-sigma quantile). */
mist_status mist_validate_chi2_row(mist_validation *v, const char *group, const char *quantity,
                                   const char *source, double chi2, double dof, mist_error *err);

#endif
