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
    double inv_r2 = 1.0 / r2;
    double cos_p = (a * a - b * b) * inv_r2, sin_p = 2.0 * a * b * inv_r2;
    double sin2_t = 1.0 - cos_theta * cos_theta;
    double sin_t = sin2_t > 0.0 ? sqrt(sin2_t) : 0.0;
    double ux = dir[0], uy = dir[1], uz = dir[2];
    double nx, ny, nz;
    double perp2 = 1.0 - uz * uz;
    if (perp2 < 1e-10) {
        double sgn = uz >= 0.0 ? 1.0 : -1.0;
        nx = sin_t * cos_p;
        ny = sin_t * sin_p;
        nz = sgn * cos_theta;
    } else {
        double perp = sqrt(perp2), inv_perp = 1.0 / perp;
        double sc = sin_t * cos_p * inv_perp, ss = sin_t * sin_p * inv_perp;
        nx = ux * uz * sc - uy * ss + ux * cos_theta;
        ny = uy * uz * sc + ux * ss + uy * cos_theta;
        nz = -sin_t * cos_p * perp + uz * cos_theta;
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
