/*
 * roi.h - regions of interest and the lesion contrast metrics scored against
 * the phantom's known truth (NEMA NU 2 image-quality style).
 *
 * Geometry.  A grid is n[3] voxels (x fastest, z slowest: index (k*ny + j)*nx + i)
 * of voxel_mm[3] with voxel (0,0,0) centred at origin_mm.  An ROI is a list of
 * voxels with weights in (0, 1]: the fraction of the voxel's volume (sphere) or
 * of the pixel's area (disk in one transverse slice) that lies inside the
 * shape.  Voxels wholly inside weigh 1 exactly; voxels the surface crosses are
 * weighed by sub-sampling (MIST_ROI_SUBSAMPLE per axis).  ROI means are
 * weighted means, sum(w x) / sum(w).
 *
 * Truth.  From the phantom: its labels, the true activity concentration per
 * voxel [Bq/mL] and, per lesion, its centre, sphere-equivalent diameter and
 * true concentration a_H (see mist_roi_truth_build).
 *
 * Per lesion, on an image [Bq/mL] (any grid covering the lesion):
 *   C_H   weighted mean in the lesion's sphere (its diameter, its centre);
 *   background ROIs: disks of the lesion's diameter in the transverse slices at
 *         the lesion's z and z +- 10 mm, z +- 20 mm (NEMA NU 2's slices), up to
 *         12 per slice (60 in all, as NEMA), centred on rings around the
 *         lesion's axis from the nearest outwards.  A disk is accepted where
 *         every phantom voxel it touches (in the phantom slice at its z) holds
 *         a "background" tissue of this lesion, no lesion's partial volume, lies
 *         in both grids, does not overlap an accepted disk, and its centre is
 *         at least r_lesion + margin_mm + r_disk from every lesion's centre.
 *         A lesion's background tissues are those that fill >= 10 % of the
 *         shell up to 5 mm outside it (in the NEMA IEC phantom: the background
 *         water; in the breast: the adipose and glandular tissue around it;
 *         for a node: the axillary fat) - the placement this uses where no
 *         NEMA body is present.
 *   C_B   mean of the background ROIs' means; SD_B their SD (K - 1);
 *   a_B   the true concentration averaged over the same ROIs on the phantom;
 *   CRC   (C_H / C_B - 1) / (a_H / a_B - 1)  (a cold lesion, a_H = 0: 1 - C_H/C_B);
 *   BV    SD_B / C_B  (NEMA's background variability, of ROI means);
 *   CNR   (C_H - C_B) / SD_B (an SD_B below 1e-6 C_B, float32 rounding, counts as 0:
 *         a noiseless image has BV 0 and an infinite CNR);
 *   noise the voxel SD in the background ROIs / C_B (weighted, about C_B);
 *   RC    C_H / a_H (mean) and max / a_H (max): recovery coefficients;
 *   SUV   concentration x body mass / decay-corrected injected activity:
 *         max (voxels whose centre is in the sphere), mean (C_H), peak (the
 *         highest mean of a 1 mL sphere centred on a voxel in the lesion).
 */
#ifndef MIST_ANALYSIS_ROI_H
#define MIST_ANALYSIS_ROI_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

#define MIST_ROI_SUBSAMPLE 10 /**< sub-samples per axis in voxels the surface crosses */
#define MIST_ROI_NAME_MAX 64
#define MIST_ROI_SLICES 5 /**< background slices: 0, +-10, +-20 mm */
/** Radius of a 1 mL sphere [mm]: (3 / (4 pi))^(1/3) cm. */
#define MIST_ROI_PEAK_ML_RADIUS_MM 6.2035049089940

typedef struct mist_roi_grid {
    size_t n[3];         /**< voxels along x, y, z */
    double voxel_mm[3];  /**< [mm] */
    double origin_mm[3]; /**< [mm] centre of voxel (0,0,0) */
} mist_roi_grid;

typedef struct mist_roi {
    size_t n, cap;
    size_t *voxel; /**< linear index */
    double *w;     /**< fraction inside, (0, 1] */
    double sum_w;
} mist_roi;

void mist_roi_free(mist_roi *roi);

/* Sphere of radius_mm at c_mm; the ROI is cleared first.  Voxels outside the grid are
 * left out (*clipped, if not NULL, is set to 1 when any were). */
mist_status mist_roi_sphere(const mist_roi_grid *g, const double c_mm[3], double radius_mm,
                            mist_roi *roi, int *clipped, mist_error *err);

/* Disk of radius_mm centred at c_mm in the transverse slice nearest c_mm[2]. */
mist_status mist_roi_disk(const mist_roi_grid *g, const double c_mm[3], double radius_mm,
                          mist_roi *roi, int *clipped, mist_error *err);

/* 1 when the sphere lies wholly inside the grid (its bounding box within the voxels). */
int mist_roi_sphere_inside(const mist_roi_grid *g, const double c_mm[3], double radius_mm);

/* Weighted mean of img over the ROI (NAN for an empty ROI). */
double mist_roi_mean(const mist_roi *roi, const float *img);

typedef struct mist_roi_lesion {
    char name[MIST_ROI_NAME_MAX];
    double center_mm[3];
    double diameter_mm;
    double conc_Bq_mL;       /**< true concentration a_H */
    uint8_t background[256]; /**< 1 for the labels that are its background */
} mist_roi_lesion;

typedef struct mist_roi_truth {
    mist_roi_grid grid;   /**< the phantom's grid */
    uint8_t *labels;      /**< [nz][ny][nx] */
    float *conc_Bq_mL;    /**< true concentration per voxel */
    uint8_t *lesion_mask; /**< 1 where a lesion fills part of the voxel */
    mist_roi_lesion *lesions;
    size_t n_lesions;
} mist_roi_truth;

/* Phantom lesion as written in /phantom/lesions and /phantom/lesion_pv. */
typedef struct mist_roi_lesion_in {
    const char *name;
    double center_mm[3];
    double diameter_mm;
    uint8_t label;
    size_t pv_offset, pv_count;
} mist_roi_lesion_in;

/* Build the truth from a phantom: labels [count], activity [Bq per voxel, count], the
 * lesions and their partial volumes (pv_voxel, pv_fraction, pv_under [n_pv]).  The
 * truth takes copies; free it with mist_roi_truth_free.  A lesion's concentration
 * is solved from its partial-volume voxels (activity = (f a_H + (1 - f) a_under) V),
 * each tissue's from its voxels that no lesion touches. */
mist_status mist_roi_truth_build(const mist_roi_grid *g, const uint8_t *labels,
                                 const float *activity_Bq, const mist_roi_lesion_in *lesions,
                                 size_t n_lesions, const uint64_t *pv_voxel,
                                 const float *pv_fraction, const uint8_t *pv_under, size_t n_pv,
                                 mist_roi_truth *truth, mist_error *err);
void mist_roi_truth_free(mist_roi_truth *truth);

typedef struct mist_roi_opts {
    double margin_mm;     /**< gap between background ROIs and any lesion [mm] (10) */
    int rois_per_slice;   /**< background ROIs per slice (12) */
    double suv_per_Bq_mL; /**< SUV per Bq/mL (body g / injected Bq at the image time); 0: no SUV */
} mist_roi_opts;

mist_roi_opts mist_roi_opts_default(void);

typedef struct mist_roi_metrics {
    double a_h, a_b;       /**< [Bq/mL] true lesion and background concentrations */
    double c_h, c_b, sd_b; /**< [Bq/mL] image: lesion mean, background mean and SD */
    double max;            /**< [Bq/mL] image maximum in the lesion */
    double peak;           /**< [Bq/mL] highest 1 mL sphere mean */
    double crc, bv, cnr, noise;
    double rc_mean, rc_max;
    double suv_max, suv_mean, suv_peak; /**< NAN without an SUV scale */
    size_t n_bg_rois;
    double bg_roi_neff; /**< effective voxels per background ROI, (sum w)^2 / sum w^2 */
} mist_roi_metrics;

/* Metrics of lesion `l` of the truth on img (grid ig).  Quantities that cannot be
 * formed (no background ROI found, a_H = a_B) are NAN; errors only for no memory or
 * a lesion outside the image. */
mist_status mist_roi_lesion_metrics(const float *img, const mist_roi_grid *ig,
                                    const mist_roi_truth *truth, size_t l,
                                    const mist_roi_opts *opts, mist_roi_metrics *m,
                                    mist_error *err);

/* NEMA NU 2 lung residual: in every image slice where a 30 mm disk centred on the
 * label's centroid (in that slice) lies wholly in `label`, the disk's mean over c_b;
 * the average over those slices.  *n_slices = 0 (and NAN) when there are none. */
mist_status mist_roi_lung_residual(const float *img, const mist_roi_grid *ig,
                                   const mist_roi_truth *truth, uint8_t label, double c_b,
                                   double *residual, size_t *n_slices, mist_error *err);

#endif
