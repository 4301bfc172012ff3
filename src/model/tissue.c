#include "model/tissue.h"

#include <math.h>
#include <string.h>

/*
 * Densities [g/cm3] and their sources (../shared/reference/physics-data.md, section 2):
 *   adipose 0.93, glandular 1.04: Hammerstein et al., Radiology 130:485 (1979);
 *   skin 1.09: Woodard & White, via AAPM TG-186 Table III;
 *   muscle 1.05, blood 1.06, lung 0.26 (inflated), cortical bone 1.92: ICRU Report 44;
 *   liver 1.06: ICRU Report 46;
 *   water 1.00: NIST.
 * Assumptions (no tabulated composition of their own in the reference):
 *   myocardium = muscle (ICRU-44 muscle, 1.05);
 *   lymph node = muscle composition and density (lean soft tissue, 1.05);
 *   tumours (HER2+ and HER2-) = glandular composition and density (1.04): invasive
 *   ductal carcinoma is fibroglandular-like soft tissue;
 *   nodal metastasis = muscle (lean soft tissue, 1.05).
 * Validation-phantom materials:
 *   pmma 1.19: NIST "Polymethyl Methacralate (Lucite, Perspex)" (xraylib NIST list);
 *   polyethylene 0.96: NEMA NU 2 scatter phantom (scanners.md);
 *   aluminium 2.699: NIST (xraylib ElementDensity(13));
 *   air 0.001205: NIST "Air, Dry (near sea level)".
 */
static const mist_tissue BUILTIN[] = {
    {"air", "air", "none", 0.001205, 0.0},
    {"adipose", "adipose", "adipose", 0.93, 0.0},
    {"glandular", "glandular", "glandular", 1.04, 0.0},
    {"skin", "skin", "skin", 1.09, 0.0},
    {"muscle", "muscle", "muscle", 1.05, 0.0},
    {"bone", "cortical_bone", "bone", 1.92, 0.0},
    {"lung", "lung", "lung", 0.26, 0.0},
    {"myocardium", "muscle", "myocardium", 1.05, 0.0},
    {"blood", "blood", "blood", 1.06, 0.0},
    {"liver", "liver", "liver", 1.06, 0.0},
    {"lymph_node", "muscle", "lymph_node", 1.05, 0.0},
    {"tumor_her2_pos", "glandular", "tumor_her2_pos", 1.04, 0.0},
    {"tumor_her2_neg", "glandular", "tumor_her2_neg", 1.04, 0.0},
    {"node_met", "muscle", "node_met", 1.05, 0.0},
    {"water", "water", "none", 1.00, 0.0},
    {"pmma", "pmma", "none", 1.19, 0.0},
    {"polyethylene", "polyethylene", "none", 0.96, 0.0},
    {"aluminium", "aluminium", "none", 2.699, 0.0},
};

static const char *const MATERIALS[] = {"water",  "adipose",       "glandular", "skin",
                                        "muscle", "blood",         "liver",     "lung",
                                        "cortical_bone", "pmma",   "polyethylene",
                                        "aluminium", "air",        NULL};

/* The tracer classes of physics/tracer.h, plus "none" and "fixed". */
static const char *const UPTAKES[] = {
    "adipose",    "glandular", "skin",  "muscle", "bone",       "lung",
    "myocardium", "blood",     "liver", "kidney", "spleen",     "lymph_node",
    "tumor_her2_pos", "tumor_her2_neg", "node_met", "none", "fixed", NULL};

const mist_tissue *mist_tissue_builtin(size_t *n)
{
    *n = sizeof BUILTIN / sizeof BUILTIN[0];
    return BUILTIN;
}

const mist_tissue *mist_tissue_find_builtin(const char *name)
{
    for (size_t i = 0; i < sizeof BUILTIN / sizeof BUILTIN[0]; i++)
        if (!strcmp(BUILTIN[i].name, name))
            return &BUILTIN[i];
    return NULL;
}

const char *const *mist_tissue_material_names(void)
{
    return MATERIALS;
}

const char *const *mist_tissue_uptake_names(void)
{
    return UPTAKES;
}

static int in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

mist_status mist_tissue_check(const mist_tissue *t, mist_error *err)
{
    if (!t->name[0])
        return mist_error_set(err, MIST_ERR_INPUT, "a tissue class needs a name");
    if (!in_list(t->material, MATERIALS))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "tissue '%s': unknown material '%s' (expected water, adipose, "
                              "glandular, skin, muscle, blood, liver, lung, cortical_bone, pmma, "
                              "polyethylene, aluminium or air)",
                              t->name, t->material);
    if (!in_list(t->uptake, UPTAKES))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "tissue '%s': unknown uptake class '%s' (expected a tracer class, "
                              "'none' or 'fixed')",
                              t->name, t->uptake);
    if (!(t->density_g_cm3 > 0.0 && t->density_g_cm3 <= 25.0))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "tissue '%s': density %g g/cm3 is outside (0, 25]", t->name,
                              t->density_g_cm3);
    if (!(t->relative_activity >= 0.0) || !isfinite(t->relative_activity))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "tissue '%s': relative_activity must be a finite number >= 0",
                              t->name);
    return MIST_OK;
}
