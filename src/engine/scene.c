#include "engine/scene.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/h5out.h"
#include "io/phantom_io.h"
#include "model/phantom_load.h"

void mist_scene_free(mist_scene *sc)
{
    mist_tracker_free(sc->tracker);
    mist_voxel_grid_free(sc->grid);
    mist_source_free(&sc->source);
    mist_phantom_free(sc->phantom);
    mist_material_list_free(&sc->materials);
    mist_tracer_free(sc->tracer);
    memset(sc, 0, sizeof *sc);
}

/* The photons' medium: the phantom's labels with each tissue's material. */
static mist_status build_medium(mist_scene *sc, mist_error *err)
{
    const mist_phantom *ph = sc->phantom;
    mist_status st = mist_voxel_grid_create(ph->n, ph->voxel_mm, ph->origin_mm, &sc->grid, err);
    if (st)
        return st;
    memcpy(sc->grid->labels, ph->labels, mist_phantom_count(ph));
    for (size_t l = 0; l < ph->n_tissues; l++) {
        const mist_material *m = mist_material_list_find(&sc->materials, ph->tissues[l].material);
        if (!m)
            return mist_error_set(err, MIST_ERR_INPUT,
                                  "phantom %s: tissue '%s' has material '%s', which is not in the "
                                  "material list",
                                  ph->name, ph->tissues[l].name, ph->tissues[l].material);
        mist_voxel_grid_set_material(sc->grid, (uint8_t)l, (int)(m - sc->materials.items));
    }
    return mist_tracker_create(sc->grid, sc->materials.items, sc->materials.n, NULL, &sc->tracker,
                               err);
}

mist_status mist_scene_component(const mist_study *study, const mist_phantom *ph,
                                 mist_component *c, mist_error *err)
{
    const char *spec = study->acquisition.component;
    memset(c, 0, sizeof *c);
    c->scale = study->acquisition.activity_scale > 0 ? study->acquisition.activity_scale : 1.0;
    if (!spec[0] || !strcmp(spec, "all"))
        return MIST_OK;
    const char *colon = strchr(spec, ':');
    const char *name = colon ? colon + 1 : "";
    if (!strncmp(spec, "lesion:", 7)) {
        c->kind = MIST_COMPONENT_LESION;
        for (size_t i = 0; i < ph->n_lesions; i++)
            if (!strcmp(ph->lesions[i].name, name)) {
                c->index = (int)i;
                return MIST_OK;
            }
        return mist_error_set(err, MIST_ERR_INPUT,
                              "acquisition.component: %s: the phantom %s has no lesion '%s'", spec,
                              ph->name, name);
    }
    c->kind = !strncmp(spec, "background:", 11) ? MIST_COMPONENT_BACKGROUND : MIST_COMPONENT_TISSUE;
    c->unit = !strncmp(spec, "unit:", 5);
    for (size_t l = 0; l < ph->n_tissues; l++)
        if (!strcmp(ph->tissues[l].name, name)) {
            c->index = (int)l;
            return MIST_OK;
        }
    char names[1024] = "";
    for (size_t l = 0, k = 0; l < ph->n_tissues && k + 70 < sizeof names; l++)
        k += (size_t)snprintf(names + k, sizeof names - k, "%s%s", l ? ", " : "",
                              ph->tissues[l].name);
    return mist_error_set(err, MIST_ERR_INPUT,
                          "acquisition.component: %s: the phantom %s has no tissue class '%s' "
                          "(its classes: %s)",
                          spec, ph->name, name, names);
}

/* Tracer, phantom with the study's lesions, and the activity map of the study's component. */
mist_status mist_scene_build_source(mist_scene *sc, const mist_study *study, mist_error *err)
{
    /* A caller may have loaded the tracer already (for its nuclide): load it once here. */
    mist_tracer_free(sc->tracer);
    sc->tracer = NULL;
    mist_status st = mist_tracer_load(study->tracer.probe_path, &sc->tracer, err);
    if (!st)
        sc->nuclide = mist_tracer_nuclide(sc->tracer);
    if (!st)
        st = mist_phantom_load(study->phantom_path, (const char *const *)study->phantom_sets,
                               study->n_phantom_sets, &sc->phantom, err);
    for (size_t i = 0; !st && i < study->n_lesions; i++) {
        /* One at a time, so a lesion the phantom rejects is named with its study line. */
        st = mist_phantom_add_study_lesions(sc->phantom, &study->lesions[i], 1, err);
        if (st == MIST_ERR_INPUT) {
            char msg[MIST_ERROR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            mist_error_set(err, st, "%s: lesions[%zu]: %s", study->lesions[i].where, i, msg);
        }
    }
    if (!st)
        st = mist_scene_component(study, sc->phantom, &sc->component, err);
    double t0 = study->tracer.uptake_time_h * 3600.0;
    if (!st)
        st = mist_source_build_component(&sc->source, sc->phantom, sc->tracer,
                                         study->tracer.injected_MBq, t0, &sc->component, err);
    return st;
}

mist_status mist_scene_component_info(const mist_study *study, double *total_Bq, int *sign,
                                      mist_error *err)
{
    mist_scene sc;
    memset(&sc, 0, sizeof sc);
    mist_status st = mist_scene_build_source(&sc, study, err);
    *total_Bq = st ? 0.0 : sc.source.total_Bq;
    *sign = st ? 1 : sc.source.sign;
    mist_scene_free(&sc);
    return st;
}

mist_status mist_scene_build(mist_scene *sc, const mist_study *study, mist_tallies *t,
                             mist_error *err)
{
    mist_status st = mist_scene_build_source(sc, study, err);
    char materials[4096];
    mist_data_path(materials, sizeof materials, "geometry/materials.yaml");
    if (!st)
        st = mist_material_list_load(&sc->materials, materials, err);
    double t0 = study->tracer.uptake_time_h * 3600.0;
    if (!st && !(sc->source.total_Bq > 0.0))
        st = mist_error_set(err, MIST_ERR_INPUT,
                            "acquisition.component: %s has no activity at %.3g h after injection "
                            "(a lesion with its host tissue's own uptake has no excess): nothing "
                            "to simulate",
                            study->acquisition.component, study->tracer.uptake_time_h);
    if (!st)
        st = build_medium(sc, err);
    if (st)
        return st;
    /* The acquisition's activity at injection gives the map's total at the frame start. */
    double a0 = sc->source.total_Bq * exp(mist_nuclide_decay_constant(sc->nuclide) * t0);
    return mist_acquisition_init(&sc->acq, sc->nuclide, a0, t0, study->acquisition.duration_s,
                                 study->acquisition.simulated_fraction,
                                 (uint64_t)study->acquisition.batches,
                                 study->acquisition.time_bin_s, t, err);
}

mist_status mist_scene_write_h5(hid_t file, const mist_scene *sc, const mist_study *study,
                                const mist_tallies *t, mist_error *err)
{
    const mist_phantom *ph = sc->phantom;
    const uint64_t dims[3] = {ph->n[2], ph->n[1], ph->n[0]};
    hid_t d;
    mist_status st = mist_phantom_io_write_h5(file, ph, err);
    if (!st)
        st = mist_h5_write(file, "/phantom/activity", H5T_NATIVE_FLOAT, 3, dims,
                           sc->source.activity_Bq, "Bq", &d, err);
    if (!st) {
        (void)((st = mist_h5_attr_double(d, "voxel_size_mm", ph->voxel_mm, 3, err)) ||
               (st = mist_h5_attr_double(d, "origin_mm", ph->origin_mm, 3, err)) ||
               (st = mist_h5_attr_double(d, "time_after_injection_s", &sc->acq.frame_start_s, 1,
                                         err)));
        H5Dclose(d);
    }
    if (st)
        return st;
    hid_t g = H5Gopen2(file, "/acquisition", H5P_DEFAULT);
    if (g < 0)
        return mist_error_set(err, MIST_ERR_IO, "cannot open /acquisition");
    const mist_acquisition *acq = &sc->acq;
    double expected = mist_acquisition_expected_total(acq);
    uint64_t decays = mist_tally_sum(t, acq->id_batch), batches = acq->n_batches;
    /* For SUVs in `mist analyze`: the injected activity and the tracer's body mass. */
    double injected_Bq = study->tracer.injected_MBq * 1e6;
    double body_mass_kg = mist_tracer_body_mass_kg(sc->tracer);
    (void)((st = mist_h5_attr_str(g, "probe", mist_tracer_name(sc->tracer), err)) ||
           (st = mist_h5_attr_str(g, "nuclide", sc->nuclide->name, err)) ||
           (st = mist_h5_attr_double(g, "half_life_s", &sc->nuclide->half_life_s, 1, err)) ||
           (st = mist_h5_attr_double(g, "activity_at_injection_Bq", &acq->activity0_Bq, 1, err)) ||
           (st = mist_h5_attr_double(g, "injected_Bq", &injected_Bq, 1, err)) ||
           (st = mist_h5_attr_double(g, "body_mass_kg", &body_mass_kg, 1, err)) ||
           (st = mist_h5_attr_double(g, "frame_start_s", &acq->frame_start_s, 1, err)) ||
           (st = mist_h5_attr_double(g, "duration_s", &acq->duration_s, 1, err)) ||
           (st = mist_h5_attr_double(g, "simulated_fraction", &acq->simulated_fraction, 1, err)) ||
           (st = mist_h5_attr_double(g, "time_bin_s", &acq->time_bin_s, 1, err)) ||
           (st = mist_h5_attr_double(g, "expected_decays", &expected, 1, err)) ||
           (st = mist_h5_attr_u64(g, "decays", &decays, 1, err)) ||
           (st = mist_h5_attr_u64(g, "batches", &batches, 1, err)));
    /* Which part of the activity emitted (transport/source.h): all of it unless the study
     * names a component; its sign (-1: a negative lesion excess, simulated as |excess|). */
    const char *comp = study->acquisition.component[0] ? study->acquisition.component : "all";
    double scale = sc->component.scale > 0 ? sc->component.scale : 1.0;
    int sign = sc->source.sign ? sc->source.sign : 1;
    if (!st)
        (void)((st = mist_h5_attr_str(g, "component", comp, err)) ||
               (st = mist_h5_attr_double(g, "activity_scale", &scale, 1, err)) ||
               (st = mist_h5_attr_int(g, "component_sign", sign, err)));
    H5Gclose(g);
    return st;
}
