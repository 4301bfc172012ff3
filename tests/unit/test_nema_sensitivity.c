/* NEMA NU 2 sensitivity: the sleeve fit and the sleeve phantom. */
#include <criterion/criterion.h>
#include <math.h>

#include "engine/validate_pet.h"
#include "model/shapes.h"

Test(nema_sensitivity, fit_recovers_exact_exponential)
{
    /* R_j = R0 exp(-2 mu X_j) exactly: the weighted fit returns R0 and mu to rounding. */
    const double r0 = 0.0123, mu = 0.0227;
    double x[5], r[5], se[5];
    for (int j = 0; j < 5; j++) {
        x[j] = 1.25 * (j + 1);
        r[j] = r0 * exp(-2.0 * mu * x[j]);
        se[j] = 0.01 * r[j] * (1.0 + 0.3 * j);
    }
    double f0, f0_se, fmu, fmu_se;
    mist_error err;
    cr_assert_eq(mist_nema_sensitivity_fit(x, r, se, 5, &f0, &f0_se, &fmu, &fmu_se, &err), MIST_OK);
    cr_assert_float_eq(f0, r0, 1e-12 * r0);
    cr_assert_float_eq(fmu, mu, 1e-12);
    cr_assert(f0_se > 0.0 && fmu_se > 0.0);
    /* Errors of an unweighted 2-point fit: se(ln r0) from the two points by hand. */
    double x2[2] = {1.0, 3.0}, r2[2] = {1.0, exp(-1.0)}, s2[2] = {0.1, 0.1 * exp(-1.0)};
    cr_assert_eq(mist_nema_sensitivity_fit(x2, r2, s2, 2, &f0, &f0_se, &fmu, &fmu_se, &err), MIST_OK);
    cr_assert_float_eq(fmu, 0.25, 1e-12);
    /* ln r0 = 1.5 y1 - 0.5 y2: var = 2.25 (0.1)^2 + 0.25 (0.1)^2 */
    cr_assert_float_eq(f0_se / f0, sqrt(2.5) * 0.1, 1e-12);
}

Test(nema_sensitivity, fit_rejects_empty_points)
{
    double x[2] = {1, 2}, r[2] = {1, 0}, se[2] = {0.1, 0.1}, a, b, c, d;
    mist_error err;
    cr_assert_eq(mist_nema_sensitivity_fit(x, r, se, 2, &a, &b, &c, &d, &err), MIST_ERR_INPUT);
    cr_assert_eq(mist_nema_sensitivity_fit(x, r, se, 1, &a, &b, &c, &d, &err), MIST_ERR_INPUT);
}

Test(nema_sensitivity, sleeves_hold_the_aluminium_of_their_walls)
{
    /* Aluminium cross-section of the drawn phantom against the annuli's exact area,
     * pi/4 (OD^2 - ID^2) summed over the sleeves: the half-coverage rule on 0.25 mm voxels
     * keeps it within 3 % (a voxel-wide band at each of 10 circles is 0.25 mm of the
     * 1.25 mm walls; the errors of opposite signs cancel to within a few voxels). */
    for (int n = 0; n <= 5; n++) {
        mist_nema_sensitivity_params p;
        mist_nema_sensitivity_defaults(&p);
        p.voxel_mm = 0.25;
        p.length_mm = 2.0;
        p.sleeves = n;
        p.offset_mm = 100.0;
        mist_phantom *ph;
        mist_error err;
        cr_assert_eq(mist_shapes_nema_sensitivity(&p, &ph, &err), MIST_OK, "%s", err.msg);
        uint8_t al;
        cr_assert_eq(mist_phantom_tissue_label(ph, "aluminium", &al, &err), MIST_OK);
        /* The middle slice (the grid has a voxel of air beyond each end). */
        size_t count = 0, k = ph->n[2] / 2;
        for (size_t j = 0; j < ph->n[1]; j++)
            for (size_t i = 0; i < ph->n[0]; i++)
                count += ph->labels[mist_phantom_index(ph, i, j, k)] == al;
        double area = (double)count * 0.25 * 0.25;
        double exact = 0.0;
        for (int j = 0; j < n; j++) {
            double in, out;
            mist_nema_sleeve_mm(j, &in, &out);
            exact += 0.25 * 3.14159265358979323846 * (out * out - in * in);
        }
        if (n == 0)
            cr_assert_eq(count, 0);
        else
            cr_assert(fabs(area / exact - 1.0) < 0.03, "%d sleeves: %g mm2 vs %g", n, area, exact);
        /* The line sits 100 mm off axis, along -y. */
        double c[3] = {0.0, -100.0, 0.0};
        size_t ijk[3];
        cr_assert(mist_phantom_locate(ph, c, ijk));
        mist_phantom_free(ph);
    }
}
