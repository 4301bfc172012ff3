#include "engine/pet_sim.h"

#include "transport/woodcock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIST_FWHM_TO_SIGMA 0.42466090014400953 /* 1 / (2 sqrt(2 ln 2)) */

const char *const mist_pet_counter_names[MIST_PET_N_COUNTERS] = {
    "decays",  "photons_on_ring", "singles_offered", "lost_dead_time", "lost_energy_window",
    "singles", "prompts",         "trues",           "scatters",       "detector_scatters",
    "randoms", "multiples",       "delayed",         "outside_sinogram"};

static mist_status grow(mist_pet_sim *ps, size_t need, mist_error *err)
{
    size_t cap = ps->cap ? ps->cap : 1024;
    while (cap < need)
        cap *= 2;
    mist_single *s = realloc(ps->singles, cap * sizeof *s);
    if (s)
        ps->singles = s;
    void *w = s ? realloc(ps->sort_work, mist_coinc_work_bytes(cap)) : NULL;
    if (w)
        ps->sort_work = w;
    if (!s || !w)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for %zu singles", cap);
    ps->cap = cap;
    return MIST_OK;
}

/* A photon that has left the phantom, carried into the scanner's frame (pet_sim.h,
 * mist_pet_sim_set_pose).  A block scanner's crystals may lie inside the phantom's box
 * (a breast ring around the pendant breast, the box's corners beside it): a photon that
 * left the box beyond the crystals' front-face cylinder is moved back along its path to
 * where it crossed that cylinder, since the box's voxels there are air (tissue inside a
 * ring lies within its bore). */
static void to_scanner(const mist_pet_sim *ps, mist_photon *p)
{
    double d[3], u[3];
    for (int i = 0; i < 3; i++) {
        d[i] = p->pos_mm[i] - ps->pose_center_mm[i];
        u[i] = p->dir[i];
    }
    switch (ps->pose_axis) {
    case 0: /* phantom x along the scanner axis: (y, z, x) */
        p->pos_mm[0] = d[1], p->pos_mm[1] = d[2], p->pos_mm[2] = d[0];
        p->dir[0] = u[1], p->dir[1] = u[2], p->dir[2] = u[0];
        break;
    case 1: /* phantom y along the scanner axis: (x, -z, y) */
        p->pos_mm[0] = d[0], p->pos_mm[1] = -d[2], p->pos_mm[2] = d[1];
        p->dir[0] = u[0], p->dir[1] = -u[2], p->dir[2] = u[1];
        break;
    default:
        for (int i = 0; i < 3; i++)
            p->pos_mm[i] = d[i];
    }
    if (ps->scanner->geometry != MIST_PET_BLOCKS)
        return;
    double R = ps->scanner->radius_mm;
    double a = p->dir[0] * p->dir[0] + p->dir[1] * p->dir[1];
    double b = p->pos_mm[0] * p->dir[0] + p->pos_mm[1] * p->dir[1];
    double c = p->pos_mm[0] * p->pos_mm[0] + p->pos_mm[1] * p->pos_mm[1] - R * R;
    if (c <= 0.0 || b <= 0.0 || a <= 0.0 || b * b - a * c < 0.0)
        return; /* inside the bore, or moving inward, or never crossing the cylinder */
    double t = (-b + sqrt(b * b - a * c)) / a; /* < 0: the outward crossing, behind it */
    for (int i = 0; i < 3; i++)
        p->pos_mm[i] += t * p->dir[i];
    p->path_mm += t;
    p->time_s += t / MIST_SPEED_OF_LIGHT_MM_S;
}

mist_status mist_pet_sim_init(mist_pet_sim *ps, const mist_acquisition *acq,
                              const mist_pet_scanner *scanner, const mist_material_list *materials,
                              const mist_emission_options *opt,
                              const double source_mm[3], double source_density_g_cm3,
                              double expected_decays_per_batch,
                              mist_tallies *t, mist_error *err)
{
    memset(ps, 0, sizeof *ps);
    ps->acq = acq;
    ps->scanner = scanner;
    memcpy(ps->source_mm, source_mm, sizeof ps->source_mm);
    ps->source_density_g_cm3 = source_density_g_cm3;
    ps->time_sigma_s = scanner->tof_fwhm_s * MIST_FWHM_TO_SIGMA / sqrt(2.0);
    ps->pose_axis = 2; /* scanner axis along the phantom's z, centred on its origin */
    ps->coinc = mist_pet_coinc_params(scanner);
    mist_status st = mist_emitter_init(&ps->emitter, acq->nuclide, opt, err);
    if (!st && scanner->geometry == MIST_PET_BLOCKS)
        st = materials ? mist_pet_blocks_init(&ps->blocks, scanner, materials, err)
                       : mist_error_set(err, MIST_ERR_INTERNAL, "block scanner without materials");
    if (!st)
        st = mist_sino_init(&ps->sino, scanner->crystals_per_ring, scanner->rings,
                            scanner->radial_bins, scanner->span, scanner->max_ring_difference,
                            scanner->radius_mm, err);
    if (st)
        return st;
    mist_sino_set_tof(&ps->sino, scanner->tof_bins, scanner->tof_bin_s);
    ps->busy = malloc(ps->coinc.n_blocks * sizeof *ps->busy);
    if (!ps->busy)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    /* Room for the mean + 6 sigma decays of a batch, ~2 singles each. */
    double m = expected_decays_per_batch;
    if ((st = grow(ps, (size_t)(2.0 * (m + 6.0 * sqrt(m) + 16.0)), err)))
        return st;

    char path[96];
    /* [tof,] planes, views, radial: the TOF axis only when there are TOF bins. */
    uint64_t dims[4] = {ps->sino.n_tof, ps->sino.n_planes, ps->sino.n_views, ps->sino.n_radial};
    int tof = ps->sino.n_tof > 1;
    /* Sparse tallies (engine/tally.h): a rank holds only the bins with counts.  No randoms
     * tally: every prompt is of exactly one class, so the randoms sinogram is prompts -
     * trues - scatters - detector scatters, derived when the result is written
     * (mist_pet_sim_randoms). */
    static const char *const names[] = {"prompts", "trues", "scatters", "detector_scatters",
                                        "delayed"};
    size_t *ids[] = {&ps->id_prompts, &ps->id_trues, &ps->id_scatters, &ps->id_det_scatters,
                     &ps->id_delayed};
    for (size_t i = 0; i < 5 && !st; i++) {
        snprintf(path, sizeof path, "/pet/%s/%s", scanner->name, names[i]);
        st = mist_tallies_declare_sparse(t, path, "counts", 3 + tof, dims + !tof, ids[i], err);
    }
    uint64_t bins = MIST_PET_SPECTRUM_BINS;
    snprintf(path, sizeof path, "/pet/%s/singles_spectrum", scanner->name);
    if (!st)
        st = mist_tallies_declare(t, path, "singles per keV", 1, &bins, &ps->id_spectrum, err);
    uint64_t bs[2] = {2, ps->coinc.n_blocks};
    snprintf(path, sizeof path, "/pet/%s/block_singles", scanner->name);
    if (!st)
        st = mist_tallies_declare(t, path, "singles", 2, bs, &ps->id_block_singles, err);
    uint64_t nc = MIST_PET_N_COUNTERS;
    snprintf(path, sizeof path, "/pet/%s/counts", scanner->name);
    if (!st)
        st = mist_tallies_declare(t, path, "counts", 1, &nc, &ps->id_counts, err);
    return st;
}

void mist_pet_sim_free(mist_pet_sim *ps)
{
    mist_sino_free(&ps->sino);
    free(ps->singles);
    free(ps->sort_work);
    free(ps->busy);
    memset(ps, 0, sizeof *ps);
}

/* Measured energy: Gaussian blur with FWHM/E = r sqrt(511 / E). */
static float blur_energy(const mist_pet_scanner *s, mist_rng *rng, double e_keV)
{
    if (s->energy_resolution <= 0)
        return (float)e_keV;
    double fwhm = s->energy_resolution * sqrt(MIST_ANNIHILATION_KEV * e_keV);
    return (float)(e_keV + fwhm * MIST_FWHM_TO_SIGMA * mist_rng_normal(rng));
}

/* Fill one single: time blur (TOF resolution), energy blur, truth. */
static void add_single(const mist_pet_sim *ps, mist_rng *rng, mist_single *s, double time_s,
                       uint64_t event, uint32_t crystal, double energy_keV, uint8_t flags)
{
    s->time_s = time_s;
    if (ps->time_sigma_s > 0)
        s->time_s += ps->time_sigma_s * mist_rng_normal(rng);
    s->event = event;
    s->crystal = crystal;
    s->energy_keV = blur_energy(ps->scanner, rng, energy_keV);
    s->flags = flags;
    s->lost = 0;
}

typedef struct pet_sink {
    mist_pet_sim *ps;
    mist_tallies *t;
    uint64_t outside;
    uint64_t batch;
    mist_status st; /**< first error adding to the tallies */
    mist_error *err;
} pet_sink;

static void add(pet_sink *sk, size_t id, int64_t bin)
{
    if (!sk->st)
        sk->st = mist_tally_add(sk->t, id, (size_t)bin, 1, sk->err);
}

/* Add one coincidence to the prompts (and its truth class) or delayed sinogram. */
static void bin_coinc(void *ctx, const mist_coinc *c, int delayed)
{
    pet_sink *sk = ctx;
    mist_pet_sim *ps = sk->ps;
    double tau_s;
    int64_t bin = mist_sino_bin_tof(&ps->sino, c->crystal[0], c->crystal[1], c->dt_s, &tau_s);
    if (ps->listmode) {
        int a_first = mist_sino_a_first(&ps->sino, c->crystal[0], c->crystal[1]);
        mist_lm_event e = {.crystal = {c->crystal[!a_first], c->crystal[a_first]},
                           .tof_ps = (float)(tau_s * 1e12),
                           .batch = (uint32_t)sk->batch,
                           .cls = c->cls,
                           .delayed = (uint8_t)delayed};
        mist_listmode_add(ps->listmode, &e);
    }
    if (bin < 0) {
        sk->outside += !delayed;
        return;
    }
    if (delayed) {
        add(sk, ps->id_delayed, bin);
        return;
    }
    add(sk, ps->id_prompts, bin);
    if (c->cls == MIST_COINC_RANDOM)
        return; /* randoms: the prompts the other classes leave (no tally of their own) */
    const size_t ids[3] = {ps->id_trues, ps->id_scatters, ps->id_det_scatters};
    add(sk, ids[c->cls], bin);
}

mist_status mist_pet_sim_randoms(const mist_pet_sim *ps, const mist_tallies *t, uint64_t **pairs,
                                 size_t *n, mist_error *err)
{
    mist_status st = mist_tally_nonzero(t, ps->id_prompts, pairs, n, err);
    uint64_t *p = st ? NULL : *pairs;
    size_t k = 0;
    for (size_t i = 0; p && i < *n; i++) {
        size_t bin = (size_t)p[2 * i];
        uint64_t r = p[2 * i + 1] - mist_tally_get(t, ps->id_trues, bin) -
                     mist_tally_get(t, ps->id_scatters, bin) -
                     mist_tally_get(t, ps->id_det_scatters, bin);
        if (r) {
            p[2 * k] = bin;
            p[2 * k + 1] = r;
            k++;
        }
    }
    if (p)
        *n = k;
    return st;
}

mist_status mist_pet_sim_batch(void *ctx, uint64_t batch, mist_rng *rng, mist_tallies *t,
                               double *work, mist_error *err)
{
    mist_pet_sim *ps = ctx;
    const mist_pet_scanner *sc = ps->scanner;
    mist_acq_window w;
    mist_acquisition_begin(ps->acq, batch, rng, t, &w);
    uint64_t *counts = mist_tally_data(t, ps->id_counts);
    counts[MIST_PET_DECAYS] += w.n_decays;

    /* Singles one decay can make at most. */
    const size_t per_decay =
        MIST_DECAY_MAX_PHOTONS * (sc->geometry == MIST_PET_BLOCKS ? MIST_BLOCKS_MAX_HITS : 1);

    /* Emission and detection: each photon that reaches the ring is a single. */
    size_t n = 0;
    mist_decay decay;
    /* Each decay's alias column is drawn one decay ahead (mist_source_pick prefetches it). */
    uint64_t pick = ps->source && w.n_decays ? mist_source_pick(ps->source, rng) : 0;
    for (uint64_t i = 0; i < w.n_decays; i++) {
        if (n + per_decay > ps->cap) { /* rare: the set-up sized it for mean + 6 sigma */
            mist_status st = grow(ps, n + per_decay, err);
            if (st)
                return st;
        }
        double t_decay = mist_acquisition_time(&w, rng);
        mist_acquisition_record(ps->acq, t, t_decay);
        if (ps->source) {
            double at[3], rho;
            uint64_t this_pick = pick;
            if (i + 1 < w.n_decays)
                pick = mist_source_pick(ps->source, rng);
            mist_source_place(ps->source, this_pick, rng, at, &rho);
            mist_emission_sample(&ps->emitter, rng, at, rho, &decay);
        } else {
            mist_emission_sample(&ps->emitter, rng, ps->source_mm, ps->source_density_g_cm3,
                                 &decay);
        }
        for (int k = 0; k < decay.n_photons; k++) {
            const mist_emitted_photon *ph = &decay.photons[k];
            mist_photon p = mist_photon_make(ph->pos_mm, ph->dir, ph->energy_keV,
                                             t_decay + ph->time_s);
            if (ps->medium) {
                mist_woodcock_track(ps->medium, &p, rng);
                if (p.fate != MIST_FATE_ESCAPED)
                    continue;
            }
            to_scanner(ps, &p);
            uint8_t flags = (uint8_t)((ph->origin == MIST_PHOTON_ANNIHILATION
                                           ? 0 : MIST_SINGLE_NOT_ANNIHILATION) |
                                      (p.n_compton + p.n_rayleigh ? MIST_SINGLE_PHANTOM_SCATTER : 0));
            uint64_t event = (batch << 32) | i;
            if (sc->geometry == MIST_PET_IDEAL_RING) {
                uint32_t crystal;
                double path_mm;
                if (!mist_pet_ideal_hit(sc, p.pos_mm, p.dir, &crystal, &path_mm))
                    continue;
                add_single(ps, rng, &ps->singles[n++], p.time_s + path_mm / MIST_SPEED_OF_LIGHT_MM_S,
                           event, crystal, p.energy_keV, flags);
                continue;
            }
            if (mist_pet_blocks_past_ends(&ps->blocks, p.pos_mm, p.dir))
                continue; /* no block on its way (and no call) */
            mist_block_hit hits[MIST_BLOCKS_MAX_HITS];
            p.edep_keV = 0;
            p.fate = MIST_FATE_ALIVE; /* it escaped the phantom; now the crystals */
            int nh = mist_pet_blocks_detect(&ps->blocks, &p, rng, hits);
            for (int h = 0; h < nh; h++)
                add_single(ps, rng, &ps->singles[n++], hits[h].time_s, event, hits[h].crystal,
                           hits[h].energy_keV,
                           (uint8_t)(flags | (hits[h].detector_scatter
                                                  ? MIST_SINGLE_DETECTOR_SCATTER : 0)));
        }
    }
    counts[MIST_PET_PHOTONS_ON_RING] += n;
    uint64_t *spectrum = mist_tally_data(t, ps->id_spectrum);
    for (size_t i = 0; i < n; i++) {
        double e = ps->singles[i].energy_keV;
        if (e >= 0 && e < MIST_PET_SPECTRUM_BINS)
            spectrum[(size_t)e]++;
    }

    /* Coincidences straight into the sinograms. */
    mist_coinc_counts cc = {0};
    pet_sink sk = {.ps = ps, .t = t, .batch = batch, .err = err};
    if (ps->listmode)
        mist_listmode_begin(ps->listmode, batch);
    mist_coinc_sort_work(&ps->coinc, ps->singles, n, ps->busy, ps->sort_work, bin_coinc, &sk,
                         &cc);
    if (sk.st)
        return sk.st;
    if (ps->listmode) {
        mist_status st = mist_listmode_end(ps->listmode, err);
        if (st)
            return st;
    }
    /* Singles offered to and accepted by each block (row 0, row 1). */
    uint64_t *bsg = mist_tally_data(t, ps->id_block_singles);
    const mist_coinc_params *cp = &ps->coinc;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = ps->singles[i].crystal, ring = c / cp->crystals_per_ring;
        uint32_t b = (ring / cp->block_axial) * cp->blocks_per_ring +
                     (c % cp->crystals_per_ring) / cp->block_transaxial;
        if (b < cp->n_blocks) {
            bsg[b]++;
            bsg[cp->n_blocks + b] += !ps->singles[i].lost;
        }
    }
    uint64_t outside = sk.outside;
    counts[MIST_PET_SINGLES_IN] += cc.singles_in;
    counts[MIST_PET_LOST_DEAD_TIME] += cc.lost_dead_time;
    counts[MIST_PET_LOST_ENERGY] += cc.lost_energy;
    counts[MIST_PET_SINGLES] += cc.singles;
    counts[MIST_PET_PROMPTS] += cc.prompts;
    counts[MIST_PET_TRUES] += cc.by_class[MIST_COINC_TRUE];
    counts[MIST_PET_SCATTERS] += cc.by_class[MIST_COINC_PHANTOM_SCATTER];
    counts[MIST_PET_DETECTOR_SCATTERS] += cc.by_class[MIST_COINC_DETECTOR_SCATTER];
    counts[MIST_PET_RANDOMS] += cc.by_class[MIST_COINC_RANDOM];
    counts[MIST_PET_MULTIPLES] += cc.multiples;
    counts[MIST_PET_DELAYED] += cc.delayed;
    counts[MIST_PET_OUTSIDE_SINOGRAM] += outside;
    *work = (double)w.n_decays;
    return MIST_OK;
}
