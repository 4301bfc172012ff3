#include "physics/tracer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/yaml_doc.h"

#define MAX_POINTS 16
#define HOUR_S 3600.0

static const char *const CLASS_NAMES[MIST_TISSUE_COUNT + 1] = { /* NULL-terminated */
    "adipose", "glandular", "skin",   "muscle",     "bone",           "lung",
    "myocardium", "blood",  "liver",  "kidney",     "spleen",         "lymph_node",
    "tumor_her2_pos", "tumor_her2_neg", "node_met", NULL};

typedef struct uptake_curve {
    int n;                    /**< measured points (0: kinetic model) */
    double t_s[MAX_POINTS];   /**< [s] after injection, increasing */
    double log_v[MAX_POINTS]; /**< ln(value) */
    double a1, t1_s, a2, t2_s, plateau, rise_s; /**< kinetic model */
    int ratio_to_blood;
} uptake_curve;

struct mist_tracer {
    char *name;
    const mist_nuclide *nuc;
    int units; /**< 0 SUV, 1 %ID/g */
    double body_mass_kg;
    uptake_curve curve[MIST_TISSUE_COUNT];
};

const char *mist_tissue_class_name(int cls)
{
    return cls >= 0 && cls < MIST_TISSUE_COUNT ? CLASS_NAMES[cls] : NULL;
}

int mist_tissue_class_find(const char *name)
{
    for (int c = 0; c < MIST_TISSUE_COUNT; c++)
        if (name && strcmp(name, CLASS_NAMES[c]) == 0)
            return c;
    return -1;
}

/* A list of 1..MAX_POINTS numbers within range; returns the count in *n. */
static mist_status read_list(mist_yaml_node *map, const char *path, const char *key,
                             double lo, double *out, int *n, mist_error *err)
{
    mist_yaml_node *seq;
    char kp[256];
    mist_yaml_join(kp, sizeof kp, path, key, -1);
    mist_status st = mist_yaml_get_seq(map, path, key, MIST_REQUIRED, &seq, err);
    if (st)
        return st;
    if (seq->n < 1 || seq->n > MAX_POINTS)
        return mist_yaml_error_at(seq, kp, err, "expected a list of 1 to %d numbers, got %zu",
                                  MAX_POINTS, seq->n);
    for (size_t i = 0; i < seq->n; i++) {
        mist_yaml_node *it = seq->values[i];
        char *end = NULL;
        double v = it->kind == MIST_YAML_SCALAR ? strtod(it->scalar, &end) : NAN;
        char ip[280];
        mist_yaml_join(ip, sizeof ip, kp, NULL, (long)i);
        if (it->kind != MIST_YAML_SCALAR || end == it->scalar || *end != '\0' || !isfinite(v))
            return mist_yaml_error_at(it, ip, err, "expected a number, got '%s'",
                                      it->kind == MIST_YAML_SCALAR ? it->scalar : "a collection");
        if (!(v > lo))
            return mist_yaml_error_at(it, ip, err, "expected a number > %g, got %g", lo, v);
        out[i] = v;
    }
    *n = (int)seq->n;
    return MIST_OK;
}

static mist_status read_curve(mist_yaml_node *m, const char *path, uptake_curve *c,
                              mist_error *err)
{
    static const char *const keys[] = {"times_h", "values", "a1",      "t1_h",
                                       "a2",      "t2_h",   "plateau", "rise_h",
                                       "ratio_to_blood", "source", NULL};
    const char *source;
    mist_status st = mist_yaml_get_string(m, path, "source", MIST_REQUIRED, NULL, &source, err);
    if (!st && strlen(source) < 8)
        st = mist_yaml_error_at(mist_yaml_map_find(m, "source"), path, err,
                                "source: expected a citation or 'assumed: <reasoning>'");
    if (!st)
        st = mist_yaml_get_bool(m, path, "ratio_to_blood", MIST_OPTIONAL, 0, &c->ratio_to_blood,
                                err);
    if (st)
        return st;
    if (mist_yaml_map_find(m, "times_h") || mist_yaml_map_find(m, "values")) {
        double t[MAX_POINTS], v[MAX_POINTS];
        int nt = 0, nv = 0;
        if ((st = read_list(m, path, "times_h", -1e-300, t, &nt, err)) ||
            (st = read_list(m, path, "values", 0.0, v, &nv, err)))
            return st;
        if (nt != nv)
            return mist_yaml_error_at(mist_yaml_map_find(m, "values"), path, err,
                                      "values: expected %d numbers (one per time), got %d", nt,
                                      nv);
        for (int i = 0; i < nt; i++) {
            if (i > 0 && !(t[i] > t[i - 1]))
                return mist_yaml_error_at(mist_yaml_map_find(m, "times_h"), path, err,
                                          "times_h: expected increasing times");
            c->t_s[i] = t[i] * HOUR_S;
            c->log_v[i] = log(v[i]);
        }
        c->n = nt;
    } else {
        double t1 = 0, t2 = 0, rise = 0;
        if ((st = mist_yaml_get_double(m, path, "a1", MIST_OPTIONAL, 0.0, MIST_NONNEGATIVE,
                                       &c->a1, err)) ||
            (st = mist_yaml_get_double(m, path, "t1_h", c->a1 > 0 ? MIST_REQUIRED : MIST_OPTIONAL,
                                       1.0, MIST_POSITIVE, &t1, err)) ||
            (st = mist_yaml_get_double(m, path, "a2", MIST_OPTIONAL, 0.0, MIST_NONNEGATIVE,
                                       &c->a2, err)) ||
            (st = mist_yaml_get_double(m, path, "t2_h", c->a2 > 0 ? MIST_REQUIRED : MIST_OPTIONAL,
                                       1.0, MIST_POSITIVE, &t2, err)) ||
            (st = mist_yaml_get_double(m, path, "plateau", MIST_OPTIONAL, 0.0, MIST_NONNEGATIVE,
                                       &c->plateau, err)) ||
            (st = mist_yaml_get_double(m, path, "rise_h",
                                       c->plateau > 0 ? MIST_REQUIRED : MIST_OPTIONAL, 1.0,
                                       MIST_POSITIVE, &rise, err)))
            return st;
        if (!(c->a1 + c->a2 + c->plateau > 0.0))
            return mist_yaml_error_at(m, path, err,
                                      "expected measured points (times_h, values) or a kinetic "
                                      "model with a1, a2 or plateau > 0");
        c->t1_s = t1 * HOUR_S;
        c->t2_s = t2 * HOUR_S;
        c->rise_s = rise * HOUR_S;
    }
    return mist_yaml_check_unknown(m, path, keys, err);
}

static mist_status parse(mist_yaml_doc *doc, mist_tracer *tr, mist_error *err)
{
    static const char *const top[] = {"name", "nuclide", "agent", "units", "body_mass_kg",
                                      "uptake", "notes", NULL};
    static const char *const units[] = {"SUV", "percent_ID_per_g", NULL};
    mist_yaml_node *root = doc->root;
    const char *name, *nuc, *agent, *notes;
    mist_yaml_node *uptake;
    mist_status st;
    if ((st = mist_yaml_get_string(root, "", "name", MIST_REQUIRED, NULL, &name, err)) ||
        (st = mist_yaml_get_string(root, "", "nuclide", MIST_REQUIRED, NULL, &nuc, err)))
        return st;
    if (!(tr->nuc = mist_nuclide_find(nuc)))
        return mist_yaml_error_at(mist_yaml_map_find(root, "nuclide"), "nuclide", err,
                                  "unknown nuclide '%s' (expected e.g. Ga-68, Zr-89, In-111)",
                                  nuc);
    if ((st = mist_yaml_get_string(root, "", "agent", MIST_OPTIONAL, "", &agent, err)) ||
        (st = mist_yaml_get_string(root, "", "notes", MIST_OPTIONAL, "", &notes, err)) ||
        (st = mist_yaml_get_choice(root, "", "units", MIST_REQUIRED, 0, units, &tr->units, err)) ||
        (st = mist_yaml_get_double(root, "", "body_mass_kg", MIST_OPTIONAL, 70.0,
                                   (mist_range){1.0, 500.0, 0, 0}, &tr->body_mass_kg, err)) ||
        (st = mist_yaml_get_map(root, "", "uptake", MIST_REQUIRED, &uptake, err)))
        return st;
    if (!(tr->name = strdup(name)))
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    for (int c = 0; c < MIST_TISSUE_COUNT; c++) {
        mist_yaml_node *m;
        if ((st = mist_yaml_get_map(uptake, "uptake", CLASS_NAMES[c], MIST_REQUIRED, &m, err)))
            return st;
        char path[64];
        mist_yaml_join(path, sizeof path, "uptake", CLASS_NAMES[c], -1);
        if ((st = read_curve(m, path, &tr->curve[c], err)))
            return st;
    }
    if (tr->curve[MIST_TISSUE_BLOOD].ratio_to_blood)
        return mist_yaml_error_at(mist_yaml_map_find(uptake, "blood"), "uptake.blood", err,
                                  "blood cannot be a ratio to itself");
    if ((st = mist_yaml_check_unknown(uptake, "uptake", CLASS_NAMES, err)))
        return st;
    return mist_yaml_check_unknown(root, "", top, err);
}

mist_status mist_tracer_load(const char *path, mist_tracer **out, mist_error *err)
{
    *out = NULL;
    mist_yaml_doc *doc = NULL;
    mist_status st = mist_yaml_load_file(path, &doc, err);
    if (st)
        return st;
    mist_tracer *tr = calloc(1, sizeof *tr);
    if (!tr)
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for a tracer");
    else
        st = parse(doc, tr, err);
    mist_yaml_free(doc);
    if (st) {
        mist_tracer_free(tr);
        return st;
    }
    *out = tr;
    return MIST_OK;
}

void mist_tracer_free(mist_tracer *tr)
{
    if (!tr)
        return;
    free(tr->name);
    free(tr);
}

const char *mist_tracer_name(const mist_tracer *tr) { return tr->name; }
const mist_nuclide *mist_tracer_nuclide(const mist_tracer *tr) { return tr->nuc; }
double mist_tracer_body_mass_kg(const mist_tracer *tr) { return tr->body_mass_kg; }

static double curve_value(const uptake_curve *c, double t)
{
    if (c->n == 0)
        return c->a1 * exp2(-t / c->t1_s) + c->a2 * exp2(-t / c->t2_s) +
               c->plateau * (-expm1(-log(2.0) * t / c->rise_s));
    if (t <= c->t_s[0])
        return exp(c->log_v[0]);
    for (int i = 1; i < c->n; i++)
        if (t <= c->t_s[i]) {
            double f = (t - c->t_s[i - 1]) / (c->t_s[i] - c->t_s[i - 1]);
            return exp(c->log_v[i - 1] + f * (c->log_v[i] - c->log_v[i - 1]));
        }
    return exp(c->log_v[c->n - 1]);
}

double mist_tracer_uptake(const mist_tracer *tr, mist_tissue_class cls, double t_s)
{
    const uptake_curve *c = &tr->curve[cls];
    double v = curve_value(c, t_s);
    if (c->ratio_to_blood)
        v *= curve_value(&tr->curve[MIST_TISSUE_BLOOD], t_s);
    return v;
}

double mist_tracer_concentration(const mist_tracer *tr, mist_tissue_class cls, double t_s)
{
    double v = mist_tracer_uptake(tr, cls, t_s);
    /* per MBq injected, 1 g/mL: SUV * 1e6 Bq / body mass [g]; %ID/g * 1e6 / 100 */
    double per_mbq = tr->units == 0 ? v * 1e6 / (tr->body_mass_kg * 1000.0) : v * 1e4;
    return per_mbq * exp(-mist_nuclide_decay_constant(tr->nuc) * t_s);
}
