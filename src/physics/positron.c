#include "physics/positron.h"

#include <math.h>
#include <stdlib.h>

#define PI 3.14159265358979323846
#define ALPHA_FS (1.0 / 137.035999084) /* fine-structure constant, CODATA 2018 */
#define ME_KEV 510.99895               /* electron rest energy [keV], CODATA 2018 */
#define FINE_N 16384                   /* integration grid of the spectrum */

double mist_positron_shape(int z_daughter, double e0_keV, double e_keV)
{
    if (!(e_keV > 0.0) || !(e_keV < e0_keV))
        return 0.0;
    double w = 1.0 + e_keV / ME_KEV;
    double w0 = 1.0 + e0_keV / ME_KEV;
    double p = sqrt(w * w - 1.0);
    /* Fermi function for a positron: eta < 0, F = 2 pi |eta| exp(-2 pi |eta|)
     * / (1 - exp(-2 pi |eta|)), written to stay finite when |eta| is large. */
    double y = 2.0 * PI * z_daughter * ALPHA_FS * w / p; /* 2 pi |eta| */
    double fermi = y > 1e-12 ? y * exp(-y) / (-expm1(-y)) : 1.0;
    return fermi * p * w * (w0 - w) * (w0 - w);
}

double mist_positron_range_kp_g_cm2(double e_keV)
{
    if (!(e_keV > 0.0))
        return 0.0;
    double e = e_keV * 1e-3; /* MeV */
    /* Katz & Penfold 1952, Rev Mod Phys 24:28 (eqs. for aluminium, used for tissue). */
    if (e < 2.5)
        return 0.412 * pow(e, 1.265 - 0.0954 * log(e));
    return 0.530 * e - 0.106;
}

mist_status mist_positron_spectrum_init(mist_positron_spectrum *sp, int z_daughter,
                                        double endpoint_keV, mist_error *err)
{
    if (!(endpoint_keV > 0.0 && endpoint_keV <= 10000.0))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "positron endpoint energy %g keV is outside (0, 10000] keV",
                              endpoint_keV);
    if (z_daughter < 0 || z_daughter > 120)
        return mist_error_set(err, MIST_ERR_INPUT,
                              "daughter charge %d is outside [0, 120]", z_daughter);
    double *cdf = malloc((FINE_N + 1) * sizeof *cdf);
    if (!cdf)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for a positron spectrum");

    sp->endpoint_keV = endpoint_keV;
    sp->z_daughter = z_daughter;
    double h = endpoint_keV / FINE_N;
    double prev = 0.0, sum = 0.0, sum_e = 0.0, sum_r = 0.0;
    cdf[0] = 0.0;
    for (int k = 1; k <= FINE_N; k++) {
        double e = k * h;
        double n = mist_positron_shape(z_daughter, endpoint_keV, e);
        double area = 0.5 * (prev + n) * h; /* trapezoid */
        double e_mid = e - 0.5 * h;
        sum += area;
        sum_e += area * e_mid;
        sum_r += area * mist_positron_range_kp_g_cm2(e_mid);
        cdf[k] = sum;
        prev = n;
    }
    sp->mean_keV = sum_e / sum;
    sp->mean_range_g_cm2 = sum_r / sum;

    /* Invert the CDF at u = i / N by linear interpolation on the fine grid. */
    int k = 0;
    for (int i = 0; i <= MIST_POSITRON_TABLE_N; i++) {
        double target = sum * i / MIST_POSITRON_TABLE_N;
        while (k < FINE_N && cdf[k + 1] < target)
            k++;
        double e;
        if (i == MIST_POSITRON_TABLE_N) {
            e = endpoint_keV;
        } else {
            double span = cdf[k + 1] - cdf[k];
            double f = span > 0.0 ? (target - cdf[k]) / span : 0.0;
            e = (k + f) * h;
        }
        sp->energy_keV[i] = (float)e;
        sp->range_g_cm2[i] = (float)mist_positron_range_kp_g_cm2(e);
    }
    free(cdf);
    for (int i = 0; i <= MIST_POSITRON_PATH_TABLE_N; i++)
        sp->path_fraction[i] = (float)pow((double)i / MIST_POSITRON_PATH_TABLE_N,
                                          1.0 / MIST_POSITRON_PATH_EXPONENT);
    return MIST_OK;
}

double mist_positron_sample_distance_g_cm2(const mist_positron_spectrum *sp, mist_rng *rng)
{
    double range;
    (void)mist_positron_sample_energy(sp, rng, &range);
    return range * mist_positron_sample_path_fraction(sp, rng);
}

double mist_positron_move(double dist_g_cm2, const double origin_mm[3], const double dir[3],
                          mist_density_fn density, void *ctx, double step_mm, double max_mm,
                          double out_mm[3])
{
    double left = dist_g_cm2; /* mass thickness still to spend [g/cm2] */
    double travelled = 0.0;   /* [mm] */
    while (left > 0.0 && travelled < max_mm) {
        double h = fmin(step_mm, max_mm - travelled);
        double mid[3];
        for (int a = 0; a < 3; a++)
            mid[a] = origin_mm[a] + dir[a] * (travelled + 0.5 * h);
        double rho = density(ctx, mid);
        double cost = rho * h * 0.1; /* g/cm3 * mm -> g/cm2 */
        if (rho > 0.0 && cost >= left) {
            travelled += 10.0 * left / rho;
            left = 0.0;
        } else {
            travelled += h;
            left -= cost;
        }
    }
    for (int a = 0; a < 3; a++)
        out_mm[a] = origin_mm[a] + dir[a] * travelled;
    return travelled;
}
