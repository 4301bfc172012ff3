/*
 * material.h - materials by elemental composition and density.
 *
 * A material is what the photon physics needs to know about matter: which
 * elements it holds, in which mass fractions, and its density.  It can be
 * given as a chemical formula (parsed by xraylib's CompoundParser, which
 * accepts fractional subscripts such as "Lu1.8Y0.2SiO5"), as one of xraylib's
 * NIST compounds by name ("Adipose Tissue (ICRP)"), or as element mass
 * fractions (percent or fractions, normalised when they sum to 100 % or 1
 * within 1 %).  Materials are small value types; a mist_material_list holds
 * the named materials of a run, read from geometry/materials.yaml and any
 * user file that extends or overrides it (a later entry with the same name
 * replaces the earlier one).
 */
#ifndef MIST_MODEL_MATERIAL_H
#define MIST_MODEL_MATERIAL_H

#include <stddef.h>

#include "core/status.h"

#define MIST_MATERIAL_NAME_MAX 64
#define MIST_MATERIAL_MAX_ELEMENTS 24

typedef struct mist_material {
    char name[MIST_MATERIAL_NAME_MAX];
    double density_g_cm3;                         /**< [g/cm3], > 0 */
    int n_elements;                               /**< number of elements, 1..MAX */
    int Z[MIST_MATERIAL_MAX_ELEMENTS];            /**< atomic numbers, 1..98 */
    double mass_fraction[MIST_MATERIAL_MAX_ELEMENTS]; /**< sum to 1 */
} mist_material;

/* A material from a chemical formula ("H2O", "Cd0.9Zn0.1Te"). */
mist_status mist_material_from_formula(const char *name, const char *formula, double density_g_cm3,
                                       mist_material *out, mist_error *err);

/* A material from xraylib's NIST compound list ("Water, Liquid").  density_g_cm3 <= 0 takes
 * the list's density. */
mist_status mist_material_from_nist(const char *name, const char *nist_name, double density_g_cm3,
                                    mist_material *out, mist_error *err);

/* A material from element symbols and mass fractions (percent or fractions: the sum must be
 * 1 or 100 within 1 %; the fractions are normalised to sum to 1). */
mist_status mist_material_from_fractions(const char *name, size_t n, const char *const *symbols,
                                         const double *fractions, double density_g_cm3,
                                         mist_material *out, mist_error *err);

/* Electrons per gram divided by Avogadro's number: sum_i w_i Z_i / A_i [mol/g]. */
double mist_material_z_over_a(const mist_material *m);

/* Atoms of element i per gram divided by Avogadro's number: w_i / A_i [mol/g]. */
double mist_material_atoms_per_gram(const mist_material *m, int i);

/* A named list of materials. */
typedef struct mist_material_list {
    mist_material *items; /**< [n] */
    size_t n, cap;
} mist_material_list;

/* Add a material, replacing one of the same name. */
mist_status mist_material_list_put(mist_material_list *list, const mist_material *m,
                                   mist_error *err);

/* The material called name, or NULL. */
const mist_material *mist_material_list_find(const mist_material_list *list, const char *name);

/* Read a material list file (YAML, the layout of geometry/materials.yaml) and add its entries
 * to list.  Errors name the file, line, key and what was expected. */
mist_status mist_material_list_load(mist_material_list *list, const char *path, mist_error *err);

void mist_material_list_free(mist_material_list *list);

#endif
