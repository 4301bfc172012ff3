#include "engine/phantom_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "io/h5out.h"
#include "io/phantom_io.h"
#include "mist_version.h"
#include "model/phantom_load.h"

/* The definition file's text, for the result's provenance (NULL if unreadable). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    long n = -1;
    if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET) &&
        (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n)
        buf[n] = '\0';
    else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static mist_status write_result(const mist_phantom *ph, const char *yaml_path, const char *out,
                                mist_error *err)
{
    mist_h5 h;
    mist_status st = mist_h5_create(&h, out, err);
    if (st)
        return st;
    char created[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    char *text = slurp(yaml_path);
    if (!(st = mist_h5_attr_str(h.file, "mist_version", MIST_VERSION, err)) &&
        !(st = mist_h5_attr_str(h.file, "git_commit", MIST_GIT_COMMIT, err)) &&
        !(st = mist_h5_attr_str(h.file, "created_utc", created, err)) &&
        !(st = mist_h5_attr_str(h.file, "phantom_source", yaml_path, err)) &&
        !(st = mist_h5_attr_str(h.file, "phantom_yaml", text ? text : "", err)))
        st = mist_phantom_io_write_h5(h.file, ph, err);
    free(text);
    if (st) {
        mist_h5_abort(&h);
        return st;
    }
    return mist_h5_commit(&h, err);
}

int mist_phantom_command(const char *yaml_path, const char *out_h5, const char *nifti_prefix)
{
    mist_error err;
    mist_error_clear(&err);
    mist_phantom *ph = NULL;
    mist_status st = MIST_OK;
    if (!yaml_path || !out_h5)
        st = mist_error_set(&err, MIST_ERR_INPUT, "usage: mist phantom PHANTOM.yaml -o OUT.h5 "
                                                  "[--nifti PREFIX]");
    if (!st)
        st = mist_phantom_load(yaml_path, NULL, 0, &ph, &err);
    if (!st)
        st = write_result(ph, yaml_path, out_h5, &err);
    if (!st && nifti_prefix)
        st = mist_phantom_io_write_nifti(ph, nifti_prefix, &err);
    mist_phantom_free(ph);
    if (st) {
        fprintf(stderr, "mist phantom: %s: %s\n",
                st == MIST_ERR_INPUT ? "error" : mist_status_name(st), err.msg);
        return st == MIST_ERR_INPUT ? 2 : 1;
    }
    return 0;
}
