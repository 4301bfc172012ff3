/*
 * validate_pet.h - PET rows of `mist validate`: the NEMA NU 2 scatter
 * fraction of the Biograph mCT class ring (geometry/pet_wholebody_lyso.yaml)
 * from the study scripts/studies/nema_scatter_fraction.yaml (the 700 mm
 * polyethylene scatter cylinder, F-18 line source 45 mm off axis, low
 * activity).
 *
 * Two estimates of SF = S / (S + T):
 *  - from the truth classes (mist_pet_sf_truth): S = prompts scattered in the
 *    phantom, T = unscattered prompts of one decay (trues and detector
 *    scatters: inter-crystal scatter does not move the LOR out of the object);
 *  - NEMA's method on the prompt sinogram (mist_pet_sf_nema_band): LORs more
 *    than 120 mm from the axis set to zero; the planes summed (the line
 *    source is parallel to the axis), and each group of 4 adjacent views
 *    (the peak moves less than a bin over them) shifted so its maximum sits
 *    at the centre; the rows summed into one profile; the
 *    counts under the peak inside the central 40 mm band taken as the mean of
 *    the profile at +-20 mm times the band width, plus all counts outside it,
 *    as scatter + randoms; randoms estimated by the delayed sinogram in the
 *    same LORs and subtracted.  All segments are summed (NEMA rebins oblique
 *    sinograms by SSRB first and aligns each slice's projections, which for
 *    a line source parallel to the axis peak at the same radial position).
 * The row compares the NEMA estimate with the truth-class SF in the same
 * LORs.
 *
 * NEMA NU 2 sensitivity (phantoms/nema_sensitivity.yaml): the line source in
 * 1..5 aluminium sleeves at the centre and 100 mm off axis; prompts minus
 * delayed per decay for each sleeve count, fitted as R_j = R_0 exp(-2 mu X_j)
 * over the total wall X_j = 1.25 j mm, extrapolated to R_0; in cps/kBq.  Rows:
 * R_0 against the published measurements of each whole-body scanner class,
 * within 10 % (the scanner files are models of those classes: crystal pitch
 * without reflector, no axial gaps between block rings, their own maximum ring
 * difference, no dead zones; the rows show how far that leaves them).  No published SF of the mCT class is in ../shared/reference, so none
 * is used as the expected value.
 */
#ifndef MIST_ENGINE_VALIDATE_PET_H
#define MIST_ENGINE_VALIDATE_PET_H

#include <stdint.h>

#include "core/status.h"
#include "core/validation.h"
#include "detector/sinogram.h"

/* SF from the truth counters (MIST_PET_* of engine/pet_sim.h), with its
 * binomial standard error. */
void mist_pet_sf_truth(const uint64_t *counters, double *sf, double *se);

/* NEMA NU 2 40 mm band SF of a prompt sinogram (counts in g's layout, TOF
 * bins summed), randoms from the delayed sinogram (NULL: none subtracted).
 * *truth_sf (if not NULL) gets S / (S + T) from the truth sinograms trues,
 * det_scatters, scatters inside the same 120 mm mask (any may be NULL only if
 * truth_sf is).  Returns MIST_ERR_INPUT when the sinogram holds no counts. */
mist_status mist_pet_sf_nema_band(const mist_sino_geom *g, const uint64_t *prompts,
                                  const uint64_t *delayed, const uint64_t *trues,
                                  const uint64_t *det_scatters, const uint64_t *scatters,
                                  double *sf, double *truth_sf, mist_error *err);

/* The NEMA scatter-fraction run and its rows (quick: 1e6 decays instead of 5e6). */
mist_status mist_validate_pet(int quick, mist_validation *v, mist_error *err);

/* NEMA NU 2 sensitivity fit: rates r[j] (counts per decay) with standard errors
 * se[j] measured behind total aluminium walls x_mm[j] (n points); weighted
 * least squares of ln r = ln r0 - 2 mu x.  Returns r0 and its standard error,
 * mu [1/mm] and its standard error.  MIST_ERR_INPUT for fewer than 2 points or
 * a rate that is not positive. */
mist_status mist_nema_sensitivity_fit(const double *x_mm, const double *r, const double *se,
                                      int n, double *r0, double *r0_se, double *mu_mm,
                                      double *mu_se, mist_error *err);

/* One scanner's NEMA NU 2 sensitivity from simulation: the study
 * scripts/studies/nema_sensitivity.yaml with scanner_path (relative to that
 * study, or absolute), 1 to 5 sleeves, the line offset_mm off axis, the decays
 * scaled by fraction (1 = 1e6 per sleeve).  *s_cps_kBq = 1000 r0 (counts per
 * second per kBq in the line, prompts minus delayed), with its standard error,
 * and the fitted aluminium mu [1/mm]. */
mist_status mist_nema_sensitivity_run(const char *scanner_path, double offset_mm, double fraction,
                                      double *s_cps_kBq, double *s_se, double *mu_mm,
                                      double *mu_se, mist_error *err);

#endif
