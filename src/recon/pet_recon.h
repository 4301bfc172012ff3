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

/*
 * Batched OSEM: K <= MIST_PET_BATCH reconstructions of different data y_k with one model
 * (the same m, a, subsets and sensitivity images), each image bit-identical to
 * mist_osem_run_sens of the model's fused update on its own data.  Each ray is set up and
 * walked once per subset for all K images (recon/projector.h's _lanes workers), the images
 * stored interleaved [voxel][MIST_PET_BATCH]; each image keeps its own forward sum, ratio
 * m y_k / (m (A x_k) + a) and back projection.
 *
 * Image k walks, in subset s, the rays order_k[0 .. n_k) (indices into the subset's arrays as
 * the model holds them: bin, m, a), in that order, as the single path walks its first n_data
 * rays; its back projection is cut into the same chunks of its own n_k rays (see above), so
 * its float sums are those of the single path.  The K orders are merged into one walk, each
 * ray once where the orders agree (a ray can be walked more than once where they do not,
 * e.g. when image k's order puts it elsewhere); a ray that image k does not walk adds +-0 to
 * its image, which changes no float.  A thread takes one chunk index c and walks the stretch
 * of the merged walk that holds every image's chunk c (neighbouring stretches overlap by the
 * rays where the images' chunk edges differ), so the result is again the same for any
 * thread count.
 *
 * Supported: the fused update's model (no PSF, non-TOF) on one MPI rank;
 * mist_pet_batch_supported says so, and otherwise use mist_osem_run_sens per image.
 * Memory, on top of the model: MIST_PET_RECON_CHUNKS (at most) chunk buffers of
 * MIST_PET_BATCH images (16 x 8 x 4 = 512 bytes per voxel), two interleaved images (64 bytes
 * per voxel), and per ray of the model 4 x MIST_PET_BATCH bytes of counts plus 4 bytes, and
 * 20 bytes per entry of the merged walks (the walk and the copy a merge rebuilds it in): for
 * the default study (0.93 M voxels, 15.2 M rays) 0.48 GB of chunk buffers and about 1.3 GB in
 * all (`mist bench`, recon.osem_batched).  K is the
 * compile-time MIST_PET_BATCH (= MIST_JOSEPH_LANES, 8; up to 16): 16 would double the buffers
 * and the counts (2.3 GB).
 *
 * Speed (`mist bench` recon.osem_batched, dense default-study data, 2 threads): 1.61 s per
 * image and iteration batched against 5.54 s single on a quiet machine (load 1-2), 3.4 x;
 * 5.1 s against 12.3 s at load 6-7, 2.4 x.  The gain needs the
 * images to walk much the same rays in much the same order: mist observe walks each
 * realisation's LORs with counts in the model's own order, and reconstructs singly where a
 * batch would not gain (mist_pet_batch_gain).
 */
#define MIST_PET_BATCH MIST_JOSEPH_LANES

typedef struct mist_pet_walk {
    size_t n, cap;        /**< entries of the merged walk, allocated */
    uint32_t *ray;        /**< [n] ray (index into the subset's arrays) */
    uint16_t *lanes;      /**< [n] bit k: image k walks this entry */
    uint32_t *next;       /**< [n] next entry of the same ray (UINT32_MAX: none) */
    uint32_t *first;      /**< [subset rays] first entry of each ray */
    float *y;             /**< [subset rays][MIST_PET_BATCH] counts of each image */
    uint32_t *ray2;       /**< [cap] the walk being rebuilt by a merge */
    uint16_t *lanes2;     /**< [cap] */
    uint32_t *newpos;     /**< [newpos_cap] where a merge moved each old entry */
    size_t newpos_cap;
    int first_valid;      /**< first/next describe the walk (after the first image) */
    size_t n_img;         /**< images added so far */
    size_t rays;          /**< their rays, summed over the images */
    size_t n_chunks[MIST_PET_BATCH];
    uint32_t lo[MIST_PET_BATCH][MIST_PET_RECON_CHUNKS]; /**< entries [lo, hi): chunk c */
    uint32_t hi[MIST_PET_BATCH][MIST_PET_RECON_CHUNKS]; /**< of image k */
} mist_pet_walk;

typedef struct mist_pet_batch {
    mist_pet_recon *r;
    mist_pet_walk *walks; /**< [n_subsets] */
    float *bufs;          /**< [chunks][voxels][MIST_PET_BATCH] */
    size_t n_bufs;
    float *img, *bp;      /**< [voxels][MIST_PET_BATCH] */
} mist_pet_batch;

/* 1 if the model can be reconstructed batched (no PSF, non-TOF), else 0. */
int mist_pet_batch_supported(const mist_pet_recon *r);
mist_status mist_pet_batch_init(mist_pet_batch *b, mist_pet_recon *r, mist_error *err);
void mist_pet_batch_free(mist_pet_batch *b);
/* Image k's data in subset s: y[subset rays] (its counts on every ray of the subset), the
 * rays it walks order[0 .. n).  Images are added in order k = 0, 1, ... in each subset;
 * k = 0 starts a new batch. */
mist_status mist_pet_batch_add(mist_pet_batch *b, size_t k, size_t s, const float *y,
                               const uint32_t *order, size_t n, mist_error *err);
/* What a walk entry of the batch costs in single-path ray walks (`mist bench`'s
 * recon.osem_batched, 2 threads, 8 images: 1.61 s per image and iteration against 5.54 s
 * single on a quiet machine, so 8 x 1.61 / 5.54; 3.3 at load 6-7, 5.1 s against 12.3 s). */
#define MIST_PET_BATCH_ENTRY_COST 2.3
/* The batch's expected speed-up over reconstructing its images singly: the images' rays
 * over the merged walks' entries times MIST_PET_BATCH_ENTRY_COST.  Dense data whose images
 * walk their rays in much the same order gain about K / 2.3; sparse data, whose images share
 * few rays, lose (below 1: reconstruct them singly). */
double mist_pet_batch_gain(const mist_pet_batch *b);
/* Run `iterations` of OSEM on the n_img images added (each subset must hold them all):
 * img[n_img][voxels], the start images in, the results out. */
mist_status mist_pet_batch_osem(mist_pet_batch *b, const float *sens, int iterations,
                                size_t n_img, float *img, mist_error *err);

/* Noiseless data (for tests and checks): sino[k][i] = w_i att_i (A x)_{i,k}
 * over all bins i (and TOF bins k when tof is not NULL and has n_tof > 1),
 * att from mu_mm (NULL: none). */
void mist_pet_forward(const mist_pet_lors *lors, const mist_img_geom *g, const float *img,
                      const float *mu_mm, const mist_tof *tof, float *sino);

#endif
