/* Probe files: every file loads; interpolation, decay and units; clear errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "physics/tracer.h"

#define TRACERS MIST_SOURCE_DIR "/phantoms/tracers/"

static const char *FILES[] = {"zr89_trastuzumab.yaml", "cu64_dota_trastuzumab.yaml",
                              "in111_dtpa_trastuzumab.yaml", "ga68_aby025.yaml",
                              "in111_aby025.yaml", "tc99m_zher2_2395.yaml", "f18_affibody.yaml",
                              "ga68_her2_nanobody.yaml"};

Test(tracer, every_probe_file_loads)
{
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, TRACERS "%s", FILES[i]);
        mist_tracer *tr;
        mist_error err;
        cr_assert_eq(mist_tracer_load(path, &tr, &err), MIST_OK, "%s", err.msg);
        for (int c = 0; c < MIST_TISSUE_COUNT; c++)
            for (double h = 0.0; h <= 200.0; h += 0.5) {
                double v = mist_tracer_concentration(tr, c, h * 3600.0);
                cr_assert(isfinite(v) && v >= 0.0, "%s %s", FILES[i], mist_tissue_class_name(c));
            }
        /* HER2+ tumour above HER2- tumour at the files' late time points. */
        cr_assert_gt(mist_tracer_uptake(tr, MIST_TISSUE_TUMOR_HER2_POS, 4 * 3600.0),
                     mist_tracer_uptake(tr, MIST_TISSUE_TUMOR_HER2_NEG, 4 * 3600.0));
        mist_tracer_free(tr);
    }
}

Test(tracer, interpolation_units_and_decay)
{
    mist_tracer *tr;
    mist_error err;
    cr_assert_eq(mist_tracer_load(TRACERS "ga68_aby025.yaml", &tr, &err), MIST_OK, "%s", err.msg);
    cr_assert_str_eq(mist_tracer_name(tr), "Ga-68-ABY-025");
    cr_assert_eq(mist_tracer_nuclide(tr), mist_nuclide_find("Ga-68"));
    cr_assert_float_eq(mist_tracer_body_mass_kg(tr), 70.0, 0);
    /* blood: 2.0 at 1 h, 1.2 at 2 h: log-linear midpoint is the geometric mean */
    cr_assert_float_eq(mist_tracer_uptake(tr, MIST_TISSUE_BLOOD, 1.5 * 3600), sqrt(2.0 * 1.2),
                       1e-12);
    cr_assert_float_eq(mist_tracer_uptake(tr, MIST_TISSUE_BLOOD, 0.0), 2.0, 1e-12); /* held */
    cr_assert_float_eq(mist_tracer_uptake(tr, MIST_TISSUE_BLOOD, 10 * 3600), 0.7, 1e-12);
    /* ratio to blood: lung = 0.4 x blood */
    cr_assert_float_eq(mist_tracer_uptake(tr, MIST_TISSUE_LUNG, 2 * 3600), 0.4 * 1.2, 1e-12);
    /* SUV 1.2 at 2 h -> 1.2e6 / 70000 Bq/mL per MBq, times the Ga-68 decay */
    double t = 2 * 3600.0;
    double expect = 1.2e6 / 70000.0 * exp(-log(2.0) * t / (67.71 * 60.0));
    cr_assert_float_eq(mist_tracer_concentration(tr, MIST_TISSUE_BLOOD, t) / expect, 1.0, 1e-12);
    mist_tracer_free(tr);
}

static const char *write_tmp(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/mist_test_tracer_%d_%s", (int)getpid(), name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* A minimal file: every class given by the kinetic model. */
static void build_file(char *buf, size_t n, const char *units, const char *blood,
                       const char *extra_class)
{
    int k = snprintf(buf, n, "name: test\nnuclide: Zr-89\nunits: %s\nuptake:\n  blood: %s\n",
                     units, blood);
    for (int c = 0; c < MIST_TISSUE_COUNT; c++) {
        if (c == MIST_TISSUE_BLOOD)
            continue;
        k += snprintf(buf + k, n - k, "  %s: {plateau: 2.0, rise_h: 24, source: \"assumed: test\"}\n",
                      mist_tissue_class_name(c));
    }
    if (extra_class)
        snprintf(buf + k, n - k, "%s", extra_class);
}

Test(tracer, biexponential_kinetics)
{
    char text[4096];
    build_file(text, sizeof text, "percent_ID_per_g",
               "{a1: 10, t1_h: 2, a2: 5, t2_h: 50, source: \"assumed: test\"}", NULL);
    mist_tracer *tr;
    mist_error err;
    cr_assert_eq(mist_tracer_load(write_tmp("biexp.yaml", text), &tr, &err), MIST_OK, "%s",
                 err.msg);
    double t = 10 * 3600.0;
    cr_assert_float_eq(mist_tracer_uptake(tr, MIST_TISSUE_BLOOD, t),
                       10 * pow(2, -5.0) + 5 * pow(2, -0.2), 1e-12);
    cr_assert_float_eq(mist_tracer_uptake(tr, MIST_TISSUE_LIVER, 24 * 3600.0), 1.0, 1e-12);
    /* %ID/g: 1 %ID/g = 1e4 Bq/g per MBq */
    double lam = log(2.0) / (78.41 * 3600);
    cr_assert_float_eq(mist_tracer_concentration(tr, MIST_TISSUE_LIVER, 24 * 3600.0),
                       1e4 * exp(-lam * 24 * 3600), 1e-6);
    mist_tracer_free(tr);
}

static void expect_error(const char *text, const char *fragment)
{
    mist_tracer *tr = NULL;
    mist_error err;
    cr_assert_eq(mist_tracer_load(write_tmp("bad.yaml", text), &tr, &err), MIST_ERR_INPUT,
                 "accepted: %s", text);
    cr_assert_null(tr);
    cr_assert(strstr(err.msg, fragment) != NULL, "message '%s' lacks '%s'", err.msg, fragment);
    cr_assert(strstr(err.msg, "bad.yaml:") != NULL, "no file:line in '%s'", err.msg);
}

Test(tracer, bad_files_give_clear_errors)
{
    char text[4096];
    build_file(text, sizeof text, "SUV", "{times_h: [1, 2], values: [1, 2, 3], source: \"assumed: x\"}", NULL);
    expect_error(text, "uptake.blood");
    build_file(text, sizeof text, "SUV", "{times_h: [2, 1], values: [1, 2], source: \"assumed: x\"}", NULL);
    expect_error(text, "increasing");
    build_file(text, sizeof text, "SUV", "{times_h: [1, 2], values: [1, -2], source: \"assumed: x\"}", NULL);
    expect_error(text, "values[1]");
    build_file(text, sizeof text, "SUV", "{times_h: [1, 2], values: [1, 2]}", NULL);
    expect_error(text, "source");
    build_file(text, sizeof text, "Bq", "{times_h: [1], values: [1], source: \"assumed: x\"}", NULL);
    expect_error(text, "units");
    build_file(text, sizeof text, "SUV", "{times_h: [1], values: [1], source: \"assumed: x\"}",
               "  tumour_her2_pos: {plateau: 1, rise_h: 1, source: \"assumed: x\"}\n");
    expect_error(text, "tumour_her2_pos");
    expect_error("name: x\nnuclide: Ga-99\nunits: SUV\nuptake: {}\n", "unknown nuclide");
    expect_error("name: x\nnuclide: Ga-68\nunits: SUV\nuptake: {}\n", "adipose");
}
