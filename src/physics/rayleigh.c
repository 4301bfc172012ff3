#include "physics/rayleigh.h"

#include <math.h>
#include <xraylib.h>

#include "physics/compton.h" /* MIST_HC_KEV_ANGSTROM */

mist_status mist_rayleigh_build(const mist_material *m, mist_rayleigh_table *out, mist_error *err)
{
    out->ln_x_min = log(MIST_RAYLEIGH_X_MIN);
    out->inv_dln_x = (MIST_RAYLEIGH_NX - 2) / log(MIST_RAYLEIGH_X_MAX / MIST_RAYLEIGH_X_MIN);
    double n_atoms = 0.0;
    for (int i = 0; i < m->n_elements; i++)
        n_atoms += mist_material_atoms_per_gram(m, i);
    for (int j = 0; j < MIST_RAYLEIGH_NX; j++) {
        double x = j == 0 ? 0.0 : exp(out->ln_x_min + (j - 1) / out->inv_dln_x);
        double q = sqrt(x), f2 = 0.0;
        for (int i = 0; i < m->n_elements; i++) {
            xrl_error *xe = NULL;
            double f = FF_Rayl(m->Z[i], q, &xe);
            if (xe) {
                mist_status st = mist_error_set(err, MIST_ERR_INTERNAL,
                                                "xraylib FF_Rayl(Z=%d, q=%g) failed: %s", m->Z[i],
                                                q, xe->message ? xe->message : "?");
                xrl_error_free(xe);
                return st;
            }
            f2 += mist_material_atoms_per_gram(m, i) * f * f;
        }
        out->x[j] = x;
        out->f2[j] = f2 / n_atoms;
        out->cum[j] = j == 0 ? 0.0
                             : out->cum[j - 1] + 0.5 * (out->f2[j] + out->f2[j - 1]) * (x - out->x[j - 1]);
    }
    return MIST_OK;
}

/* Largest cell j (0 .. NX-2) with x[j] <= x. */
static int cell_of(const mist_rayleigh_table *t, double x)
{
    if (x < t->x[1])
        return 0;
    int j = 1 + (int)((log(x) - t->ln_x_min) * t->inv_dln_x);
    if (j > MIST_RAYLEIGH_NX - 2)
        j = MIST_RAYLEIGH_NX - 2;
    /* Guard against rounding in the logarithm. */
    while (j > 0 && t->x[j] > x)
        j--;
    while (j < MIST_RAYLEIGH_NX - 2 && t->x[j + 1] <= x)
        j++;
    return j;
}

/* Integral of F^2 over [x_j, x_j + d] with F^2 linear in the cell. */
static double cell_integral(const mist_rayleigh_table *t, int j, double d)
{
    double s = (t->f2[j + 1] - t->f2[j]) / (t->x[j + 1] - t->x[j]);
    return d * (t->f2[j] + 0.5 * s * d);
}

double mist_rayleigh_sample(const mist_rayleigh_table *t, double e_keV, mist_rng *rng)
{
    const double k = e_keV / MIST_HC_KEV_ANGSTROM;
    const double x_max = k * k; /* q^2 at theta = pi */
    const int c = cell_of(t, x_max);
    const double a_max = t->cum[c] + cell_integral(t, c, x_max - t->x[c]);
    for (;;) {
        double target = mist_rng_uniform(rng) * a_max;
        /* Binary search: largest j <= c with cum[j] <= target. */
        int lo = 0, hi = c;
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            if (t->cum[mid] <= target)
                lo = mid;
            else
                hi = mid - 1;
        }
        int j = lo;
        double d = target - t->cum[j];
        double f0 = t->f2[j];
        double s = (t->f2[j + 1] - f0) / (t->x[j + 1] - t->x[j]);
        /* Solve f0 u + s u^2 / 2 = d for u >= 0 (stable for either sign of s). */
        double disc = f0 * f0 + 2.0 * s * d;
        double den = f0 + sqrt(disc > 0.0 ? disc : 0.0);
        double u = den > 0.0 ? 2.0 * d / den : 0.0;
        double x = t->x[j] + u;
        if (x > x_max)
            x = x_max;
        double cos_t = 1.0 - 2.0 * x / x_max;
        if (2.0 * mist_rng_uniform(rng) <= 1.0 + cos_t * cos_t)
            return cos_t;
    }
}
