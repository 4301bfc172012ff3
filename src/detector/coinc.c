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

static void emit(const mist_coinc_params *p, const mist_single *a, const mist_single *b,
                 int delayed, mist_coinc_sink sink, void *ctx, mist_coinc_counts *c)
{
    mist_coinc o = {.crystal = {a->crystal, b->crystal},
                    .dt_s = b->time_s - a->time_s - (delayed ? p->delay_s : 0.0),
                    .cls = (uint8_t)(delayed ? MIST_COINC_RANDOM : classify(a, b))};
    if (delayed) {
        c->delayed++;
    } else {
        c->prompts++;
        c->by_class[o.cls]++;
    }
    sink(ctx, &o, delayed);
}

/* All pairs within the window (prompts) and within the delayed window. */
static void sort_all_pairs(const mist_coinc_params *p, const mist_single *s, size_t n,
                           mist_coinc_sink sink, void *ctx, mist_coinc_counts *c)
{
    size_t d0 = 0;
    for (size_t i = next_ok(s, n, 0); i < n; i = next_ok(s, n, i + 1)) {
        double close = s[i].time_s + p->window_s;
        size_t in_window = 0;
        for (size_t j = next_ok(s, n, i + 1); j < n && s[j].time_s <= close;
             j = next_ok(s, n, j + 1)) {
            emit(p, &s[i], &s[j], 0, sink, ctx, c);
            in_window++;
        }
        if (in_window > 1)
            c->multiples++;
        double open = s[i].time_s + p->delay_s, dclose = open + p->window_s;
        while (d0 < n && s[d0].time_s < open)
            d0++;
        for (size_t j = next_ok(s, n, d0); j < n && s[j].time_s <= dclose;
             j = next_ok(s, n, j + 1))
            emit(p, &s[i], &s[j], 1, sink, ctx, c);
    }
}

/* Single-window method, kill all multiples, for prompts and delayed alike. */
static void sort_kill_all(const mist_coinc_params *p, const mist_single *s, size_t n,
                          mist_coinc_sink sink, void *ctx, mist_coinc_counts *c)
{
    for (size_t i = next_ok(s, n, 0); i < n;) {
        double close = s[i].time_s + p->window_s;
        size_t j = next_ok(s, n, i + 1), partner = j, in_window = 0;
        for (; j < n && s[j].time_s <= close; j = next_ok(s, n, j + 1))
            in_window++;
        if (in_window == 1)
            emit(p, &s[i], &s[partner], 0, sink, ctx, c);
        else if (in_window > 1)
            c->multiples++;
        /* Resume after the window (its singles are used or discarded). */
        i = in_window ? j : next_ok(s, n, i + 1);
    }
    /* Delayed: a single opens a window unless it falls in the window of the
     * single before; exactly one delayed single in it makes a coincidence. */
    size_t j0 = 0;
    for (size_t i = next_ok(s, n, 0); i < n;) {
        double open = s[i].time_s + p->delay_s, close = open + p->window_s;
        while (j0 < n && s[j0].time_s < open)
            j0++;
        size_t j = next_ok(s, n, j0), partner = j, in_window = 0;
        for (; j < n && s[j].time_s <= close; j = next_ok(s, n, j + 1))
            in_window++;
        if (in_window == 1)
            emit(p, &s[i], &s[partner], 1, sink, ctx, c);
        double busy_until = s[i].time_s + p->window_s;
        i = next_ok(s, n, i + 1);
        while (i < n && s[i].time_s <= busy_until)
            i = next_ok(s, n, i + 1);
    }
}

void mist_coinc_sort(const mist_coinc_params *p, mist_single *s, size_t n, double *busy,
                     mist_coinc_sink sink, void *ctx, mist_coinc_counts *c)
{
    c->singles_in += n;
    qsort(s, n, sizeof *s, by_time);
    filter_singles(p, s, n, busy, c);
    if (p->multiples == MIST_MULTIPLES_KILL_ALL)
        sort_kill_all(p, s, n, sink, ctx, c);
    else
        sort_all_pairs(p, s, n, sink, ctx, c);
}
