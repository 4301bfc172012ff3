#include "io/study.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/yaml_doc.h"

extern const char mist_default_study_yaml[]; /* generated from scripts/studies/default.yaml */

const char *mist_study_default_text(void)
{
    return mist_default_study_yaml;
}

const char *mist_data_path(char *buf, size_t size, const char *rel)
{
    const char *env = getenv("MIST_DATA_DIR");
    snprintf(buf, size, "%s/%s", (env && *env) ? env : MIST_SOURCE_DIR, rel);
    return buf;
}

const char *mist_study_default_dir(char *buf, size_t size)
{
    return mist_data_path(buf, size, "scripts/studies");
}

static mist_status copy_name(char *dst, size_t size, const mist_yaml_node *map, const char *path,
                             const char *key, const char *value, mist_error *err)
{
    if (strlen(value) >= size || !*value) {
        char full[256];
        return mist_yaml_error_at(mist_yaml_map_find(map, key),
                                  mist_yaml_join(full, sizeof full, path, key, 0), err,
                                  "expected a name of 1 to %zu characters", size - 1);
    }
    memcpy(dst, value, strlen(value) + 1);
    return MIST_OK;
}

static mist_status read_lesions(mist_yaml_node *root, mist_study *s, mist_error *err)
{
    static const char *const keys[] = {"name", "tissue", "center_mm", "diameter_mm", NULL};
    mist_yaml_node *seq;
    mist_status st = mist_yaml_get_seq(root, "", "lesions", MIST_OPTIONAL, &seq, err);
    if (st || !seq)
        return st;
    s->lesions = calloc(seq->n ? seq->n : 1, sizeof *s->lesions);
    if (!s->lesions)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < seq->n; i++) {
        char path[64];
        mist_yaml_join(path, sizeof path, "lesions", NULL, (long)i);
        mist_yaml_node *m = seq->values[i];
        if (m->kind != MIST_YAML_MAP)
            return mist_yaml_error_at(m, path, err,
                                      "expected a mapping {name, tissue, center_mm, diameter_mm}");
        mist_lesion *l = &s->lesions[i];
        snprintf(l->where, sizeof l->where, "%s:%d:%d", m->file, m->line, m->column);
        const char *name, *tissue;
        if ((st = mist_yaml_check_unknown(m, path, keys, err)) ||
            (st = mist_yaml_get_string(m, path, "name", MIST_REQUIRED, NULL, &name, err)) ||
            (st = copy_name(l->name, sizeof l->name, m, path, "name", name, err)) ||
            (st = mist_yaml_get_string(m, path, "tissue", MIST_REQUIRED, NULL, &tissue, err)) ||
            (st = copy_name(l->tissue, sizeof l->tissue, m, path, "tissue", tissue, err)) ||
            (st = mist_yaml_get_vec(m, path, "center_mm", MIST_REQUIRED, 3, NULL, MIST_ANY_FINITE,
                                    l->center_mm, err)) ||
            (st = mist_yaml_get_double(m, path, "diameter_mm", MIST_REQUIRED, 0,
                                       (mist_range){0.0, 500.0, 1, 0}, &l->diameter_mm, err)))
            return st;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(s->lesions[j].name, l->name))
                return mist_yaml_error_at(mist_yaml_map_find(m, "name"), path, err,
                                          "lesion name '%s' is used twice", l->name);
        s->n_lesions++;
    }
    return MIST_OK;
}

/* phantom_set: overrides of the phantom file, each "a.b=value" as with --set
 * (e.g. ["nema_sensitivity.sleeves=3"]); applied when the phantom is loaded. */
static mist_status read_phantom_sets(mist_yaml_node *root, mist_study *s, mist_error *err)
{
    mist_yaml_node *seq;
    mist_status st = mist_yaml_get_seq(root, "", "phantom_set", MIST_OPTIONAL, &seq, err);
    if (st || !seq)
        return st;
    s->phantom_sets = calloc(seq->n ? seq->n : 1, sizeof *s->phantom_sets);
    if (!s->phantom_sets)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < seq->n; i++) {
        const mist_yaml_node *v = seq->values[i];
        if (v->kind != MIST_YAML_SCALAR || !strchr(v->scalar, '='))
            return mist_yaml_error_at(v, "phantom_set", err,
                                      "expected a string \"key.path=value\" (as --set)");
        if (!(s->phantom_sets[i] = strdup(v->scalar)))
            return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
        s->n_phantom_sets = i + 1;
    }
    return MIST_OK;
}

/* acquisition.spect: the orbit and options of a SPECT or planar camera (ignored for PET). */
static mist_status read_spect_acquisition(mist_yaml_node *acq, mist_study *s, mist_error *err)
{
    static const char *const keys[] = {"views", "orbit_deg", "radius_mm", "collimator_model",
                                       "forced_detection", "interfile", "contour",
                                       "clearance_mm", NULL};
    static const char *const models[] = {"fast", "full", NULL};
    mist_yaml_node *m;
    mist_status st;
    if ((st = mist_yaml_get_map(acq, "acquisition", "spect", MIST_OPTIONAL, &m, err)) ||
        (st = mist_yaml_check_unknown(m, "acquisition.spect", keys, err)) ||
        (st = mist_yaml_get_int(m, "acquisition.spect", "views", MIST_OPTIONAL, 64, 1, 4096,
                                &s->acquisition.spect.views, err)) ||
        (st = mist_yaml_get_double(m, "acquisition.spect", "orbit_deg", MIST_OPTIONAL, 360.0,
                                   (mist_range){180.0, 360.0, 0, 0},
                                   &s->acquisition.spect.orbit_deg, err)) ||
        (st = mist_yaml_get_double(m, "acquisition.spect", "radius_mm", MIST_OPTIONAL, 0.0,
                                   (mist_range){0.0, 2000.0, 0, 0},
                                   &s->acquisition.spect.radius_mm, err)) ||
        (st = mist_yaml_get_choice(m, "acquisition.spect", "collimator_model", MIST_OPTIONAL, 0,
                                   models, &s->acquisition.spect.collimator_model, err)) ||
        (st = mist_yaml_get_bool(m, "acquisition.spect", "forced_detection", MIST_OPTIONAL, 0,
                                 &s->acquisition.spect.forced_detection, err)) ||
        (st = mist_yaml_get_bool(m, "acquisition.spect", "interfile", MIST_OPTIONAL, 0,
                                 &s->acquisition.spect.interfile, err)) ||
        (st = mist_yaml_get_bool(m, "acquisition.spect", "contour", MIST_OPTIONAL, 0,
                                 &s->acquisition.spect.contour, err)) ||
        (st = mist_yaml_get_double(m, "acquisition.spect", "clearance_mm", MIST_OPTIONAL, 20.0,
                                   (mist_range){0.0, 500.0, 0, 0},
                                   &s->acquisition.spect.clearance_mm, err)))
        return st;
    double o = s->acquisition.spect.orbit_deg;
    if (o != 180.0 && o != 360.0)
        return mist_yaml_error_at(mist_yaml_map_find(m, "orbit_deg"), "acquisition.spect.orbit_deg",
                                  err, "expected 180 or 360, got %g", o);
    return MIST_OK;
}

mist_status mist_study_read_recon(mist_yaml_node *root, mist_study *s, mist_error *err)
{
    static const char *const recon_keys[] = {"algorithm", "iterations", "subsets", "voxel_mm",
                                             "postfilter_fwhm_mm", "attenuation", "randoms",
                                             "scatter", "calibration", "psf_fwhm_mm", "tof", NULL};
    static const char *const algorithms[] = {"osem", "mlem", NULL};
    static const char *const randoms[] = {"delayed", "none", NULL};
    static const char *const scatters[] = {"truth", "none", NULL};
    mist_yaml_node *recon;
    int algorithm, rnd, sct;
    mist_status st;
    if ((st = mist_yaml_get_map(root, "", "recon", MIST_OPTIONAL, &recon, err)) ||
        (st = mist_yaml_check_unknown(recon, "recon", recon_keys, err)) ||
        (st = mist_yaml_get_choice(recon, "recon", "algorithm", MIST_OPTIONAL, 0, algorithms,
                                   &algorithm, err)) ||
        (st = mist_yaml_get_int(recon, "recon", "iterations", MIST_OPTIONAL, 4, 1, 1000,
                                &s->recon.iterations, err)) ||
        (st = mist_yaml_get_int(recon, "recon", "subsets", MIST_OPTIONAL, 12, 1, 1000,
                                &s->recon.subsets, err)) ||
        (st = mist_yaml_get_double(recon, "recon", "voxel_mm", MIST_OPTIONAL, 2.0,
                                   (mist_range){0.1, 20.0, 0, 0}, &s->recon.voxel_mm, err)) ||
        (st = mist_yaml_get_double(recon, "recon", "postfilter_fwhm_mm", MIST_OPTIONAL, 0.0,
                                   (mist_range){0.0, 100.0, 0, 0}, &s->recon.postfilter_fwhm_mm,
                                   err)) ||
        (st = mist_yaml_get_bool(recon, "recon", "attenuation", MIST_OPTIONAL, 1,
                                 &s->recon.attenuation, err)) ||
        (st = mist_yaml_get_choice(recon, "recon", "randoms", MIST_OPTIONAL, 0, randoms, &rnd,
                                   err)) ||
        (st = mist_yaml_get_choice(recon, "recon", "scatter", MIST_OPTIONAL, 0, scatters, &sct,
                                   err)) ||
        (st = mist_yaml_get_double(recon, "recon", "calibration", MIST_OPTIONAL, 1.0,
                                   (mist_range){0.0, 1.0e6, 1, 0}, &s->recon.calibration, err)) ||
        (st = mist_yaml_get_double(recon, "recon", "psf_fwhm_mm", MIST_OPTIONAL, 0.0,
                                   (mist_range){0.0, 50.0, 0, 0}, &s->recon.psf_fwhm_mm, err)) ||
        (st = mist_yaml_get_bool(recon, "recon", "tof", MIST_OPTIONAL, 1, &s->recon.tof, err)))
        return st;
    s->recon.algorithm = (mist_recon_algorithm)algorithm;
    s->recon.randoms_delayed = rnd == 0;
    s->recon.scatter_truth = sct == 0;
    return MIST_OK;
}

/* acquisition.component and acquisition.activity_scale (after the lesions: a lesion
 * component names one of them; tissue names are checked against the phantom later). */
static mist_status read_component(mist_yaml_node *acq, mist_study *s, mist_error *err)
{
    const char *c = NULL;
    mist_status st;
    if ((st = mist_yaml_get_string(acq, "acquisition", "component", MIST_OPTIONAL, "all", &c,
                                   err)) ||
        (st = mist_yaml_get_double(acq, "acquisition", "activity_scale", MIST_OPTIONAL, 1.0,
                                   (mist_range){0.0, 1.0e12, 1, 0},
                                   &s->acquisition.activity_scale, err)))
        return st;
    const mist_yaml_node *at = mist_yaml_map_find(acq, "component");
    static const char *const kinds[] = {"tissue:", "background:", "lesion:", "unit:"};
    const char *name = NULL;
    for (int k = 0; k < 4 && !name; k++)
        if (!strncmp(c, kinds[k], strlen(kinds[k])))
            name = c + strlen(kinds[k]);
    if (strcmp(c, "all") && (!name || !*name || strlen(c) >= sizeof s->acquisition.component))
        return mist_yaml_error_at(at, "acquisition.component", err,
                                  "'%s': expected all, tissue:NAME, background:NAME, unit:NAME or "
                                  "lesion:NAME (a tissue class or a lesion of the study)",
                                  c);
    if (!strncmp(c, "lesion:", 7)) {
        size_t i = 0;
        while (i < s->n_lesions && strcmp(s->lesions[i].name, name))
            i++;
        if (i == s->n_lesions)
            return mist_yaml_error_at(at, "acquisition.component", err,
                                      "'%s': the study has no lesion named '%s'", c, name);
    }
    snprintf(s->acquisition.component, sizeof s->acquisition.component, "%s", c);
    return MIST_OK;
}

static mist_status read_study(mist_yaml_doc *doc, mist_study *s, mist_error *err)
{
    static const char *const top[] = {"name",     "seed",    "phantom",     "phantom_set",
                                      "lesions",  "tracer",  "scanner",     "scanner_pose",
                                      "acquisition", "recon", "analysis", NULL};
    static const char *const tracer_keys[] = {"probe", "injected_MBq", "uptake_time_h", NULL};
    static const char *const acq_keys[] = {"duration_s", "simulated_fraction", "batches",
                                           "time_bin_s", "checkpoint_s",
                                           "listmode", "spect", "component",
                                           "activity_scale", NULL};
    static const char *const analysis_keys[] = {"realizations", "lesion_oversample",
                                                "background", NULL};
    static const char *const backgrounds[] = {"simulation", "model", NULL};
    int background = 1;
    mist_yaml_node *root = doc->root, *tracer, *acq, *analysis;
    const char *name;
    mist_status st;

    if ((st = mist_yaml_check_unknown(root, "", top, err)) ||
        (st = mist_yaml_get_string(root, "", "name", MIST_REQUIRED, NULL, &name, err)) ||
        (st = copy_name(s->name, sizeof s->name, root, "", "name", name, err)) ||
        (st = mist_yaml_get_uint64(root, "", "seed", MIST_OPTIONAL, 1, &s->seed, err)) ||
        (st = mist_yaml_get_file(root, "", "phantom", MIST_REQUIRED, doc->dir, &s->phantom_path,
                                 err)) ||
        (st = read_phantom_sets(root, s, err)) || (st = read_lesions(root, s, err)))
        return st;

    if ((st = mist_yaml_get_map(root, "", "tracer", MIST_REQUIRED, &tracer, err)) ||
        (st = mist_yaml_check_unknown(tracer, "tracer", tracer_keys, err)) ||
        (st = mist_yaml_get_file(tracer, "tracer", "probe", MIST_REQUIRED, doc->dir,
                                 &s->tracer.probe_path, err)) ||
        (st = mist_yaml_get_double(tracer, "tracer", "injected_MBq", MIST_REQUIRED, 0,
                                   (mist_range){0.0, 1.0e5, 1, 0}, &s->tracer.injected_MBq,
                                   err)) ||
        (st = mist_yaml_get_double(tracer, "tracer", "uptake_time_h", MIST_REQUIRED, 0,
                                   (mist_range){0.0, 24.0 * 60.0, 0, 0},
                                   &s->tracer.uptake_time_h, err)))
        return st;

    if ((st = mist_yaml_get_file(root, "", "scanner", MIST_REQUIRED, doc->dir, &s->scanner_path,
                                 err)))
        return st;
    {
        static const char *const pose_keys[] = {"axis", "center_mm", NULL};
        static const char *const axes[] = {"x", "y", "z", NULL};
        mist_yaml_node *pose;
        s->scanner_axis = 2;
        if ((st = mist_yaml_get_map(root, "", "scanner_pose", MIST_OPTIONAL, &pose, err)))
            return st;
        if (pose &&
            ((st = mist_yaml_check_unknown(pose, "scanner_pose", pose_keys, err)) ||
             (st = mist_yaml_get_choice(pose, "scanner_pose", "axis", MIST_OPTIONAL, 2, axes,
                                        &s->scanner_axis, err)) ||
             (st = mist_yaml_get_vec(pose, "scanner_pose", "center_mm", MIST_OPTIONAL, 3,
                                     s->scanner_center_mm, MIST_ANY_FINITE,
                                     s->scanner_center_mm, err))))
            return st;
    }

    if ((st = mist_yaml_get_map(root, "", "acquisition", MIST_REQUIRED, &acq, err)) ||
        (st = mist_yaml_check_unknown(acq, "acquisition", acq_keys, err)) ||
        (st = mist_yaml_get_double(acq, "acquisition", "duration_s", MIST_REQUIRED, 0,
                                   (mist_range){0.0, 7.0 * 86400.0, 1, 0},
                                   &s->acquisition.duration_s, err)) ||
        (st = mist_yaml_get_double(acq, "acquisition", "simulated_fraction", MIST_OPTIONAL, 1.0,
                                   (mist_range){0.0, 1.0, 1, 0},
                                   &s->acquisition.simulated_fraction, err)) ||
        (st = mist_yaml_get_int(acq, "acquisition", "batches", MIST_OPTIONAL, 64, 1, 1L << 24,
                                &s->acquisition.batches, err)) ||
        (st = mist_yaml_get_double(acq, "acquisition", "time_bin_s", MIST_OPTIONAL, 1.0,
                                   (mist_range){1.0e-6, 1.0e6, 0, 0},
                                   &s->acquisition.time_bin_s, err)) ||
        (st = mist_yaml_get_double(acq, "acquisition", "checkpoint_s", MIST_OPTIONAL, 300.0,
                                   (mist_range){0.0, 1.0e7, 0, 0}, &s->acquisition.checkpoint_s,
                                   err)) ||
        (st = mist_yaml_get_bool(acq, "acquisition", "listmode", MIST_OPTIONAL, 0,
                                 &s->acquisition.listmode, err)))
        return st;
    if ((st = read_spect_acquisition(acq, s, err)) || (st = read_component(acq, s, err)))
        return st;
    double bins = s->acquisition.duration_s / s->acquisition.time_bin_s;
    if (bins > 1.0e7)
        return mist_yaml_error_at(mist_yaml_map_find(acq, "time_bin_s"), "acquisition.time_bin_s",
                                  err, "gives %.3g histogram bins over the frame; expected at most 1e7",
                                  bins);

    if ((st = mist_study_read_recon(root, s, err)))
        return st;

    if ((st = mist_yaml_get_map(root, "", "analysis", MIST_OPTIONAL, &analysis, err)) ||
        (st = mist_yaml_check_unknown(analysis, "analysis", analysis_keys, err)) ||
        (st = mist_yaml_get_int(analysis, "analysis", "realizations", MIST_OPTIONAL, 20, 1, 100000,
                                &s->analysis.realizations, err)) ||
        (st = mist_yaml_get_double(analysis, "analysis", "lesion_oversample", MIST_OPTIONAL, 20.0,
                                   (mist_range){1.0, 1.0e6, 0, 0}, &s->analysis.lesion_oversample,
                                   err)) ||
        (st = mist_yaml_get_choice(analysis, "analysis", "background", MIST_OPTIONAL, 1,
                                   backgrounds, &background, err)))
        return st;
    s->analysis.background_model = background;

    return MIST_OK;
}

/* Study text for the result file: the source text plus one comment line per override. */
static char *effective_text(const char *text, const char *const *sets, size_t n_sets)
{
    size_t len = strlen(text) + 64;
    for (size_t i = 0; i < n_sets; i++)
        len += strlen(sets[i]) + 16;
    char *out = malloc(len);
    if (!out)
        return NULL;
    size_t used = (size_t)snprintf(out, len, "%s", text);
    if (used && out[used - 1] != '\n')
        used += (size_t)snprintf(out + used, len - used, "\n");
    for (size_t i = 0; i < n_sets; i++)
        used += (size_t)snprintf(out + used, len - used, "# --set %s\n", sets[i]);
    return out;
}

mist_status mist_study_load(const char *path, const char *const *sets, size_t n_sets,
                            mist_study **out, mist_error *err)
{
    *out = NULL;
    mist_yaml_doc *doc = NULL;
    mist_status st;
    if (path)
        st = mist_yaml_load_file(path, &doc, err);
    else {
        char dir[4096];
        st = mist_yaml_load_string(mist_study_default_text(), "<built-in default study>",
                                   mist_study_default_dir(dir, sizeof dir), &doc, err);
    }
    if (st)
        return st;
    for (size_t i = 0; i < n_sets && !st; i++)
        st = mist_yaml_override(doc, sets[i], err);
    mist_study *s = calloc(1, sizeof *s);
    if (!st && !s)
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    if (!st)
        st = read_study(doc, s, err);
    if (!st) {
        s->source = strdup(doc->path);
        s->study_yaml = effective_text(doc->text, sets, n_sets);
        if (!s->source || !s->study_yaml)
            st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    }
    mist_yaml_free(doc);
    if (st) {
        mist_study_free(s);
        return st;
    }
    *out = s;
    return MIST_OK;
}

void mist_study_free(mist_study *s)
{
    if (!s)
        return;
    free(s->source);
    free(s->study_yaml);
    free(s->phantom_path);
    for (size_t i = 0; i < s->n_phantom_sets; i++)
        free(s->phantom_sets[i]);
    free(s->phantom_sets);
    free(s->lesions);
    free(s->tracer.probe_path);
    free(s->scanner_path);
    free(s);
}
