/*
 * tissue.h - tissue classes: what fills a phantom voxel, for transport and
 * for tracers.
 *
 * A tissue class has a name ("glandular", "tumor_her2_pos"), a material name
 * (the composition the photon physics looks up: water, adipose, glandular,
 * skin, muscle, blood, liver, lung, cortical_bone, pmma, polyethylene,
 * aluminium, air), a density [g/cm3] (which may differ from the material's
 * nominal density: a lung insert of "lung" at 0.30 g/cm3), and an uptake
 * class: the tracer class whose kinetics it follows ("adipose", ...,
 * "node_met", as in physics/tracer.h), "none" for no activity, or "fixed"
 * for validation phantoms whose activity is a fixed concentration ratio
 * (relative_activity) rather than a tracer's kinetics.
 *
 * The built-in classes are listed by mist_tissue_builtin(); phantom files
 * may add their own (mist_tissue_check validates one).
 */
#ifndef MIST_MODEL_TISSUE_H
#define MIST_MODEL_TISSUE_H

#include <stddef.h>

#include "core/status.h"

#define MIST_TISSUE_NAME_MAX 64

typedef struct mist_tissue {
    char name[MIST_TISSUE_NAME_MAX];     /**< class name, unique in a phantom */
    char material[MIST_TISSUE_NAME_MAX]; /**< material name for transport */
    char uptake[MIST_TISSUE_NAME_MAX];   /**< tracer class, "none" or "fixed" */
    double density_g_cm3;                /**< [g/cm3] mass density, > 0 */
    double relative_activity;            /**< activity concentration relative to the
                                              phantom's reference, used when uptake is
                                              "fixed" (validation phantoms); else 0 */
} mist_tissue;

/* The built-in classes ([*n] of them, a static table). */
const mist_tissue *mist_tissue_builtin(size_t *n);

/* A built-in class by name, or NULL. */
const mist_tissue *mist_tissue_find_builtin(const char *name);

/* The material names the physics provides (NULL-terminated). */
const char *const *mist_tissue_material_names(void);

/* The uptake class names accepted (tracer classes, "none", "fixed"; NULL-terminated). */
const char *const *mist_tissue_uptake_names(void);

/* Check a class: non-empty name, known material and uptake class, density in
 * (0, 25] g/cm3, relative_activity >= 0.  Errors are MIST_ERR_INPUT sentences. */
mist_status mist_tissue_check(const mist_tissue *t, mist_error *err);

#endif
