/*
 * study.h - the study: everything one mist run needs to know, parsed from a
 * YAML study file (plus --set overrides) and validated once into an immutable
 * struct.  File references (phantom, tracer probe, scanner) are resolved
 * relative to the study file and checked to be readable.  Every problem is
 * reported as "file:line:column: key.path: what was expected" with
 * MIST_ERR_INPUT.  Units are in the key names (diameter_mm, injected_MBq).
 */
#ifndef MIST_IO_STUDY_H
#define MIST_IO_STUDY_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

#define MIST_NAME_MAX 64

typedef struct mist_lesion {
    char name[MIST_NAME_MAX];   /**< label used in analysis tables */
    char tissue[MIST_NAME_MAX]; /**< tissue class, e.g. tumor_her2_pos, node_met */
    double center_mm[3];        /**< [mm] x, y, z in phantom coordinates */
    double diameter_mm;         /**< [mm] sphere diameter */
    char where[160];            /**< "file:line:column" of its entry, for later messages */
} mist_lesion;

typedef enum mist_recon_algorithm { MIST_RECON_OSEM = 0, MIST_RECON_MLEM = 1 } mist_recon_algorithm;

typedef struct mist_study {
    char *source;     /**< study file path, or "<built-in default study>" */
    char *study_yaml; /**< full study text, with the --set overrides appended as comments */
    char name[128];
    uint64_t seed; /**< RNG seed: same study + seed = same tallies */

    char *phantom_path; /**< resolved path of the phantom definition */
    char **phantom_sets; /**< overrides of the phantom file ("a.b=v", as --set), or NULL */
    size_t n_phantom_sets;
    mist_lesion *lesions;
    size_t n_lesions;

    struct {
        char *probe_path;     /**< resolved path of the probe (tracer) file */
        double injected_MBq;  /**< [MBq] injected activity */
        double uptake_time_h; /**< [h] frame start after injection */
    } tracer;

    char *scanner_path; /**< resolved path of the scanner definition */
    /* Where the scanner sits on the phantom: its axis along phantom axis
     * scanner_axis (0 x, 1 y, 2 z) through scanner_center_mm, the centre of its
     * axial field of view (a dedicated breast ring around the pendant breast:
     * axis y).  Default: axis z through the phantom origin. */
    int scanner_axis;
    double scanner_center_mm[3];

    struct {
        double duration_s;         /**< [s] frame duration */
        double simulated_fraction; /**< share of the frame's decays simulated, (0, 1] */
        long batches;              /**< number of time-slice batches (RNG substreams) */
        double time_bin_s;         /**< [s] width of the decay-time histogram bins */
        double checkpoint_s;       /**< [s] minimum time between checkpoints (0: every epoch) */
        int listmode;              /**< 1: write /pet/<scanner>/listmode (engine/listmode.h) */
        /* acquisition.component: the part of the activity that emits ("all", "tissue:NAME",
         * "background:NAME", "lesion:NAME", "unit:NAME" = tissue:NAME at 1 Bq/mL;
         * transport/source.h), the phantom unchanged;
         * acquisition.activity_scale multiplies that part's activity (default 1). */
        char component[MIST_NAME_MAX + 16];
        double activity_scale;
        struct {                   /**< acquisition.spect: SPECT / planar cameras only */
            long views;            /**< views over the orbit (default 64; planar: the heads) */
            double orbit_deg;      /**< [deg] 360 or 180 */
            double radius_mm;      /**< [mm] axis to collimator face (0: the camera's default) */
            int collimator_model;  /**< 0 fast (table), 1 full (hole array) */
            int forced_detection;  /**< 1: forced detection (weighted projections) */
            int interfile;         /**< 1: also Interfile 3.3 projections beside the result */
            int contour;           /**< 1: body-contour orbit */
            double clearance_mm;   /**< [mm] contour orbit: body to collimator face */
        } spect;
    } acquisition;

    struct {
        mist_recon_algorithm algorithm;
        long iterations, subsets;
        double voxel_mm; /**< [mm] reconstructed voxel size */
        double postfilter_fwhm_mm; /**< [mm] Gaussian post-filter (0: none) */
        double psf_fwhm_mm;        /**< [mm] image-space resolution model in the projector (0: none) */
        int attenuation;           /**< 1: attenuation correction from /phantom/mu_511 */
        int tof;                   /**< 1: TOF kernel when the data have TOF bins (else summed) */
        int randoms_delayed;       /**< 1: randoms estimate = delayed-window sinogram */
        int scatter_truth;         /**< 1: scatter estimate = the simulation's scatter truth */
        double calibration;        /**< image factor of the scanner (1: none; from
                                        scripts/calibrate_pet.sh for block scanners) */
    } recon;

    struct {
        long realizations; /**< noise realisations for observer studies */
        double lesion_oversample; /**< mist observe: the lesion-only simulation's decays over
                                       the realisations' lesion decays (default 20) */
        int background_model; /**< mist observe: 1 (background: model, the default): the
                                   lesion-free expected data from the recon's forward model
                                   of the known activity, scaled to the simulated trues, plus
                                   smoothed scatter and randoms; 0 (simulation): the simulated
                                   data themselves (engine/observe_cmd.h) */
    } analysis;
} mist_study;

/* Load a study from a file, apply overrides ("a.b=v", n_sets of them), validate.
 * path == NULL loads the built-in default study (scripts/studies/default.yaml,
 * compiled in), whose file references resolve against the mist source tree. */
mist_status mist_study_load(const char *path, const char *const *sets, size_t n_sets,
                            mist_study **out, mist_error *err);

void mist_study_free(mist_study *study);

/* Read and validate the optional `recon` mapping of a study document's root
 * into s->recon (defaults where absent); `mist recon` uses it on the study
 * text stored in a result file. */
struct mist_yaml_node;
mist_status mist_study_read_recon(struct mist_yaml_node *root, mist_study *s, mist_error *err);

/* The compiled-in default study text and the directory its references resolve against
 * (<data dir>/scripts/studies). */
const char *mist_study_default_text(void);
const char *mist_study_default_dir(char *buf, size_t size);

/* Path of a file of mist's data tree (geometry/, phantoms/, scripts/studies/): the
 * environment's $MIST_DATA_DIR if set, else the source tree mist was built from.
 * Writes "<dir>/<rel>" into buf and returns buf. */
const char *mist_data_path(char *buf, size_t size, const char *rel);

#endif
