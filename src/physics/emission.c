#include "physics/emission.h"

#include <math.h>
#include <string.h>

#include "core/fastmath.h"

#define PI 3.14159265358979323846
#define FWHM_TO_SIGMA 0.42466090014400953 /* 1 / (2 sqrt(2 ln 2)) */
#define TWO32 4294967296.0
#define LN2 0.693147180559945309417

mist_emission_options mist_emission_default_options(void)
{
    return (mist_emission_options){.positron_range = 1,
                                   .acollinearity = 1,
                                   .acollinearity_fwhm_deg = MIST_ACOLLINEARITY_FWHM_DEG};
}

/* Probability p in [0, 1] as a threshold on a 32-bit uniform integer. */
static uint64_t threshold(double p)
{
    if (p <= 0.0)
        return 0;
    if (p >= 1.0)
        return (uint64_t)1 << 32;
    return (uint64_t)llround(p * TWO32);
}

mist_status mist_emitter_init(mist_emitter *em, const mist_nuclide *nuc,
                              const mist_emission_options *opt, mist_error *err)
{
    memset(em, 0, sizeof *em);
    em->nuclide = nuc;
    em->opt = opt ? *opt : mist_emission_default_options();
    if (!(em->opt.acollinearity_fwhm_deg >= 0.0 && em->opt.acollinearity_fwhm_deg < 10.0))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "acollinearity FWHM %g degree is outside [0, 10)",
                              em->opt.acollinearity_fwhm_deg);
    em->acoll_sigma_rad = em->opt.acollinearity
                              ? em->opt.acollinearity_fwhm_deg * FWHM_TO_SIGMA * PI / 180.0
                              : 0.0;

    double p_beta = 0.0;
    em->n_beta = nuc->n_beta;
    for (int b = 0; b < nuc->n_beta; b++) {
        mist_status st = mist_positron_spectrum_init(&em->beta[b], nuc->z - 1,
                                                     nuc->beta[b].endpoint_keV, err);
        if (st != MIST_OK)
            return st;
        p_beta += nuc->beta[b].intensity;
        em->branch_cut[b] = (uint32_t)fmin(threshold(p_beta), TWO32 - 1.0);
        uint32_t share = em->branch_cut[b] - (b ? em->branch_cut[b - 1] : 0u);
        em->branch_scale[b] = share ? MIST_POSITRON_TABLE_N / (double)share : 0.0;
    }
    _Static_assert(MIST_POSITRON_TABLE_N == 1024, "branch_scale maps to 1024 table cells");
    (void)mist_zig_normal_build(&em->zig);
    if (p_beta > 1.0 + 1e-12)
        return mist_error_set(err, MIST_ERR_INPUT, "%s: positron branches sum to %g > 1",
                              nuc->name, p_beta);

    em->n_lines = nuc->n_lines;
    for (int l = 0; l < nuc->n_lines; l++) {
        const mist_photon_line *ln = &nuc->lines[l];
        if (ln->branch < 0) {
            for (int m = 0; m <= nuc->n_beta; m++)
                em->line_cut[m][l] = threshold(ln->intensity);
        } else {
            if (ln->branch >= nuc->n_beta)
                return mist_error_set(err, MIST_ERR_INPUT,
                                      "%s: line %g keV refers to positron branch %d of %d",
                                      nuc->name, ln->energy_keV, ln->branch, nuc->n_beta);
            double ib = nuc->beta[ln->branch].intensity;
            double p_with = ln->with_beta / ib;
            double rest = ln->intensity - ln->with_beta;
            double p_rest = p_beta < 1.0 ? rest / (1.0 - p_beta) : (rest > 0.0 ? 2.0 : 0.0);
            if (p_with > 1.0 + 1e-9 || p_rest > 1.0 + 1e-9 || rest < -1e-12)
                return mist_error_set(err, MIST_ERR_INPUT,
                                      "%s: line %g keV cannot be split between the decay "
                                      "modes (%g after branch %d of intensity %g, %g after "
                                      "the %g decays without a positron)",
                                      nuc->name, ln->energy_keV, ln->with_beta, ln->branch,
                                      ib, rest, 1.0 - p_beta);
            em->line_cut[0][l] = threshold(p_rest);
            em->line_cut[1 + ln->branch][l] = threshold(p_with);
        }
        em->line_delay_mean_s[l] = ln->delay_half_life_s / LN2;
    }
    return MIST_OK;
}

/* Uniform in (-1, 1) from one 32-bit output: 2^-31 resolution is ample for
 * directions (the full 53-bit uniform costs two outputs). */
static inline double sym_uniform32(mist_rng *rng)
{
    return ((double)mist_rng_u32(rng) + 0.5) * (2.0 / 4294967296.0) - 1.0;
}

/* Isotropic unit vector by Marsaglia's disk method (Ann Math Stat 43:645, 1972):
 * no trigonometric calls. */
static inline void isotropic(mist_rng *rng, double d[3])
{
    double x, y, s;
    do {
        x = sym_uniform32(rng);
        y = sym_uniform32(rng);
        s = x * x + y * y;
    } while (s >= 1.0);
    double f = 2.0 * sqrt(1.0 - s);
    d[0] = x * f;
    d[1] = y * f;
    d[2] = 1.0 - 2.0 * s;
}

/* Isotropic unit vector in spherical coordinates: cos(theta) = z uniform on (-1, 1) from one
 * 32-bit output, the azimuth from another (its cosine c and sine s by table, core/fastmath.h),
 * sin(theta) = st = 2 sqrt(u (1 - u)) (as mist_rng_isotropic).  The pieces are returned
 * because they also give the orthonormal basis (z c, z s, -st), (-s, c, 0) perpendicular to
 * the direction, which the acollinearity uses. */
static inline void isotropic_sph(mist_rng *rng, double d[3], double *c, double *s, double *st)
{
    double u = mist_rng_uniform32(rng);
    mist_fast_sincos_2pi_u32(mist_rng_u32(rng), c, s);
    *st = 2.0 * sqrt(u * (1.0 - u));
    d[0] = *st * *c;
    d[1] = *st * *s;
    d[2] = 1.0 - 2.0 * u;
}

/* The direction opposite to d = (st c, st s, z) (isotropic_sph), deviated by Gaussian angles
 * of sigma [rad] in two perpendicular planes containing d: -d + a e1 + b e2, normalised, with
 * a, b = sigma g, g standard normals, and e1 = (z c, z s, -st), e2 = (-s, c, 0) the spherical
 * basis at d (any orthonormal pair perpendicular to d gives the same law: (a, b) is
 * isotropic in their plane). */
static inline void opposite(const mist_emitter *em, mist_rng *rng, const double d[3], double c,
                            double s, double st, double out[3])
{
    double sigma = em->acoll_sigma_rad;
    if (sigma <= 0.0) {
        out[0] = -d[0];
        out[1] = -d[1];
        out[2] = -d[2];
        return;
    }
    /* Small angles: tan(sigma g) = sigma g to a relative 1e-5 at sigma = 0.2 degree. */
    double a = sigma * mist_zig_normal_sample(&em->zig, rng);
    double b = sigma * mist_zig_normal_sample(&em->zig, rng);
    /* |-d + a e1 + b e2|^2 = 1 + a^2 + b^2 (d, e1, e2 orthonormal). */
    double norm = 1.0 / sqrt(1.0 + a * a + b * b);
    double h = a * d[2] - st; /* the (c, s) part: -st + a z */
    out[0] = (c * h - b * s) * norm;
    out[1] = (s * h + b * c) * norm;
    out[2] = (-d[2] - a * st) * norm;
}

void mist_emission_sample(const mist_emitter *em, mist_rng *rng, const double origin_mm[3],
                          double density_g_cm3, mist_decay *out)
{
    /* One 32-bit output chooses the branch; within branch b's share [cut[b-1], cut[b]) it
     * is uniform and independent of the choice, and, rescaled, is the position in the
     * branch's energy table (10 bits of cell, the rest the place in it). */
    uint32_t u = mist_rng_u32(rng);
    int b = -1;
    for (int k = 0; k < em->n_beta; k++)
        if (u < em->branch_cut[k]) {
            b = k;
            break;
        }
    out->branch = b;
    out->positron_keV = 0.0;
    out->range_mm = 0.0;
    int n = 0;

    if (b >= 0) {
        const mist_positron_spectrum *sp = &em->beta[b];
        uint32_t lo = b ? em->branch_cut[b - 1] : 0u;
        double x = ((double)(u - lo) + 0.5) * em->branch_scale[b];
        int i = (int)x;
        double range_g_cm2;
        out->positron_keV = mist_positron_energy_at(sp, i, x - i, &range_g_cm2);
        mist_emitted_photon *p1 = &out->photons[0], *p2 = &out->photons[1];
        double at[3] = {origin_mm[0], origin_mm[1], origin_mm[2]};
        if (em->opt.positron_range && density_g_cm3 > 0.0) {
            /* Path fraction and the isotropic direction of the displacement from one 64-bit
             * draw, 21 bits each (mist_rng_uniform3_21's split): the displacement, at most a
             * few cm, lands on a grid finer than 0.1 um. */
            uint64_t hi = mist_rng_u32(rng); /* two statements: the draws' order is fixed */
            uint64_t bits = hi << 32 | mist_rng_u32(rng);
            uint32_t k0 = (uint32_t)(bits >> 43);
            uint32_t k1 = (uint32_t)(bits >> 22) & 0x1FFFFFu;
            uint32_t k2 = (uint32_t)(bits >> 1) & 0x1FFFFFu;
            double s = mist_positron_path_fraction_at(
                sp, (int)(k0 >> 11), ((double)(k0 & 0x7FFu) + 0.5) * 0x1.0p-11);
            double r = 10.0 * range_g_cm2 * s / density_g_cm3;
            double uz = ((double)k1 + 0.5) * 0x1.0p-21;
            double c, sn;
            mist_fast_sincos_2pi_u32(k2 << 11 | 0x400u, &c, &sn);
            double rst = r * 2.0 * sqrt(uz * (1.0 - uz));
            at[0] += rst * c;
            at[1] += rst * sn;
            at[2] += r * (1.0 - 2.0 * uz);
            out->range_mm = r;
        }
        double c, sn, st;
        isotropic_sph(rng, p1->dir, &c, &sn, &st);
        opposite(em, rng, p1->dir, c, sn, st, p2->dir);
        for (int k = 0; k < 3; k++)
            p1->pos_mm[k] = p2->pos_mm[k] = at[k];
        p1->energy_keV = p2->energy_keV = MIST_ANNIHILATION_KEV;
        p1->time_s = p2->time_s = 0.0;
        p1->origin = p2->origin = MIST_PHOTON_ANNIHILATION;
        p1->line = p2->line = -1;
        n = 2;
    }

    const uint64_t *cut = em->line_cut[b + 1];
    for (int l = 0; l < em->n_lines; l++) {
        if ((uint64_t)mist_rng_u32(rng) >= cut[l])
            continue;
        mist_emitted_photon *ph = &out->photons[n++];
        ph->pos_mm[0] = origin_mm[0];
        ph->pos_mm[1] = origin_mm[1];
        ph->pos_mm[2] = origin_mm[2];
        isotropic(rng, ph->dir);
        ph->energy_keV = em->nuclide->lines[l].energy_keV;
        ph->line = l;
        if (em->line_delay_mean_s[l] > 0.0) {
            /* Exponential delay by inversion of one 32-bit uniform (rng.h). */
            ph->time_s = -em->line_delay_mean_s[l] * mist_fast_log(mist_rng_uniform32(rng));
            ph->origin = MIST_PHOTON_DELAYED;
        } else {
            ph->time_s = 0.0;
            ph->origin = MIST_PHOTON_PROMPT;
        }
    }
    out->n_photons = n;
}
