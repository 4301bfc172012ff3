#include "physics/alias.h"

#include <math.h>
#include <stdlib.h>

mist_status mist_alias_build(const double *weights, size_t n, mist_alias **out, mist_error *err)
{
    *out = NULL;
    if (n == 0 || n >= ((size_t)1 << 32))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "alias table needs between 1 and 2^32 - 1 weights, got %zu", n);
    double total = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(weights[i]) || weights[i] < 0.0)
            return mist_error_set(err, MIST_ERR_INPUT,
                                  "alias table weight %zu is %g; expected a finite value >= 0",
                                  i, weights[i]);
        total += weights[i];
    }
    if (!(total > 0.0) || !isfinite(total))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "alias table weights sum to %g; expected a finite positive sum",
                              total);

    mist_alias *t = calloc(1, sizeof *t);
    uint32_t *work = malloc(n * sizeof *work);
    double *prob = malloc(n * sizeof *prob);
    if (t)
        t->entry = malloc(n * sizeof *t->entry);
    if (!t || !work || !prob || !t->entry) {
        free(work);
        free(prob);
        mist_alias_free(t);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for an alias table of %zu",
                              n);
    }
    t->n = n;
    t->total = total;

    /* Vose: scaled probabilities; "small" indices fill the work array from the
     * front, "large" ones from the back. */
    size_t n_small = 0, n_large = 0;
    double scale = (double)n / total;
    for (size_t i = 0; i < n; i++) {
        prob[i] = weights[i] * scale;
        t->entry[i].alias = (uint32_t)i;
        if (prob[i] < 1.0)
            work[n_small++] = (uint32_t)i;
        else
            work[n - 1 - n_large++] = (uint32_t)i;
    }
    while (n_small > 0 && n_large > 0) {
        uint32_t s = work[--n_small];
        uint32_t l = work[n - n_large];
        t->entry[s].alias = l;
        prob[l] -= 1.0 - prob[s];
        if (prob[l] < 1.0) { /* l becomes small: move it to the small stack */
            n_large--;
            work[n_small++] = l;
        }
    }
    /* Whatever is left is 1 up to rounding (and is its own alias). */
    while (n_large > 0)
        prob[work[n - n_large--]] = 1.0;
    while (n_small > 0)
        prob[work[--n_small]] = 1.0;
    /* The coin: keep with probability keep / 2^32.  Columns kept always get 2^32 - 1:
     * the coin's top value then takes the alias, which for them is the column itself. */
    for (size_t i = 0; i < n; i++) {
        double thr = prob[i] * 4294967296.0;
        t->entry[i].keep = thr >= 4294967295.0 ? UINT32_MAX : (uint32_t)thr;
    }
    free(prob);
    free(work);
    *out = t;
    return MIST_OK;
}

void mist_alias_free(mist_alias *t)
{
    if (!t)
        return;
    free(t->entry);
    free(t);
}
