#include "physics/compton.h"

#include <math.h>
#include <xraylib.h>

#include "core/fastmath.h"

#define PER_DECADE 64.0

/* Fraction of the table's largest value that the squeeze bound aims for. */
#define SQUEEZE_LEVEL 0.98

/* The squeeze: the first table point k whose suffix minimum min(s_norm[k..]) reaches
 * SQUEEZE_LEVEL of the maximum.  The linear interpolant between points k and beyond is at
 * least that minimum, and a q at or above point k + 1 falls in cell k or later even after
 * rounding of the logarithm in mist_compton_s_norm, so S_mat(q) >= s_sat there. */
static void squeeze_build(mist_compton_table *t)
{
    double suffix_min[MIST_COMPTON_NQ], s_max = 0.0;
    suffix_min[MIST_COMPTON_NQ - 1] = t->s_norm[MIST_COMPTON_NQ - 1];
    for (int k = MIST_COMPTON_NQ - 2; k >= 0; k--)
        suffix_min[k] = fmin(suffix_min[k + 1], t->s_norm[k]);
    for (int k = 0; k < MIST_COMPTON_NQ; k++)
        s_max = fmax(s_max, t->s_norm[k]);
    int k = 0;
    while (k < MIST_COMPTON_NQ - 2 && suffix_min[k] < SQUEEZE_LEVEL * s_max)
        k++;
    double q = MIST_COMPTON_Q_MIN * pow(10.0, (k + 1) / PER_DECADE);
    t->q2_sat = q * q;
    t->s_sat = suffix_min[k];
}

mist_status mist_compton_build(const mist_material *m, mist_compton_table *out, mist_error *err)
{
    double n_z = 0.0; /* electrons per gram / N_A */
    for (int i = 0; i < m->n_elements; i++)
        n_z += mist_material_atoms_per_gram(m, i) * m->Z[i];
    for (int k = 0; k < MIST_COMPTON_NQ; k++) {
        double q = MIST_COMPTON_Q_MIN * pow(10.0, k / PER_DECADE);
        double s = 0.0;
        for (int i = 0; i < m->n_elements; i++) {
            xrl_error *xe = NULL;
            double sf = SF_Compt(m->Z[i], q, &xe);
            if (xe) {
                mist_status st = mist_error_set(err, MIST_ERR_INTERNAL,
                                                "xraylib SF_Compt(Z=%d, q=%g) failed: %s", m->Z[i],
                                                q, xe->message ? xe->message : "?");
                xrl_error_free(xe);
                return st;
            }
            s += mist_material_atoms_per_gram(m, i) * sf;
        }
        out->s_norm[k] = fmin(1.0, fmax(0.0, s / n_z));
    }
    squeeze_build(out);
    return MIST_OK;
}

double mist_compton_s_norm(const mist_compton_table *t, double q)
{
    if (!(q > MIST_COMPTON_Q_MIN))
        return 0.0;
    /* log10 by the inline logarithm (core/fastmath.h, within an ulp of libm's). */
    double x = mist_fast_log(q * (1.0 / MIST_COMPTON_Q_MIN)) *
               (PER_DECADE / 2.302585092994045684017991454684364208);
    if (x >= MIST_COMPTON_NQ - 1)
        return t->s_norm[MIST_COMPTON_NQ - 1];
    int k = (int)x;
    double f = x - k;
    return t->s_norm[k] + f * (t->s_norm[k + 1] - t->s_norm[k]);
}

double mist_compton_q(double e_keV, double cos_theta)
{
    return sqrt(0.5 * (1.0 - cos_theta)) * e_keV / MIST_HC_KEV_ANGSTROM;
}

double mist_compton_sample(const mist_compton_table *table, mist_compton_model model,
                           double e_keV, mist_rng *rng, double *cos_theta)
{
    /* Divisions by constants become products with their reciprocals (to within an ulp).  The
     * loop itself has no division: the rejection tests are multiplied through by positive
     * factors, and 1 - cos(theta) is formed once, for the accepted sample. */
    const double k = e_keV * (1.0 / MIST_ELECTRON_MASS_KEV);
    const double eps0 = 1.0 / (1.0 + 2.0 * k);
    const double eps0_sq = eps0 * eps0;
    const double a1 = mist_fast_log(1.0 + 2.0 * k); /* weight of the 1/eps part, -ln eps0 */
    const double a2 = 0.5 * (1.0 - eps0_sq); /* weight of the eps part */
    const double a = a1 + a2;
    const double q_scale = e_keV * (1.0 / MIST_HC_KEV_ANGSTROM);
    const double q2_scale = 0.5 * q_scale * q_scale; /* q^2 = q2_scale (1 - cos theta) */
    for (;;) {
        /* eps = E'/E from f(eps) ~ (1/eps + eps) on [eps0, 1]: the 1/eps part (eps = eps0^v)
         * with probability p1 = a1 / a, else the eps part.  The uniform u that picks the part,
         * rescaled to [0, 1) within it, is uniform and independent of the choice: it serves
         * as v.  In terms of u a: the 1/eps part when u a < a1, with eps = exp(-u a); the eps
         * part otherwise, eps^2 = eps0^2 + (1 - eps0^2) v with v = (u a - a1) / a2, i.e.
         * eps^2 = eps0^2 + 2 (u a - a1) since 1 - eps0^2 = 2 a2. */
        /* u and w: two 32-bit uniforms (mist_rng_uniform32), the halves of one 64-bit draw. */
        double u = mist_rng_uniform32(rng), eps;
        double w = mist_rng_uniform32(rng);
        double ua = u * a;
        if (ua < a1)
            eps = mist_fast_exp(-ua);
        else
            eps = sqrt(eps0_sq + 2.0 * (ua - a1));
        /* 1 - cos(theta) = t / m with t = 1 - eps, m = eps k (Compton relation), so
         * sin^2(theta) = (1 - cos)(2 - (1 - cos)) = t (2 m - t) / m^2. */
        double t = 1.0 - eps, m = eps * k;
        double m2 = m * m, sin2_m2 = t * (2.0 * m - t);
        /* Accept with probability g = 1 - eps sin^2(theta) / (1 + eps^2) (Butcher & Messel
         * 1960), times S_mat(q) in the default model: one uniform w decides both, as
         * w <= g S_mat, tested as w (1 + eps^2) m^2 <= g (1 + eps^2) m^2 S_mat.  Since
         * S_mat <= 1, w > g rejects at once; the squeeze S_mat(q) >= s_sat at large q
         * (q^2 = q2_scale t / m >= q2_sat) accepts w <= g s_sat without the table. */
        double den = 1.0 + eps * eps;
        double wd = w * den * m2, gd = den * m2 - eps * sin2_m2;
        if (wd > gd)
            continue;
        if (model == MIST_COMPTON_SCATTER_FUNCTION &&
            !(q2_scale * t >= table->q2_sat * m && wd <= gd * table->s_sat) &&
            wd > gd * mist_compton_s_norm(table, q_scale * sqrt(0.5 * t / m)))
            continue;
        double c = 1.0 - t / m;
        *cos_theta = c < -1.0 ? -1.0 : c;
        return eps * e_keV;
    }
}
