#include "engine/basis.h"
#include "engine/recon_util.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "detector/coinc.h"
#include "detector/pet_scanner.h"
#include "detector/sinogram.h"
#include "engine/pet_sim.h"
#include "engine/scene.h"
#include "engine/simulate.h"
#include "io/h5in.h"
#include "io/h5out.h"
#include "par/mpi_env.h"
#include "physics/nuclide.h"
#include "transport/source.h"

#define BASIS_PARTS 3
static const char *const PARTS[BASIS_PARTS] = {"trues", "scatters", "detector_scatters"};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Integral of exp(-lambda t) over the simulated windows of a frame (t from its start). */
static double eff_time(double lambda, double duration_s, double frac, long batches)
{
    double slice = duration_s / (double)batches, t = 0.0;
    for (long b = 0; b < batches; b++)
        t += lambda > 0 ? exp(-lambda * slice * b) * -expm1(-lambda * frac * slice) / lambda
                        : frac * slice;
    return t;
}

/* Remove a link or an attribute if present (to write it anew). */
static void drop(hid_t f, const char *path)
{
    if (mist_h5in_exists(f, path))
        H5Ldelete(f, path, H5P_DEFAULT);
}

static void drop_attr(hid_t obj, const char *name)
{
    if (H5Aexists(obj, name) > 0)
        H5Adelete(obj, name);
}

/* ---- mist basis ------------------------------------------------------------------------ */

mist_status mist_basis_build(mist_study *study, const char *out, FILE *log,
                             mist_basis_summary *sum, mist_error *err)
{
    double t_start = now_s();
    memset(sum, 0, sizeof *sum);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (mist_mpi_world().size > 1)
        return mist_error_set(err, MIST_ERR_INPUT, "mist basis runs on one MPI rank");
    if (strcmp(study->acquisition.component, "all") || study->acquisition.activity_scale != 1.0)
        return mist_error_set(err, MIST_ERR_INPUT,
                              "mist basis: the study sets acquisition.component or "
                              "activity_scale; a basis simulates every tissue class itself");
    mist_scene sc;
    memset(&sc, 0, sizeof sc);
    mist_status st = mist_scene_build_source(&sc, study, err);
    double conc[MIST_PHANTOM_MAX_TISSUES] = {0}, vol[MIST_PHANTOM_MAX_TISSUES] = {0};
    double t0 = study->tracer.uptake_time_h * 3600.0;
    if (!st)
        st = mist_source_concentrations(sc.phantom, sc.tracer, study->tracer.injected_MBq, t0,
                                        conc, err);
    size_t nt = st ? 0 : sc.phantom->n_tissues;
    char names[MIST_PHANTOM_MAX_TISSUES][MIST_TISSUE_NAME_MAX];
    /* Each active class's volume [mL] (its unit map's total). */
    double act = 0.0, act_vol = 0.0;
    for (size_t l = 0; !st && l < nt; l++) {
        snprintf(names[l], sizeof names[l], "%s", sc.phantom->tissues[l].name);
        if (!strcmp(sc.phantom->tissues[l].uptake, "none"))
            continue;
        mist_component c = {.kind = MIST_COMPONENT_TISSUE, .index = (int)l, .unit = 1};
        mist_source s;
        st = mist_source_build_component(&s, sc.phantom, sc.tracer, study->tracer.injected_MBq,
                                         t0, &c, err);
        if (!st) {
            vol[l] = s.total_Bq;
            act += conc[l] * vol[l];
            act_vol += vol[l];
            mist_source_free(&s);
        }
    }
    double half = st ? 0 : sc.nuclide->half_life_s;
    char nuclide[64];
    snprintf(nuclide, sizeof nuclide, "%s", st ? "" : sc.nuclide->name);
    mist_scene_free(&sc);
    if (st)
        return st;
    double c_mean = act_vol > 0 ? act / act_vol : 0.0;
    size_t len = strlen(out) + 64;
    char *tmp = malloc(len), *part = malloc(len);
    if (!tmp || !part) {
        free(tmp);
        free(part);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    }
    snprintf(tmp, len, "%s.tmp.%ld", out, (long)getpid());
    char saved[sizeof study->acquisition.component];
    memcpy(saved, study->acquisition.component, sizeof saved);
    double f0 = study->acquisition.simulated_fraction;
    int have_template = 0;
    hid_t f = H5I_INVALID_HID;
    for (size_t l = 0; !st && l < nt; l++) {
        if (!(vol[l] > 0))
            continue;
        double k = f0 * (conc[l] > 0.2 * c_mean ? conc[l] : 0.2 * c_mean);
        if (!(k > 0))
            continue;
        snprintf(part, len, "%s.part%zu.%ld", out, l, (long)getpid());
        snprintf(study->acquisition.component, sizeof study->acquisition.component, "unit:%s",
                 names[l]);
        study->acquisition.simulated_fraction = 1.0;
        study->acquisition.activity_scale = k;
        if (log)
            fprintf(log, "basis: %s (%.4g mL) at %.4g Bq/mL over the whole frame\n", names[l],
                    vol[l], k);
        /* Without dead time: mist combine applies it at the combined rates (with it, each
         * class would carry its own dead-time losses at its own rates, counted twice). */
        mist_simulate_opts so = {.output = part, .quiet = 1, .no_dead_time = 1};
        mist_simulate_result res;
        memset(&res, 0, sizeof res);
        st = mist_simulate(study, &so, &res, err);
        memcpy(study->acquisition.component, saved, sizeof saved);
        study->acquisition.simulated_fraction = f0;
        study->acquisition.activity_scale = 1.0;
        if (st)
            break;
        sum->decays += (double)res.decays;
        /* The first class's file is the template: phantom, attenuation, scanner attributes. */
        if (!have_template) {
            st = mist_file_copy(part, tmp, err);
            if (!st && (f = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT)) < 0)
                st = mist_error_set(err, MIST_ERR_IO, "cannot open %s", tmp);
            have_template = !st;
        }
        hid_t pf = st ? H5I_INVALID_HID : H5Fopen(part, H5F_ACC_RDONLY, H5P_DEFAULT);
        if (!st && pf < 0)
            st = mist_error_set(err, MIST_ERR_IO, "cannot open %s", part);
        char scanner[64], path[256];
        if (!st)
            st = mist_h5in_first_member(pf, "/pet", scanner, sizeof scanner, err);
        const char *data[BASIS_PARTS + 1] = {PARTS[0], PARTS[1], PARTS[2], "block_singles"};
        for (int q = 0; !st && q < BASIS_PARTS + 1; q++) {
            float *x = NULL;
            uint64_t dims[MIST_H5IN_MAX_DIMS];
            int nd = 0;
            snprintf(path, sizeof path, "/pet/%s/%s", scanner, data[q]);
            st = mist_h5in_read_float(pf, path, &x, dims, &nd, err);
            snprintf(path, sizeof path, "/basis/%s/%s", names[l], data[q]);
            hid_t d = H5I_INVALID_HID;
            if (!st)
                st = mist_h5_write(f, path, H5T_NATIVE_FLOAT, nd, dims, x, "counts", &d, err);
            if (d >= 0)
                H5Dclose(d);
            free(x);
        }
        double teff = eff_time(0.69314718055994530942 / half, study->acquisition.duration_s, 1.0,
                               study->acquisition.batches);
        double dec = (double)res.decays;
        snprintf(path, sizeof path, "/basis/%s", names[l]);
        hid_t g = st ? H5I_INVALID_HID : H5Gopen2(f, path, H5P_DEFAULT);
        if (!st && g < 0)
            st = mist_error_set(err, MIST_ERR_IO, "cannot open %s", path);
        if (!st)
            (void)((st = mist_h5_attr_double(g, "concentration_Bq_mL", &k, 1, err)) ||
                   (st = mist_h5_attr_double(g, "volume_mL", &vol[l], 1, err)) ||
                   (st = mist_h5_attr_double(g, "effective_time_s", &teff, 1, err)) ||
                   (st = mist_h5_attr_double(g, "decays", &dec, 1, err)) ||
                   (st = mist_h5_attr_int(g, "label", (long)l, err)));
        if (g >= 0)
            H5Gclose(g);
        if (pf >= 0)
            H5Fclose(pf);
        unlink(part);
        sum->components++;
    }
    memcpy(study->acquisition.component, saved, sizeof saved);
    if (!st && !have_template)
        st = mist_error_set(err, MIST_ERR_INPUT, "the study's phantom has no active tissue class");
    /* The template's own data are one class's: removed (mist combine writes them). */
    if (!st) {
        char scanner[64], path[256];
        st = mist_h5in_first_member(f, "/pet", scanner, sizeof scanner, err);
        const char *drops[] = {"prompts", "trues", "scatters", "detector_scatters", "randoms",
                               "delayed", "counts", "block_singles", "listmode",
                               "singles_spectrum"};
        for (size_t q = 0; !st && q < sizeof drops / sizeof *drops; q++) {
            snprintf(path, sizeof path, "/pet/%s/%s", scanner, drops[q]);
            drop(f, path);
        }
        drop(f, "/phantom/activity");
        hid_t g = st ? H5I_INVALID_HID : H5Gopen2(f, "/basis", H5P_DEFAULT);
        uint64_t nc = sum->components;
        if (!st)
            (void)((st = mist_h5_attr_str(g, "nuclide", nuclide, err)) ||
                   (st = mist_h5_attr_double(g, "half_life_s", &half, 1, err)) ||
                   (st = mist_h5_attr_u64(g, "components", &nc, 1, err)) ||
                   (st = mist_h5_attr_str(
                        g, "method",
                        "each tissue class alone at a uniform concentration "
                        "(concentration_Bq_mL) over the whole frame: trues, scatters, "
                        "detector_scatters and block_singles (offered, accepted) per class; "
                        "mist combine weights them by c(t0) T_eff / (concentration T_eff,class) "
                        "(src/engine/basis.h)",
                        err)));
        if (g >= 0)
            H5Gclose(g);
    }
    st = mist_recon_image_end(st, f, H5I_INVALID_HID, tmp, out, err);
    free(tmp);
    free(part);
    sum->wall_s = now_s() - t_start;
    return st;
}

/* ---- mist combine ---------------------------------------------------------------------- */

/* The basis's study reloaded from its source with its --set lines, and sets on top (only
 * activity and frame keys). */
static mist_status load_target(hid_t f, const char *path, const char *const *extra,
                               size_t n_extra, mist_study **out, mist_error *err)
{
    static const char *const ok[] = {"tracer.",
                                     "acquisition.duration_s",
                                     "acquisition.simulated_fraction",
                                     "acquisition.batches",
                                     "acquisition.time_bin_s",
                                     "name",
                                     "seed",
                                     "recon.",
                                     "analysis.",
                                     NULL};
    char *text = NULL, *source = NULL;
    const char **sets = NULL;
    size_t n = 0;
    mist_status st = mist_h5in_attr_str(f, "/", "study_yaml", &text, err);
    if (!st)
        st = mist_h5in_attr_str(f, "/", "study_source", &source, err);
    size_t cap = n_extra + 1;
    for (const char *p = text; !st && p && (p = strstr(p, "# --set ")); p++)
        cap++;
    if (!st && !(sets = calloc(cap, sizeof *sets)))
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    for (char *line = text; !st && line && *line;) {
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        if (!strncmp(line, "# --set ", 8))
            sets[n++] = line + 8;
        line = end ? end + 1 : NULL;
    }
    for (size_t i = 0; !st && i < n_extra; i++) {
        int fine = 0;
        for (size_t k = 0; ok[k] && !fine; k++)
            fine = !strncmp(extra[i], ok[k], strlen(ok[k])) &&
                   (ok[k][strlen(ok[k]) - 1] == '.' || extra[i][strlen(ok[k])] == '=');
        if (!fine)
            st = mist_error_set(err, MIST_ERR_INPUT,
                                "--set %s: mist combine changes only the activity and the frame "
                                "(tracer.*, acquisition.duration_s, acquisition.simulated_fraction, "
                                "acquisition.batches, seed, name, recon.*, analysis.*); the "
                                "phantom, lesions and scanner of %s are fixed by its basis",
                                extra[i], path);
        sets[n++] = extra[i];
    }
    if (!st) {
        int builtin = !strcmp(source, "<built-in default study>");
        st = mist_study_load(builtin ? NULL : source, sets, n, out, err);
        if (st) {
            char msg[MIST_ERROR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            mist_error_set(err, st, "reloading the study of %s from %s: %s", path, source, msg);
        }
    }
    free(sets);
    free(text);
    free(source);
    return st;
}

typedef struct comb {
    size_t nbin, ntof, nblk;
    float *part[BASIS_PARTS]; /* combined expected counts [ntof * nbin] */
    double *blk[2];           /* combined offered / accepted singles per block */
} comb;

mist_status mist_basis_combine(const char *basis, const char *out, const char *const *sets,
                               size_t n_sets, const mist_study *record_as,
                               mist_combine_summary *sum, mist_error *err)
{
    double t_start = now_s();
    memset(sum, 0, sizeof *sum);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (mist_mpi_world().size > 1)
        return mist_error_set(err, MIST_ERR_INPUT, "mist combine runs on one MPI rank");
    if (H5Fis_hdf5(basis) <= 0)
        return mist_error_set(err, MIST_ERR_INPUT, "%s is not an HDF5 file", basis);
    hid_t bf = H5Fopen(basis, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (bf < 0)
        return mist_error_set(err, MIST_ERR_INPUT, "cannot open %s", basis);
    mist_study *study = NULL;
    mist_scene sc;
    memset(&sc, 0, sizeof sc);
    mist_pet_scanner scanner;
    memset(&scanner, 0, sizeof scanner);
    comb cb;
    memset(&cb, 0, sizeof cb);
    char *tmp = NULL, *bnuc = NULL;
    double *live = NULL, *rnd = NULL;
    float *tmpf = NULL;
    hid_t f = H5I_INVALID_HID;
    double half = 0;
    mist_status st = mist_h5in_exists(bf, "/basis")
                         ? MIST_OK
                         : mist_error_set(err, MIST_ERR_INPUT,
                                          "%s holds no /basis (written by mist basis)", basis);
    if (!st)
        st = load_target(bf, basis, sets, n_sets, &study, err);
    if (!st)
        st = mist_h5in_attr_str(bf, "/basis", "nuclide", &bnuc, err);
    if (!st)
        st = mist_h5in_attr_double(bf, "/basis", "half_life_s", &half, 1, err);
    if (!st)
        st = mist_scene_build_source(&sc, study, err);
    if (!st && strcmp(sc.nuclide->name, bnuc))
        st = mist_error_set(err, MIST_ERR_INPUT,
                            "tracer.probe: %s carries %s, but the basis %s was simulated with %s "
                            "(positron range and gammas differ): simulate a basis for %s",
                            study->tracer.probe_path, sc.nuclide->name, basis, bnuc,
                            sc.nuclide->name);
    if (!st)
        st = mist_pet_scanner_load(study->scanner_path, &scanner, err);
    if (st)
        goto done;
    double lambda = log(2.0) / half, t0 = study->tracer.uptake_time_h * 3600.0;
    double dur = study->acquisition.duration_s, frac = study->acquisition.simulated_fraction;
    long batches = study->acquisition.batches;
    double teff = eff_time(lambda, dur, frac, batches);
    double teff2 = eff_time(2.0 * lambda, dur, frac, batches);
    double conc[MIST_PHANTOM_MAX_TISSUES];
    if ((st = mist_source_concentrations(sc.phantom, sc.tracer, study->tracer.injected_MBq, t0,
                                         conc, err)))
        goto done;
    /* Weighted sum of the classes. */
    char scanner_name[64], path[256];
    snprintf(scanner_name, sizeof scanner_name, "%s", scanner.name);
    uint64_t sdims[MIST_H5IN_MAX_DIMS];
    int snd = 0;
    double weights[MIST_PHANTOM_MAX_TISSUES];
    size_t n_w = 0;
    char classes[4096] = "";
    for (size_t l = 0; !st && l < sc.phantom->n_tissues; l++) {
        const char *name = sc.phantom->tissues[l].name;
        snprintf(path, sizeof path, "/basis/%s", name);
        if (!mist_h5in_exists(bf, path))
            continue;
        double k = 0, te = 0;
        if ((st = mist_h5in_attr_double(bf, path, "concentration_Bq_mL", &k, 1, err)) ||
            (st = mist_h5in_attr_double(bf, path, "effective_time_s", &te, 1, err)))
            break;
        double w = conc[l] * teff / (k * te);
        if (n_w < MIST_PHANTOM_MAX_TISSUES) {
            weights[n_w++] = w;
            size_t used = strlen(classes);
            snprintf(classes + used, sizeof classes - used, "%s%s", used ? "," : "", name);
        }
        for (int q = 0; !st && q < BASIS_PARTS + 1; q++) {
            uint64_t dims[MIST_H5IN_MAX_DIMS];
            int nd = 0;
            snprintf(path, sizeof path, "/basis/%s/%s", name, q < BASIS_PARTS ? PARTS[q]
                                                                              : "block_singles");
            if ((st = mist_h5in_read_float(bf, path, &tmpf, dims, &nd, err)))
                break;
            size_t n = 1;
            for (int d = 0; d < nd; d++)
                n *= dims[d];
            if (q < BASIS_PARTS && !cb.part[q]) {
                cb.part[q] = calloc(n, sizeof *cb.part[q]);
                if (!q) {
                    cb.ntof = nd == 4 ? dims[0] : 1;
                    cb.nbin = n / cb.ntof;
                    snd = nd;
                    memcpy(sdims, dims, sizeof sdims);
                }
            }
            if (q == BASIS_PARTS && !cb.blk[0]) {
                cb.nblk = n / 2;
                cb.blk[0] = calloc(n, sizeof *cb.blk[0]);
                cb.blk[1] = cb.blk[0] ? cb.blk[0] + cb.nblk : NULL;
            }
            if ((q < BASIS_PARTS && !cb.part[q]) || (q == BASIS_PARTS && !cb.blk[0]))
                st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the combination");
            for (size_t i = 0; !st && i < n; i++) {
                if (q < BASIS_PARTS)
                    cb.part[q][i] += (float)(w * tmpf[i]);
                else
                    cb.blk[0][i] += w * tmpf[i];
            }
            free(tmpf);
            tmpf = NULL;
        }
    }
    if (!st && !cb.part[0])
        st = mist_error_set(err, MIST_ERR_INPUT, "%s: /basis holds no tissue class of the phantom",
                            basis);
    if (st)
        goto done;
    /* Dead time per block from its mean offered rate; singles accepted after it. */
    mist_coinc_params cp = mist_pet_coinc_params(&scanner);
    if (cb.nblk != cp.n_blocks) {
        st = mist_error_set(err, MIST_ERR_INPUT, "%s: block_singles for %zu blocks, the scanner "
                                                 "has %u", basis, cb.nblk, cp.n_blocks);
        goto done;
    }
    live = malloc(cb.nblk * sizeof *live);
    rnd = calloc(cb.nbin, sizeof *rnd);
    double *lor_live = calloc(cb.nbin, sizeof *lor_live), *lor_n = calloc(cb.nbin, sizeof *lor_n);
    if (!live || !rnd || !lor_live || !lor_n) {
        free(lor_live);
        free(lor_n);
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the combination");
        goto done;
    }
    double sim_time = frac * dur, tau = cp.dead_time_s;
    for (size_t b = 0; b < cb.nblk; b++) {
        double r = cb.blk[0][b] / sim_time;
        live[b] = tau <= 0 ? 1.0
                  : cp.dead_time_model == MIST_DEAD_PARALYSABLE ? exp(-r * tau)
                                                                 : 1.0 / (1.0 + r * tau);
        cb.blk[1][b] *= live[b];
        sum->singles += cb.blk[1][b];
    }
    /* Every crystal pair of the sinogram: its blocks' live fractions, and randoms from the
     * crystals' accepted singles rates at the frame start. */
    mist_sino_geom sino;
    memset(&sino, 0, sizeof sino);
    if ((st = mist_sino_init(&sino, scanner.crystals_per_ring, scanner.rings,
                             scanner.radial_bins, scanner.span, scanner.max_ring_difference,
                             scanner.radius_mm, err))) {
        free(lor_live);
        free(lor_n);
        goto done;
    }
    /* Transaxial pairs first (view, radial bin and which crystal the LOR meets first, from
     * one mist_sino_lor of the pair on rings 0 and 1), then every ring pair by the
     * Michelogram: the crystal pairs of mist_sino_bin without its trigonometry per pair. */
    uint32_t n = scanner.crystals_per_ring, nr = scanner.rings;
    double per_block = (double)cp.block_transaxial * cp.block_axial;
    for (uint32_t a = 0; a < n && nr > 1; a++)
        for (uint32_t b = a + 1; b < n; b++) {
            uint32_t view, plane, v1, p1;
            int32_t rho, delta, r1;
            if (mist_sino_lor(&sino, a, b, &view, &rho, &delta, &plane))
                continue; /* outside the radial bins */
            int32_t j = rho + (int32_t)sino.n_radial / 2;
            /* Which crystal the LOR meets first: with a on ring 0 and b on ring 1, delta
             * (second ring - first ring) is +1 when a comes first.  Without ring
             * difference 1 in the sinogram only equal rings count and the order does not. */
            int a_first = !mist_sino_lor(&sino, a, b + n, &v1, &r1, &delta, &p1) ? delta > 0 : 1;
            size_t vr = (size_t)view * sino.n_radial + (size_t)j;
            uint32_t ta = a / cp.block_transaxial, tb = b / cp.block_transaxial;
            for (uint32_t ra = 0; ra < nr; ra++) {
                uint32_t ba = (ra / cp.block_axial) * cp.blocks_per_ring + ta;
                double sa = cb.blk[1][ba] / per_block / teff;
                for (uint32_t rb = 0; rb < nr; rb++) {
                    int32_t p = a_first ? sino.plane_of[ra * nr + rb] : sino.plane_of[rb * nr + ra];
                    if (p < 0)
                        continue;
                    size_t bin = (size_t)p * sino.n_views * sino.n_radial + vr;
                    uint32_t bb = (rb / cp.block_axial) * cp.blocks_per_ring + tb;
                    double sb = cb.blk[1][bb] / per_block / teff;
                    lor_live[bin] += live[ba] * live[bb];
                    lor_n[bin] += 1.0;
                    rnd[bin] += 2.0 * cp.window_s * sa * sb * teff2;
                }
            }
        }
    /* One ring: the pairs as they come. */
    for (uint32_t a = 0; a < n && nr == 1; a++) {
        double sa = cb.blk[1][a / cp.block_transaxial] / per_block / teff;
        for (uint32_t b = a + 1; b < n; b++) {
            int64_t bin = mist_sino_bin(&sino, a, b);
            if (bin < 0)
                continue;
            uint32_t bb = b / cp.block_transaxial, ba = a / cp.block_transaxial;
            double sb = cb.blk[1][bb] / per_block / teff;
            lor_live[bin] += live[ba] * live[bb];
            lor_n[bin] += 1.0;
            rnd[bin] += 2.0 * cp.window_s * sa * sb * teff2;
        }
    }
    mist_sino_free(&sino);
    for (size_t i = 0; i < cb.nbin; i++) {
        double lf = lor_n[i] > 0 ? lor_live[i] / lor_n[i] : 1.0;
        for (size_t t = 0; t < cb.ntof; t++)
            for (int q = 0; q < BASIS_PARTS; q++)
                cb.part[q][t * cb.nbin + i] = (float)(cb.part[q][t * cb.nbin + i] * lf);
    }
    free(lor_live);
    free(lor_n);
    /* The result file: the basis's phantom and scanner, the target's activity and data. */
    size_t len = strlen(out) + 32;
    if (!(tmp = malloc(len))) {
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
        goto done;
    }
    snprintf(tmp, len, "%s.tmp.%ld", out, (long)getpid());
    H5Fclose(bf);
    bf = H5I_INVALID_HID;
    if ((st = mist_file_copy(basis, tmp, err)))
        goto done;
    if ((f = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT)) < 0) {
        st = mist_error_set(err, MIST_ERR_IO, "cannot open %s", tmp);
        goto done;
    }
    drop(f, "/basis");
    drop(f, "/acquisition/decays_per_batch");
    drop(f, "/acquisition/decay_time_histogram");
    float *prompts = malloc(cb.nbin * cb.ntof * sizeof *prompts);
    float *rf = malloc(cb.nbin * cb.ntof * sizeof *rf);
    if (!prompts || !rf) {
        free(prompts);
        free(rf);
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the combination");
        goto done;
    }
    double tot[BASIS_PARTS] = {0};
    for (size_t t = 0; t < cb.ntof; t++)
        for (size_t i = 0; i < cb.nbin; i++) {
            size_t j = t * cb.nbin + i;
            rf[j] = (float)(rnd[i] / (double)cb.ntof);
            prompts[j] = rf[j];
            sum->randoms += rf[j];
            for (int q = 0; q < BASIS_PARTS; q++) {
                prompts[j] += cb.part[q][j];
                tot[q] += cb.part[q][j];
            }
            sum->prompts += prompts[j];
        }
    sum->trues = tot[0];
    sum->scatters = tot[1];
    const char *names[6] = {"prompts", "trues", "scatters", "detector_scatters", "randoms",
                            "delayed"};
    const float *arr[6] = {prompts, cb.part[0], cb.part[1], cb.part[2], rf, rf};
    for (int q = 0; !st && q < 6; q++) {
        snprintf(path, sizeof path, "/pet/%s/%s", scanner_name, names[q]);
        hid_t d = H5I_INVALID_HID;
        st = mist_h5_write(f, path, H5T_NATIVE_FLOAT, snd, sdims, arr[q], "expected counts", &d,
                           err);
        if (d >= 0)
            H5Dclose(d);
    }
    free(prompts);
    free(rf);
    uint64_t bdims[2] = {2, cb.nblk};
    snprintf(path, sizeof path, "/pet/%s/block_singles", scanner_name);
    hid_t d = H5I_INVALID_HID;
    if (!st)
        st = mist_h5_write(f, path, H5T_NATIVE_DOUBLE, 2, bdims, cb.blk[0], "expected singles", &d,
                           err);
    if (d >= 0)
        H5Dclose(d);
    /* Counters, as a simulation writes them (rounded expected values). */
    double offered = 0;
    for (size_t b = 0; b < cb.nblk; b++)
        offered += cb.blk[0][b];
    double decays = sc.source.total_Bq * teff; /* expected decays in the simulated windows */
    uint64_t cnt[MIST_PET_N_COUNTERS] = {0};
    cnt[MIST_PET_DECAYS] = (uint64_t)llround(decays);
    cnt[MIST_PET_SINGLES_IN] = (uint64_t)llround(offered);
    cnt[MIST_PET_SINGLES] = (uint64_t)llround(sum->singles);
    cnt[MIST_PET_PROMPTS] = (uint64_t)llround(sum->prompts);
    cnt[MIST_PET_TRUES] = (uint64_t)llround(tot[0]);
    cnt[MIST_PET_SCATTERS] = (uint64_t)llround(tot[1]);
    cnt[MIST_PET_DETECTOR_SCATTERS] = (uint64_t)llround(tot[2]);
    cnt[MIST_PET_RANDOMS] = cnt[MIST_PET_DELAYED] = (uint64_t)llround(sum->randoms);
    uint64_t ncnt = MIST_PET_N_COUNTERS;
    snprintf(path, sizeof path, "/pet/%s/counts", scanner_name);
    d = H5I_INVALID_HID;
    if (!st)
        st = mist_h5_write(f, path, H5T_NATIVE_UINT64, 1, &ncnt, cnt, "counts", &d, err);
    for (int q = 0; !st && q < MIST_PET_N_COUNTERS; q++)
        st = mist_h5_attr_u64(d, mist_pet_counter_names[q], &cnt[q], 1, err);
    if (d >= 0)
        H5Dclose(d);
    /* The target's activity map and acquisition attributes, and its study text. */
    hid_t g = st ? H5I_INVALID_HID : H5Gopen2(f, "/acquisition", H5P_DEFAULT);
    static const char *const acq_attrs[] = {
        "probe",      "nuclide",         "half_life_s", "activity_at_injection_Bq", "injected_Bq",
        "body_mass_kg", "frame_start_s", "duration_s",  "simulated_fraction",       "time_bin_s",
        "expected_decays", "decays",     "batches",     "component",                "activity_scale",
        "component_sign"};
    for (size_t q = 0; g >= 0 && q < sizeof acq_attrs / sizeof *acq_attrs; q++)
        drop_attr(g, acq_attrs[q]);
    if (g >= 0)
        H5Gclose(g);
    drop(f, "/phantom/activity");
    static const char *const root_attrs[] = {"mist_version", "git_commit", "study_name",
                                             "study_source", "study_yaml", "seed",
                                             "mpi_ranks",    "created_utc"};
    for (size_t q = 0; q < sizeof root_attrs / sizeof *root_attrs; q++)
        drop_attr(f, root_attrs[q]);
    {
        const mist_phantom *ph = sc.phantom;
        const uint64_t dims[3] = {ph->n[2], ph->n[1], ph->n[0]};
        hid_t ad = H5I_INVALID_HID;
        if (!st)
            st = mist_h5_write(f, "/phantom/activity", H5T_NATIVE_FLOAT, 3, dims,
                               sc.source.activity_Bq, "Bq", &ad, err);
        if (!st)
            (void)((st = mist_h5_attr_double(ad, "voxel_size_mm", ph->voxel_mm, 3, err)) ||
                   (st = mist_h5_attr_double(ad, "origin_mm", ph->origin_mm, 3, err)) ||
                   (st = mist_h5_attr_double(ad, "time_after_injection_s", &t0, 1, err)));
        if (ad >= 0)
            H5Dclose(ad);
    }
    g = st ? H5I_INVALID_HID : H5Gopen2(f, "/acquisition", H5P_DEFAULT);
    if (!st && g < 0)
        st = mist_error_set(err, MIST_ERR_IO, "cannot open /acquisition in %s", tmp);
    if (!st) {
        double a0 = sc.source.total_Bq * exp(lambda * t0), inj = study->tracer.injected_MBq * 1e6;
        double mass = mist_tracer_body_mass_kg(sc.tracer), bin = study->acquisition.time_bin_s;
        double one_d = 1.0;
        uint64_t nb = (uint64_t)batches;
        (void)((st = mist_h5_attr_str(g, "probe", mist_tracer_name(sc.tracer), err)) ||
               (st = mist_h5_attr_str(g, "nuclide", sc.nuclide->name, err)) ||
               (st = mist_h5_attr_double(g, "half_life_s", &half, 1, err)) ||
               (st = mist_h5_attr_double(g, "activity_at_injection_Bq", &a0, 1, err)) ||
               (st = mist_h5_attr_double(g, "injected_Bq", &inj, 1, err)) ||
               (st = mist_h5_attr_double(g, "body_mass_kg", &mass, 1, err)) ||
               (st = mist_h5_attr_double(g, "frame_start_s", &t0, 1, err)) ||
               (st = mist_h5_attr_double(g, "duration_s", &dur, 1, err)) ||
               (st = mist_h5_attr_double(g, "simulated_fraction", &frac, 1, err)) ||
               (st = mist_h5_attr_double(g, "time_bin_s", &bin, 1, err)) ||
               (st = mist_h5_attr_double(g, "expected_decays", &decays, 1, err)) ||
               (st = mist_h5_attr_u64(g, "decays", &cnt[MIST_PET_DECAYS], 1, err)) ||
               (st = mist_h5_attr_u64(g, "batches", &nb, 1, err)) ||
               (st = mist_h5_attr_str(g, "component", "all", err)) ||
               (st = mist_h5_attr_double(g, "activity_scale", &one_d, 1, err)) ||
               (st = mist_h5_attr_int(g, "component_sign", 1, err)));
    }
    if (g >= 0)
        H5Gclose(g);
    if (!st)
        st = mist_write_root_attrs(f, record_as ? record_as : study, err);
    sum->decays = decays;
    if (!st)
        st = mist_h5_attr_int(f, "combined_from_basis", 1, err);
    if (!st)
        st = mist_h5_attr_str(f, "basis_file", basis, err);
    /* Each class's weight (basis counts -> these data; before dead time), for checks. */
    if (!st)
        st = mist_h5_attr_str(f, "basis_classes", classes, err);
    if (!st)
        st = mist_h5_attr_double(f, "basis_weights", weights, n_w, err);
    if (f >= 0 && H5Fclose(f) < 0 && !st)
        st = mist_error_set(err, MIST_ERR_IO, "error closing %s", tmp);
    f = H5I_INVALID_HID;
    if (!st && rename(tmp, out) != 0)
        st = mist_error_set(err, MIST_ERR_IO, "cannot rename %s to %s", tmp, out);
done:
    if (f >= 0)
        H5Fclose(f);
    if (st && tmp)
        unlink(tmp);
    if (bf >= 0)
        H5Fclose(bf);
    for (int q = 0; q < BASIS_PARTS; q++)
        free(cb.part[q]);
    free(cb.blk[0]);
    free(live);
    free(rnd);
    free(tmpf);
    free(tmp);
    free(bnuc);
    mist_scene_free(&sc);
    mist_study_free(study);
    sum->wall_s = now_s() - t_start;
    return st;
}
