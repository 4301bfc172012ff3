#include "detector/pet_scanner.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/yaml_doc.h"

#define MIST_PI 3.14159265358979323846

static mist_status load_blocks(mist_yaml_doc *doc, mist_pet_scanner *s, mist_error *err)
{
    static const char *const crystal_keys[] = {"material", "transaxial_mm", "axial_mm",
                                               "depth_mm", NULL};
    static const char *const block_keys[] = {"transaxial", "axial", NULL};
    mist_yaml_node *root = doc->root, *crystal, *block, *readout;
    const char *material;
    long bt, ba, bpr, br, rt, ra;
    mist_range size = {0.1, 100.0, 0, 0};
    mist_status st;
    if ((st = mist_yaml_get_map(root, "", "crystal", MIST_REQUIRED, &crystal, err)) ||
        (st = mist_yaml_check_unknown(crystal, "crystal", crystal_keys, err)) ||
        (st = mist_yaml_get_string(crystal, "crystal", "material", MIST_REQUIRED, NULL, &material,
                                   err)) ||
        (st = mist_yaml_get_double(crystal, "crystal", "transaxial_mm", MIST_REQUIRED, 0, size,
                                   &s->crystal_transaxial_mm, err)) ||
        (st = mist_yaml_get_double(crystal, "crystal", "axial_mm", MIST_REQUIRED, 0, size,
                                   &s->crystal_axial_mm, err)) ||
        (st = mist_yaml_get_double(crystal, "crystal", "depth_mm", MIST_REQUIRED, 0, size,
                                   &s->crystal_depth_mm, err)) ||
        (st = mist_yaml_get_map(root, "", "block", MIST_REQUIRED, &block, err)) ||
        (st = mist_yaml_check_unknown(block, "block", block_keys, err)) ||
        (st = mist_yaml_get_int(block, "block", "transaxial", MIST_REQUIRED, 0, 1, 256, &bt, err)) ||
        (st = mist_yaml_get_int(block, "block", "axial", MIST_REQUIRED, 0, 1, 256, &ba, err)) ||
        (st = mist_yaml_get_int(root, "", "blocks_per_ring", MIST_REQUIRED, 0, 3, 1024, &bpr,
                                err)) ||
        (st = mist_yaml_get_int(root, "", "block_rings", MIST_REQUIRED, 0, 1, 64, &br, err)) ||
        (st = mist_yaml_get_map(root, "", "readout", MIST_OPTIONAL, &readout, err)) ||
        (st = mist_yaml_check_unknown(readout, "readout", block_keys, err)) ||
        (st = mist_yaml_get_int(readout, "readout", "transaxial", MIST_OPTIONAL, bt, 1, bt, &rt,
                                err)) ||
        (st = mist_yaml_get_int(readout, "readout", "axial", MIST_OPTIONAL, ba, 1, ba, &ra, err)))
        return st;
    if (bt % rt || ba % ra)
        return mist_yaml_error_at(readout, "readout", err,
                                  "expected readout units that tile the block (%ld x %ld "
                                  "crystals): got %ld x %ld",
                                  bt, ba, rt, ra);
    snprintf(s->crystal_material, sizeof s->crystal_material, "%s", material);
    s->block_transaxial = (uint32_t)bt;
    s->block_axial = (uint32_t)ba;
    s->readout_transaxial = (uint32_t)rt;
    s->readout_axial = (uint32_t)ra;
    s->blocks_per_ring = (uint32_t)bpr;
    s->block_rings = (uint32_t)br;
    s->crystals_per_ring = s->block_transaxial * s->blocks_per_ring;
    s->rings = s->block_axial * s->block_rings;
    s->ring_pitch_mm = s->crystal_axial_mm;
    s->axial_fov_mm = s->rings * s->ring_pitch_mm;
    return MIST_OK;
}

static mist_status load_ideal(mist_yaml_doc *doc, mist_pet_scanner *s, mist_error *err)
{
    mist_yaml_node *root = doc->root;
    long n, rings;
    mist_status st;
    if ((st = mist_yaml_get_int(root, "", "crystals_per_ring", MIST_REQUIRED, 0, 4, 100000, &n,
                                err)) ||
        (st = mist_yaml_get_int(root, "", "rings", MIST_REQUIRED, 0, 1, 4096, &rings, err)) ||
        (st = mist_yaml_get_double(root, "", "axial_fov_mm", MIST_REQUIRED, 0,
                                   (mist_range){0.1, 1.0e4, 0, 0}, &s->axial_fov_mm, err)))
        return st;
    if (n % 2)
        return mist_yaml_error_at(mist_yaml_map_find(root, "crystals_per_ring"),
                                  "crystals_per_ring", err, "expected an even number, got %ld", n);
    s->crystals_per_ring = (uint32_t)n;
    s->rings = (uint32_t)rings;
    s->block_transaxial = 1;
    s->block_axial = 1;
    s->readout_transaxial = 1;
    s->readout_axial = 1;
    s->blocks_per_ring = s->crystals_per_ring;
    s->block_rings = s->rings;
    s->ring_pitch_mm = s->axial_fov_mm / s->rings;
    snprintf(s->crystal_material, sizeof s->crystal_material, "ideal");
    return MIST_OK;
}

mist_status mist_pet_scanner_load(const char *path, mist_pet_scanner *s, mist_error *err)
{
    static const char *const top[] = {
        "name", "modality", "geometry", "crystal", "block", "readout", "blocks_per_ring",
        "block_rings", "crystals_per_ring", "rings", "axial_fov_mm", "ring_diameter_mm", "energy_window_keV",
        "energy_resolution", "coincidence_window_ns", "delayed_window_offset_ns",
        "tof_resolution_ps", "tof_bins", "tof_bin_ps", "dead_time_ns", "dead_time_model",
        "multiples", "positioning", "sinogram", NULL};
    static const char *const sino_keys[] = {"span", "max_ring_difference", "radial_bins", NULL};
    static const char *const geometries[] = {"blocks", "ideal_ring", NULL};
    static const char *const modalities[] = {"pet", NULL};
    static const char *const dead_models[] = {"nonparalysable", "paralysable", NULL};
    static const char *const positionings[] = {"centroid", "first", NULL};
    static const char *const multiples[] = {"all_pairs", "kill_all", NULL};
    memset(s, 0, sizeof *s);
    mist_yaml_doc *doc = NULL;
    mist_status st = mist_yaml_load_file(path, &doc, err);
    if (st)
        return st;
    mist_yaml_node *root = doc->root, *sino;
    const char *name;
    int geometry, modality, dead, pos, mult;
    double diameter, window[2], e_res, coinc_ns, delay_ns, tof_ps, tof_bin_ps, dead_ns;
    long tof_bins, span, mrd, radial;
    const double def_window[2] = {435.0, 650.0};
    if ((st = mist_yaml_check_unknown(root, "", top, err)) ||
        (st = mist_yaml_get_string(root, "", "name", MIST_REQUIRED, NULL, &name, err)) ||
        (st = mist_yaml_get_choice(root, "", "modality", MIST_REQUIRED, 0, modalities, &modality,
                                   err)) ||
        (st = mist_yaml_get_choice(root, "", "geometry", MIST_OPTIONAL, 0, geometries, &geometry,
                                   err)))
        goto done;
    snprintf(s->name, sizeof s->name, "%s", name);
    s->geometry = (mist_pet_geometry)geometry;
    st = s->geometry == MIST_PET_BLOCKS ? load_blocks(doc, s, err) : load_ideal(doc, s, err);
    if (st)
        goto done;
    if ((st = mist_yaml_get_double(root, "", "ring_diameter_mm", MIST_REQUIRED, 0,
                                   (mist_range){10.0, 2000.0, 0, 0}, &diameter, err)) ||
        (st = mist_yaml_get_vec(root, "", "energy_window_keV", MIST_OPTIONAL, 2, def_window,
                                (mist_range){0.0, 2000.0, 0, 0}, window, err)) ||
        (st = mist_yaml_get_double(root, "", "energy_resolution", MIST_OPTIONAL, 0.0,
                                   (mist_range){0.0, 1.0, 0, 1}, &e_res, err)) ||
        (st = mist_yaml_get_double(root, "", "coincidence_window_ns", MIST_OPTIONAL, 4.0,
                                   (mist_range){0.01, 1000.0, 0, 0}, &coinc_ns, err)) ||
        (st = mist_yaml_get_double(root, "", "delayed_window_offset_ns", MIST_OPTIONAL, 100.0,
                                   (mist_range){0.0, 1.0e6, 1, 0}, &delay_ns, err)) ||
        (st = mist_yaml_get_double(root, "", "tof_resolution_ps", MIST_OPTIONAL, 0.0,
                                   (mist_range){0.0, 1.0e5, 0, 0}, &tof_ps, err)) ||
        (st = mist_yaml_get_int(root, "", "tof_bins", MIST_OPTIONAL, 1, 1, 255, &tof_bins, err)) ||
        (st = mist_yaml_get_double(root, "", "tof_bin_ps", MIST_OPTIONAL,
                                   coinc_ns * 1e3 / (double)tof_bins,
                                   (mist_range){0.1, 1.0e5, 0, 0}, &tof_bin_ps, err)) ||
        (st = mist_yaml_get_double(root, "", "dead_time_ns", MIST_OPTIONAL, 0.0,
                                   (mist_range){0.0, 1.0e6, 0, 0}, &dead_ns, err)) ||
        (st = mist_yaml_get_choice(root, "", "dead_time_model", MIST_OPTIONAL, 0, dead_models,
                                   &dead, err)) ||
        (st = mist_yaml_get_choice(root, "", "positioning", MIST_OPTIONAL, 0, positionings, &pos,
                                   err)) ||
        (st = mist_yaml_get_choice(root, "", "multiples", MIST_OPTIONAL, 0, multiples, &mult,
                                   err)) ||
        (st = mist_yaml_get_map(root, "", "sinogram", MIST_OPTIONAL, &sino, err)) ||
        (st = mist_yaml_check_unknown(sino, "sinogram", sino_keys, err)) ||
        (st = mist_yaml_get_int(sino, "sinogram", "span", MIST_OPTIONAL, 1, 1, 255, &span, err)) ||
        (st = mist_yaml_get_int(sino, "sinogram", "max_ring_difference", MIST_OPTIONAL,
                                (long)s->rings - 1, 0, (long)s->rings - 1, &mrd, err)) ||
        (st = mist_yaml_get_int(sino, "sinogram", "radial_bins", MIST_OPTIONAL,
                                (long)s->crystals_per_ring, 2, (long)s->crystals_per_ring, &radial,
                                err)))
        goto done;
    if (window[0] >= window[1]) {
        st = mist_yaml_error_at(mist_yaml_map_find(root, "energy_window_keV"), "energy_window_keV",
                                err, "expected [low, high] with low < high");
        goto done;
    }
    if (tof_bins > 1 && !(tof_ps > 0)) {
        st = mist_yaml_error_at(mist_yaml_map_find(root, "tof_bins"), "tof_bins", err,
                                "expected 1 without a tof_resolution_ps > 0 (TOF bins need a "
                                "timing resolution), got %ld",
                                tof_bins);
        goto done;
    }
    if (span % 2 == 0 || (radial % 2) || mrd < (span - 1) / 2) {
        st = mist_yaml_error_at(sino, "sinogram", err,
                                "expected an odd span, an even radial_bins and "
                                "max_ring_difference >= (span - 1) / 2");
        goto done;
    }
    s->radius_mm = diameter / 2.0;
    s->e_lo_keV = window[0];
    s->e_hi_keV = window[1];
    s->energy_resolution = e_res;
    s->coincidence_window_s = coinc_ns * 1e-9;
    s->delayed_offset_s = delay_ns * 1e-9;
    s->tof_fwhm_s = tof_ps * 1e-12;
    s->tof_bins = (uint32_t)tof_bins;
    s->tof_bin_s = tof_bins > 1 ? tof_bin_ps * 1e-12 : 0.0;
    s->dead_time_s = dead_ns * 1e-9;
    s->dead_time_model = (mist_dead_time_model)dead;
    s->positioning = (mist_pet_positioning)pos;
    s->multiples = (mist_multiples_policy)mult;
    s->span = (uint32_t)span;
    s->max_ring_difference = (uint32_t)mrd;
    s->radial_bins = (uint32_t)radial;
    if (s->delayed_offset_s <= 2.0 * s->coincidence_window_s) {
        st = mist_yaml_error_at(mist_yaml_map_find(root, "delayed_window_offset_ns"),
                                "delayed_window_offset_ns", err,
                                "expected more than twice the coincidence window (%g ns), so no "
                                "true coincidence falls in the delayed window",
                                coinc_ns);
        goto done;
    }
done:
    mist_yaml_free(doc);
    return st;
}

int mist_pet_ideal_hit(const mist_pet_scanner *s, const double p[3], const double d[3],
                       uint32_t *crystal, double *path_mm)
{
    double a = d[0] * d[0] + d[1] * d[1];
    if (a <= 0.0)
        return 0; /* along the axis: leaves through an end */
    double b = p[0] * d[0] + p[1] * d[1];
    double c = p[0] * p[0] + p[1] * p[1] - s->radius_mm * s->radius_mm;
    double t = (-b + sqrt(b * b - a * c)) / a; /* c <= 0 inside: the positive root */
    double z = p[2] + t * d[2];
    double half = 0.5 * s->axial_fov_mm;
    if (!(z >= -half && z < half))
        return 0;
    double x = p[0] + t * d[0], y = p[1] + t * d[1];
    double angle = atan2(y, x);
    if (angle < 0)
        angle += 2.0 * MIST_PI;
    /* Element i is centred at 2 pi i / n (as crystals in sinogram.h and the
     * blocks' crystals are): the nearest centre, wrapping past 2 pi to 0. */
    uint32_t i = (uint32_t)(angle / (2.0 * MIST_PI) * s->crystals_per_ring + 0.5);
    if (i >= s->crystals_per_ring)
        i -= s->crystals_per_ring;
    uint32_t ring = (uint32_t)((z + half) / s->ring_pitch_mm);
    if (ring >= s->rings)
        ring = s->rings - 1;
    *crystal = ring * s->crystals_per_ring + i;
    *path_mm = t;
    return 1;
}

mist_coinc_params mist_pet_coinc_params(const mist_pet_scanner *s)
{
    mist_coinc_params p = {
        .window_s = s->coincidence_window_s,
        .delay_s = s->delayed_offset_s,
        .e_lo_keV = s->e_lo_keV,
        .e_hi_keV = s->e_hi_keV,
        .dead_time_s = s->dead_time_s,
        .dead_time_model = s->dead_time_model,
        .multiples = s->multiples,
        .crystals_per_ring = s->crystals_per_ring,
        .block_transaxial = s->block_transaxial,
        .block_axial = s->block_axial,
        .blocks_per_ring = s->blocks_per_ring,
        .n_blocks = s->blocks_per_ring * s->block_rings,
    };
    return p;
}
