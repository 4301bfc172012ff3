/*
 * tracer.h - HER2 probes: which nuclide a probe carries and how much of it
 * each tissue class holds at time t after injection.
 *
 * A probe file (phantoms/tracers/\*.yaml, read through io/yaml_doc.h) names
 * the probe and its nuclide, the units of its uptake values (SUV or %ID/g,
 * both decay-corrected to injection as published), the body mass for SUV
 * (default 70 kg), and for every tissue class either
 *   - measured points:  {times_h: [...], values: [...], source: "..."}, or
 *   - a kinetic model:  {a1, t1_h, a2, t2_h, plateau, rise_h, source}:
 *     value(t) = a1 2^(-t/t1) + a2 2^(-t/t2) + plateau (1 - 2^(-t/rise)),
 *     the generic bi-exponential clearance with an accumulation term for
 *     probes without data,
 * optionally `ratio_to_blood: true` (values are ratios to the blood class).
 * Every entry names its source; values without one say "assumed: why".
 * Between measured points the value is interpolated log-linearly in time
 * (exponential between points); before the first / after the last point it
 * is held at the end value.  Physical decay from injection is applied on top.
 *
 * Output: activity concentration [Bq/mL per MBq injected] at t seconds after
 * injection, taking tissue density as 1 g/mL (SUV and %ID/g are per gram):
 * SUV s -> s * 1e6 / (1000 * body_mass_kg); %ID/g p -> p * 1e4; times
 * exp(-lambda t).
 */
#ifndef MIST_PHYSICS_TRACER_H
#define MIST_PHYSICS_TRACER_H

#include "core/status.h"
#include "physics/nuclide.h"

typedef enum mist_tissue_class {
    MIST_TISSUE_ADIPOSE,
    MIST_TISSUE_GLANDULAR,
    MIST_TISSUE_SKIN,
    MIST_TISSUE_MUSCLE,
    MIST_TISSUE_BONE,
    MIST_TISSUE_LUNG,
    MIST_TISSUE_MYOCARDIUM,
    MIST_TISSUE_BLOOD,
    MIST_TISSUE_LIVER,
    MIST_TISSUE_KIDNEY,
    MIST_TISSUE_SPLEEN,
    MIST_TISSUE_LYMPH_NODE,
    MIST_TISSUE_TUMOR_HER2_POS,
    MIST_TISSUE_TUMOR_HER2_NEG,
    MIST_TISSUE_NODE_MET,
    MIST_TISSUE_COUNT
} mist_tissue_class;

/* "adipose", ..., "node_met"; NULL when out of range. */
const char *mist_tissue_class_name(int cls);
/* Class of a name, or -1. */
int mist_tissue_class_find(const char *name);

typedef struct mist_tracer mist_tracer;

/* Read and validate a probe file.  Errors (MIST_ERR_INPUT) are one sentence
 * "file:line:column: key.path: expected ..." from the YAML readers. */
mist_status mist_tracer_load(const char *path, mist_tracer **out, mist_error *err);
void mist_tracer_free(mist_tracer *tr);

const char *mist_tracer_name(const mist_tracer *tr);
const mist_nuclide *mist_tracer_nuclide(const mist_tracer *tr);
double mist_tracer_body_mass_kg(const mist_tracer *tr);

/* Decay-corrected uptake in the file's units (SUV or %ID/g) at t_s >= 0. */
double mist_tracer_uptake(const mist_tracer *tr, mist_tissue_class cls, double t_s);

/* Activity concentration [Bq/mL per MBq injected] at t_s seconds after
 * injection, physical decay included. */
double mist_tracer_concentration(const mist_tracer *tr, mist_tissue_class cls, double t_s);

#endif
