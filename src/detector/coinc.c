#include "detector/coinc.h"

#include <math.h>
#include <stdlib.h>

static int by_time(const void *a, const void *b)
{
    const mist_single *x = a, *y = b;
    if (x->time_s < y->time_s)
        return -1;
    if (x->time_s > y->time_s)
        return 1;
    /* Equal times: a fixed order keeps the result independent of qsort. */
    if (x->event != y->event)
        return x->event < y->event ? -1 : 1;
    return (x->crystal > y->crystal) - (x->crystal < y->crystal);
}

static uint32_t block_of(const mist_coinc_params *p, uint32_t crystal)
{
    uint32_t ring = crystal / p->crystals_per_ring, i = crystal % p->crystals_per_ring;
    return (ring / p->block_axial) * p->blocks_per_ring + i / p->block_transaxial;
}

/* Dead time and energy window: marks lost singles and counts them. */
static void filter_singles(const mist_coinc_params *p, mist_single *s, size_t n, double *busy,
                           mist_coinc_counts *c)
{
    for (uint32_t k = 0; k < p->n_blocks; k++)
        busy[k] = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        s[i].lost = 0;
        if (p->dead_time_s > 0) {
            uint32_t k = block_of(p, s[i].crystal);
            if (s[i].time_s < busy[k]) {
                s[i].lost = 1;
                c->lost_dead_time++;
                if (p->dead_time_model == MIST_DEAD_PARALYSABLE)
                    busy[k] = s[i].time_s + p->dead_time_s;
                continue;
            }
            busy[k] = s[i].time_s + p->dead_time_s;
        }
        if (s[i].energy_keV < p->e_lo_keV || s[i].energy_keV > p->e_hi_keV) {
            s[i].lost = 2;
            c->lost_energy++;
            continue;
        }
        c->singles++;
    }
}

static mist_coinc_class classify(const mist_single *a, const mist_single *b)
{
    if (a->event != b->event ||
        ((a->flags | b->flags) & MIST_SINGLE_NOT_ANNIHILATION))
        return MIST_COINC_RANDOM;
    if ((a->flags | b->flags) & MIST_SINGLE_PHANTOM_SCATTER)
        return MIST_COINC_PHANTOM_SCATTER;
    if ((a->flags | b->flags) & MIST_SINGLE_DETECTOR_SCATTER)
        return MIST_COINC_DETECTOR_SCATTER;
    return MIST_COINC_TRUE;
}

/* Next accepted single at index >= i (n if none). */
static size_t next_ok(const mist_single *s, size_t n, size_t i)
{
    while (i < n && s[i].lost)
        i++;
    return i;
}

size_t mist_coinc_sort(const mist_coinc_params *p, mist_single *s, size_t n, double *busy,
                       mist_coinc *prompts, mist_coinc *delayed, size_t max_out,
                       size_t *n_delayed, mist_coinc_counts *c)
{
    c->singles_in += n;
    qsort(s, n, sizeof *s, by_time);
    filter_singles(p, s, n, busy, c);

    /* Prompts: single-window method, kill all multiples. */
    size_t np = 0;
    for (size_t i = next_ok(s, n, 0); i < n;) {
        double close = s[i].time_s + p->window_s;
        size_t j = next_ok(s, n, i + 1), partner = j, in_window = 0;
        for (; j < n && s[j].time_s <= close; j = next_ok(s, n, j + 1))
            in_window++;
        if (in_window == 1 && np < max_out) {
            mist_coinc *o = &prompts[np++];
            o->crystal[0] = s[i].crystal;
            o->crystal[1] = s[partner].crystal;
            o->dt_s = s[partner].time_s - s[i].time_s;
            o->cls = (uint8_t)classify(&s[i], &s[partner]);
            c->prompts++;
            c->by_class[o->cls]++;
        } else if (in_window > 1) {
            c->multiples++;
        }
        /* Resume after the window (its singles are used or discarded). */
        i = in_window ? j : next_ok(s, n, i + 1);
    }

    /* Delayed: the stream against a copy of itself delayed by delay_s, with the
     * prompt channel's rules: a single opens a window unless it falls in the
     * window of the single before; exactly one delayed single in it makes a
     * delayed coincidence, several a discarded multiple. */
    size_t nd = 0, j0 = 0;
    for (size_t i = next_ok(s, n, 0); i < n;) {
        double open = s[i].time_s + p->delay_s, close = open + p->window_s;
        while (j0 < n && s[j0].time_s < open)
            j0++;
        size_t j = next_ok(s, n, j0), partner = j, in_window = 0;
        for (; j < n && s[j].time_s <= close; j = next_ok(s, n, j + 1))
            in_window++;
        if (in_window == 1 && nd < max_out) {
            mist_coinc *o = &delayed[nd++];
            o->crystal[0] = s[i].crystal;
            o->crystal[1] = s[partner].crystal;
            o->dt_s = s[partner].time_s - s[i].time_s - p->delay_s;
            o->cls = MIST_COINC_RANDOM;
            c->delayed++;
        }
        /* The window keeps the channel busy: singles inside it open none. */
        double busy_until = s[i].time_s + p->window_s;
        i = next_ok(s, n, i + 1);
        while (i < n && s[i].time_s <= busy_until)
            i = next_ok(s, n, i + 1);
    }
    *n_delayed = nd;
    return np;
}
