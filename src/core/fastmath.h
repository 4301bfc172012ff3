/*
 * fastmath.h - exp() and log() for the per-photon path, inline.
 *
 * glibc's exp and log cost a call through the PLT, an errno wrapper and
 * special-case tests on every call; in photon transport they are called a few
 * times per history (cross-section interpolation, Compton sampling), about a
 * tenth of the instructions of a 511 keV history.  These are the same
 * table-driven algorithms as glibc's (Szabolcs Nagy, ARM optimized-routines,
 * "exp" and "log", 2018), written inline with smaller tables and no FMA:
 *
 *  - mist_fast_exp(x): x = (64 k + j) ln2/64 + r with |r| <= ln2/128, then
 *    exp(x) = 2^k 2^(j/64) (1 + p(r)), p the Taylor polynomial of degree 5
 *    (truncation r^6/720 < 3.5e-17) and 2^(j/64) from a table of 64 values
 *    rounded to nearest (0.5 ulp).  Arguments with |x| >= 708 (and NaN) go to
 *    libm's exp.
 *  - mist_fast_log(x): x = 2^k z with z in [0.6875, 1.375) split into 128
 *    bins by its leading mantissa bits; with c the bin's centre (exactly 1 in
 *    the two bins next to 1, so that log stays accurate near 1), z - c is
 *    exact and log x = k ln2 + ln c + log1p(r), r = (z - c)/c, |r| < 0.008,
 *    log1p by its Taylor polynomial of degree 8 (truncation < 2e-18 relative).
 *    Zero, negative, subnormal, infinite and NaN arguments go to libm's log.
 *
 * Accuracy, checked against libm by tests/unit/test_fastmath.c over 10^6
 * arguments each: relative error at most 2.2e-16 (one ulp of difference) for exp
 * on [-708, 708] and for log on [1e-300, 1e300], the bound tested being 4e-16;
 * i.e. at the rounding level of double arithmetic;
 * no sampled distribution can tell them from libm's.  The tables are constants
 * (fastmath.c), generated with 50-digit decimal arithmetic.
 */
#ifndef MIST_CORE_FASTMATH_H
#define MIST_CORE_FASTMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#define MIST_FAST_EXP_N 64
#define MIST_FAST_LOG_N 128

/* Bits of 2^(j/64), minus j << 46 (so that adding k << 52 and j << 46 gives 2^(k + j/64)). */
extern const uint64_t mist_fast_exp_table[MIST_FAST_EXP_N];
/* Per bin of z: c, 1/c (rounded), ln c (rounded). */
extern const double mist_fast_log_table[MIST_FAST_LOG_N][3];

static inline uint64_t mist_fm_asuint64(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static inline double mist_fm_asdouble(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* exp(x), relative error < 4e-16. */
static inline double mist_fast_exp(double x)
{
    if (!(fabs(x) < 708.0))
        return exp(x);
    const double inv_ln2_n = 0x1.71547652b82fep0 * MIST_FAST_EXP_N; /* 64 / ln 2 */
    const double ln2_n_hi = 0x1.62e42fefa0000p-7; /* ln2 / 64, 36 bits: kd * hi is exact */
    const double ln2_n_lo = 0x1.cf79abc9e3b3ap-46; /* ln2 / 64 - hi */
    const double shift = 0x1.8p52; /* adding it rounds to an integer in the low bits */
    double kd = x * inv_ln2_n + shift;
    uint64_t ki = mist_fm_asuint64(kd);
    kd -= shift;
    double r = x - kd * ln2_n_hi - kd * ln2_n_lo;
    uint64_t sbits = mist_fast_exp_table[ki & (MIST_FAST_EXP_N - 1)] + (ki << 46);
    double scale = mist_fm_asdouble(sbits);
    double r2 = r * r;
    double p = r + r2 * (0.5 + r * (1.0 / 6.0)) + r2 * r2 * (1.0 / 24.0 + r * (1.0 / 120.0));
    return scale + scale * p;
}

/* log(x), relative error < 4e-16 (absolute < 2e-16 near x = 1). */
static inline double mist_fast_log(double x)
{
    uint64_t ix = mist_fm_asuint64(x);
    /* Normal positive finite numbers only: the rest (0, < 0, subnormal, inf, NaN) to libm. */
    if (ix - 0x0010000000000000ULL >= 0x7ff0000000000000ULL - 0x0010000000000000ULL)
        return log(x);
    const uint64_t off = 0x3fe6000000000000ULL; /* 0.6875 */
    const double ln2_hi = 0x1.62e42fefa3800p-1; /* k * hi exact for |k| < 2^11 */
    const double ln2_lo = 0x1.ef35793c76730p-45;
    uint64_t tmp = ix - off;
    int i = (int)((tmp >> 45) & (MIST_FAST_LOG_N - 1));
    double k = (double)((int64_t)tmp >> 52);
    double z = mist_fm_asdouble(ix - (tmp & 0xfffULL << 52));
    const double *t = mist_fast_log_table[i];
    double r = (z - t[0]) * t[1];
    double r2 = r * r;
    /* log1p(r) = r - r^2/2 + r^3/3 - ... - r^8/8 */
    double p = r2 * (-0.5 + r * (1.0 / 3.0)) +
               r2 * r2 * ((-0.25 + r * 0.2) + r2 * ((-1.0 / 6.0 + r * (1.0 / 7.0)) - r2 * 0.125));
    return (k * ln2_hi + t[2]) + (r + (p + k * ln2_lo));
}

#endif
