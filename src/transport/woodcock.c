#include "transport/woodcock.h"

#include <math.h>

void mist_woodcock_track(const mist_tracker *t, mist_photon *p, mist_rng *rng)
{
    if (!mist_tracker_enter(t, p))
        return;
    double travelled = 0.0;
    if (p->energy_keV < t->options.cutoff_keV) {
        p->edep_keV += p->energy_keV;
        p->fate = MIST_FATE_CUTOFF;
        return;
    }
    mist_xsec_point e = mist_xsec_locate(p->energy_keV);
    /* Only 1/mu_max is needed (flight lengths, and the test u < mu / mu_max as
     * u mu_max < mu): interpolating -ln(mu_max) gives it with no division. */
    double inv_mu_max = mist_tracker_inv_majorant(t, e);
    int maj_m = t->majorant_material[e.i];
    /* mu of each material at the current energy, computed when first needed: entry m is valid
     * when stamp[m] == gen, and gen moves on at every change of energy. */
    double mu_cache[256];
    unsigned stamp[256];
    unsigned gen = 1;
    for (size_t m = 0; m < t->n_materials; m++)
        stamp[m] = 0;
    for (;;) {
        double s = mist_tracker_exponential(t, rng) * inv_mu_max;
        double next[3];
        for (int a = 0; a < 3; a++)
            next[a] = p->pos_mm[a] + s * p->dir[a];
        if (!mist_tracker_inside(t, next)) {
            /* The flight leaves the box: the photon escapes where its ray crosses the
             * boundary, found only now, once per history. */
            double s_exit = mist_tracker_exit_distance(t, p->pos_mm, p->dir);
            for (int a = 0; a < 3; a++)
                p->pos_mm[a] += s_exit * p->dir[a];
            travelled += s_exit;
            p->fate = MIST_FATE_ESCAPED;
            break;
        }
        for (int a = 0; a < 3; a++)
            p->pos_mm[a] = next[a];
        travelled += s;
        int mi = mist_tracker_material_at(t, p->pos_mm);
        const mist_physics_material *m = &t->materials[mi];
        /* In the majorant's own material mu = mu_max: every collision is real (u mu_max <
         * mu_max for u < 1), and needs no random number. */
        if (mi != maj_m) {
            if (stamp[mi] != gen) {
                mu_cache[mi] = mist_xsec_mu_at(&m->xsec, MIST_XS_TOTAL, e);
                stamp[mi] = gen;
            }
            if (mist_rng_uniform(rng) >= mu_cache[mi] * inv_mu_max)
                continue; /* virtual collision */
        }
        double e_before = p->energy_keV;
        mist_tracker_collide(t, m, p, e, rng);
        if (p->fate != MIST_FATE_ALIVE)
            break;
        if (p->energy_keV != e_before) {
            e = mist_xsec_locate(p->energy_keV);
            inv_mu_max = mist_tracker_inv_majorant(t, e);
            maj_m = t->majorant_material[e.i];
            gen++;
        }
    }
    p->path_mm += travelled;
    p->time_s += travelled * (1.0 / MIST_SPEED_OF_LIGHT_MM_S);
}
