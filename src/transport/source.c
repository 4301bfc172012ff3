#include "transport/source.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

mist_status mist_source_build(mist_source *s, const mist_phantom *ph, const mist_tracer *tr,
                              double injected_MBq, double t_s, mist_error *err)
{
    memset(s, 0, sizeof *s);
    s->phantom = ph;
    size_t n = mist_phantom_count(ph);
    double voxel_mL = ph->voxel_mm[0] * ph->voxel_mm[1] * ph->voxel_mm[2] * 1e-3;

    /* Concentration [Bq/mL] of each label; the fixed tissues' relative values first. */
    double conc[MIST_PHANTOM_MAX_TISSUES] = {0};
    int fixed[MIST_PHANTOM_MAX_TISSUES] = {0};
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

    s->activity_Bq = malloc(n * sizeof *s->activity_Bq);
    s->density_g_cm3 = malloc(n * sizeof *s->density_g_cm3);
    if (!s->activity_Bq || !s->density_g_cm3) {
        mist_source_free(s);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the activity map");
    }
    mist_phantom_density(ph, s->density_g_cm3);

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

    for (size_t v = 0; v < n; v++)
        s->activity_Bq[v] = (float)(conc[ph->labels[v]] * voxel_mL);
    for (size_t l = 0; l < ph->n_lesions; l++) {
        const mist_phantom_lesion *les = &ph->lesions[l];
        for (size_t e = les->pv_offset; e < les->pv_offset + les->pv_count; e++) {
            double f = ph->pv_fraction[e];
            s->activity_Bq[ph->pv_voxel[e]] =
                (float)((f * conc[les->label] + (1.0 - f) * conc[ph->pv_under[e]]) * voxel_mL);
        }
    }

    /* Alias table over the voxels with activity. */
    for (size_t v = 0; v < n; v++)
        s->n_active += s->activity_Bq[v] > 0.0f;
    if (!s->n_active) {
        mist_source_free(s);
        return mist_error_set(err, MIST_ERR_INPUT, "phantom %s has no activity at %.1f h",
                              ph->name, t_s / 3600.0);
    }
    uint32_t *active = malloc(s->n_active * sizeof *active);
    double *w = malloc(s->n_active * sizeof *w);
    s->table = malloc(s->n_active * sizeof *s->table);
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
    for (size_t c = 0; c < s->n_active; c++) {
        mist_source_entry *e = &s->table[c];
        e->keep = alias->entry[c].keep;
        e->voxel = active[c];
        e->alias_voxel = active[alias->entry[c].alias];
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
