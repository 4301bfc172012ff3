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
    mist_interact_rotate_inline(dir, cos_theta, rng);
}
