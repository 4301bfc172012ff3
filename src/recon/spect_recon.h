/*
 * spect_recon.h - the SPECT system model for OSEM (recon/osem.h): the
 * expected counts of pixel i of view k in the photopeak window are
 *     ybar_{k,i} = m_k (A_k x)_i + s_{k,i}
 * with A_k the projector of recon/spect_proj.h (attenuation and the
 * depth-dependent collimator-detector response), m_k the view's sensitivity
 * (counts per unit of x seen by a perfect collimator: efficiency x time x
 * yield x voxel volume, so that x comes out in the caller's unit), and s the
 * additive scatter estimate (e.g. triple energy window), or none.
 *
 * Subsets are interleaved views: subset s holds the views k with
 * k mod n_subsets = s.  Under MPI rank r of R takes the subset's views whose
 * index within the subset is r mod R; OSEM sums the back projections over
 * the ranks, so the image is the same for any rank count up to float
 * summation order.
 */
#ifndef MIST_RECON_SPECT_RECON_H
#define MIST_RECON_SPECT_RECON_H

#include <stddef.h>

#include "core/status.h"
#include "recon/osem.h"
#include "recon/spect_proj.h"

typedef struct mist_spect_recon_input {
    const mist_spect_proj *proj;
    const float *counts;   /**< [n_views][n_rows][n_cols] photopeak counts */
    const float *additive; /**< same shape: scatter estimate, or NULL */
    const double *sens;    /**< [n_views] m_k */
    size_t n_subsets;
    int rank, n_ranks;
} mist_spect_recon_input;

typedef struct mist_spect_subset {
    size_t n_views; /**< this rank's views in the subset */
    size_t *view;   /**< [n_views] */
    float *y, *m, *a; /**< [n_views][pixels]; a NULL when no additive term */
} mist_spect_subset;

typedef struct mist_spect_recon {
    const mist_spect_proj *proj;
    size_t n_subsets;
    mist_spect_subset *subsets;
} mist_spect_recon;

mist_status mist_spect_recon_init(mist_spect_recon *r, const mist_spect_recon_input *in,
                                  mist_error *err);
void mist_spect_recon_free(mist_spect_recon *r);

/* The model as OSEM sees it. */
mist_osem_model mist_spect_recon_model(mist_spect_recon *r);

/* Noiseless data: out[k][i] = sens[k] (A_k img)_i for all views (sens NULL: 1). */
void mist_spect_forward(const mist_spect_proj *p, const float *img, const double *sens,
                        float *out);

#endif
