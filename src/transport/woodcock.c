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
    /* The flight majorant of the energy's bin (no logarithm or exponential); the energy is
     * located on the cross-section grid only when a collision needs it. */
    int bin = mist_tracker_energy_bin(p->energy_keV);
    double inv_mu_max = t->inv_bin_majorant[bin];
    mist_xsec_point e = {0, 0.0};
    int located = 0;
    for (;;) {
        double s = mist_tracker_exponential(t, rng) * inv_mu_max;
        double next[3];
        for (int a = 0; a < 3; a++)
            next[a] = p->pos_mm[a] + s * p->dir[a];
        int mi;
        if (!mist_tracker_find(t, next, &mi)) {
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
        const mist_physics_material *m = &t->materials[mi];
        /* Real with probability mu / mu_max, decided by one 32-bit draw k (u = (k + 1/2)
         * 2^-32, rng.h): the squeeze thresholds of the bin settle it without mu for all but
         * the k whose u falls between the least and the largest mu / mu_max in the bin. */
        const mist_tracker_squeeze q = t->squeeze[(size_t)mi * MIST_TRACKER_N_EBINS + (size_t)bin];
        uint32_t k = mist_rng_u32(rng);
        if (k >= q.lo) {
            if (k >= q.hi)
                continue; /* virtual collision */
            if (!located) {
                e = mist_xsec_locate(p->energy_keV);
                located = 1;
            }
            if (((double)k + 0.5) * 0x1.0p-32 >=
                mist_xsec_mu_at(&m->xsec, MIST_XS_TOTAL, e) * inv_mu_max)
                continue; /* virtual collision */
        }
        /* The process, from the collision's 32-bit draw as mist_interact_choose takes it:
         * below the bin's least Compton fraction it is Compton, with no need to locate the
         * energy on the cross-section grid. */
        double e_before = p->energy_keV;
        uint32_t kc = mist_rng_u32(rng);
        if (kc < q.compton) {
            mist_collide_compton(&t->options, m, p, rng);
        } else {
            if (!located) {
                e = mist_xsec_locate(p->energy_keV);
                located = 1;
            }
            mist_collide_with(&t->options, m, p, e, ((double)kc + 0.5) * 0x1.0p-32, rng);
        }
        if (p->fate != MIST_FATE_ALIVE)
            break;
        if (p->energy_keV != e_before) {
            bin = mist_tracker_energy_bin(p->energy_keV);
            inv_mu_max = t->inv_bin_majorant[bin];
            located = 0;
        }
    }
    p->path_mm += travelled;
    p->time_s += travelled * (1.0 / MIST_SPEED_OF_LIGHT_MM_S);
}
