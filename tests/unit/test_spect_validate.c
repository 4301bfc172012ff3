/* The SPECT rows of `mist validate --quick` (engine/validate_spect.h) pass:
 * system resolution and sensitivity at 100 mm per collimator against the
 * analytic formulas of ../shared/reference/scanners.md, and the spectrum of a
 * Tc-99m point in water (photopeak, Compton region, lead X-rays, scatter
 * fraction against TEW). */
#include <criterion/criterion.h>

#include "engine/validate_spect.h"

Test(spect_validate, quick_rows_pass, .timeout = 300)
{
    mist_validation v = {0};
    mist_error err;
    cr_assert_eq(mist_validate_spect(1, &v, &err), MIST_OK, "%s", err.msg);
    cr_expect_geq(v.n, 18u);
    for (size_t i = 0; i < v.n; i++) {
        const mist_validation_row *r = &v.rows[i];
        cr_log_info("%-84s expected %10.5g simulated %10.5g dev %+.3f %s", r->quantity, r->expected,
                    r->simulated, r->deviation, r->pass ? "pass" : "FAIL");
        cr_expect(r->pass, "%s: expected %g, simulated %g", r->quantity, r->expected,
                  r->simulated);
    }
    mist_validation_free(&v);
}
