/* Sweep files: axes, zip groups, seeds, point count, and the sentences of bad input. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/sweep.h"

/* Write a sweep file (in /tmp) whose base study is tests/data/study_small.yaml. */
static char *write_sweep(const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/mist_test_sweep_%ld.yaml", (long)getpid());
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fprintf(f, "study: %s/study_small.yaml\n%s", MIST_TEST_DATA_DIR, text);
    fclose(f);
    return path;
}

static mist_status load(const char *text, size_t *n, mist_error *err)
{
    char *path = write_sweep(text);
    mist_sweep *sw = NULL;
    mist_status st = mist_sweep_load(path, &sw, err);
    if (!st)
        *n = mist_sweep_n_points(sw);
    mist_sweep_free(sw);
    remove(path);
    return st;
}

Test(sweep, points_are_grid_times_zip_times_seeds)
{
    mist_error err;
    size_t n = 0;
    cr_assert_eq(
        load("name: a\n"
             "grid:\n  lesions.0.diameter_mm: [4, 6, 8]\n  tracer.injected_MBq: [100, 200]\n"
             "zip:\n  tracer.uptake_time_h: [1, 2]\n  acquisition.duration_s: [30, 60]\n"
             "seeds: 2\n",
             &n, &err),
        MIST_OK, "%s", err.msg);
    cr_expect_eq(n, 3 * 2 * 2 * 2);
    cr_assert_eq(load("name: b\nzip:\n  - {tracer.uptake_time_h: [1, 2, 3]}\n"
                      "  - {tracer.injected_MBq: [1, 2], acquisition.duration_s: [30, 60]}\n",
                      &n, &err),
                 MIST_OK, "%s", err.msg);
    cr_expect_eq(n, 6);
    cr_assert_eq(load("name: c\n", &n, &err), MIST_OK, "%s", err.msg);
    cr_expect_eq(n, 1);
}

Test(sweep, bad_input_is_one_sentence_with_its_line)
{
    mist_error err;
    size_t n;
    cr_assert_eq(load("name: a\ngrdi: {seed: [1]}\n", &n, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, ":3:1: grdi: unknown key") && strstr(err.msg, "did you mean 'grid'"),
              "%s", err.msg);
    cr_assert_eq(
        load("name: a\nzip:\n  scanner_pose.axis: [y, z]\n  tracer.uptake_time_h: [1]\n", &n, &err),
        MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, ":5:25: zip.tracer.uptake_time_h: expected 2 values, as many as "
                              "zip.scanner_pose.axis"),
              "%s", err.msg);
    cr_assert_eq(load("name: a\ngrid: {tracer.injected_MBq: [1, 2]}\n"
                      "zip: {tracer.injected_MBq: [3, 4]}\n",
                      &n, &err),
                 MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "zip.tracer.injected_MBq: the key is already an axis of this sweep "
                              "(grid)"),
              "%s", err.msg);
    cr_assert_eq(load("name: a\ngrid: {tracer.injected_MBq: []}\n", &n, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "grid.tracer.injected_MBq: expected a non-empty list of values"),
              "%s", err.msg);
    cr_assert_eq(load("name: a\ngrid: {seed: [1, 2]}\n", &n, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, ":3:8: grid.seed: the seed is not an axis: `seeds: N`"), "%s",
              err.msg);
    cr_assert_eq(load("name: a\ngrid: {scanner: [no_such_scanner.yaml]}\n", &n, &err),
                 MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "grid.scanner[0]: file 'no_such_scanner.yaml' not found"), "%s",
              err.msg);
    cr_assert_eq(load("name: a\nset: [seed]\n", &n, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "set[0]: expected a string \"key.path=value\""), "%s", err.msg);
    cr_assert_eq(load("name: a\nseeds: 0\n", &n, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "seeds"), "%s", err.msg);
}
