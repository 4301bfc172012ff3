#include "transport/source.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/hugemem.h"

mist_status mist_source_concentrations(const mist_phantom *ph, const mist_tracer *tr,
                                       double injected_MBq, double t_s, double *conc,
                                       mist_error *err)
{
    double voxel_mL = ph->voxel_mm[0] * ph->voxel_mm[1] * ph->voxel_mm[2] * 1e-3;
    int fixed[MIST_PHANTOM_MAX_TISSUES] = {0};
    for (size_t l = 0; l < MIST_PHANTOM_MAX_TISSUES; l++)
        conc[l] = 0.0;
    for (size_t l = 0; l < ph->n_tissues; l++) {
        const mist_tissue *t = &ph->tissues[l];
        if (!strcmp(t->uptake, "none"))
            continue;
        if (!strcmp(t->uptake, "fixed")) {
            fixed[l] = 1;
            conc[l] = t->relative_activity;
            continue;
        }
        int cls = mist_tissue_class_find(t->uptake);
        if (cls < 0 || !tr)
            return mist_error_set(err, MIST_ERR_INPUT,
                                  "phantom %s: tissue '%s' takes up tracer class '%s', which %s",
                                  ph->name, t->name, t->uptake,
                                  cls < 0 ? "is not a tracer class" : "needs a tracer");
        conc[l] = mist_tracer_concentration(tr, (mist_tissue_class)cls, t_s) * injected_MBq;
    }
    /* Scale the fixed tissues so that together they hold the injected activity at t. */
    double fixed_rel = 0.0;
    uint64_t counts[256];
    mist_phantom_label_counts(ph, counts);
    for (size_t l = 0; l < ph->n_tissues; l++)
        if (fixed[l])
            fixed_rel += conc[l] * (double)counts[l] * voxel_mL;
    if (fixed_rel > 0.0) {
        const mist_nuclide *nuc = tr ? mist_tracer_nuclide(tr) : NULL;
        double decayed = nuc ? exp(-mist_nuclide_decay_constant(nuc) * t_s) : 1.0;
        double scale = injected_MBq * 1e6 * decayed / fixed_rel;
        for (size_t l = 0; l < ph->n_tissues; l++)
            if (fixed[l])
                conc[l] *= scale;
    }
    return MIST_OK;
}

/* The map of component c (kind ALL when c is NULL) into a[], with concentrations conc. */
static mist_status fill_map(const mist_phantom *ph, const double *conc, const mist_component *c,
                            float *a, int *sign, mist_error *err)
{
    size_t n = mist_phantom_count(ph);
    double vol = ph->voxel_mm[0] * ph->voxel_mm[1] * ph->voxel_mm[2] * 1e-3;
    mist_component_kind kind = c ? c->kind : MIST_COMPONENT_ALL;
    int idx = c ? c->index : -1;
    *sign = 1;
    /* Voxels no lesion covers: their label's activity (BACKGROUND and TISSUE: label idx only). */
    for (size_t v = 0; v < n; v++) {
        int l = ph->labels[v];
        int take = kind == MIST_COMPONENT_ALL ||
                   ((kind == MIST_COMPONENT_BACKGROUND || kind == MIST_COMPONENT_TISSUE) &&
                    l == idx);
        a[v] = take ? (float)(conc[l] * vol) : 0.0f;
    }
    /* Lesion voxels, in lesion order (a later lesion's entry replaces an earlier one's). */
    int pos = 0, neg = 0;
    for (size_t i = 0; i < ph->n_lesions; i++) {
        const mist_phantom_lesion *les = &ph->lesions[i];
        double cl = conc[les->label];
        for (size_t e = les->pv_offset; e < les->pv_offset + les->pv_count; e++) {
            double f = ph->pv_fraction[e];
            int u = ph->pv_under[e];
            float bg = (float)(conc[u] * vol), ex = (float)(f * (cl - conc[u]) * vol);
            float *dst = &a[ph->pv_voxel[e]];
            switch (kind) {
            case MIST_COMPONENT_ALL:
                *dst = (float)((double)bg + (double)ex);
                break;
            case MIST_COMPONENT_BACKGROUND:
                *dst = u == idx ? bg : 0.0f;
                break;
            case MIST_COMPONENT_LESION:
                *dst = (int)i == idx ? ex : 0.0f;
                break;
            case MIST_COMPONENT_TISSUE:
                *dst = (float)(((les->label == idx ? f * cl : 0.0) +
                                (u == idx ? (1.0 - f) * conc[u] : 0.0)) *
                               vol);
                break;
            }
        }
    }
    if (kind == MIST_COMPONENT_LESION) {
        for (size_t v = 0; v < n; v++) {
            pos |= a[v] > 0.0f;
            neg |= a[v] < 0.0f;
        }
        if (pos && neg)
            return mist_error_set(
                err, MIST_ERR_INPUT,
                "phantom %s: lesion '%s' is hotter than some of the tissue it replaced and "
                "colder than the rest: its excess activity changes sign, which a lesion-only "
                "simulation cannot sample",
                ph->name, ph->lesions[idx].name);
        if (neg) {
            *sign = -1;
            for (size_t v = 0; v < n; v++)
                a[v] = -a[v];
        }
    }
    return MIST_OK;
}

mist_status mist_source_build(mist_source *s, const mist_phantom *ph, const mist_tracer *tr,
                              double injected_MBq, double t_s, mist_error *err)
{
    return mist_source_build_component(s, ph, tr, injected_MBq, t_s, NULL, err);
}

mist_status mist_source_build_component(mist_source *s, const mist_phantom *ph,
                                        const mist_tracer *tr, double injected_MBq, double t_s,
                                        const mist_component *c, mist_error *err)
{
    memset(s, 0, sizeof *s);
    s->phantom = ph;
    s->sign = 1;
    size_t n = mist_phantom_count(ph);
    mist_component_kind kind = c ? c->kind : MIST_COMPONENT_ALL;
    if (kind != MIST_COMPONENT_ALL) {
        int limit = kind == MIST_COMPONENT_LESION ? (int)ph->n_lesions : (int)ph->n_tissues;
        if (c->index < 0 || c->index >= limit)
            return mist_error_set(err, MIST_ERR_INPUT, "phantom %s has no %s %d", ph->name,
                                  kind == MIST_COMPONENT_LESION ? "lesion" : "tissue label",
                                  c->index);
    }

    /* Concentration [Bq/mL] of each label. */
    double conc[MIST_PHANTOM_MAX_TISSUES];
    mist_status st0 = mist_source_concentrations(ph, tr, injected_MBq, t_s, conc, err);
    if (st0)
        return st0;
    if (kind == MIST_COMPONENT_TISSUE && c->unit)
        conc[c->index] = strcmp(ph->tissues[c->index].uptake, "none") ? 1.0 : 0.0;

    s->activity_Bq = malloc(n * sizeof *s->activity_Bq);
    s->density_g_cm3 = malloc(n * sizeof *s->density_g_cm3);
    if (!s->activity_Bq || !s->density_g_cm3) {
        mist_source_free(s);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the activity map");
    }
    mist_phantom_density(ph, s->density_g_cm3);
    if ((st0 = fill_map(ph, conc, c, s->activity_Bq, &s->sign, err))) {
        mist_source_free(s);
        return st0;
    }
    double scale = c && c->scale > 0.0 ? c->scale : 1.0;
    if (scale != 1.0)
        for (size_t v = 0; v < n; v++)
            s->activity_Bq[v] = (float)((double)s->activity_Bq[v] * scale);

    /* Alias table over the voxels with activity. */
    for (size_t v = 0; v < n; v++)
        s->n_active += s->activity_Bq[v] > 0.0f;
    if (!s->n_active && kind != MIST_COMPONENT_ALL)
        return MIST_OK; /* an empty component: nothing to sample */
    if (!s->n_active) {
        mist_source_free(s);
        return mist_error_set(err, MIST_ERR_INPUT, "phantom %s has no activity at %.1f h",
                              ph->name, t_s / 3600.0);
    }
    uint32_t *active = malloc(s->n_active * sizeof *active);
    double *w = malloc(s->n_active * sizeof *w);
    s->table = mist_huge_alloc(s->n_active * sizeof *s->table); /* read at random per decay */
    if (!active || !w || !s->table) {
        free(active);
        free(w);
        mist_source_free(s);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the activity map");
    }
    size_t a = 0;
    for (size_t v = 0; v < n; v++) {
        if (s->activity_Bq[v] > 0.0f) {
            if (!(s->density_g_cm3[v] <= 6.5535f)) {
                free(active);
                free(w);
                mist_status st = mist_error_set(
                    err, MIST_ERR_INPUT,
                    "phantom %s: voxel %zu has activity at density %g g/cm3; active voxels "
                    "must be at most 6.5535 g/cm3",
                    ph->name, v, (double)s->density_g_cm3[v]);
                mist_source_free(s);
                return st;
            }
            active[a] = (uint32_t)v;
            w[a++] = s->activity_Bq[v];
            s->total_Bq += s->activity_Bq[v];
        }
    }
    mist_alias *alias = NULL;
    mist_status st = mist_alias_build(w, s->n_active, &alias, err);
    free(w);
    if (st) {
        free(active);
        mist_source_free(s);
        return st;
    }
    for (size_t k = 0; k < s->n_active; k++) {
        mist_source_entry *e = &s->table[k];
        e->keep = alias->entry[k].keep;
        e->voxel = active[k];
        e->alias_voxel = active[alias->entry[k].alias];
        e->rho = (uint16_t)lround(1e4 * s->density_g_cm3[e->voxel]);
        e->alias_rho = (uint16_t)lround(1e4 * s->density_g_cm3[e->alias_voxel]);
    }
    mist_alias_free(alias);
    free(active);
    return MIST_OK;
}

void mist_source_free(mist_source *s)
{
    free(s->activity_Bq);
    free(s->density_g_cm3);
    free(s->table);
    memset(s, 0, sizeof *s);
}
