/*
 * spect_sim.h - the SPECT (and planar molecular breast imaging) acquisition
 * of one batch: decays in the batch's time window -> emission -> the photons'
 * way through the phantom (Woodcock) -> the camera heads of the batch's stop
 * -> collimator (fast model or full Monte Carlo of the hole array,
 * detector/collimator.h) -> crystal (depth of interaction, Compton and
 * photoabsorption in NaI or CZT: transport/collide.h; Anger centroid of the
 * deposits) -> intrinsic and energy blur -> energy windows -> projections.
 *
 * Orbit (step and shoot): n_views views over orbit_deg (360 or 180), the
 * camera's n_heads heads spread evenly over the orbit (head h at
 * h x orbit / n_heads), so n_views / n_heads stops.  View k looks from angle
 * theta_k = k x orbit / n_views (from +x toward +y, about the z axis): its
 * face normal points from the axis toward the head along (cos, sin, 0) at
 * radius_mm, its columns run along u = (-sin, cos, 0), its rows along +z;
 * pixel (row, col) is centred at ((col - (n_cols - 1)/2) pixel,
 * (row - (n_rows - 1)/2) pixel) in (u, z).  Head h at stop s records view
 * h x n_stops + s.  Batches are time slices of the frame in order; the
 * batches of one stop (n_batches / n_stops of them, which must be whole) are
 * time slices within that view.  Planar imaging is the case n_views =
 * n_heads (one stop).
 *
 * Forced detection (forced = 1): at each emission point and at every real
 * collision in the phantom, for each head of the stop, a direction toward the
 * head is drawn from the collimator's angular acceptance
 * (mist_collimator_sample_slope) and scored with the weight
 *     (angular density of emission or of Compton / Rayleigh scattering into
 *     it, with its energy) / (sampling density) x fast-model transmission x
 *     exp(-line integral of mu through the phantom),
 * and then goes through the crystal as an analog photon.  The analog walk
 * supplies the collision points and is itself never scored.  Weighted
 * projections are kept as fixed-point integers (MIST_SPECT_FD_SCALE units
 * per count, stochastic rounding: unbiased, exact MPI sums).
 *
 * Tallies under /spect/<camera>/: projections and primary (photons that did
 * not scatter in the phantom) [n_windows, n_views, n_rows, n_cols], spectrum
 * (measured energy of every detected photon, 1 keV bins to 1023 keV) and
 * counts.
 */
#ifndef MIST_ENGINE_SPECT_SIM_H
#define MIST_ENGINE_SPECT_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "detector/collimator.h"
#include "detector/spect_camera.h"
#include "engine/acquisition.h"
#include "engine/tally.h"
#include "physics/emission.h"
#include "transport/source.h"
#include "transport/tracker.h"

#define MIST_SPECT_SPECTRUM_BINS 1024
#define MIST_SPECT_FD_SCALE 1048576.0 /**< fixed-point units per count of FD tallies (2^20) */
#define MIST_SPECT_MAX_HEADS 4
#define MIST_SPECT_NORM_NE 256 /**< energies of the FD scatter normalisation tables */

enum {
    MIST_SPECT_DECAYS = 0,
    MIST_SPECT_PHOTONS,     /**< photons emitted */
    MIST_SPECT_ON_FACE,     /**< reaching a collimator face (analog) */
    MIST_SPECT_THROUGH,     /**< through the collimator (analog) */
    MIST_SPECT_DETECTED,    /**< depositing energy in a crystal (analog) */
    MIST_SPECT_IN_MATRIX,   /**< ... inside the projection matrix (analog) */
    MIST_SPECT_FORCED,      /**< forced-detection rays scored */
    MIST_SPECT_N_COUNTERS
};
extern const char *const mist_spect_counter_names[MIST_SPECT_N_COUNTERS];

typedef enum mist_collimator_model {
    MIST_COLLIMATOR_FAST = 0, /**< transmission table (geometric + penetration) */
    MIST_COLLIMATOR_FULL = 1  /**< photons tracked through the explicit hole array */
} mist_collimator_model;

/* The acquisition's orbit and options. */
typedef struct mist_spect_orbit {
    uint32_t n_views;   /**< views over the orbit (a multiple of the camera's heads) */
    double orbit_deg;   /**< 360 or 180 */
    double radius_mm;   /**< [mm] axis to collimator face */
    mist_collimator_model model;
    int forced;         /**< forced detection */
    int contour;        /**< 1: body-contour orbit (each view as close as the body allows) */
    double clearance_mm; /**< [mm] contour: gap between the body and the collimator face */
} mist_spect_orbit;

typedef struct mist_spect_sim {
    const mist_acquisition *acq;
    const mist_spect_camera *cam;
    mist_spect_orbit orbit;
    uint32_t n_stops;
    uint64_t batches_per_stop;
    double *radius_view_mm;   /**< [n_views] axis to face of each view (contour or circular) */
    mist_collimator coll;
    mist_physics_material crystal;
    mist_physics_options options;
    mist_emitter emitter;
    int n_windows;
    mist_energy_window win[MIST_SPECT_MAX_WINDOWS];
    double source_mm[3];          /**< [mm] point source when no activity map */
    double source_density_g_cm3;
    const mist_tracker *medium;   /**< phantom grid, or NULL (air) */
    const mist_source *source;    /**< activity map, or NULL (point) */
    /* Forced detection: materials present in the medium and their scatter normalisations. */
    size_t n_used;
    int used[256];
    double *norm_c, *norm_r; /**< [n_materials][NORM_NE] 2 pi integral of the angular laws */
    size_t id_proj, id_primary, id_spectrum, id_counts;
} mist_spect_sim;

/* Set up: collimator tables, crystal tables, emitter, windows for the acquisition's nuclide;
 * declare the tallies.  Errors: a view count that is not a multiple of the heads, batches
 * that do not divide into the stops, materials missing, no window for the nuclide. */
mist_status mist_spect_sim_init(mist_spect_sim *ss, const mist_acquisition *acq,
                                const mist_spect_camera *cam, const mist_spect_orbit *orbit,
                                const mist_material_list *materials,
                                const double source_mm[3], mist_tallies *t, mist_error *err);
void mist_spect_sim_free(mist_spect_sim *ss);

/* Photons cross the grid of medium (borrowed) first; sets each view's radius (contour orbits)
 * and, for forced detection, builds the scatter normalisation tables.  Errors: the body reaches
 * beyond a view's face. */
mist_status mist_spect_sim_set_medium(mist_spect_sim *ss, const mist_tracker *medium,
                                      mist_error *err);

static inline void mist_spect_sim_set_source(mist_spect_sim *ss, const mist_source *source)
{
    ss->source = source;
}

/* Batch function for mist_engine_run (ctx: mist_spect_sim *; *work = photons emitted). */
mist_status mist_spect_sim_batch(void *ctx, uint64_t batch, mist_rng *rng, mist_tallies *t,
                                 double *work, mist_error *err);

/* Value of one projection tally element in counts (FD fixed point undone). */
static inline double mist_spect_value(const mist_spect_sim *ss, uint64_t v)
{
    return ss->orbit.forced ? (double)v / MIST_SPECT_FD_SCALE : (double)v;
}

/* Share of photons of e_keV at normal incidence on the crystal (behind the collimator) whose
 * measured energy falls in window (n photons): the photopeak efficiency. */
double mist_spect_photopeak_efficiency(const mist_spect_sim *ss, double e_keV, int window, long n,
                                       mist_rng *rng);

/* Angle [rad] of view k. */
double mist_spect_view_angle(const mist_spect_sim *ss, uint32_t view);

#endif
