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
    /* Azimuth by rejection from the square (no trig): (a, b) is uniform on the disc, so its
     * angle is uniform, and so is twice its angle, whose cosine and sine need no square root:
     * cos 2phi = (a^2 - b^2) / r^2, sin 2phi = 2 a b / r^2.  Each coordinate takes one 32-bit
     * draw (a grid of 2^-31 on [-1, 1)): the angle's resolution, about 1e-9 rad, is far below
     * anything a detector resolves, at half the draws of 53-bit uniforms. */
    double a, b, r2;
    do {
        a = (double)mist_rng_u32(rng) * 0x1.0p-31 - 1.0;
        b = (double)mist_rng_u32(rng) * 0x1.0p-31 - 1.0;
        r2 = a * a + b * b;
    } while (r2 > 1.0 || r2 < 1e-12);
    double c2 = a * a - b * b, s2 = 2.0 * a * b; /* r^2 cos 2phi, r^2 sin 2phi */
    double sin2_t = 1.0 - cos_theta * cos_theta;
    if (sin2_t < 0.0)
        sin2_t = 0.0;
    double ux = dir[0], uy = dir[1], uz = dir[2];
    double nx, ny, nz;
    double perp2 = 1.0 - uz * uz;
    if (perp2 < 1e-10) {
        double sgn = uz >= 0.0 ? 1.0 : -1.0;
        double w = sqrt(sin2_t) / r2;
        nx = w * c2;
        ny = w * s2;
        nz = sgn * cos_theta;
    } else {
        /* sin(theta) perp in one square root, sin(theta) / (perp r^2) in one division. */
        double st_perp = sqrt(sin2_t * perp2);
        double w = st_perp / (perp2 * r2);
        nx = w * (ux * uz * c2 - uy * s2) + ux * cos_theta;
        ny = w * (uy * uz * c2 + ux * s2) + uy * cos_theta;
        nz = -w * perp2 * c2 + uz * cos_theta;
    }
    /* The result is a unit vector up to rounding; renormalise only when rounding has
     * accumulated (|n|^2 off by more than 1e-12), which keeps |dir| = 1 to 1e-12. */
    double n2 = nx * nx + ny * ny + nz * nz;
    if (fabs(n2 - 1.0) > 1e-12) {
        double inv_n = 1.0 / sqrt(n2);
        nx *= inv_n;
        ny *= inv_n;
        nz *= inv_n;
    }
    dir[0] = nx;
    dir[1] = ny;
    dir[2] = nz;
}
