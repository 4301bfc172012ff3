#include "transport/raytrace.h"

#include <math.h>

/* Follow one flight of optical depth tau from p's position.  Returns the distance travelled;
 * *collided is the material of the voxel where the flight ended in a collision, or NULL when
 * the photon reached the boundary first (it is then on the boundary). */
static double flight(const mist_tracker *t, mist_photon *p, mist_xsec_point e, double tau,
                     const mist_physics_material **collided)
{
    const mist_voxel_grid *g = t->grid;
    long ijk[3], step[3];
    double t_max[3], t_delta[3];
    for (int a = 0; a < 3; a++) {
        long v = (long)floor((p->pos_mm[a] - t->lo_mm[a]) * t->inv_voxel_mm[a]);
        if (v < 0)
            v = 0;
        if (v >= (long)g->n[a])
            v = (long)g->n[a] - 1;
        ijk[a] = v;
        if (p->dir[a] > 0.0) {
            step[a] = 1;
            double edge = t->lo_mm[a] + (double)(v + 1) * g->voxel_mm[a];
            t_max[a] = (edge - p->pos_mm[a]) / p->dir[a];
            t_delta[a] = g->voxel_mm[a] / p->dir[a];
        } else if (p->dir[a] < 0.0) {
            step[a] = -1;
            double edge = t->lo_mm[a] + (double)v * g->voxel_mm[a];
            t_max[a] = (edge - p->pos_mm[a]) / p->dir[a];
            t_delta[a] = -g->voxel_mm[a] / p->dir[a];
        } else {
            step[a] = 0;
            t_max[a] = INFINITY;
            t_delta[a] = INFINITY;
        }
        if (t_max[a] < 0.0)
            t_max[a] = 0.0;
    }
    double t_cur = 0.0;
    for (;;) {
        size_t idx = ((size_t)ijk[2] * g->n[1] + (size_t)ijk[1]) * g->n[0] + (size_t)ijk[0];
        const mist_physics_material *m = &t->materials[t->label_material[g->labels[idx]]];
        double mu = mist_xsec_mu_at(&m->xsec, MIST_XS_TOTAL, e);
        int a = t_max[0] < t_max[1] ? (t_max[0] < t_max[2] ? 0 : 2) : (t_max[1] < t_max[2] ? 1 : 2);
        double chord = t_max[a] - t_cur;
        if (mu * chord >= tau) {
            t_cur += tau / mu;
            for (int b = 0; b < 3; b++)
                p->pos_mm[b] += t_cur * p->dir[b];
            *collided = m;
            return t_cur;
        }
        tau -= mu * chord;
        t_cur = t_max[a];
        ijk[a] += step[a];
        if (ijk[a] < 0 || ijk[a] >= (long)g->n[a]) {
            for (int b = 0; b < 3; b++)
                p->pos_mm[b] += t_cur * p->dir[b];
            *collided = NULL;
            return t_cur;
        }
        t_max[a] += t_delta[a];
    }
}

void mist_raytrace_track(const mist_tracker *t, mist_photon *p, mist_rng *rng)
{
    if (!mist_tracker_enter(t, p))
        return;
    if (p->energy_keV < t->options.cutoff_keV) {
        p->edep_keV += p->energy_keV;
        p->fate = MIST_FATE_CUTOFF;
        return;
    }
    double travelled = 0.0;
    for (;;) {
        mist_xsec_point e = mist_xsec_locate(p->energy_keV);
        double tau = -log(mist_rng_uniform_pos(rng));
        const mist_physics_material *m;
        travelled += flight(t, p, e, tau, &m);
        if (!m) {
            p->fate = MIST_FATE_ESCAPED;
            break;
        }
        mist_tracker_collide(t, m, p, e, rng);
        if (p->fate != MIST_FATE_ALIVE)
            break;
    }
    p->path_mm += travelled;
    p->time_s += travelled / MIST_SPEED_OF_LIGHT_MM_S;
}
