#include "transport/collide.h"

void mist_collide(const mist_physics_options *opt, const mist_physics_material *m, mist_photon *p,
                  mist_xsec_point e, mist_rng *rng)
{
    switch (mist_interact_choose(m, e, rng)) {
    case MIST_INTERACTION_PHOTO:
        p->edep_keV += p->energy_keV;
        p->fate = MIST_FATE_PHOTO;
        return;
    case MIST_INTERACTION_COMPTON: {
        double cos_t;
        double e1 = mist_compton_sample(&m->compton, opt->compton_model, p->energy_keV, rng, &cos_t);
        p->edep_keV += p->energy_keV - e1;
        p->energy_keV = e1;
        p->n_compton++;
        mist_interact_rotate(p->dir, cos_t, rng);
        if (e1 < opt->cutoff_keV) {
            p->edep_keV += e1;
            p->fate = MIST_FATE_CUTOFF;
        }
        return;
    }
    case MIST_INTERACTION_RAYLEIGH:
        if (opt->rayleigh) {
            double cos_t = mist_rayleigh_sample(&m->rayleigh, p->energy_keV, rng);
            mist_interact_rotate(p->dir, cos_t, rng);
            p->n_rayleigh++;
        }
        return;
    }
}
