#include "transport/collide.h"

/* Compton scattering: energy deposit, new energy and direction, the cut-off. */
void mist_collide_compton(const mist_physics_options *opt, const mist_physics_material *m,
                          mist_photon *p, mist_rng *rng)
{
    double cos_t;
    double e1 = mist_compton_sample_inline(&m->compton, opt->compton_model, p->energy_keV, rng,
                                           &cos_t);
    p->edep_keV += p->energy_keV - e1;
    p->energy_keV = e1;
    p->n_compton++;
    mist_interact_rotate_inline(p->dir, cos_t, rng);
    if (e1 < opt->cutoff_keV) {
        p->edep_keV += e1;
        p->fate = MIST_FATE_CUTOFF;
    }
}

void mist_collide_with(const mist_physics_options *opt, const mist_physics_material *m,
                       mist_photon *p, mist_xsec_point e, double u, mist_rng *rng)
{
    double co, ph;
    mist_xsec_fractions(&m->xsec, e, &co, &ph);
    /* As mist_interact_choose. */
    if (u < co) {
        mist_collide_compton(opt, m, p, rng);
    } else if (u < co + ph) {
        p->edep_keV += p->energy_keV;
        p->fate = MIST_FATE_PHOTO;
    } else if (opt->rayleigh) {
        double cos_t = mist_rayleigh_sample(&m->rayleigh, p->energy_keV, rng);
        mist_interact_rotate(p->dir, cos_t, rng);
        p->n_rayleigh++;
    }
}

void mist_collide(const mist_physics_options *opt, const mist_physics_material *m, mist_photon *p,
                  mist_xsec_point e, mist_rng *rng)
{
    mist_collide_with(opt, m, p, e, mist_rng_uniform32(rng), rng);
}
