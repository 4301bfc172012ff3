#include "core/validation.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

mist_status mist_validation_add(mist_validation *v, const char *group, const char *quantity,
                                const char *source, double expected, double simulated,
                                double sigma, double tolerance, mist_error *err)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 16;
        mist_validation_row *r = realloc(v->rows, cap * sizeof *r);
        if (!r)
            return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
        v->rows = r;
        v->cap = cap;
    }
    mist_validation_row *r = &v->rows[v->n++];
    snprintf(r->group, sizeof r->group, "%s", group);
    snprintf(r->quantity, sizeof r->quantity, "%s", quantity);
    snprintf(r->source, sizeof r->source, "%s", source);
    r->expected = expected;
    r->simulated = simulated;
    r->sigma = sigma;
    r->tolerance = tolerance;
    if (sigma > 0)
        r->deviation = (simulated - expected) / sigma;
    else
        r->deviation = expected != 0 ? simulated / expected - 1.0 : simulated - expected;
    r->pass = isfinite(r->deviation) && fabs(r->deviation) <= tolerance;
    return MIST_OK;
}

size_t mist_validation_failures(const mist_validation *v)
{
    size_t n = 0;
    for (size_t i = 0; i < v->n; i++)
        n += !v->rows[i].pass;
    return n;
}

void mist_validation_free(mist_validation *v)
{
    free(v->rows);
    v->rows = NULL;
    v->n = v->cap = 0;
}
