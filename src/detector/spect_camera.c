#include "detector/spect_camera.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/yaml_doc.h"

static mist_status load_collimator(mist_yaml_node *root, mist_spect_camera *c, mist_error *err)
{
    static const char *const keys[] = {"material", "holes", "hole_mm", "septa_mm", "length_mm",
                                       "gap_mm", NULL};
    static const char *const shapes[] = {"hexagonal", "square", NULL};
    mist_yaml_node *m;
    const char *material;
    int shape;
    mist_collimator_geom *g = &c->collimator;
    mist_status st;
    if ((st = mist_yaml_get_map(root, "", "collimator", MIST_REQUIRED, &m, err)) ||
        (st = mist_yaml_check_unknown(m, "collimator", keys, err)) ||
        (st = mist_yaml_get_string(m, "collimator", "material", MIST_REQUIRED, NULL, &material,
                                   err)) ||
        (st = mist_yaml_get_choice(m, "collimator", "holes", MIST_REQUIRED, 0, shapes, &shape,
                                   err)) ||
        (st = mist_yaml_get_double(m, "collimator", "hole_mm", MIST_REQUIRED, 0,
                                   (mist_range){0.05, 50.0, 0, 0}, &g->hole_mm, err)) ||
        (st = mist_yaml_get_double(m, "collimator", "septa_mm", MIST_REQUIRED, 0,
                                   (mist_range){0.01, 50.0, 0, 0}, &g->septa_mm, err)) ||
        (st = mist_yaml_get_double(m, "collimator", "length_mm", MIST_REQUIRED, 0,
                                   (mist_range){1.0, 500.0, 0, 0}, &g->length_mm, err)) ||
        (st = mist_yaml_get_double(m, "collimator", "gap_mm", MIST_OPTIONAL, 0.0,
                                   (mist_range){0.0, 200.0, 0, 0}, &c->gap_mm, err)))
        return st;
    if (strlen(material) >= sizeof g->material)
        return mist_yaml_error_at(mist_yaml_map_find(m, "material"), "collimator.material", err,
                                  "expected a material name of at most %zu characters",
                                  sizeof g->material - 1);
    snprintf(g->material, sizeof g->material, "%s", material);
    g->shape = (mist_hole_shape)shape;
    return MIST_OK;
}

mist_status mist_spect_camera_load(const char *path, mist_spect_camera *c, mist_error *err)
{
    static const char *const top[] = {"name", "modality", "heads", "crystal", "collimator",
                                      "intrinsic_resolution_mm", "energy_resolution",
                                      "projection", "orbit_radius_mm", "energy_windows", NULL};
    static const char *const crystal_keys[] = {"material", "thickness_mm", "width_mm",
                                               "height_mm", NULL};
    static const char *const proj_keys[] = {"cols", "rows", "pixel_mm", NULL};
    static const char *const win_keys[] = {"photopeak_width", "scatter_width", NULL};
    static const char *const modalities[] = {"spect", NULL};
    memset(c, 0, sizeof *c);
    mist_yaml_doc *doc = NULL;
    mist_status st = mist_yaml_load_file(path, &doc, err);
    if (st)
        return st;
    mist_yaml_node *root = doc->root, *crystal, *proj, *win;
    const char *name, *material;
    int modality;
    long heads, cols, rows;
    if ((st = mist_yaml_check_unknown(root, "", top, err)) ||
        (st = mist_yaml_get_string(root, "", "name", MIST_REQUIRED, NULL, &name, err)) ||
        (st = mist_yaml_get_choice(root, "", "modality", MIST_REQUIRED, 0, modalities, &modality,
                                   err)) ||
        (st = mist_yaml_get_int(root, "", "heads", MIST_REQUIRED, 0, 1, 4, &heads, err)) ||
        (st = mist_yaml_get_map(root, "", "crystal", MIST_REQUIRED, &crystal, err)) ||
        (st = mist_yaml_check_unknown(crystal, "crystal", crystal_keys, err)) ||
        (st = mist_yaml_get_string(crystal, "crystal", "material", MIST_REQUIRED, NULL, &material,
                                   err)) ||
        (st = mist_yaml_get_double(crystal, "crystal", "thickness_mm", MIST_REQUIRED, 0,
                                   (mist_range){0.1, 100.0, 0, 0}, &c->crystal_mm, err)) ||
        (st = mist_yaml_get_double(crystal, "crystal", "width_mm", MIST_REQUIRED, 0,
                                   (mist_range){10.0, 1000.0, 0, 0}, &c->fov_mm[0], err)) ||
        (st = mist_yaml_get_double(crystal, "crystal", "height_mm", MIST_REQUIRED, 0,
                                   (mist_range){10.0, 1000.0, 0, 0}, &c->fov_mm[1], err)) ||
        (st = load_collimator(root, c, err)) ||
        (st = mist_yaml_get_double(root, "", "intrinsic_resolution_mm", MIST_REQUIRED, 0,
                                   (mist_range){0.0, 50.0, 0, 0}, &c->intrinsic_fwhm_mm, err)) ||
        (st = mist_yaml_get_double(root, "", "energy_resolution", MIST_REQUIRED, 0,
                                   (mist_range){0.0, 1.0, 0, 1}, &c->energy_resolution, err)) ||
        (st = mist_yaml_get_map(root, "", "projection", MIST_REQUIRED, &proj, err)) ||
        (st = mist_yaml_check_unknown(proj, "projection", proj_keys, err)) ||
        (st = mist_yaml_get_int(proj, "projection", "cols", MIST_REQUIRED, 0, 1, 4096, &cols,
                                err)) ||
        (st = mist_yaml_get_int(proj, "projection", "rows", MIST_REQUIRED, 0, 1, 4096, &rows,
                                err)) ||
        (st = mist_yaml_get_double(proj, "projection", "pixel_mm", MIST_REQUIRED, 0,
                                   (mist_range){0.05, 100.0, 0, 0}, &c->pixel_mm, err)) ||
        (st = mist_yaml_get_double(root, "", "orbit_radius_mm", MIST_REQUIRED, 0,
                                   (mist_range){1.0, 2000.0, 0, 0}, &c->orbit_radius_mm, err)) ||
        (st = mist_yaml_get_map(root, "", "energy_windows", MIST_OPTIONAL, &win, err)) ||
        (st = mist_yaml_check_unknown(win, "energy_windows", win_keys, err)) ||
        (st = mist_yaml_get_double(win, "energy_windows", "photopeak_width", MIST_OPTIONAL, 0.20,
                                   (mist_range){0.01, 1.0, 0, 0}, &c->photopeak_width, err)) ||
        (st = mist_yaml_get_double(win, "energy_windows", "scatter_width", MIST_OPTIONAL, 0.06,
                                   (mist_range){0.0, 0.5, 0, 0}, &c->scatter_width, err)))
        goto done;
    if (strlen(name) >= sizeof c->name || strlen(material) >= sizeof c->crystal_material) {
        st = mist_yaml_error_at(root, "name", err, "expected shorter name and crystal material");
        goto done;
    }
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->crystal_material, sizeof c->crystal_material, "%s", material);
    c->n_heads = (uint32_t)heads;
    c->n_cols = (uint32_t)cols;
    c->n_rows = (uint32_t)rows;
done:
    mist_yaml_free(doc);
    return st;
}

int mist_spect_windows(const mist_spect_camera *c, const mist_nuclide *nuc,
                       mist_energy_window out[MIST_SPECT_MAX_WINDOWS])
{
    int n = 0;
    for (int l = 0; l < nuc->n_lines; l++) {
        const mist_photon_line *line = &nuc->lines[l];
        if (line->kind != MIST_LINE_GAMMA || line->intensity < 0.05 || line->energy_keV < 50.0)
            continue;
        int per = c->scatter_width > 0 ? 3 : 1;
        if (n + per > MIST_SPECT_MAX_WINDOWS)
            break;
        double e = line->energy_keV, lo = e * (1.0 - 0.5 * c->photopeak_width),
               hi = e * (1.0 + 0.5 * c->photopeak_width), s = e * c->scatter_width;
        out[n] = (mist_energy_window){lo, hi, e, MIST_WINDOW_PEAK, ""};
        snprintf(out[n].name, sizeof out[n].name, "peak%.1f", e);
        n++;
        if (per == 3) {
            out[n] = (mist_energy_window){lo - s, lo, e, MIST_WINDOW_LOWER, ""};
            snprintf(out[n].name, sizeof out[n].name, "lower%.1f", e);
            n++;
            out[n] = (mist_energy_window){hi, hi + s, e, MIST_WINDOW_UPPER, ""};
            snprintf(out[n].name, sizeof out[n].name, "upper%.1f", e);
            n++;
        }
    }
    return n;
}

static double l_eff(const mist_spect_camera *c, double mu_per_mm)
{
    return c->collimator.length_mm - 2.0 / mu_per_mm;
}

double mist_spect_analytic_resolution_mm(const mist_spect_camera *c, double mu_per_mm,
                                         double b_mm)
{
    double le = l_eff(c, mu_per_mm);
    double cc = c->gap_mm + 0.5 * c->crystal_mm;
    return c->collimator.hole_mm * (le + b_mm + cc) / le;
}

double mist_spect_analytic_efficiency(const mist_spect_camera *c, double mu_per_mm)
{
    /* K: 0.26 hexagonal, 0.28 square holes (Cherry, Sorenson & Phelps; scanners.md). */
    double k = c->collimator.shape == MIST_HOLES_HEXAGONAL ? 0.26 : 0.28;
    double d = c->collimator.hole_mm, t = c->collimator.septa_mm, le = l_eff(c, mu_per_mm);
    return k * k * (d / le) * (d / le) * d * d / ((d + t) * (d + t));
}
