/*
 * validate_spect.h - SPECT rows of `mist validate` and the set-up they share
 * with `mist bench`:
 *  - per collimator (Symbia LEHR, LEAP, ME; GE LEHR, MEGP), Tc-99m point in
 *    air 100 mm from the face (and In-111, 245 keV window, on ME and MEGP):
 *    system resolution (FWHM of the line-spread
 *    profile in the line's photopeak window) against R_sys = sqrt(R_g^2 + R_i^2)
 *    (within 5 %), and sensitivity (cps/MBq) against the analytic geometric
 *    efficiency g (with L_eff = L - 2/mu, which stands for penetration) times
 *    the line's yield and the crystal's photopeak efficiency (within 10 %);
 *    both from forced detection, which equals analog simulation
 *    (test_spect_sim); an analog row checks the LEHR sensitivity too.  The
 *    simulated FWHM comes out 3-4 % below the formula (the exact response of
 *    hexagonal holes is a little narrower than d (L_eff + b + c) / L_eff) and
 *    the sensitivity 2-4 % above it (the explicit penetration tails);
 *  - Tc-99m point in a 150 mm water cylinder, full Monte Carlo collimator:
 *    the energy spectrum's photopeak at 140.5 keV, a Compton region, the
 *    lead K X-rays (73-85 keV) above the continuum, and the scatter fraction
 *    in the photopeak window (truth) against the triple-energy-window
 *    estimate (Ogawa et al., IEEE TMI 10:408, 1991).
 */
#ifndef MIST_ENGINE_VALIDATE_SPECT_H
#define MIST_ENGINE_VALIDATE_SPECT_H

#include <stdint.h>

#include "core/status.h"
#include "core/validation.h"
#include "engine/spect_sim.h"

/* A point source on a camera, in air or in a water cylinder (axis z), one rank. */
typedef struct mist_spect_point {
    mist_material_list materials;
    mist_spect_camera cam;
    mist_acquisition acq;
    mist_tallies t;
    mist_spect_sim *ss;
    mist_voxel_grid *grid;
    mist_tracker *tracker;
    double wall_s; /**< [s] time of the last mist_spect_point_run */
} mist_spect_point;

typedef struct mist_spect_point_opts {
    const char *camera_file;  /**< path of the camera file */
    const char *nuclide;      /**< e.g. "Tc-99m" */
    double decays;            /**< expected decays in all */
    uint32_t batches;         /**< time slices (a multiple of the stops) */
    uint32_t views;           /**< views (2 = one stop of two heads) */
    double radius_mm;         /**< [mm] axis to face */
    double source_mm[3];      /**< [mm] point position */
    double water_diameter_mm; /**< 0: air; else a water cylinder around the axis (z) */
    double pixel_mm;          /**< 0: the camera's pixels; else square pixels of this size */
    uint32_t pixels;          /**< with pixel_mm: n_cols = n_rows */
    mist_collimator_model model;
    int forced;
} mist_spect_point_opts;

mist_status mist_spect_point_make(mist_spect_point *p, const mist_spect_point_opts *o,
                                  mist_error *err);
/* Run every batch (substream b of seed), serially; zeroes the tallies first. */
mist_status mist_spect_point_run(mist_spect_point *p, uint64_t seed, mist_error *err);
void mist_spect_point_free(mist_spect_point *p);

/* Sum of projections (window w, view v) over a region of columns [c0, c1) (all rows). */
double mist_spect_point_sum(const mist_spect_point *p, size_t id, int w, uint32_t v, uint32_t c0,
                            uint32_t c1);

/* The SPECT checks, appended to v. */
mist_status mist_validate_spect(int quick, mist_validation *v, mist_error *err);

#endif
