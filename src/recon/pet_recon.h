/*
 * pet_recon.h - the PET system model for OSEM: the expected counts of
 * sinogram bin i are
 *     ybar_i = w_i n_i att_i (A x)_i + a_i
 * with A Joseph's projector along the bin's LOR (recon/pet_lor.h, x in
 * Bq/mm^3-like units on the image grid), w_i the ring pairs in the bin's
 * plane (or a given sensitivity per plane and radial bin), n_i the normalisation (LOR efficiency; 1 when none is given),
 * att_i = exp(-(A mu)_i) the attenuation along the LOR from the mu-map
 * [1/mm] on the same grid, and a_i the expected randoms + scatter.
 *
 * With psf_fwhm_mm > 0 the projector is A G, G a symmetric Gaussian blur in
 * image space (recon/filter.h), and the back projector G A^T.
 *
 * Subsets are interleaved views: subset s holds the views v with
 * v mod n_subsets = s.  Only bins whose LOR crosses the image are kept (the
 * others carry no information about x); of each subset's bins with counts,
 * and of those without, rank r of R keeps the r-th of R contiguous shares
 * (MPI split of the rays), those with counts first.
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
    const float *prompts;      /**< [bins] measured counts (non-TOF) */
    const float *additive;     /**< [bins] expected randoms + scatter, or NULL */
    const float *norm;         /**< [bins] LOR efficiencies, or NULL (all 1) */
    const float *mu_mm;        /**< [voxels] attenuation coefficients [1/mm], or NULL */
    const float *sens;         /**< [planes * radial] sensitivity per (plane, radial bin) that
                                    replaces the ring-pair count w (e.g. T x geometric
                                    efficiency, recon/pet_lor.h), or NULL */
    double psf_fwhm_mm;        /**< [mm] image-space Gaussian resolution model (0: none) */
    size_t n_subsets;
    int rank, n_ranks;         /**< this rank's share of the rays */
} mist_pet_recon_input;

typedef struct mist_pet_subset {
    size_t n;
    size_t n_data;        /**< the first n_data bins hold the counts (y > 0) */
    uint32_t *bin;        /**< [n] sinogram bin indices */
    float *y, *m, *a;     /**< [n] measured, multiplicative factor, additive (or NULL) */
} mist_pet_subset;

typedef struct mist_pet_recon {
    const mist_pet_lors *lors;
    mist_img_geom img;
    size_t n_subsets;
    mist_pet_subset *subsets; /**< [n_subsets], this rank's bins */
    double psf_fwhm_mm;       /**< [mm] resolution model: A G instead of A (0: none) */
    float *work, *line;       /**< [voxels], [longest axis]: PSF scratch */
} mist_pet_recon;

/* Set up the model (computes the attenuation factors of this rank's bins). */
mist_status mist_pet_recon_init(mist_pet_recon *r, const mist_pet_recon_input *in,
                                mist_error *err);
void mist_pet_recon_free(mist_pet_recon *r);

/* The model as OSEM sees it. */
mist_osem_model mist_pet_recon_model(mist_pet_recon *r);

/* Noiseless data (for tests and checks): sino[i] = w_i att_i (A x)_i over all
 * bins, att from mu_mm (NULL: none). */
void mist_pet_forward(const mist_pet_lors *lors, const mist_img_geom *g, const float *img,
                      const float *mu_mm, float *sino);

#endif
