/*
 * scene.h - what every acquisition of a study sets up first, whatever the
 * scanner: the tracer and its nuclide, the material list, the phantom (with
 * the study's phantom_set overrides and lesions), its activity map at the
 * frame start, the photons' medium (voxel grid of materials and its Woodcock
 * tracker) and the acquisition's time structure (engine/acquisition.h, whose
 * tallies it declares).  The PET driver (engine/simulate.c) and the SPECT
 * driver (engine/spect_study.c) add their scanner to it.
 */
#ifndef MIST_ENGINE_SCENE_H
#define MIST_ENGINE_SCENE_H

#include <hdf5.h>

#include "core/status.h"
#include "engine/acquisition.h"
#include "engine/tally.h"
#include "io/study.h"
#include "model/material.h"
#include "model/phantom.h"
#include "physics/nuclide.h"
#include "physics/tracer.h"
#include "transport/source.h"
#include "transport/tracker.h"
#include "transport/voxel_grid.h"

typedef struct mist_scene {
    mist_tracer *tracer;
    const mist_nuclide *nuclide;
    mist_material_list materials;
    mist_phantom *phantom;
    mist_source source;
    mist_voxel_grid *grid;
    mist_tracker *tracker;
    mist_acquisition acq;
    mist_component component; /**< the part of the activity that emits (study key) */
} mist_scene;

/* The component a study's acquisition.component names on phantom ph (lesions added). */
mist_status mist_scene_component(const mist_study *study, const mist_phantom *ph,
                                 mist_component *c, mist_error *err);

/* The first part of mist_scene_build: tracer, phantom with the study's lesions, the
 * component and its activity map (sc zeroed; an empty component is not refused here). */
mist_status mist_scene_build_source(mist_scene *sc, const mist_study *study, mist_error *err);

/* The total activity [Bq at the frame start] and sign of the study's component, from the
 * tracer, phantom and lesions alone (no medium, no acquisition): 0 for an empty one. */
mist_status mist_scene_component_info(const mist_study *study, double *total_Bq, int *sign,
                                      mist_error *err);

/* Build the scene of a study (sc zeroed by the caller), declaring the
 * acquisition's tallies in t.  A lesion the phantom rejects is reported with its
 * study line; a tissue whose material is not in the list names both; an empty component
 * (acquisition.component) is refused: nothing to simulate. */
mist_status mist_scene_build(mist_scene *sc, const mist_study *study, mist_tallies *t,
                             mist_error *err);
void mist_scene_free(mist_scene *sc);

/* Write what every result holds of the scene (rank 0, the acquisition's tallies already
 * written): /phantom (io/phantom_io.h), /phantom/activity (Bq per voxel at the frame start)
 * and the attributes of /acquisition (probe, nuclide, activities, frame, decays; injected_Bq
 * and body_mass_kg for SUVs). */
mist_status mist_scene_write_h5(hid_t file, const mist_scene *sc, const mist_study *study,
                                const mist_tallies *t, mist_error *err);

#endif
