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
    return mist_compton_sample_inline(table, model, e_keV, rng, cos_theta);
}
