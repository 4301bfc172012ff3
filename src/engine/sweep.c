/* realpath(): XSI, beside the project-wide _POSIX_C_SOURCE. */
#define _XOPEN_SOURCE 700

#include "engine/sweep_internal.h"

#include <errno.h>
#include <hdf5.h>
#include <limits.h>
#include <math.h>
#include <mpi.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/progress.h"
#include "engine/analyze_cmd.h"
#include "engine/basis.h"
#include "engine/recon_cmd.h"
#include "physics/tracer.h"
#include "engine/run.h"
#include "io/h5out.h"
#include "io/h5read_analysis.h"
#include "io/study.h"
#include "io/yaml_doc.h"
#include "mist_version.h"
#include "par/mpi_env.h"

#define MAX_POINTS 1000000

/* ---- growing strings ------------------------------------------------------------------- */

typedef struct sbuf {
    char *s;
    size_t n, cap;
    int failed;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(sbuf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->failed = 1;
            return;
        }
        if (b->s && b->n + (size_t)k < b->cap) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = b->cap ? b->cap : 64;
        while (cap <= b->n + (size_t)k)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->failed = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

/* The string (caller frees), or NULL when out of memory. */
static char *sb_take(sbuf *b)
{
    if (b->failed || !b->s) {
        free(b->s);
        return b->failed ? NULL : strdup("");
    }
    return b->s;
}

/* YAML double-quoted scalar. */
static void sb_quoted(sbuf *b, const char *s)
{
    sb_add(b, "\"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            sb_add(b, "\\%c", *s);
        else if (*s == '\n')
            sb_add(b, "\\n");
        else
            sb_add(b, "%c", *s);
    }
    sb_add(b, "\"");
}

/* A node as one line of flow YAML, the value text of an override. */
static void sb_node(sbuf *b, const mist_yaml_node *n)
{
    if (n->kind == MIST_YAML_SCALAR) {
        if (n->plain)
            sb_add(b, "%s", n->scalar);
        else
            sb_quoted(b, n->scalar);
        return;
    }
    sb_add(b, n->kind == MIST_YAML_SEQ ? "[" : "{");
    for (size_t i = 0; i < n->n; i++) {
        if (i)
            sb_add(b, ", ");
        if (n->kind == MIST_YAML_MAP) {
            sb_node(b, n->keys[i]);
            sb_add(b, ": ");
        }
        sb_node(b, n->values[i]);
    }
    sb_add(b, n->kind == MIST_YAML_SEQ ? "]" : "}");
}

/* ---- the sweep file -------------------------------------------------------------------- */

/* Study keys whose values are files: relative paths in a sweep resolve against the sweep
 * file's directory. */
static int is_file_key(const char *key, size_t len)
{
    static const char *const keys[] = {"phantom", "tracer.probe", "scanner", NULL};
    for (size_t i = 0; keys[i]; i++)
        if (strlen(keys[i]) == len && !strncmp(keys[i], key, len))
            return 1;
    return 0;
}

/* Absolute path of rel (relative to dir unless absolute); errors at node. */
static mist_status resolve_file(const mist_yaml_node *node, const char *path, const char *dir,
                                const char *rel, char **out, mist_error *err)
{
    sbuf b = {0};
    if (rel[0] == '/' || !dir || !*dir)
        sb_add(&b, "%s", rel);
    else
        sb_add(&b, "%s/%s", dir, rel);
    char *joined = sb_take(&b);
    if (!joined)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    struct stat sb;
    mist_status st = MIST_OK;
    char *abs = NULL;
    if (!*rel || stat(joined, &sb) != 0)
        st =
            mist_yaml_error_at(node, path, err, "file '%s' not found (looked for %s)", rel, joined);
    else if (!S_ISREG(sb.st_mode))
        st = mist_yaml_error_at(node, path, err, "'%s' is not a regular file", joined);
    else if (!(abs = realpath(joined, NULL)))
        st =
            mist_yaml_error_at(node, path, err, "cannot resolve '%s': %s", joined, strerror(errno));
    free(joined);
    *out = abs;
    return st;
}

void mist_sweep_free(mist_sweep *sw)
{
    if (!sw)
        return;
    for (size_t a = 0; a < sw->n_axes; a++) {
        for (size_t i = 0; i < sw->axes[a].n; i++) {
            if (sw->axes[a].set_text)
                free(sw->axes[a].set_text[i]);
            if (sw->axes[a].label)
                free(sw->axes[a].label[i]);
        }
        free(sw->axes[a].set_text);
        free(sw->axes[a].label);
    }
    free(sw->axes);
    for (size_t i = 0; i < sw->n_sets; i++)
        free(sw->sets[i]);
    free(sw->sets);
    free(sw->set_nodes);
    free(sw->study_path);
    mist_yaml_free(sw->doc);
    free(sw);
}

size_t mist_sweep_n_points(const mist_sweep *sw)
{
    return sw->n_points;
}

static mist_status read_sets(mist_sweep *sw, mist_error *err)
{
    mist_yaml_node *seq;
    mist_status st = mist_yaml_get_seq(sw->doc->root, "", "set", MIST_OPTIONAL, &seq, err);
    if (st || !seq)
        return st;
    sw->sets = calloc(seq->n + 1, sizeof *sw->sets);
    sw->set_nodes = calloc(seq->n + 1, sizeof *sw->set_nodes);
    if (!sw->sets || !sw->set_nodes)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < seq->n; i++) {
        const mist_yaml_node *v = seq->values[i];
        char path[32];
        mist_yaml_join(path, sizeof path, "set", NULL, (long)i);
        const char *eq = v->kind == MIST_YAML_SCALAR ? strchr(v->scalar, '=') : NULL;
        if (!eq || eq == v->scalar)
            return mist_yaml_error_at(v, path, err,
                                      "expected a string \"key.path=value\" (as --set)");
        const char *val = eq + 1;
        size_t klen = (size_t)(eq - v->scalar);
        sbuf b = {0};
        if (is_file_key(v->scalar, klen) && *val && *val != '/' && *val != '"' && *val != '\'') {
            char *abs;
            if ((st = resolve_file(v, path, sw->doc->dir, val, &abs, err)))
                return st;
            sb_add(&b, "%.*s=", (int)klen, v->scalar);
            sb_quoted(&b, abs);
            free(abs);
        } else {
            sb_add(&b, "%s", v->scalar);
        }
        if (!(sw->sets[i] = sb_take(&b)))
            return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
        sw->set_nodes[i] = v;
        sw->n_sets = i + 1;
    }
    return MIST_OK;
}

/* Add the axes of one mapping (grid, or one zip group) to the sweep. */
static mist_status add_axes(mist_sweep *sw, mist_yaml_node *map, const char *section, int zip,
                            mist_error *err)
{
    sweep_axis *axes = realloc(sw->axes, (sw->n_axes + map->n) * sizeof *axes);
    if (!axes)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    sw->axes = axes;
    for (size_t k = 0; k < map->n; k++) {
        const mist_yaml_node *key = map->keys[k], *vals = map->values[k];
        char path[320];
        mist_yaml_join(path, sizeof path, section, key->scalar, 0);
        if (!*key->scalar || strchr(key->scalar, '=') || strchr(key->scalar, ' '))
            return mist_yaml_error_at(key, path, err,
                                      "expected a study key path, e.g. tracer.uptake_time_h");
        if (!strcmp(key->scalar, "seed"))
            return mist_yaml_error_at(
                key, path, err,
                "the seed is not an axis: `seeds: N` repeats every point with "
                "the study's seed + 0 .. N-1 (set the base seed with set: "
                "[\"seed=S\"])");
        for (size_t a = 0; a < sw->n_axes; a++)
            if (!strcmp(sw->axes[a].key, key->scalar))
                return mist_yaml_error_at(key, path, err,
                                          "the key is already an axis of this sweep (%s)",
                                          sw->axes[a].section);
        if (vals->kind != MIST_YAML_SEQ || vals->n == 0)
            return mist_yaml_error_at(vals, path, err, "expected a non-empty list of values");
        if (zip && k > 0 && vals->n != map->values[0]->n)
            return mist_yaml_error_at(vals, path, err,
                                      "expected %zu values, as many as %s.%s (zip axes vary "
                                      "together)",
                                      map->values[0]->n, section, map->keys[0]->scalar);
        sweep_axis *ax = &sw->axes[sw->n_axes++];
        memset(ax, 0, sizeof *ax);
        ax->key = key->scalar;
        ax->key_node = key;
        ax->section = section;
        ax->values = vals;
        ax->n = vals->n;
        ax->set_text = calloc(vals->n, sizeof *ax->set_text);
        ax->label = calloc(vals->n, sizeof *ax->label);
        if (!ax->set_text || !ax->label)
            return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
        int file = is_file_key(ax->key, strlen(ax->key));
        for (size_t i = 0; i < vals->n; i++) {
            const mist_yaml_node *v = vals->values[i];
            char vpath[340];
            mist_yaml_join(vpath, sizeof vpath, path, NULL, (long)i);
            sbuf b = {0};
            sb_node(&b, v);
            if (!(ax->label[i] = sb_take(&b)))
                return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
            if (v->kind == MIST_YAML_SCALAR)
                snprintf(ax->label[i], strlen(ax->label[i]) + 1, "%s", v->scalar);
            sbuf t = {0};
            if (file) {
                char *abs;
                mist_status st;
                if (v->kind != MIST_YAML_SCALAR)
                    return mist_yaml_error_at(v, vpath, err, "expected a file path");
                if ((st = resolve_file(v, vpath, sw->doc->dir, v->scalar, &abs, err)))
                    return st;
                sb_quoted(&t, abs);
                free(abs);
            } else {
                sb_node(&t, v);
            }
            if (!(ax->set_text[i] = sb_take(&t)))
                return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
        }
        if (!zip || k == 0) {
            if (sw->n_dims == MAX_DIMS)
                return mist_yaml_error_at(key, path, err, "more than %d axes", MAX_DIMS);
            sw->dim_len[sw->n_dims++] = vals->n;
        }
        ax->dim = sw->n_dims - 1;
    }
    return MIST_OK;
}

/* observe: {realizations: N, counts: F}: an observer study (`mist observe`) of every
 * point with lesions; N per class, F the share of the clinical count level. */
static mist_status read_observe(mist_sweep *sw, mist_error *err)
{
    static const char *const keys[] = {"realizations", "counts", NULL};
    mist_yaml_node *ob = NULL;
    sw->observe_counts = 1.0;
    mist_status st = mist_yaml_get_map(sw->doc->root, "", "observe", MIST_OPTIONAL, &ob, err);
    if (st || !ob)
        return st;
    (void)((st = mist_yaml_check_unknown(ob, "observe", keys, err)) ||
           (st = mist_yaml_get_int(ob, "observe", "realizations", MIST_REQUIRED, 0, 5, 100000,
                                   &sw->observe_realizations, err)) ||
           (st = mist_yaml_get_double(ob, "observe", "counts", MIST_OPTIONAL, 1.0, MIST_POSITIVE,
                                      &sw->observe_counts, err)));
    if (!st && mist_mpi_world().size > 1)
        st = mist_yaml_error_at(ob, "observe", err,
                                "the observer study runs on one MPI rank: run this sweep on one "
                                "rank, or one point per task (`mist sweep --point I`, "
                                "scripts/slurm/mist_sweep_array.sbatch)");
    return st;
}

mist_status mist_sweep_load(const char *path, mist_sweep **out, mist_error *err)
{
    static const char *const top[] = {"name", "study", "set",     "grid",
                                      "zip",  "seeds", "observe", "basis", NULL};
    *out = NULL;
    mist_sweep *sw = calloc(1, sizeof *sw);
    if (!sw)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    mist_status st = mist_yaml_load_file(path, &sw->doc, err);
    mist_yaml_node *root = st ? NULL : sw->doc->root, *grid = NULL, *zip = NULL;
    if (!st)
        (void)((st = mist_yaml_check_unknown(root, "", top, err)) ||
               (st = mist_yaml_get_string(root, "", "name", MIST_REQUIRED, NULL, &sw->name, err)) ||
               (st = mist_yaml_get_file(root, "", "study", MIST_OPTIONAL, sw->doc->dir,
                                        &sw->study_path, err)) ||
               (st = read_sets(sw, err)) ||
               (st = mist_yaml_get_int(root, "", "seeds", MIST_OPTIONAL, 1, 1, 100000, &sw->seeds,
                                       err)) ||
               (st = mist_yaml_get_bool(root, "", "basis", MIST_OPTIONAL, 0, &sw->basis, err)) ||
               (st = mist_yaml_get_map(root, "", "grid", MIST_OPTIONAL, &grid, err)) ||
               (st = read_observe(sw, err)));
    if (!st && grid)
        st = add_axes(sw, grid, "grid", 0, err);
    if (!st && (zip = mist_yaml_map_find(root, "zip"))) {
        /* One group (a mapping) or several (a list of mappings). */
        if (zip->kind == MIST_YAML_MAP) {
            st = add_axes(sw, zip, "zip", 1, err);
        } else if (zip->kind == MIST_YAML_SEQ) {
            static const char *const names[] = {"zip[0]", "zip[1]", "zip[2]", "zip[3]",
                                                "zip[4]", "zip[5]", "zip[6]", "zip[7]"};
            for (size_t g = 0; !st && g < zip->n; g++) {
                if (g >= sizeof names / sizeof names[0])
                    st = mist_yaml_error_at(zip->values[g], "zip", err, "more than 8 zip groups");
                else if (zip->values[g]->kind != MIST_YAML_MAP)
                    st = mist_yaml_error_at(zip->values[g], names[g], err,
                                            "expected a mapping {key.path: [values...], ...}");
                else
                    st = add_axes(sw, zip->values[g], names[g], 1, err);
            }
        } else {
            st = mist_yaml_error_at(zip, "zip", err,
                                    "expected a mapping of axes that vary together (or a list "
                                    "of such mappings)");
        }
    }
    /* Basis mode: the axes may change the activity and the frame only (engine/basis.h). */
    for (size_t a = 0; !st && sw->basis && a < sw->n_axes; a++) {
        static const char *const ok[] = {"tracer.probe", "tracer.injected_MBq",
                                         "tracer.uptake_time_h", "acquisition.duration_s", NULL};
        int fine = 0;
        for (size_t k = 0; ok[k] && !fine; k++)
            fine = !strcmp(sw->axes[a].key, ok[k]);
        if (!fine)
            st = mist_yaml_error_at(sw->axes[a].key_node, sw->axes[a].key, err,
                                    "basis: true needs axes that change only the activity and "
                                    "the frame (tracer.probe, tracer.injected_MBq, "
                                    "tracer.uptake_time_h, acquisition.duration_s)");
    }
    if (!st && sw->basis && sw->seeds > 1)
        st = mist_yaml_error_at(mist_yaml_map_find(root, "seeds"), "seeds", err,
                                "basis: true gives expected counts: seed repeats would be "
                                "identical (expected 1)");
    if (!st) {
        double n = (double)sw->seeds;
        for (size_t d = 0; d < sw->n_dims; d++)
            n *= (double)sw->dim_len[d];
        if (n > MAX_POINTS)
            st = mist_yaml_error_at(root, "grid", err, "%.0f points; expected at most %d", n,
                                    MAX_POINTS);
        sw->n_points = (size_t)n;
    }
    if (st) {
        mist_sweep_free(sw);
        return st;
    }
    *out = sw;
    return MIST_OK;
}

/* ---- points ---------------------------------------------------------------------------- */

/* Index of point i along dimension d, and its seed repeat. */
static void point_coords(const mist_sweep *sw, size_t i, size_t *idx, long *repeat)
{
    *repeat = (long)(i % (size_t)sw->seeds);
    size_t rest = i / (size_t)sw->seeds;
    for (size_t d = sw->n_dims; d-- > 0;) {
        idx[d] = rest % sw->dim_len[d];
        rest /= sw->dim_len[d];
    }
}

static void point_free(sweep_point *p)
{
    mist_study_free(p->study);
    for (size_t i = 0; i < p->n_sets; i++)
        free(p->sets[i]);
    free(p->sets);
    free(p->desc);
    memset(p, 0, sizeof *p);
}

/* Rewrite a study error caused by one of the point's overrides to name the sweep
 * file's line (the override's source), keeping the study's sentence. */
static mist_status point_error(const mist_sweep *sw, const sweep_point *p, size_t i, const size_t *idx,
                               mist_status st, mist_error *err)
{
    char msg[MIST_ERROR_MSG_MAX];
    snprintf(msg, sizeof msg, "%s", err->msg);
    for (size_t j = 0; j < sw->n_sets + sw->n_axes; j++) {
        const char *assignment = p->sets[j];
        char prefix[600];
        int k = snprintf(prefix, sizeof prefix, "--set %s:", assignment);
        if (k <= 0 || (size_t)k >= sizeof prefix - 1 || strncmp(msg, prefix, (size_t)k))
            continue;
        /* Skip "line:column: " of the override's one-line text; a column within
         * "KEY" blames the key path, one after it the value. */
        const char *rest = msg + k;
        rest += strspn(rest, "0123456789");
        if (*rest == ':')
            rest++;
        long col = strtol(rest, NULL, 10);
        rest += strspn(rest, "0123456789");
        if (*rest == ':')
            rest++;
        rest += strspn(rest, " ");
        const mist_yaml_node *node;
        char path[400];
        if (j < sw->n_sets) {
            node = sw->set_nodes[j];
            mist_yaml_join(path, sizeof path, "set", NULL, (long)j);
        } else {
            const sweep_axis *ax = &sw->axes[j - sw->n_sets];
            size_t v = idx[ax->dim];
            char kp[340];
            mist_yaml_join(kp, sizeof kp, ax->section, ax->key, 0);
            if (col >= 1 && col <= (long)strlen(ax->key)) {
                node = ax->key_node;
                snprintf(path, sizeof path, "%s", kp);
            } else {
                node = ax->values->values[v];
                mist_yaml_join(path, sizeof path, kp, NULL, (long)v);
            }
        }
        return mist_yaml_error_at(node, path, err, "point %zu (%s): %s", i, p->desc, rest);
    }
    return mist_error_set(err, st, "point %zu (%s): %s", i, p->desc, msg);
}

/* Build and validate point i: its overrides, its study. */
static mist_status point_load(const mist_sweep *sw, size_t i, sweep_point *p, mist_error *err)
{
    size_t idx[MAX_DIMS];
    long repeat;
    point_coords(sw, i, idx, &repeat);
    memset(p, 0, sizeof *p);
    p->sets = calloc(sw->n_sets + sw->n_axes + 1, sizeof *p->sets);
    if (!p->sets)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    sbuf d = {0};
    for (size_t j = 0; j < sw->n_sets; j++)
        p->sets[p->n_sets++] = strdup(sw->sets[j]);
    for (size_t a = 0; a < sw->n_axes; a++) {
        const sweep_axis *ax = &sw->axes[a];
        sbuf b = {0};
        sb_add(&b, "%s=%s", ax->key, ax->set_text[idx[ax->dim]]);
        p->sets[p->n_sets++] = sb_take(&b);
        sb_add(&d, "%s%s=%s", a ? ", " : "", ax->key, ax->label[idx[ax->dim]]);
    }
    for (size_t j = 0; j < p->n_sets; j++)
        if (!p->sets[j])
            return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    mist_status st =
        mist_study_load(sw->study_path, (const char *const *)p->sets, p->n_sets, &p->study, err);
    if (!st && repeat > 0) {
        /* Repeat r: the point's seed + r. */
        sbuf b = {0};
        sb_add(&b, "seed=%llu", (unsigned long long)(p->study->seed + (uint64_t)repeat));
        if (!(p->sets[p->n_sets] = sb_take(&b)))
            st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
        else
            p->n_sets++;
        mist_study_free(p->study);
        p->study = NULL;
        if (!st)
            st = mist_study_load(sw->study_path, (const char *const *)p->sets, p->n_sets, &p->study,
                                 err);
    }
    if (sw->seeds > 1 && p->study)
        sb_add(&d, "%sseed=%llu", sw->n_axes ? ", " : "", (unsigned long long)p->study->seed);
    else if (sw->seeds > 1)
        sb_add(&d, "%srepeat %ld", sw->n_axes ? ", " : "", repeat);
    if (!(p->desc = sb_take(&d)))
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    if (st == MIST_ERR_INPUT)
        return point_error(sw, p, i, idx, st, err);
    return st;
}

/* ---- files ----------------------------------------------------------------------------- */

static mist_status make_dirs(const char *dir, mist_error *err)
{
    char *p = strdup(dir);
    if (!p)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    mist_status st = MIST_OK;
    for (char *s = p + 1;; s++) {
        int end = *s == '\0';
        if (*s == '/' || end) {
            *s = '\0';
            struct stat sb;
            if (mkdir(p, 0777) != 0 && errno != EEXIST)
                st = mist_error_set(err, MIST_ERR_IO, "cannot create directory %s: %s", p,
                                    strerror(errno));
            else if (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode))
                st = mist_error_set(err, MIST_ERR_IO, "%s exists and is not a directory", p);
            if (st || end)
                break;
            *s = '/';
        }
    }
    free(p);
    return st;
}
const char *mist_sweep_axis_label(const mist_sweep *sw, size_t i, size_t a)
{
    size_t idx[MAX_DIMS];
    long r;
    point_coords(sw, i, idx, &r);
    return sw->axes[a].label[idx[sw->axes[a].dim]];
}
static void write_points_csv(FILE *f, const void *vctx)
{
    const run_ctx *c = vctx;
    const mist_sweep *sw = c->sw;
    fputs("index,", f);
    for (size_t a = 0; a < sw->n_axes; a++)
        mist_sweep_csv_field(f, sw->axes[a].key, 0);
    fputs("seed,file\n", f);
    for (size_t i = 0; i < sw->n_points; i++) {
        fprintf(f, "%zu,", i);
        for (size_t a = 0; a < sw->n_axes; a++) {
            mist_sweep_csv_field(f, mist_sweep_axis_label(sw, i, a), 0);
        }
        fprintf(f, "%llu,point_%zu.h5\n", (unsigned long long)c->points[i].study->seed, i);
    }
}

/* ---- the command ----------------------------------------------------------------------- */

static mist_status agree(mist_status st, mist_error *err)
{
    mist_mpi_share_error(st, err);
    return mist_mpi_agree_status(st) ? err->code : MIST_OK;
}

static int bcast_int(int v)
{
    if (mist_mpi_world().size > 1)
        MPI_Bcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return v;
}

/* Basis mode (basis: true): one basis per nuclide, DIR/basis_<nuclide>.h5, simulated
 * with the study of the first point that needs it; each point combined from it. */
#define MAX_BASES 8
typedef struct basis_stats {
    char nuclide[MAX_BASES][32];
    double basis_s[MAX_BASES];      /**< [s] wall time of each basis simulation */
    size_t basis_points[MAX_BASES]; /**< points combined from it */
    size_t n_basis, n_points;
    double basis_total_s, combine_s, points_s;
} basis_stats;

static mist_status basis_point(const mist_sweep *sw, sweep_point *p, const char *dir, const char *path,
                               basis_stats *bs, FILE *log, mist_simulate_result *res,
                               mist_error *err)
{
    double t0 = mist_time_now_s();
    mist_tracer *tr = NULL;
    mist_status st = mist_tracer_load(p->study->tracer.probe_path, &tr, err);
    if (st)
        return st;
    char nuc[32];
    snprintf(nuc, sizeof nuc, "%s", mist_tracer_nuclide(tr)->name);
    mist_tracer_free(tr);
    size_t k = 0;
    while (k < bs->n_basis && strcmp(bs->nuclide[k], nuc))
        k++;
    char bpath[4200];
    snprintf(bpath, sizeof bpath, "%s/basis_%s.h5", dir, nuc);
    if (k == bs->n_basis) {
        if (k == MAX_BASES)
            return mist_error_set(err, MIST_ERR_INPUT, "basis: more than %d nuclides", MAX_BASES);
        if (log)
            fprintf(log, "sweep: simulating the basis of %s (%s)\n", nuc, bpath);
        mist_basis_summary sum;
        st = mist_basis_build(p->study, bpath, NULL, &sum, err);
        if (st)
            return st;
        snprintf(bs->nuclide[k], sizeof bs->nuclide[k], "%s", nuc);
        bs->basis_s[k] = sum.wall_s;
        bs->basis_total_s += sum.wall_s;
        bs->n_basis++;
    }
    bs->basis_points[k]++;
    /* The point's axis values on top of the basis's study. */
    mist_combine_summary cs;
    st = mist_basis_combine(bpath, path, (const char *const *)p->sets + sw->n_sets, sw->n_axes,
                            p->study, &cs, err);
    bs->combine_s += mist_time_now_s() - t0;
    if (!st)
        st = mist_recon_file(path, NULL, NULL, 0, NULL, NULL, &res->recon, err);
    res->prompts = st ? 0 : (uint64_t)llround(cs.prompts);
    res->decays = st ? 0 : (uint64_t)llround(cs.decays);
    return st;
}

mist_status mist_sweep_run(const mist_sweep_opts *o, mist_error *err)
{
    mist_error_clear(err);
    int root = mist_mpi_world().rank == 0;
    FILE *log = root ? o->log : NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* our errors are sentences, not HDF5 stacks */
    mist_sweep *sw = NULL;
    sweep_point *points = NULL;
    mist_status st = mist_sweep_load(o->path, &sw, err);
    if (!st && o->point >= 0 && (size_t)o->point >= sw->n_points)
        st = mist_error_set(err, MIST_ERR_INPUT,
                            "--point %ld: expected a point index from 0 to %zu (%s has %zu "
                            "point%s)",
                            o->point, sw->n_points - 1, o->path, sw->n_points,
                            sw->n_points > 1 ? "s" : "");
    if (!st && !(points = calloc(sw->n_points, sizeof *points)))
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    /* Every point's study is validated before anything is written. */
    for (size_t i = 0; !st && i < sw->n_points; i++)
        st = point_load(sw, i, &points[i], err);
    st = agree(st, err);

    run_ctx ctx = {sw, points, o->out_dir};
    if (!st && root) {
        char path[4200];
        snprintf(path, sizeof path, "%s/points.csv", o->out_dir);
        st = make_dirs(o->out_dir, err);
        if (!st)
            st = mist_sweep_write_atomic(path, write_points_csv, &ctx, err);
    }
    st = agree(st, err);
    if (!st && log && !o->collect)
        fprintf(log, "sweep: %s: %zu point%s%s, %s %s/points.csv\n", sw->name, sw->n_points,
                sw->n_points > 1 ? "s" : "", o->dry_run ? " valid" : "",
                o->dry_run ? "nothing run; wrote" : "writing", o->out_dir);
    if (o->dry_run) {
        for (size_t i = 0; points && i < sw->n_points; i++)
            point_free(&points[i]);
        free(points);
        mist_sweep_free(sw);
        return st;
    }

    basis_stats bs;
    memset(&bs, 0, sizeof bs);
    if (!st && sw->basis && mist_mpi_world().size > 1)
        st = mist_error_set(err, MIST_ERR_INPUT, "%s: basis: true runs on one MPI rank", o->path);
    size_t first = o->point >= 0 ? (size_t)o->point : 0;
    size_t end = o->point >= 0 ? first + 1 : (sw ? sw->n_points : 0);
    for (size_t i = first; !st && !o->collect && i < end; i++) {
        sweep_point *p = &points[i];
        char path[4200];
        mist_sweep_point_file(path, sizeof path, o->out_dir, i);
        int skip = root && o->resume ? mist_sweep_point_complete(path, p->study) : 0;
        if (bcast_int(skip)) {
            if (log)
                fprintf(log, "sweep: [%zu/%zu] point %zu (%s) already done, skipped\n", i + 1,
                        sw->n_points, i, p->desc);
            continue;
        }
        /* A point killed mid-run left point_<i>.h5.checkpoint: --resume goes on from it. */
        char ckpt[4300];
        snprintf(ckpt, sizeof ckpt, "%s.checkpoint", path);
        int from_ckpt = bcast_int(root && o->resume ? access(ckpt, R_OK) == 0 : 0);
        double t0 = mist_time_now_s();
        mist_simulate_opts so = {.output = path, .quiet = 1, .with_recon = 1, .resume = from_ckpt};
        mist_simulate_result res;
        memset(&res, 0, sizeof res);
        if (sw->basis) {
            st = basis_point(sw, p, o->out_dir, path, &bs, log, &res, err);
            bs.points_s += mist_time_now_s() - t0;
            bs.n_points++;
        } else {
            st = mist_run_pipeline(p->study, &so, NULL, &res, err);
        }
        int has_recon = 0, observed = 0;
        if (!st && root)
            st = mist_sweep_score_point(sw, path, &has_recon, &observed, err);
        st = agree(st, err);
        if (st) {
            char msg[MIST_ERROR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            mist_error_set(err, st, "point %zu (%s): %s", i, p->desc, msg);
        } else if (log) {
            fprintf(
                log,
                "sweep: [%zu/%zu] point %zu (%s) done in %.1f s%s: %llu decays, %llu prompts%s%s\n",
                i + 1, sw->n_points, i, p->desc, mist_time_now_s() - t0,
                from_ckpt ? " (resumed from its checkpoint)" : "", (unsigned long long)res.decays,
                (unsigned long long)res.prompts, has_recon ? ", analysed" : "",
                observed ? ", observer study done" : "");
            fflush(log);
        }
    }
    if (!st && sw->basis && log && bs.n_points) {
        double direct = 0; /* one simulation per point, each about as long as its basis */
        for (size_t k = 0; k < bs.n_basis; k++)
            direct += bs.basis_s[k] * (double)bs.basis_points[k];
        double recon = bs.points_s - bs.combine_s;
        fprintf(log,
                "sweep: basis: %zu basis simulation%s in %.1f s, %zu point%s combined in %.1f s "
                "(+ %.1f s of reconstruction and analysis); simulating every point instead: "
                "about %.1f s (+ the same reconstructions): %.1fx faster\n",
                bs.n_basis, bs.n_basis > 1 ? "s" : "", bs.basis_total_s, bs.n_points,
                bs.n_points > 1 ? "s" : "", bs.combine_s - bs.basis_total_s, recon, direct,
                (direct + recon) / (bs.combine_s + recon));
    }
    /* The results tables, unless this process ran one point of a job array. */
    if (!st && o->point < 0 && root)
        st = mist_sweep_collect(&ctx, log, err);
    st = agree(st, err);
    for (size_t i = 0; points && i < sw->n_points; i++)
        point_free(&points[i]);
    free(points);
    mist_sweep_free(sw);
    return st;
}
