/* Study files: parsing, defaults, overrides, file references, error messages. */
#include <criterion/criterion.h>
#include <string.h>

#include "io/study.h"

#define STUDY MIST_TEST_DATA_DIR "/study_small.yaml"

Test(study, loads_values_and_resolves_files)
{
    mist_study *s = NULL;
    mist_error err;
    cr_assert_eq(mist_study_load(STUDY, NULL, 0, &s, &err), MIST_OK, "%s", err.msg);
    cr_expect_str_eq(s->name, "test-small");
    cr_expect_eq(s->seed, 7);
    cr_expect_eq(s->n_lesions, 1);
    cr_expect_str_eq(s->lesions[0].tissue, "tumor_her2_pos");
    cr_expect_float_eq(s->lesions[0].center_mm[1], 0.0, 0);
    cr_expect_float_eq(s->lesions[0].diameter_mm, 8.0, 0);
    cr_expect_float_eq(s->tracer.injected_MBq, 200.0, 0);
    cr_expect_float_eq(s->tracer.uptake_time_h, 2.0, 0);
    cr_expect_float_eq(s->acquisition.duration_s, 60.0, 0);
    cr_expect_eq(s->acquisition.batches, 10);
    /* defaults */
    cr_expect_eq(s->recon.algorithm, MIST_RECON_OSEM);
    cr_expect_eq(s->recon.iterations, 4);
    cr_expect_eq(s->analysis.realizations, 20);
    cr_expect_float_eq(s->acquisition.checkpoint_s, 300.0, 0);
    /* references resolved relative to the study file */
    cr_expect_str_eq(s->phantom_path, MIST_TEST_DATA_DIR "/phantom_min.yaml");
    cr_expect_str_eq(s->tracer.probe_path,
                     MIST_TEST_DATA_DIR "/../../phantoms/tracers/ga68_aby025.yaml");
    cr_expect(strstr(s->study_yaml, "name: test-small") != NULL);
    mist_study_free(s);
}

Test(study, overrides_apply_and_are_recorded)
{
    const char *sets[] = {"tracer.uptake_time_h=4", "seed=99", "recon.iterations=2",
                          "lesions.0.diameter_mm=5"};
    mist_study *s = NULL;
    mist_error err;
    cr_assert_eq(mist_study_load(STUDY, sets, 4, &s, &err), MIST_OK, "%s", err.msg);
    cr_expect_float_eq(s->tracer.uptake_time_h, 4.0, 0);
    cr_expect_eq(s->seed, 99);
    cr_expect_eq(s->recon.iterations, 2);
    cr_expect_float_eq(s->lesions[0].diameter_mm, 5.0, 0);
    cr_expect(strstr(s->study_yaml, "# --set seed=99\n") != NULL, "%s", s->study_yaml);
    mist_study_free(s);
}

static void expect_error(const char *set, const char *fragment)
{
    mist_study *s = NULL;
    mist_error err;
    const char *sets[] = {set};
    mist_status st = mist_study_load(STUDY, sets, 1, &s, &err);
    cr_expect_eq(st, MIST_ERR_INPUT, "--set %s gave %d", set, st);
    cr_expect_null(s);
    if (st)
        cr_expect(strstr(err.msg, fragment) != NULL, "--set %s: message '%s' lacks '%s'", set,
                  err.msg, fragment);
}

Test(study, bad_values_are_input_errors)
{
    expect_error("seed=abc", "--set seed=abc:1:6: seed: expected a non-negative integer");
    expect_error("seed=-1", "seed: expected a non-negative integer");
    expect_error("name=", "name: expected a text value, got an empty value");
    expect_error("tracer.injected_MBq=.nan", "tracer.injected_MBq: expected a finite number");
    expect_error("acquisition.simulated_fraction=1.5", "(0, 1], got 1.5 (out of range)");
    expect_error("acquisition.batches=0", "acquisition.batches: expected an integer in [1, 16777216]");
    expect_error("acquisition.batches=2.5", "acquisition.batches: expected an integer");
    expect_error("acquisition.time_bin_s=0.000001", "gives 6e+07 histogram bins");
    expect_error("tracer.probe=missing.yaml", "tracer.probe: file 'missing.yaml' not found");
    expect_error("scanner=[1]", "scanner: expected a file path, got a list");
    expect_error("tracer=3", "tracer: expected a mapping of keys, got a value");
    expect_error("tracer.dose=3", "tracer.dose: unknown key; expected one of: probe, injected_MBq");
    expect_error("acquisiton.duration_s=3", "acquisiton: unknown key (did you mean 'acquisition'?)");
    expect_error("lesions.0.center_mm=[0, 1, x]", "lesions[0].center_mm[2]: expected a finite number");
    expect_error("lesions.0.diamter_mm=4", "lesions[0].diamter_mm: unknown key (did you mean 'diameter_mm'?)");
    expect_error("acquisition.component=lesion", "acquisition.component: 'lesion': expected all, "
                                                 "tissue:NAME, background:NAME, unit:NAME or lesion:NAME");
    expect_error("acquisition.component=lesion:nope", "'lesion:nope': the study has no lesion "
                                                      "named 'nope'");
    expect_error("acquisition.activity_scale=0", "acquisition.activity_scale: expected");
    expect_error("recon.algorithm=fbp", "recon.algorithm: unknown value 'fbp'; expected one of: osem, mlem");
}

Test(study, duplicate_lesion_names)
{
    const char *sets[] = {"lesions=[{name: a, tissue: t, center_mm: [0,0,0], diameter_mm: 1},"
                          " {name: a, tissue: t, center_mm: [1,0,0], diameter_mm: 1}]"};
    mist_study *s = NULL;
    mist_error err;
    cr_expect_eq(mist_study_load(STUDY, sets, 1, &s, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "lesions[1]: lesion name 'a' is used twice") != NULL, "%s", err.msg);
}

Test(study, missing_file_and_bad_root)
{
    mist_study *s = NULL;
    mist_error err;
    cr_expect_eq(mist_study_load("/nonexistent/study.yaml", NULL, 0, &s, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "/nonexistent/study.yaml: cannot open") != NULL, "%s", err.msg);
}

Test(study, default_study_is_compiled_in)
{
    const char *text = mist_study_default_text();
    cr_assert(text && strlen(text) > 50);
    cr_expect(strstr(text, "name:") != NULL);
}
