/*
 * collide.h - a photon's real collision in a material, for any medium: the
 * voxel trackers and the detector crystals share it.  Photoabsorption ends the
 * photon and deposits its energy; Compton scattering deposits the electron's
 * energy and turns the photon (Klein-Nishina x S(q) or plain Klein-Nishina);
 * Rayleigh turns it (form factor); below the cut-off the photon is absorbed.
 */
#ifndef MIST_TRANSPORT_COLLIDE_H
#define MIST_TRANSPORT_COLLIDE_H

#include "core/rng.h"
#include "physics/interact.h"
#include "transport/photon.h"

/* A real collision of photon p in material m at located energy e. */
void mist_collide(const mist_physics_options *opt, const mist_physics_material *m, mist_photon *p,
                  mist_xsec_point e, mist_rng *rng);

/* The same with the process already drawn: u, the collision's 32-bit uniform
 * (mist_rng_uniform32, as mist_interact_choose draws it), picks it from the fractions at e. */
void mist_collide_with(const mist_physics_options *opt, const mist_physics_material *m,
                       mist_photon *p, mist_xsec_point e, double u, mist_rng *rng);

/* A Compton scatter of photon p in material m (the process known to be Compton). */
void mist_collide_compton(const mist_physics_options *opt, const mist_physics_material *m,
                          mist_photon *p, mist_rng *rng);

#endif
