/*
 * validation.h - rows of the physics validation suite (`mist validate`): a
 * quantity, the value expected from an independent source (analytic formula,
 * tabulated or published data), the value mist produced, its standard error
 * and the deviation in standard errors.  Each module that validates its
 * physics appends rows; the CLI prints them as a table or JSON.
 */
#ifndef MIST_CORE_VALIDATION_H
#define MIST_CORE_VALIDATION_H

#include <stddef.h>

#include "core/status.h"

typedef struct mist_validation_row {
    char group[32];     /**< module, e.g. "rng", "decay", "xsec" */
    char quantity[112]; /**< what is compared, with units */
    char source[96];    /**< where the expected value comes from */
    double expected;    /**< reference value */
    double simulated;   /**< mist's value */
    double sigma;       /**< standard error of the comparison (0: exact / deterministic) */
    double tolerance;   /**< pass if |deviation| <= tolerance (in sigma, or relative if sigma = 0) */
    double deviation;   /**< (simulated - expected) / sigma, or relative deviation if sigma = 0 */
    int pass;
} mist_validation_row;

typedef struct mist_validation {
    mist_validation_row *rows;
    size_t n, cap;
} mist_validation;

/* Append a row; deviation and pass are computed here.  sigma > 0: statistical
 * check with tolerance in sigma; sigma == 0: relative check, |sim/exp - 1| <= tolerance. */
mist_status mist_validation_add(mist_validation *v, const char *group, const char *quantity,
                                const char *source, double expected, double simulated,
                                double sigma, double tolerance, mist_error *err);

/* Number of failed rows. */
size_t mist_validation_failures(const mist_validation *v);

void mist_validation_free(mist_validation *v);

#endif
