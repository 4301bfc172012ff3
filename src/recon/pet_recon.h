/*
 * pet_recon.h - the PET system model for OSEM: the expected counts of
 * sinogram bin i are
 *     ybar_i = w_i n_i att_i (A x)_i + a_i
 * with A Joseph's projector along the bin's LOR (recon/pet_lor.h, x in
 * Bq/mm^3-like units on the image grid), w_i the ring pairs in the bin's
 * plane (or a given sensitivity per plane and radial bin), n_i the normalisation (LOR efficiency; 1
 * when none is given), att_i = exp(-(A mu)_i) the attenuation along the LOR from the mu-map [1/mm]
 * on the same grid, and a_i the expected randoms + scatter.
 *
 * With psf_fwhm_mm > 0 the projector is A G, G a symmetric Gaussian blur in
 * image space (recon/filter.h), and the back projector G A^T.
 *
 * With TOF (tof.n_tof > 1) A is the TOF projector (recon/projector.h): each
 * LOR has n_tof bins, the TOF axis slowest in the data.
 *
 * Subsets are interleaved views: subset s holds the views v with
 * v mod n_subsets = s.  Only bins whose LOR crosses the image are kept (the
 * others carry no information about x); of each subset's bins with counts,
 * and of those without, rank r of R keeps the r-th of R contiguous shares
 * (MPI split of the rays), those with counts first.
 *
 * Threads (OpenMP, OMP_NUM_THREADS; one when built without OpenMP): the rays of a forward
 * projection, the attenuation factors and the LOR checks of the set-up are shared out over
 * the threads, each ray computed alone, so the result does not depend on the thread count.
 * A back projection of n rays is cut into min(16, n / 8192) chunks of consecutive rays (at
 * least two, or one when n < 16384: then straight into the image), each summed into
 * its own image buffer and the buffers then added voxel by voxel in chunk order: the chunks
 * depend on n alone, so the image is bit-identical for any number of threads.  Memory: one
 * image per chunk (16 x 4 bytes per voxel at most).
 *
 * Without a PSF model the model hands OSEM a fused update (recon/osem.h): each ray is set up
 * once and projected forward, its ratio m y / (m A x + a) taken and projected back at once
 * (its voxels still in cache), with the same image as the three separate steps.
 */
#ifndef MIST_RECON_PET_RECON_H
#define MIST_RECON_PET_RECON_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "recon/osem.h"
#include "recon/pet_lor.h"
#include "recon/projector.h"

typedef struct mist_pet_recon_input {
    const mist_pet_lors *lors; /**< the sinogram's LORs */
    mist_img_geom img;         /**< image grid */
    const float *prompts;      /**< [n_tof][bins] measured counts (n_tof = 1: non-TOF) */
    const float *additive;     /**< [n_tof][bins] expected randoms + scatter, or NULL */
    const float *norm;         /**< [bins] LOR efficiencies, or NULL (all 1) */
    mist_tof tof;              /**< TOF bins and kernel (n_tof <= 1: none) */
    const float *mu_mm;        /**< [voxels] attenuation coefficients [1/mm], or NULL */
    const float *sens;         /**< [planes * radial] sensitivity per (plane, radial bin) that
                                    replaces the ring-pair count w (e.g. T x geometric
                                    efficiency, recon/pet_lor.h), or NULL */
    double psf_fwhm_mm;        /**< [mm] image-space Gaussian resolution model (0: none) */
    size_t n_subsets;
    int rank, n_ranks; /**< this rank's share of the rays */
} mist_pet_recon_input;

typedef struct mist_pet_subset {
    size_t n;         /**< LORs (non-TOF bins) */
    size_t n_data;    /**< the first n_data LORs hold the counts (y > 0 in some TOF bin) */
    uint32_t *bin;    /**< [n] sinogram bin indices (non-TOF) */
    float *y, *m, *a; /**< [n][n_tof] measured, multiplicative factor, additive (or NULL) */
} mist_pet_subset;

typedef struct mist_pet_recon {
    const mist_pet_lors *lors;
    mist_img_geom img;
    size_t n_subsets;
    mist_pet_subset *subsets; /**< [n_subsets], this rank's bins */
    double psf_fwhm_mm;       /**< [mm] resolution model: A G instead of A (0: none) */
    mist_tof tof;             /**< n_tof >= 1 */
    float *work, *line;       /**< [voxels], [longest axis]: PSF scratch */
    float *chunk_bufs;        /**< [n_chunk_bufs][voxels]: back projection per chunk of rays */
    size_t n_chunk_bufs;
} mist_pet_recon;

/* Most chunks a back projection is cut into (and image buffers the model holds for them). */
#define MIST_PET_RECON_CHUNKS 16

/* Set up the model (computes the attenuation factors of this rank's bins). */
mist_status mist_pet_recon_init(mist_pet_recon *r, const mist_pet_recon_input *in, mist_error *err);
void mist_pet_recon_free(mist_pet_recon *r);

/* The model as OSEM sees it. */
mist_osem_model mist_pet_recon_model(mist_pet_recon *r);

/* Noiseless data (for tests and checks): sino[k][i] = w_i att_i (A x)_{i,k}
 * over all bins i (and TOF bins k when tof is not NULL and has n_tof > 1),
 * att from mu_mm (NULL: none). */
void mist_pet_forward(const mist_pet_lors *lors, const mist_img_geom *g, const float *img,
                      const float *mu_mm, const mist_tof *tof, float *sino);

#endif
