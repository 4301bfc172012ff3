/* mist_material_list_load: the material list file (geometry/materials.yaml) through the YAML
 * reader.  An entry is a mapping:
 *   name: text (required)
 *   density_g_cm3: number > 0 (required, except with nist: where it defaults to the list's)
 *   and exactly one of
 *     formula: chemical formula ("H2O", "Lu1.8Y0.2SiO5")
 *     nist: xraylib NIST compound name ("Adipose Tissue (ICRP)")
 *     mass_fractions: {symbol: percent or fraction, ...} summing to 100 or 1 (within 1 %)
 */
#include <stdio.h>
#include <stdlib.h>

#include "io/yaml_doc.h"
#include "model/material.h"

static const char *const ENTRY_KEYS[] = {"name", "density_g_cm3", "formula", "nist",
                                         "mass_fractions", NULL};

static mist_status read_fractions(mist_yaml_node *map, const char *path, const char *name,
                                  double density, mist_material *out, mist_error *err)
{
    if (map->kind != MIST_YAML_MAP || map->n == 0)
        return mist_yaml_error_at(map, path, err,
                                  "expected a mapping of element symbols to mass fractions");
    if (map->n > MIST_MATERIAL_MAX_ELEMENTS)
        return mist_yaml_error_at(map, path, err, "more than %d elements",
                                  MIST_MATERIAL_MAX_ELEMENTS);
    const char *sym[MIST_MATERIAL_MAX_ELEMENTS];
    double frac[MIST_MATERIAL_MAX_ELEMENTS];
    for (size_t i = 0; i < map->n; i++) {
        mist_yaml_node *v = map->values[i];
        char sub[256];
        mist_yaml_join(sub, sizeof sub, path, map->keys[i]->scalar, -1);
        char *end = NULL;
        double x = v->kind == MIST_YAML_SCALAR ? strtod(v->scalar, &end) : -1.0;
        if (v->kind != MIST_YAML_SCALAR || end == v->scalar || *end != '\0' || !(x >= 0.0) ||
            x > 100.0)
            return mist_yaml_error_at(v, sub, err, "expected a mass fraction (0..100), got '%s'",
                                      v->kind == MIST_YAML_SCALAR ? v->scalar : "a collection");
        sym[i] = map->keys[i]->scalar;
        frac[i] = x;
    }
    mist_error inner;
    if (mist_material_from_fractions(name, map->n, sym, frac, density, out, &inner) != MIST_OK)
        return mist_yaml_error_at(map, path, err, "%s", inner.msg);
    return MIST_OK;
}

static mist_status read_entry(mist_yaml_node *item, const char *path, mist_material *out,
                              mist_error *err)
{
    if (item->kind != MIST_YAML_MAP)
        return mist_yaml_error_at(item, path, err, "expected a mapping with name, density_g_cm3 "
                                  "and formula, nist or mass_fractions");
    const char *name, *formula, *nist;
    double density;
    mist_yaml_node *fractions;
    mist_status st = mist_yaml_get_string(item, path, "name", MIST_REQUIRED, NULL, &name, err);
    if (st == MIST_OK)
        st = mist_yaml_get_string(item, path, "formula", MIST_OPTIONAL, NULL, &formula, err);
    if (st == MIST_OK)
        st = mist_yaml_get_string(item, path, "nist", MIST_OPTIONAL, NULL, &nist, err);
    if (st == MIST_OK)
        st = mist_yaml_get_map(item, path, "mass_fractions", MIST_OPTIONAL, &fractions, err);
    if (st == MIST_OK)
        st = mist_yaml_get_double(item, path, "density_g_cm3",
                                  nist ? MIST_OPTIONAL : MIST_REQUIRED, 0.0,
                                  (mist_range){0.0, 30.0, nist ? 0 : 1, 0}, &density, err);
    if (st == MIST_OK)
        st = mist_yaml_check_unknown(item, path, ENTRY_KEYS, err);
    if (st != MIST_OK)
        return st;
    if ((formula != NULL) + (nist != NULL) + (fractions != NULL) != 1)
        return mist_yaml_error_at(item, path, err, "material '%s': give exactly one of formula, "
                                  "nist or mass_fractions", name);
    char sub[256];
    if (fractions)
        return read_fractions(fractions, mist_yaml_join(sub, sizeof sub, path, "mass_fractions", -1),
                              name, density, out, err);
    mist_error inner;
    st = formula ? mist_material_from_formula(name, formula, density, out, &inner)
                 : mist_material_from_nist(name, nist, density, out, &inner);
    if (st != MIST_OK)
        return mist_yaml_error_at(item, path, err, "%s", inner.msg);
    return MIST_OK;
}

mist_status mist_material_list_load(mist_material_list *list, const char *path, mist_error *err)
{
    mist_yaml_doc *doc;
    mist_status st = mist_yaml_load_file(path, &doc, err);
    if (st != MIST_OK)
        return st;
    static const char *const ROOT_KEYS[] = {"materials", NULL};
    mist_yaml_node *seq;
    st = mist_yaml_get_seq(doc->root, "", "materials", MIST_REQUIRED, &seq, err);
    if (st == MIST_OK)
        st = mist_yaml_check_unknown(doc->root, "", ROOT_KEYS, err);
    for (size_t i = 0; st == MIST_OK && i < seq->n; i++) {
        char sub[64];
        mist_yaml_join(sub, sizeof sub, "materials", NULL, (long)i);
        mist_material m;
        st = read_entry(seq->values[i], sub, &m, err);
        if (st == MIST_OK)
            st = mist_material_list_put(list, &m, err);
    }
    mist_yaml_free(doc);
    return st;
}
