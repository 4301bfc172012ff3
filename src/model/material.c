#include "model/material.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xraylib.h>

static mist_status check_density(const char *name, double density_g_cm3, mist_error *err)
{
    if (!(density_g_cm3 > 0.0) || !isfinite(density_g_cm3))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "material '%s': density must be a positive number of g/cm3, got %g",
                              name, density_g_cm3);
    return MIST_OK;
}

static void set_name(mist_material *m, const char *name)
{
    snprintf(m->name, sizeof m->name, "%s", name ? name : "");
}

/* Copy an xraylib composition into m, merging repeated elements. */
static mist_status take_composition(mist_material *m, int n, const int *Z, const double *w,
                                    mist_error *err)
{
    m->n_elements = 0;
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        if (Z[i] < 1 || Z[i] > 98)
            return mist_error_set(err, MIST_ERR_INPUT, "material '%s': atomic number %d is outside 1..98",
                                  m->name, Z[i]);
        if (!(w[i] >= 0.0) || !isfinite(w[i]))
            return mist_error_set(err, MIST_ERR_INPUT, "material '%s': mass fraction %g is not a non-negative number",
                                  m->name, w[i]);
        int k = 0;
        while (k < m->n_elements && m->Z[k] != Z[i])
            k++;
        if (k == m->n_elements) {
            if (k == MIST_MATERIAL_MAX_ELEMENTS)
                return mist_error_set(err, MIST_ERR_INPUT, "material '%s': more than %d elements",
                                      m->name, MIST_MATERIAL_MAX_ELEMENTS);
            m->Z[k] = Z[i];
            m->mass_fraction[k] = 0.0;
            m->n_elements++;
        }
        m->mass_fraction[k] += w[i];
        sum += w[i];
    }
    if (m->n_elements == 0 || !(sum > 0.0))
        return mist_error_set(err, MIST_ERR_INPUT, "material '%s': empty composition", m->name);
    for (int k = 0; k < m->n_elements; k++)
        m->mass_fraction[k] /= sum;
    return MIST_OK;
}

mist_status mist_material_from_formula(const char *name, const char *formula, double density_g_cm3,
                                       mist_material *out, mist_error *err)
{
    memset(out, 0, sizeof *out);
    set_name(out, name);
    mist_status st = check_density(out->name, density_g_cm3, err);
    if (st != MIST_OK)
        return st;
    xrl_error *xe = NULL;
    struct compoundData *cd = CompoundParser(formula, &xe);
    if (!cd) {
        st = mist_error_set(err, MIST_ERR_INPUT, "material '%s': formula '%s' is not a chemical formula (%s)",
                            out->name, formula, xe && xe->message ? xe->message : "xraylib CompoundParser failed");
        xrl_error_free(xe);
        return st;
    }
    st = take_composition(out, cd->nElements, cd->Elements, cd->massFractions, err);
    FreeCompoundData(cd);
    out->density_g_cm3 = density_g_cm3;
    return st;
}

mist_status mist_material_from_nist(const char *name, const char *nist_name, double density_g_cm3,
                                    mist_material *out, mist_error *err)
{
    memset(out, 0, sizeof *out);
    set_name(out, name);
    xrl_error *xe = NULL;
    struct compoundDataNIST *cd = GetCompoundDataNISTByName(nist_name, &xe);
    if (!cd) {
        xrl_error_free(xe);
        return mist_error_set(err, MIST_ERR_INPUT,
                              "material '%s': '%s' is not in xraylib's NIST compound list", out->name,
                              nist_name);
    }
    double rho = density_g_cm3 > 0.0 ? density_g_cm3 : cd->density;
    mist_status st = take_composition(out, cd->nElements, cd->Elements, cd->massFractions, err);
    FreeCompoundDataNIST(cd);
    if (st != MIST_OK)
        return st;
    out->density_g_cm3 = rho;
    return check_density(out->name, rho, err);
}

mist_status mist_material_from_fractions(const char *name, size_t n, const char *const *symbols,
                                         const double *fractions, double density_g_cm3,
                                         mist_material *out, mist_error *err)
{
    memset(out, 0, sizeof *out);
    set_name(out, name);
    mist_status st = check_density(out->name, density_g_cm3, err);
    if (st != MIST_OK)
        return st;
    if (n == 0 || n > MIST_MATERIAL_MAX_ELEMENTS)
        return mist_error_set(err, MIST_ERR_INPUT, "material '%s': needs 1 to %d elements, got %zu",
                              out->name, MIST_MATERIAL_MAX_ELEMENTS, n);
    int Z[MIST_MATERIAL_MAX_ELEMENTS];
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        xrl_error *xe = NULL;
        Z[i] = SymbolToAtomicNumber(symbols[i], &xe);
        if (xe || Z[i] < 1) {
            xrl_error_free(xe);
            return mist_error_set(err, MIST_ERR_INPUT, "material '%s': '%s' is not an element symbol",
                                  out->name, symbols[i]);
        }
        sum += fractions[i];
    }
    /* Accept fractions (sum 1) or percent (sum 100), each within 1 %. */
    if (!(fabs(sum - 1.0) <= 0.01 || fabs(sum - 100.0) <= 1.0))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "material '%s': mass fractions sum to %g, expected 1 or 100 (within 1 %%)",
                              out->name, sum);
    st = take_composition(out, (int)n, Z, fractions, err);
    out->density_g_cm3 = density_g_cm3;
    return st;
}

double mist_material_atoms_per_gram(const mist_material *m, int i)
{
    return m->mass_fraction[i] / AtomicWeight(m->Z[i], NULL);
}

double mist_material_z_over_a(const mist_material *m)
{
    double s = 0.0;
    for (int i = 0; i < m->n_elements; i++)
        s += m->Z[i] * mist_material_atoms_per_gram(m, i);
    return s;
}

mist_status mist_material_list_put(mist_material_list *list, const mist_material *m,
                                   mist_error *err)
{
    for (size_t i = 0; i < list->n; i++) {
        if (strcmp(list->items[i].name, m->name) == 0) {
            list->items[i] = *m;
            return MIST_OK;
        }
    }
    if (list->n == list->cap) {
        size_t cap = list->cap ? 2 * list->cap : 32;
        mist_material *items = realloc(list->items, cap * sizeof *items);
        if (!items)
            return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the material list");
        list->items = items;
        list->cap = cap;
    }
    list->items[list->n++] = *m;
    return MIST_OK;
}

const mist_material *mist_material_list_find(const mist_material_list *list, const char *name)
{
    for (size_t i = 0; i < list->n; i++)
        if (strcmp(list->items[i].name, name) == 0)
            return &list->items[i];
    return NULL;
}

void mist_material_list_free(mist_material_list *list)
{
    if (!list)
        return;
    free(list->items);
    list->items = NULL;
    list->n = list->cap = 0;
}
