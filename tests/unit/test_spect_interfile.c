/* Interfile 3.3 export of SPECT projections (io/interfile_spect.h): the
 * header names the data file and the geometry, and the data file holds the
 * window's projections as little-endian float32 in view, row, column order. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/validate_spect.h"
#include "io/interfile_spect.h"

#define DATA MIST_TEST_DATA_DIR "/"

Test(spect_interfile, header_and_data_round_trip)
{
    mist_spect_point p;
    mist_error err;
    mist_spect_point_opts o = {.camera_file = DATA "spect_coarse.yaml", .nuclide = "Tc-99m",
                               .decays = 2.0e5, .batches = 2, .views = 4, .radius_mm = 120,
                               .source_mm = {20, -10, 5}, .model = MIST_COLLIMATOR_FAST};
    cr_assert_eq(mist_spect_point_make(&p, &o, &err), MIST_OK, "%s", err.msg);
    cr_assert_eq(mist_spect_point_run(&p, 9, &err), MIST_OK);
    char dir[] = "/tmp/mist_interfile_XXXXXX", prefix[256], path[300];
    cr_assert(mkdtemp(dir));
    snprintf(prefix, sizeof prefix, "%s/proj", dir);
    cr_assert_eq(mist_interfile_spect_write(prefix, p.ss, &p.t, 0, &err), MIST_OK, "%s", err.msg);

    snprintf(path, sizeof path, "%s.hs", prefix);
    FILE *f = fopen(path, "r");
    cr_assert(f);
    char text[4096];
    size_t len = fread(text, 1, sizeof text - 1, f);
    text[len] = 0;
    fclose(f);
    const char *keys[] = {"!INTERFILE  :=\n", "!version of keys := 3.3\n",
                          "name of data file := proj.s\n", "!number of projections := 4\n",
                          "!extent of rotation := 360\n", "!matrix size [1] := 32\n",
                          "!matrix size [2] := 32\n", "scaling factor (mm/pixel) [1] := 8.000000\n",
                          "imagedata byte order := LITTLEENDIAN\n", "!number format := float\n",
                          "!END OF INTERFILE :=\n"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        cr_expect(strstr(text, keys[i]) != NULL, "header lacks '%s'", keys[i]);

    snprintf(path, sizeof path, "%s.s", prefix);
    f = fopen(path, "rb");
    cr_assert(f);
    size_t n = 4 * 32 * 32;
    float *x = malloc((n + 1) * sizeof *x);
    cr_assert_eq(fread(x, sizeof *x, n + 1, f), n, "data file holds views x rows x columns");
    fclose(f);
    const uint64_t *proj = mist_tally_data(&p.t, p.ss->id_proj);
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(x[i], (float)proj[i], "element %zu", i); /* host is little-endian here */
        total += x[i];
    }
    cr_expect_gt(total, 100.0, "the photopeak window holds counts");
    free(x);
    unlink(path);
    snprintf(path, sizeof path, "%s.hs", prefix);
    unlink(path);
    rmdir(dir);
    mist_spect_point_free(&p);
}
