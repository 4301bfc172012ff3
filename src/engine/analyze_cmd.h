/*
 * analyze_cmd.h - `mist analyze IN.h5 [--json]`: score every reconstructed
 * image in a result file against the phantom's known truth (analysis/roi.h)
 * and record the table in the file.
 *
 * Reads /phantom (labels, activity, lesions, lesion_pv, tissues), /acquisition
 * (injected_Bq, body_mass_kg, half_life_s, frame_start_s for SUVs; without them
 * SUVs are NAN) and every /recon/<modality>/<scanner>/image with its
 * voxel_size_mm and origin_mm.  Writes:
 *   /analysis/lesions        table, one row per (image, lesion): image, name,
 *                            diameter_mm, crc, bv, cnr, suv_max, suv_mean, suv_peak,
 *                            rc_mean, rc_max, noise, c_h/c_b/a_h/a_b_Bq_mL, n_bg_rois,
 *                            in_image (0: the lesion is not wholly inside this image, e.g.
 *                            outside a breast ring's field of view; its metrics are NAN)
 *   /analysis/lung_residual  table (image, lung_residual, slices), NEMA IEC phantoms
 *                            (tissue "iec_lung") only
 * The file is never put at risk: it is copied to IN.h5.tmp.<pid>, the copy is
 * extended (an earlier /analysis replaced), and the copy renamed over IN.h5.
 *
 * Errors: a file with no reconstructed image, no phantom activity map (a `mist
 * phantom` file) or no lesions is MIST_ERR_INPUT (exit code 2).
 */
#ifndef MIST_ENGINE_ANALYZE_CMD_H
#define MIST_ENGINE_ANALYZE_CMD_H

#include <stdio.h>

#include "core/status.h"

/* Analyse path; print the table (json = 0) or one JSON object to out. */
mist_status mist_analyze(const char *path, int json, FILE *out, mist_error *err);

#endif
