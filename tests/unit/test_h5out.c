/* Result files: atomic write (temporary name, rename), units, abort cleanup. */
#include <criterion/criterion.h>
#include <hdf5.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/h5out.h"

static char dir[64];

static void make_dir(void)
{
    strcpy(dir, "/tmp/mist_h5_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static int exists(const char *p)
{
    return access(p, F_OK) == 0;
}

Test(h5out, commit_renames_and_keeps_units, .init = make_dir)
{
    char path[128];
    snprintf(path, sizeof path, "%s/r.h5", dir);
    mist_h5 h;
    mist_error err;
    cr_assert_eq(mist_h5_create(&h, path, &err), MIST_OK, "%s", err.msg);
    cr_expect(!exists(path), "final name must not exist before commit");
    cr_expect(exists(h.tmp_path));
    uint64_t dims[2] = {300, 200};
    uint64_t *data = calloc(300 * 200, sizeof *data);
    data[299 * 200 + 199] = 42;
    cr_assert_eq(mist_h5_write(h.file, "/g/sub/counts", H5T_NATIVE_UINT64, 2, dims, data,
                               "counts", NULL, &err), MIST_OK, "%s", err.msg);
    cr_assert_eq(mist_h5_attr_str(h.file, "mist_version", "x", &err), MIST_OK);
    char tmp[160];
    strcpy(tmp, h.tmp_path);
    cr_assert_eq(mist_h5_commit(&h, &err), MIST_OK, "%s", err.msg);
    cr_expect(exists(path));
    cr_expect(!exists(tmp));

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    hid_t d = H5Dopen2(f, "/g/sub/counts", H5P_DEFAULT);
    uint64_t *back = calloc(300 * 200, sizeof *back);
    cr_assert_geq(H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, back), 0);
    cr_expect_eq(back[299 * 200 + 199], 42);
    cr_expect_eq(H5Aexists(d, "units"), 1);
    H5Dclose(d);
    H5Fclose(f);
    free(data);
    free(back);
    unlink(path);
    rmdir(dir);
}

Test(h5out, abort_leaves_nothing, .init = make_dir)
{
    char path[128];
    snprintf(path, sizeof path, "%s/r.h5", dir);
    mist_h5 h;
    mist_error err;
    cr_assert_eq(mist_h5_create(&h, path, &err), MIST_OK);
    char tmp[160];
    strcpy(tmp, h.tmp_path);
    mist_h5_abort(&h);
    cr_expect(!exists(path));
    cr_expect(!exists(tmp));
    cr_expect_eq(rmdir(dir), 0, "directory not empty after abort");
}

Test(h5out, unwritable_directory_is_an_io_error)
{
    mist_h5 h;
    mist_error err;
    cr_expect_eq(mist_h5_create(&h, "/nonexistent/dir/r.h5", &err), MIST_ERR_IO);
    cr_expect(strstr(err.msg, "/nonexistent/dir/r.h5: cannot create") != NULL, "%s", err.msg);
}
