/*
 * filter.h - Gaussian post-filter of a reconstructed image: separable, the
 * kernel sampled at voxel centres out to 3 sigma and normalised over the taps
 * inside the image (so a uniform image stays uniform up to its edges).
 */
#ifndef MIST_RECON_FILTER_H
#define MIST_RECON_FILTER_H

#include "core/status.h"
#include "recon/projector.h"

/* Filter img (grid g) in place with an isotropic Gaussian of fwhm_mm (<= 0: nothing). */
mist_status mist_gauss_filter(const mist_img_geom *g, float *img, double fwhm_mm, mist_error *err);

/* Resolution model: img = G img with G a zero-padded isotropic Gaussian of
 * fwhm_mm (kernel normalised to 1 before truncation at 3 sigma, not
 * renormalised at the edges), so G is symmetric (G^T = G) and the PSF
 * projector A G has the back projector G A^T.  line: scratch for the
 * longest image axis. */
void mist_gauss_psf(const mist_img_geom *g, float *img, float *line, double fwhm_mm);

#endif
