/*
 * coinc.h - PET coincidence sorting of the singles of one batch, in time order.
 *
 * A batch's singles (detected photons: time, crystal, energy and their truth)
 * go through, in this order:
 *   1. time sorting;
 *   2. dead time per block (each block is one counting channel): a single
 *      arriving less than dead_time_s after the block's last *accepted*
 *      single is lost (non-paralysable), or after the block's last single of
 *      any kind, which then restarts the dead period (paralysable);
 *   3. the energy window [e_lo, e_hi];
 *   4. prompt and 5. delayed coincidences, by one of two multiples policies:
 *    - all pairs (default): every pair of accepted singles less than
 *      window_s apart is a prompt coincidence, every pair delay_s to
 *      delay_s + window_s apart a delayed one.  A window holding three singles
 *      gives three coincidences.  The delayed count is then an unbiased
 *      estimate of the prompt randoms at any count rate: both count the pairs
 *      of uncorrelated singles in a window of the same width.
 *    - kill all multiples: a single not yet used opens a window of window_s;
 *      exactly one other single in it makes a coincidence, more (a multiple)
 *      are all discarded, and sorting resumes after the window.  The delayed
 *      channel follows the same rules against the stream delayed by delay_s.
 *      Hardware-like, but the delayed estimate is then biased: a random whose
 *      opener's own partner is also detected is a multiple among the prompts
 *      and a coincidence among the delayed (Oliver & Rafecas, IEEE TNS 2016,
 *      "Modelling random coincidences in PET").
 * Truth class of a prompt: true (same decay, both annihilation photons of
 * it, neither scattered), phantom scatter (same decay, a photon scattered in
 * the phantom), detector scatter (same decay, unscattered in the phantom but
 * positioned away from its first crystal by inter-crystal scatter), random
 * (different decays, or a prompt-gamma / delayed-gamma pairing).
 *
 * Coincidences across batch boundaries are not formed: a batch's window is
 * milliseconds or longer against a ns coincidence window, so the loss is of
 * order window / batch window (stated in the result's attributes).
 * Everything here works in caller-provided buffers; nothing is allocated.
 */
#ifndef MIST_DETECTOR_COINC_H
#define MIST_DETECTOR_COINC_H

#include <stddef.h>
#include <stdint.h>

/* Truth flags of a single. */
enum {
    MIST_SINGLE_PHANTOM_SCATTER = 1u << 0, /**< its photon scattered in the phantom */
    MIST_SINGLE_DETECTOR_SCATTER = 1u << 1, /**< positioned away from its first crystal */
    MIST_SINGLE_NOT_ANNIHILATION = 1u << 2  /**< a prompt or delayed gamma, not a 511 keV photon */
};

typedef struct mist_single {
    double time_s;     /**< [s] detection time within the acquisition */
    uint64_t event;    /**< decay that produced it (unique within the run) */
    uint32_t crystal;  /**< global crystal id: ring * crystals_per_ring + index */
    float energy_keV;  /**< [keV] measured (blurred) energy */
    uint8_t flags;     /**< MIST_SINGLE_* truth flags */
    uint8_t lost;      /**< set by the sorter: 1 dead time, 2 energy window */
} mist_single;

typedef enum mist_coinc_class {
    MIST_COINC_TRUE = 0,
    MIST_COINC_PHANTOM_SCATTER = 1,
    MIST_COINC_DETECTOR_SCATTER = 2,
    MIST_COINC_RANDOM = 3,
    MIST_COINC_N_CLASSES = 4
} mist_coinc_class;

typedef struct mist_coinc {
    uint32_t crystal[2]; /**< the two crystals, in time order */
    double dt_s;         /**< [s] time of the second minus the first (for TOF) */
    uint8_t cls;         /**< mist_coinc_class (prompts); unused for delayed */
} mist_coinc;

typedef enum mist_multiples_policy {
    MIST_MULTIPLES_ALL_PAIRS = 0,
    MIST_MULTIPLES_KILL_ALL = 1
} mist_multiples_policy;

typedef enum mist_dead_time_model {
    MIST_DEAD_NONPARALYSABLE = 0,
    MIST_DEAD_PARALYSABLE = 1
} mist_dead_time_model;

typedef struct mist_coinc_params {
    double window_s;        /**< [s] coincidence window */
    double delay_s;         /**< [s] offset of the delayed window */
    double e_lo_keV, e_hi_keV; /**< energy window */
    double dead_time_s;     /**< [s] per block; 0 = none */
    mist_dead_time_model dead_time_model;
    mist_multiples_policy multiples;
    /* Block of crystal c = ring * crystals_per_ring + i:
     * (ring / block_axial) * blocks_per_ring + i / block_transaxial. */
    uint32_t crystals_per_ring, block_transaxial, block_axial, blocks_per_ring;
    uint32_t n_blocks; /**< blocks_per_ring * block rings: size of the dead-time work space */
} mist_coinc_params;

typedef struct mist_coinc_counts {
    uint64_t singles_in;       /**< singles offered */
    uint64_t lost_dead_time;   /**< singles lost to dead time */
    uint64_t lost_energy;      /**< singles outside the energy window */
    uint64_t singles;          /**< singles accepted */
    uint64_t prompts;          /**< prompt coincidences */
    uint64_t by_class[MIST_COINC_N_CLASSES];
    uint64_t multiples;        /**< prompt windows with 3 or more singles */
    uint64_t delayed;          /**< delayed coincidences */
} mist_coinc_counts;

/* Receives each coincidence as it is formed (delayed = 1 for the delayed channel). */
typedef void (*mist_coinc_sink)(void *ctx, const mist_coinc *c, int delayed);

/* Sort the n singles of one batch (reordered in place by time) into prompt and
 * delayed coincidences, handed to sink.  block_busy_until must hold n_blocks
 * doubles (work space).  *counts is accumulated (not cleared). */
void mist_coinc_sort(const mist_coinc_params *p, mist_single *singles, size_t n,
                     double *block_busy_until, mist_coinc_sink sink, void *sink_ctx,
                     mist_coinc_counts *counts);

/* The same with a work space of mist_coinc_work_bytes(n) bytes (or NULL), with which the
 * time sort is a radix sort instead of qsort (same order; several times faster). */
void mist_coinc_sort_work(const mist_coinc_params *p, mist_single *singles, size_t n,
                          double *block_busy_until, void *work, mist_coinc_sink sink,
                          void *sink_ctx, mist_coinc_counts *counts);
size_t mist_coinc_work_bytes(size_t n);

#endif
