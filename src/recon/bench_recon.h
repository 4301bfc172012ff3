/*
 * bench_recon.h - the OSEM benchmark: wall time of full iterations (all
 * subsets) of the PET model on a given sinogram geometry and image grid,
 * with every bin holding counts (the dense case: each iteration projects
 * every LOR that crosses the image forward and back; sparse data are
 * faster, as OSEM skips the bins without counts), and the memory of the
 * model and the OSEM work space.  One rank.
 */
#ifndef MIST_RECON_BENCH_RECON_H
#define MIST_RECON_BENCH_RECON_H

#include <stddef.h>

#include "core/status.h"
#include "detector/sinogram.h"
#include "recon/projector.h"

typedef struct mist_bench_recon_result {
    double s_per_iteration; /**< [s] median over the iterations run */
    double memory_MiB;      /**< model (bins, factors) + sensitivity images + work space */
    size_t bins;            /**< bins crossing the image */
    double s_single;        /**< [s] batched benchmark: the single path's iteration, alternated */
} mist_bench_recon_result;

mist_status mist_bench_recon_pet(const mist_sino_geom *g, double radius_mm, double pitch_mm,
                                 const mist_img_geom *img, size_t subsets, int iterations,
                                 mist_bench_recon_result *res, mist_error *err);

/* Batched OSEM (recon/pet_recon.h) on the same dense data: s_per_iteration is an iteration
 * of MIST_PET_BATCH images divided by their number (per image), s_single an iteration of
 * one image by the single path, the two alternated `rounds` times (the fastest of each);
 * memory_MiB the batch's own memory on top of the model. */
mist_status mist_bench_recon_pet_batched(const mist_sino_geom *g, double radius_mm,
                                         double pitch_mm, const mist_img_geom *img,
                                         size_t subsets, int rounds,
                                         mist_bench_recon_result *res, mist_error *err);

#endif
