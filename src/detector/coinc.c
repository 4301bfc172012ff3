#include "detector/coinc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* Radix sort by time (the sorter's hot spot with qsort): LSD passes of 11 bits over a key
 * whose unsigned order is the order of the doubles, on (key, index) pairs, skipping the
 * passes whose digit is the same for all singles (a batch's times share their top bits);
 * then one permutation.  Stable, so singles of equal time keep their input order; runs of
 * equal time are then put in by_time's order, so the result is exactly qsort's. */
typedef struct key_index {
    uint64_t key, index;
} key_index;

#define RADIX_BITS 11
#define RADIX_PASSES 6 /* 6 x 11 >= 64 */
#define RADIX_BUCKETS (1u << RADIX_BITS)
#define RADIX_MIN 64 /* fewer singles: qsort */

size_t mist_coinc_work_bytes(size_t n)
{
    return n * (sizeof(mist_single) + 2 * sizeof(key_index));
}

static uint64_t time_key(double t)
{
    uint64_t u;
    memcpy(&u, &t, sizeof u);
    return (u >> 63) ? ~u : (u | 0x8000000000000000ull);
}

static void sort_by_time(mist_single *s, size_t n, void *work)
{
    if (!work || n < RADIX_MIN) {
        qsort(s, n, sizeof *s, by_time);
        return;
    }
    mist_single *tmp = work;
    key_index *a = (key_index *)(tmp + n), *b = a + n;
    uint32_t hist[RADIX_PASSES][RADIX_BUCKETS];
    memset(hist, 0, sizeof hist);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = time_key(s[i].time_s);
        a[i].key = k;
        a[i].index = i;
        for (int p = 0; p < RADIX_PASSES; p++)
            hist[p][(k >> (p * RADIX_BITS)) & (RADIX_BUCKETS - 1)]++;
    }
    for (int p = 0; p < RADIX_PASSES; p++) {
        uint32_t *h = hist[p];
        unsigned shift = (unsigned)(p * RADIX_BITS);
        if (h[(a[0].key >> shift) & (RADIX_BUCKETS - 1)] == n)
            continue; /* one digit for all: the pass would not move anything */
        uint32_t sum = 0;
        for (uint32_t d = 0; d < RADIX_BUCKETS; d++) {
            uint32_t c = h[d];
            h[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            b[h[(a[i].key >> shift) & (RADIX_BUCKETS - 1)]++] = a[i];
        key_index *t = a;
        a = b;
        b = t;
    }
    for (size_t i = 0; i < n; i++)
        tmp[i] = s[a[i].index];
    memcpy(s, tmp, n * sizeof *s);
    /* Equal times (never seen with a time blur, possible without): by_time's order. */
    for (size_t i = 1; i < n; i++) {
        if (s[i].time_s != s[i - 1].time_s)
            continue;
        size_t j = i - 1;
        while (j > 0 && s[j - 1].time_s == s[i].time_s)
            j--;
        size_t end = i + 1;
        while (end < n && s[end].time_s == s[i].time_s)
            end++;
        qsort(s + j, end - j, sizeof *s, by_time);
        i = end - 1;
    }
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
    mist_coinc_sort_work(p, s, n, busy, NULL, sink, ctx, c);
}

void mist_coinc_sort_work(const mist_coinc_params *p, mist_single *s, size_t n, double *busy,
                          void *work, mist_coinc_sink sink, void *ctx, mist_coinc_counts *c)
{
    c->singles_in += n;
    sort_by_time(s, n, work);
    filter_singles(p, s, n, busy, c);
    if (p->multiples == MIST_MULTIPLES_KILL_ALL)
        sort_kill_all(p, s, n, sink, ctx, c);
    else
        sort_all_pairs(p, s, n, sink, ctx, c);
}
