/*
 * pet_sim.h - the PET acquisition of one batch: decays in the batch's time
 * window -> emission (annihilation pair, prompt and delayed gammas) -> the
 * photons' way to the scanner -> singles (crystal, time, energy, truth) ->
 * coincidence sorting -> sinograms (prompts, trues, phantom scatters,
 * detector scatters, delayed; with a TOF axis when the scanner has TOF bins,
 * detector/sinogram.h) and counters.  The randoms sinogram is derived from
 * them when written (mist_pet_sim_randoms).  The sinograms are sparse tallies
 * (engine/tally.h): a rank holds only their bins with counts.
 *
 * Built so far: point sources, in air or inside a voxel grid through which
 * the photons are tracked (Woodcock, with Compton and Rayleigh scatter and
 * photoabsorption: transport/); detectors: the ideal ring (thin, perfectly
 * efficient) and block scanners with crystal physics (detector/pet_blocks.h).
 * Decays come from a point or from a phantom's activity map (transport/source.h).
 * The spectrum of all singles offered to the sorter (measured energy, 1 keV
 * bins from 0 to 2047 keV) is kept as /pet/<scanner>/singles_spectrum, and the
 * singles offered to and accepted by each block (dead-time channel) as
 * /pet/<scanner>/block_singles [2][blocks] (for randoms and dead time modelled from
 * singles: engine/basis.h).
 *
 * With a list-mode buffer (engine/listmode.h) every prompt and delayed
 * coincidence is also kept as a record.
 *
 * Set-up (mist_pet_sim_init) declares the tallies and allocates the batch
 * work space once; a batch allocates nothing unless its singles outgrow the
 * work space or a sinogram's table of bins fills up (both grown geometrically, rare).
 */
#ifndef MIST_ENGINE_PET_SIM_H
#define MIST_ENGINE_PET_SIM_H

#define MIST_PET_SPECTRUM_BINS 2048 /**< 1 keV bins of the singles spectrum */

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "detector/coinc.h"
#include "detector/pet_blocks.h"
#include "detector/pet_scanner.h"
#include "detector/sinogram.h"
#include "engine/acquisition.h"
#include "engine/listmode.h"
#include "engine/tally.h"
#include "physics/emission.h"
#include "transport/source.h"
#include "transport/tracker.h"

/* Counters kept per run (a tally array, summed over ranks). */
enum {
    MIST_PET_DECAYS = 0,
    MIST_PET_PHOTONS_ON_RING,
    MIST_PET_SINGLES_IN,
    MIST_PET_LOST_DEAD_TIME,
    MIST_PET_LOST_ENERGY,
    MIST_PET_SINGLES,
    MIST_PET_PROMPTS,
    MIST_PET_TRUES,
    MIST_PET_SCATTERS,
    MIST_PET_DETECTOR_SCATTERS,
    MIST_PET_RANDOMS,
    MIST_PET_MULTIPLES,
    MIST_PET_DELAYED,
    MIST_PET_OUTSIDE_SINOGRAM, /**< prompts whose LOR falls outside the sinogram */
    MIST_PET_N_COUNTERS
};

/* Names of the counters, in order (for the result's attributes). */
extern const char *const mist_pet_counter_names[MIST_PET_N_COUNTERS];

typedef struct mist_pet_sim {
    const mist_acquisition *acq;
    const mist_pet_scanner *scanner;
    mist_emitter emitter;
    mist_pet_blocks blocks;   /**< crystal physics (block scanners) */
    mist_sino_geom sino;
    mist_coinc_params coinc;
    double source_mm[3];      /**< [mm] point source position */
    double source_density_g_cm3; /**< density around the source, for the positron range */
    const mist_tracker *medium;  /**< grid the photons cross first, or NULL (air) */
    const mist_source *source;   /**< activity map to sample decays from, or NULL (point) */
    mist_listmode *listmode;     /**< list-mode records of this rank, or NULL (none) */
    double time_sigma_s;      /**< [s] single-photon time resolution (sigma) */
    int pose_axis;            /**< phantom axis along the scanner axis (0 x, 1 y, 2 z) */
    double pose_center_mm[3]; /**< [mm] phantom point at the scanner's centre */
    /* work space (per rank) */
    mist_single *singles;
    void *sort_work;          /**< the sorter's work space for cap singles */
    size_t cap;
    double *busy;
    /* tally ids */
    size_t id_prompts, id_trues, id_scatters, id_det_scatters, id_delayed, id_counts;
    size_t id_spectrum;
    size_t id_block_singles; /**< [2][n_blocks]: singles offered to, accepted by each block */
} mist_pet_sim;

/* Declare the PET tallies under /pet/<scanner name>/ and allocate work space
 * for about expected_decays_per_batch decays.  materials (for the crystals of
 * block scanners) may be NULL for an ideal ring. */
mist_status mist_pet_sim_init(mist_pet_sim *ps, const mist_acquisition *acq,
                              const mist_pet_scanner *scanner, const mist_material_list *materials,
                              const mist_emission_options *opt,
                              const double source_mm[3], double source_density_g_cm3,
                              double expected_decays_per_batch,
                              mist_tallies *t, mist_error *err);
void mist_pet_sim_free(mist_pet_sim *ps);

/* Photons cross the grid of `medium` (borrowed; NULL for none) before the scanner. */
static inline void mist_pet_sim_set_medium(mist_pet_sim *ps, const mist_tracker *medium)
{
    ps->medium = medium;
}

/* Where the scanner sits on the phantom (io/study.h scanner_pose): photons leaving the
 * phantom are carried into the scanner's frame, x_s = R (x - center), with R the rotation
 * taking phantom axis `axis` to the scanner's z: z -> identity; y -> (x, -z, y);
 * x -> (y, z, x). */
static inline void mist_pet_sim_set_pose(mist_pet_sim *ps, int axis, const double center_mm[3])
{
    ps->pose_axis = axis;
    for (int i = 0; i < 3; i++)
        ps->pose_center_mm[i] = center_mm[i];
}

/* Decays come from an activity map (borrowed) instead of the point source. */
static inline void mist_pet_sim_set_source(mist_pet_sim *ps, const mist_source *source)
{
    ps->source = source;
}

/* Record every coincidence in `lm` (borrowed, this rank's; NULL for none). */
static inline void mist_pet_sim_set_listmode(mist_pet_sim *ps, mist_listmode *lm)
{
    ps->listmode = lm;
}

/* The randoms sinogram, which has no tally of its own: prompts - trues - scatters -
 * detector scatters, exactly (integers), as its non-zero bins, (index, count) pairs in
 * increasing index order (*pairs malloc'd, the caller frees it; *n pairs).  For the writer. */
mist_status mist_pet_sim_randoms(const mist_pet_sim *ps, const mist_tallies *t, uint64_t **pairs,
                                 size_t *n, mist_error *err);

/* Batch function for mist_engine_run: ctx is a mist_pet_sim * (its work space
 * is per rank). */
mist_status mist_pet_sim_batch(void *ctx, uint64_t batch, mist_rng *rng, mist_tallies *t,
                               double *work, mist_error *err);

#endif
