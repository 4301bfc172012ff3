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

#endif
