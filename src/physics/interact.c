#include "physics/interact.h"

#include <math.h>

#include "core/fastmath.h"

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
    /* Azimuth phi uniform from one 32-bit output (resolution 1.5e-9 rad, far below anything a
     * detector resolves), its cosine and sine from a table and short polynomials, exact to
     * 4e-16 (core/fastmath.h): no rejection loop, no trigonometric call. */
    double c2, s2; /* cos phi, sin phi */
    mist_fast_sincos_2pi_u32(mist_rng_u32(rng), &c2, &s2);
    double sin2_t = 1.0 - cos_theta * cos_theta;
    if (sin2_t < 0.0)
        sin2_t = 0.0;
    double ux = dir[0], uy = dir[1], uz = dir[2];
    double nx, ny, nz;
    double perp2 = 1.0 - uz * uz;
    if (perp2 < 1e-10) {
        double sgn = uz >= 0.0 ? 1.0 : -1.0;
        double w = sqrt(sin2_t);
        nx = w * c2;
        ny = w * s2;
        nz = sgn * cos_theta;
    } else {
        /* sin(theta) perp in one square root, sin(theta) / perp in one division. */
        double st_perp = sqrt(sin2_t * perp2);
        double w = st_perp / perp2;
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
