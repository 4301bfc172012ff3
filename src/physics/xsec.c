#include "physics/xsec.h"

#include <xraylib.h>

/* Lower end of the interval whose log-log slope extends photo and Rayleigh above 800 keV. */
#define XRL_SLOPE_BASE_KEV 790.0

double mist_xsec_grid_energy(int i)
{
    return MIST_XSEC_E_MIN_KEV * exp2((double)i / MIST_XSEC_PER_OCTAVE);
}

/* One xraylib cross section [cm2/g] of element Z at e_keV <= 800 keV. */
static mist_status xrl_cs(int Z, mist_xsec_process p, double e_keV, double *out, mist_error *err)
{
    xrl_error *xe = NULL;
    double v = 0.0;
    switch (p) {
    case MIST_XS_PHOTO: v = CS_Photo(Z, e_keV, &xe); break;
    case MIST_XS_COMPTON: v = CS_Compt(Z, e_keV, &xe); break;
    case MIST_XS_RAYLEIGH: v = CS_Rayl(Z, e_keV, &xe); break;
    default: break;
    }
    if (xe || !(v > 0.0) || !isfinite(v)) {
        mist_status st = mist_error_set(err, MIST_ERR_INTERNAL,
                                        "xraylib has no cross section %d for Z=%d at %g keV (%s)",
                                        (int)p, Z, e_keV, xe && xe->message ? xe->message : "zero");
        xrl_error_free(xe);
        return st;
    }
    *out = v;
    return MIST_OK;
}

/* Cross section [cm2/g] of element Z at any grid energy, extended above 800 keV. */
static mist_status element_cs(int Z, mist_xsec_process p, double e_keV, double *out,
                              mist_error *err)
{
    if (e_keV <= MIST_XSEC_XRL_MAX_KEV)
        return xrl_cs(Z, p, e_keV, out, err);
    if (p == MIST_XS_COMPTON) {
        /* Free electrons: Z * sigma_KN [barn] * N_A / A; AVOGNUM = N_A in mol-1 barn-1 cm2
         * (xraylib.h, CODATA). */
        *out = Z * CS_KN(e_keV, NULL) * AVOGNUM / AtomicWeight(Z, NULL);
        return MIST_OK;
    }
    double hi, lo;
    mist_status st = xrl_cs(Z, p, MIST_XSEC_XRL_MAX_KEV, &hi, err);
    if (st == MIST_OK)
        st = xrl_cs(Z, p, XRL_SLOPE_BASE_KEV, &lo, err);
    if (st != MIST_OK)
        return st;
    double slope = log(hi / lo) / log(MIST_XSEC_XRL_MAX_KEV / XRL_SLOPE_BASE_KEV);
    *out = hi * pow(e_keV / MIST_XSEC_XRL_MAX_KEV, slope);
    return MIST_OK;
}

mist_status mist_xsec_mass_atten(const mist_material *m, mist_xsec_process p, double e_keV,
                                 double *mu_rho_cm2_g, mist_error *err)
{
    if (!(e_keV >= MIST_XSEC_E_MIN_KEV && e_keV <= MIST_XSEC_E_MAX_KEV))
        return mist_error_set(err, MIST_ERR_INPUT, "photon energy %g keV is outside %g..%g keV",
                              e_keV, MIST_XSEC_E_MIN_KEV, MIST_XSEC_E_MAX_KEV);
    double sum = 0.0;
    for (int k = 0; k < m->n_elements; k++) {
        for (int q = 0; q < 3; q++) {
            if (p != MIST_XS_TOTAL && q != (int)p)
                continue;
            double cs;
            mist_status st = element_cs(m->Z[k], (mist_xsec_process)q, e_keV, &cs, err);
            if (st != MIST_OK)
                return st;
            sum += m->mass_fraction[k] * cs;
        }
    }
    *mu_rho_cm2_g = sum;
    return MIST_OK;
}

mist_status mist_xsec_build(const mist_material *m, mist_xsec *out, mist_error *err)
{
    out->density_g_cm3 = m->density_g_cm3;
    /* mu [1/mm] = mu/rho [cm2/g] * rho [g/cm3] / 10 [mm/cm] */
    const double scale = m->density_g_cm3 * 0.1;
    for (int i = 0; i < MIST_XSEC_N; i++) {
        double e = mist_xsec_grid_energy(i);
        double tot = 0.0, part[3];
        for (int p = 0; p < 3; p++) {
            double mu_rho;
            mist_status st = mist_xsec_mass_atten(m, (mist_xsec_process)p, e, &mu_rho, err);
            if (st != MIST_OK)
                return st;
            /* Keep logs finite for elements whose partial is negligible. */
            double mu = fmax(mu_rho * scale, 1e-300);
            out->ln_mu[p][i] = log(mu);
            part[p] = mu;
            tot += mu;
        }
        out->ln_mu[MIST_XS_TOTAL][i] = log(tot);
        out->frac_compton[i] = part[MIST_XS_COMPTON] / tot;
        out->frac_photo[i] = part[MIST_XS_PHOTO] / tot;
    }
    return MIST_OK;
}

double mist_xsec_mu(const mist_xsec *xs, mist_xsec_process proc, double e_keV)
{
    return mist_xsec_mu_at(xs, proc, mist_xsec_locate(e_keV));
}
