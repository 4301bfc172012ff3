#include "physics/interact.h"

#include <math.h>

mist_physics_options mist_physics_default_options(void)
{
    return (mist_physics_options){MIST_PHYSICS_DEFAULT_CUTOFF_KEV, MIST_COMPTON_SCATTER_FUNCTION, 1};
}

mist_status mist_physics_material_build(const mist_material *m, mist_physics_material *out,
                                        mist_error *err)
{
    out->material = *m;
    mist_status st = mist_xsec_build(m, &out->xsec, err);
    if (st == MIST_OK)
        st = mist_compton_build(m, &out->compton, err);
    if (st == MIST_OK)
        st = mist_rayleigh_build(m, &out->rayleigh, err);
    return st;
}

void mist_interact_rotate(double dir[3], double cos_theta, mist_rng *rng)
{
    /* Azimuth as a point on the unit circle, by rejection from the square (no trig). */
    double a, b, r2;
    do {
        a = 2.0 * mist_rng_uniform(rng) - 1.0;
        b = 2.0 * mist_rng_uniform(rng) - 1.0;
        r2 = a * a + b * b;
    } while (r2 > 1.0 || r2 < 1e-12);
    double inv_r = 1.0 / sqrt(r2);
    double cos_p = a * inv_r, sin_p = b * inv_r;
    double sin_t = sqrt(fmax(0.0, 1.0 - cos_theta * cos_theta));
    double ux = dir[0], uy = dir[1], uz = dir[2];
    double nx, ny, nz;
    double perp2 = 1.0 - uz * uz;
    if (perp2 < 1e-10) {
        double sgn = uz >= 0.0 ? 1.0 : -1.0;
        nx = sin_t * cos_p;
        ny = sin_t * sin_p;
        nz = sgn * cos_theta;
    } else {
        double perp = sqrt(perp2);
        nx = sin_t * (ux * uz * cos_p - uy * sin_p) / perp + ux * cos_theta;
        ny = sin_t * (uy * uz * cos_p + ux * sin_p) / perp + uy * cos_theta;
        nz = -sin_t * cos_p * perp + uz * cos_theta;
    }
    double inv_n = 1.0 / sqrt(nx * nx + ny * ny + nz * nz);
    dir[0] = nx * inv_n;
    dir[1] = ny * inv_n;
    dir[2] = nz * inv_n;
}
