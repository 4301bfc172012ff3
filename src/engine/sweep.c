/* realpath(): XSI, beside the project-wide _POSIX_C_SOURCE. */
#define _XOPEN_SOURCE 700

#include "engine/sweep.h"

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
#define MAX_DIMS 64

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

typedef struct axis {
    const char *key;     /**< study key path (points into the document) */
    const char *section; /**< "grid" or "zip" (or "zip[g]") */
    const mist_yaml_node *key_node;
    const mist_yaml_node *values; /**< the sequence of values */
    char **set_text;              /**< [n] value text of the override (files made absolute) */
    char **label;                 /**< [n] the value as written, for tables and messages */
    size_t n;
    size_t dim; /**< the dimension of the product it belongs to */
} axis;

struct mist_sweep {
    mist_yaml_doc *doc;
    const char *name;
    char *study_path; /**< NULL: the built-in default study */
    char **sets;      /**< overrides for every point (file values made absolute) */
    const mist_yaml_node **set_nodes;
    size_t n_sets;
    axis *axes;
    size_t n_axes;
    size_t dim_len[MAX_DIMS];
    size_t n_dims;
    long seeds;
    size_t n_points;
    int basis; /**< basis: true -- simulate each nuclide's basis once, combine every point */
};

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
    axis *axes = realloc(sw->axes, (sw->n_axes + map->n) * sizeof *axes);
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
        axis *ax = &sw->axes[sw->n_axes++];
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

mist_status mist_sweep_load(const char *path, mist_sweep **out, mist_error *err)
{
    static const char *const top[] = {"name", "study", "set", "grid", "zip", "seeds", "basis",
                                      NULL};
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
               (st = mist_yaml_get_map(root, "", "grid", MIST_OPTIONAL, &grid, err)));
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

typedef struct point {
    mist_study *study;
    char **sets; /**< overrides: the sweep's set, then one per axis, then the seed */
    size_t n_sets;
    char *desc; /**< "key=value, ..." for messages */
} point;

static void point_free(point *p)
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
static mist_status point_error(const mist_sweep *sw, const point *p, size_t i, const size_t *idx,
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
            const axis *ax = &sw->axes[j - sw->n_sets];
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
static mist_status point_load(const mist_sweep *sw, size_t i, point *p, mist_error *err)
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
        const axis *ax = &sw->axes[a];
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

static void csv_field(FILE *f, const char *s, int last)
{
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputc(last ? '\n' : ',', f);
}

static void csv_num(FILE *f, double v, int last)
{
    if (isfinite(v))
        fprintf(f, "%.9g", v);
    fputc(last ? '\n' : ',', f);
}

/* Write a text file atomically: fn fills the temporary file, which is renamed. */
typedef void (*writer_fn)(FILE *f, const void *ctx);

static mist_status write_atomic(const char *path, writer_fn fn, const void *ctx, mist_error *err)
{
    sbuf b = {0};
    sb_add(&b, "%s.tmp.%ld", path, (long)getpid());
    char *tmp = sb_take(&b);
    FILE *f = tmp ? fopen(tmp, "w") : NULL;
    mist_status st = MIST_OK;
    if (!f) {
        st = mist_error_set(err, MIST_ERR_IO, "cannot write %s: %s", tmp ? tmp : path,
                            strerror(errno));
    } else {
        fn(f, ctx);
        int bad = ferror(f);
        if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
            remove(tmp);
            st = mist_error_set(err, MIST_ERR_IO, "cannot write %s", path);
        }
    }
    free(tmp);
    return st;
}

typedef struct run_ctx {
    const mist_sweep *sw;
    point *points;
    const char *dir;
} run_ctx;

static void point_file(char *buf, size_t size, const char *dir, size_t i)
{
    snprintf(buf, size, "%s/point_%zu.h5", dir, i);
}

static void axis_label_of(const mist_sweep *sw, size_t i, size_t a, const char **label)
{
    size_t idx[MAX_DIMS];
    long r;
    point_coords(sw, i, idx, &r);
    *label = sw->axes[a].label[idx[sw->axes[a].dim]];
}

static void write_points_csv(FILE *f, const void *vctx)
{
    const run_ctx *c = vctx;
    const mist_sweep *sw = c->sw;
    fputs("index,", f);
    for (size_t a = 0; a < sw->n_axes; a++)
        csv_field(f, sw->axes[a].key, 0);
    fputs("seed,file\n", f);
    for (size_t i = 0; i < sw->n_points; i++) {
        fprintf(f, "%zu,", i);
        for (size_t a = 0; a < sw->n_axes; a++) {
            const char *label;
            axis_label_of(sw, i, a, &label);
            csv_field(f, label, 0);
        }
        fprintf(f, "%llu,point_%zu.h5\n", (unsigned long long)c->points[i].study->seed, i);
    }
}

/* A fixed-length string attribute of the root, or NULL (caller frees). */
static char *read_str_attr(hid_t obj, const char *name)
{
    if (H5Aexists(obj, name) <= 0)
        return NULL;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
    char *s = NULL;
    if (t >= 0 && H5Tget_class(t) == H5T_STRING && !H5Tis_variable_str(t)) {
        size_t n = H5Tget_size(t);
        s = calloc(n + 1, 1);
        if (s && H5Aread(a, t, s) < 0) {
            free(s);
            s = NULL;
        }
    }
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    return s;
}

static int read_u64_attr(hid_t obj, const char *name, uint64_t *v)
{
    if (H5Aexists(obj, name) <= 0)
        return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    int rc = a >= 0 && H5Aread(a, H5T_NATIVE_UINT64, v) >= 0 ? 0 : -1;
    if (a >= 0)
        H5Aclose(a);
    return rc;
}

/* 1 when path is a finished result of this point's study (the same study text, seed
 * included: a file left by another sweep does not count). */
static int point_complete(const char *path, const mist_study *study)
{
    if (access(path, R_OK) != 0 || H5Fis_hdf5(path) <= 0)
        return 0;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return 0;
    char *text = read_str_attr(f, "study_yaml");
    uint64_t seed = 0, decays = 0;
    hid_t g = H5Lexists(f, "/acquisition", H5P_DEFAULT) > 0
                  ? H5Gopen2(f, "/acquisition", H5P_DEFAULT)
                  : H5I_INVALID_HID;
    int ok = text && !strcmp(text, study->study_yaml) && read_u64_attr(f, "seed", &seed) == 0 &&
             seed == study->seed && g >= 0 && read_u64_attr(g, "decays", &decays) == 0;
    if (g >= 0)
        H5Gclose(g);
    free(text);
    H5Fclose(f);
    return ok;
}

/* Score a point file with `mist analyze` when it holds a reconstructed image and no
 * analysis yet (rank 0).  *analysed = 1 when the file has /analysis/lesions after. */
static mist_status ensure_analysis(const char *path, int *has_recon, mist_error *err)
{
    *has_recon = 0;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return mist_error_set(err, MIST_ERR_IO, "cannot open %s", path);
    char(*images)[MIST_H5R_PATH_MAX] = NULL;
    size_t n_images = 0;
    mist_status st = MIST_OK;
    if (mist_h5r_exists(f, "/recon"))
        st = mist_h5r_recon_images(f, path, &images, &n_images, err);
    free(images);
    int analysed = mist_h5r_exists(f, "/analysis/lesions");
    H5Fclose(f);
    if (st || !n_images)
        return st;
    *has_recon = 1;
    if (analysed)
        return MIST_OK;
    FILE *sink = fopen("/dev/null", "w");
    if (!sink)
        return mist_error_set(err, MIST_ERR_IO, "cannot open /dev/null");
    st = mist_analyze(path, 0, sink, err);
    fclose(sink);
    return st;
}

/* ---- results --------------------------------------------------------------------------- */

#define N_COUNTERS 6
static const char *const counter_names[N_COUNTERS] = {"decays",   "prompts", "trues",
                                                      "scatters", "randoms", "delayed"};

typedef struct lesion_row {
    char image[128];
    char name[64];
    double diameter_mm, crc, bv, cnr, suv_max, suv_mean, suv_peak;
    uint64_t point;
} lesion_row;
#define N_LESION_METRICS 7
static const char *const lesion_metrics[N_LESION_METRICS] = {
    "diameter_mm", "crc", "bv", "cnr", "suv_max", "suv_mean", "suv_peak"};

typedef struct results {
    uint64_t (*counters)[N_COUNTERS]; /**< [n_points] */
    lesion_row *lesions;
    size_t n_lesions;
    size_t n_with_recon;
} results;

static hid_t lesion_mem_type(void)
{
    hid_t si = H5Tcopy(H5T_C_S1), sn = H5Tcopy(H5T_C_S1);
    H5Tset_size(si, sizeof((lesion_row *)0)->image);
    H5Tset_size(sn, sizeof((lesion_row *)0)->name);
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(lesion_row));
    H5Tinsert(t, "image", HOFFSET(lesion_row, image), si);
    H5Tinsert(t, "name", HOFFSET(lesion_row, name), sn);
    H5Tinsert(t, "diameter_mm", HOFFSET(lesion_row, diameter_mm), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "crc", HOFFSET(lesion_row, crc), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "bv", HOFFSET(lesion_row, bv), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "cnr", HOFFSET(lesion_row, cnr), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "suv_max", HOFFSET(lesion_row, suv_max), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "suv_mean", HOFFSET(lesion_row, suv_mean), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "suv_peak", HOFFSET(lesion_row, suv_peak), H5T_NATIVE_DOUBLE);
    H5Tclose(si);
    H5Tclose(sn);
    return t;
}

/* The counters (and lesion rows) of one point file. */
static mist_status read_point(const char *path, size_t i, results *r, mist_error *err)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return mist_error_set(err, MIST_ERR_IO, "cannot open %s", path);
    mist_status st = MIST_OK;
    uint64_t *c = r->counters[i];
    hid_t g = H5Gopen2(f, "/acquisition", H5P_DEFAULT);
    if (g < 0 || read_u64_attr(g, "decays", &c[0]) != 0)
        st = mist_error_set(err, MIST_ERR_IO, "%s: no /acquisition decays", path);
    if (g >= 0)
        H5Gclose(g);
    /* PET counters of the (one) scanner in /pet; a file without /pet keeps zeros. */
    hid_t pet = !st && H5Lexists(f, "/pet", H5P_DEFAULT) > 0 ? H5Gopen2(f, "/pet", H5P_DEFAULT)
                                                             : H5I_INVALID_HID;
    if (pet >= 0) {
        char name[256];
        if (H5Lget_name_by_idx(pet, ".", H5_INDEX_NAME, H5_ITER_INC, 0, name, sizeof name,
                               H5P_DEFAULT) > 0) {
            char dpath[300];
            snprintf(dpath, sizeof dpath, "%s/counts", name);
            hid_t d = H5Lexists(pet, dpath, H5P_DEFAULT) > 0 ? H5Dopen2(pet, dpath, H5P_DEFAULT)
                                                             : H5I_INVALID_HID;
            for (int k = 1; d >= 0 && !st && k < N_COUNTERS; k++)
                if (read_u64_attr(d, counter_names[k], &c[k]) != 0)
                    st = mist_error_set(err, MIST_ERR_IO, "%s: /pet/%s/counts has no %s", path,
                                        name, counter_names[k]);
            if (d >= 0)
                H5Dclose(d);
        }
        H5Gclose(pet);
    }
    if (!st && mist_h5r_exists(f, "/recon"))
        r->n_with_recon++;
    if (!st && mist_h5r_exists(f, "/analysis/lesions")) {
        hid_t d = H5Dopen2(f, "/analysis/lesions", H5P_DEFAULT);
        hid_t sp = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID;
        hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
        lesion_row *rows =
            n >= 0 ? realloc(r->lesions, (r->n_lesions + (size_t)n + 1) * sizeof *rows) : NULL;
        if (!rows) {
            st = mist_error_set(err, MIST_ERR_IO, "%s: cannot read /analysis/lesions", path);
        } else {
            r->lesions = rows;
            lesion_row *at = rows + r->n_lesions;
            memset(at, 0, (size_t)n * sizeof *at);
            hid_t mt = lesion_mem_type();
            if (n > 0 && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, at) < 0)
                st = mist_error_set(err, MIST_ERR_IO, "%s: cannot read /analysis/lesions", path);
            H5Tclose(mt);
            for (hssize_t k = 0; !st && k < n; k++)
                at[k].point = i;
            if (!st)
                r->n_lesions += (size_t)n;
        }
        if (sp >= 0)
            H5Sclose(sp);
        if (d >= 0)
            H5Dclose(d);
    }
    H5Fclose(f);
    return st;
}

typedef struct results_ctx {
    const run_ctx *run;
    const results *r;
} results_ctx;

static void write_axis_cells(FILE *f, const mist_sweep *sw, size_t i)
{
    for (size_t a = 0; a < sw->n_axes; a++) {
        const char *label;
        axis_label_of(sw, i, a, &label);
        csv_field(f, label, 0);
    }
}

static void write_results_csv(FILE *f, const void *vctx)
{
    const results_ctx *c = vctx;
    const mist_sweep *sw = c->run->sw;
    fputs("index,", f);
    for (size_t a = 0; a < sw->n_axes; a++)
        csv_field(f, sw->axes[a].key, 0);
    fputs("seed,file", f);
    for (int k = 0; k < N_COUNTERS; k++)
        fprintf(f, ",%s", counter_names[k]);
    fputc('\n', f);
    for (size_t i = 0; i < sw->n_points; i++) {
        fprintf(f, "%zu,", i);
        write_axis_cells(f, sw, i);
        fprintf(f, "%llu,point_%zu.h5", (unsigned long long)c->run->points[i].study->seed, i);
        for (int k = 0; k < N_COUNTERS; k++)
            fprintf(f, ",%llu", (unsigned long long)c->r->counters[i][k]);
        fputc('\n', f);
    }
}

static void write_lesions_csv(FILE *f, const void *vctx)
{
    const results_ctx *c = vctx;
    const mist_sweep *sw = c->run->sw;
    fputs("index,", f);
    for (size_t a = 0; a < sw->n_axes; a++)
        csv_field(f, sw->axes[a].key, 0);
    fputs("seed,image,lesion", f);
    for (int k = 0; k < N_LESION_METRICS; k++)
        fprintf(f, ",%s", lesion_metrics[k]);
    fputc('\n', f);
    for (size_t j = 0; j < c->r->n_lesions; j++) {
        const lesion_row *l = &c->r->lesions[j];
        size_t i = (size_t)l->point;
        fprintf(f, "%zu,", i);
        write_axis_cells(f, sw, i);
        fprintf(f, "%llu,", (unsigned long long)c->run->points[i].study->seed);
        csv_field(f, l->image, 0);
        csv_field(f, l->name, 0);
        const double v[N_LESION_METRICS] = {l->diameter_mm, l->crc,      l->bv,      l->cnr,
                                            l->suv_max,     l->suv_mean, l->suv_peak};
        for (int k = 0; k < N_LESION_METRICS; k++)
            csv_num(f, v[k], k == N_LESION_METRICS - 1);
    }
}

static mist_status write_strings(hid_t file, const char *path, char *const *v, size_t n,
                                 mist_error *err)
{
    size_t w = 1;
    for (size_t i = 0; i < n; i++)
        w = strlen(v[i]) + 1 > w ? strlen(v[i]) + 1 : w;
    char *buf = calloc(n ? n : 1, w);
    if (!buf)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        memcpy(buf + i * w, v[i], strlen(v[i]));
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, w);
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    H5Tset_cset(t, H5T_CSET_UTF8);
    const uint64_t dims[1] = {n};
    mist_status st = mist_h5_write(file, path, t, 1, dims, buf, "1", NULL, err);
    H5Tclose(t);
    free(buf);
    return st;
}

/* results.h5: /points/<column> one dataset per column of results.csv (axis values as
 * float64 when all are numbers, else strings), /lesions (as lesions.csv). */
static mist_status write_results_h5(const char *path, const run_ctx *c, const results *r,
                                    mist_error *err)
{
    const mist_sweep *sw = c->sw;
    size_t n = sw->n_points;
    mist_h5 h5 = {.file = H5I_INVALID_HID};
    mist_status st = mist_h5_create(&h5, path, err);
    if (st)
        return st;
    uint64_t *u = calloc(n ? n : 1, sizeof *u);
    double *dv = calloc(n ? n : 1, sizeof *dv);
    char **sv = calloc(n ? n : 1, sizeof *sv);
    char *file_names = calloc(n ? n : 1, 40);
    if (!u || !dv || !sv || !file_names)
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    const uint64_t dims[1] = {n};
    uint64_t np = n;
    if (!st)
        (void)((st = mist_h5_attr_str(h5.file, "mist_version", MIST_VERSION, err)) ||
               (st = mist_h5_attr_str(h5.file, "git_commit", MIST_GIT_COMMIT, err)) ||
               (st = mist_h5_attr_str(h5.file, "sweep_name", sw->name, err)) ||
               (st = mist_h5_attr_str(h5.file, "sweep_source", sw->doc->path, err)) ||
               (st = mist_h5_attr_str(h5.file, "sweep_yaml", sw->doc->text, err)) ||
               (st = mist_h5_attr_u64(h5.file, "n_points", &np, 1, err)));
    for (size_t i = 0; !st && i < n; i++)
        u[i] = i;
    if (!st)
        st = mist_h5_write(h5.file, "/points/index", H5T_NATIVE_UINT64, 1, dims, u, "1", NULL, err);
    for (size_t i = 0; !st && i < n; i++)
        u[i] = c->points[i].study->seed;
    if (!st)
        st = mist_h5_write(h5.file, "/points/seed", H5T_NATIVE_UINT64, 1, dims, u, "1", NULL, err);
    for (size_t i = 0; !st && i < n; i++) {
        snprintf(file_names + 40 * i, 40, "point_%zu.h5", i);
        sv[i] = file_names + 40 * i;
    }
    if (!st)
        st = write_strings(h5.file, "/points/file", sv, n, err);
    for (size_t a = 0; !st && a < sw->n_axes; a++) {
        int numeric = 1;
        for (size_t i = 0; i < n; i++) {
            const char *label;
            axis_label_of(sw, i, a, &label);
            sv[i] = (char *)label;
            char *end;
            dv[i] = strtod(label, &end);
            if (end == label || *end || !isfinite(dv[i]))
                numeric = 0;
        }
        char p[400];
        snprintf(p, sizeof p, "/points/%s", sw->axes[a].key);
        st = numeric ? mist_h5_write(h5.file, p, H5T_NATIVE_DOUBLE, 1, dims, dv, "as in the sweep",
                                     NULL, err)
                     : write_strings(h5.file, p, sv, n, err);
    }
    for (int k = 0; !st && k < N_COUNTERS; k++) {
        for (size_t i = 0; i < n; i++)
            u[i] = r->counters[i][k];
        char p[64];
        snprintf(p, sizeof p, "/points/%s", counter_names[k]);
        st = mist_h5_write(h5.file, p, H5T_NATIVE_UINT64, 1, dims, u, "counts", NULL, err);
    }
    if (!st && r->n_lesions) {
        hid_t si = H5Tcopy(H5T_C_S1), sn = H5Tcopy(H5T_C_S1);
        H5Tset_size(si, sizeof r->lesions[0].image);
        H5Tset_size(sn, sizeof r->lesions[0].name);
        hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(lesion_row));
        H5Tinsert(t, "point", HOFFSET(lesion_row, point), H5T_NATIVE_UINT64);
        H5Tinsert(t, "image", HOFFSET(lesion_row, image), si);
        H5Tinsert(t, "name", HOFFSET(lesion_row, name), sn);
#define F(field) H5Tinsert(t, #field, HOFFSET(lesion_row, field), H5T_NATIVE_DOUBLE)
        F(diameter_mm);
        F(crc);
        F(bv);
        F(cnr);
        F(suv_max);
        F(suv_mean);
        F(suv_peak);
#undef F
        const uint64_t ld[1] = {r->n_lesions};
        st = mist_h5_write(h5.file, "/lesions", t, 1, ld, r->lesions,
                           "diameter_mm mm; suv g/mL; others 1", NULL, err);
        H5Tclose(t);
        H5Tclose(si);
        H5Tclose(sn);
    }
    free(u);
    free(dv);
    free(sv);
    free(file_names);
    if (!st)
        st = mist_h5_commit(&h5, err);
    else
        mist_h5_abort(&h5);
    return st;
}

/* Collect every point's results (rank 0). */
static mist_status collect(const run_ctx *c, FILE *log, mist_error *err)
{
    const mist_sweep *sw = c->sw;
    results r = {0};
    r.counters = calloc(sw->n_points ? sw->n_points : 1, sizeof *r.counters);
    if (!r.counters)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    mist_status st = MIST_OK;
    sbuf missing = {0};
    size_t n_missing = 0;
    char path[4200];
    for (size_t i = 0; i < sw->n_points; i++) {
        point_file(path, sizeof path, c->dir, i);
        if (!point_complete(path, c->points[i].study)) {
            if (n_missing++ < 10)
                sb_add(&missing, "%s%zu", n_missing > 1 ? ", " : "", i);
        }
    }
    if (n_missing) {
        char *m = sb_take(&missing);
        st = mist_error_set(err, MIST_ERR_IO,
                            "%zu of %zu points have no complete result in %s (point%s %s%s): run "
                            "`mist sweep SWEEP.yaml -o %s --resume`",
                            n_missing, sw->n_points, c->dir, n_missing > 1 ? "s" : "", m ? m : "",
                            n_missing > 10 ? ", ..." : "", c->dir);
        free(m);
        free(r.counters);
        return st;
    }
    free(missing.s);
    for (size_t i = 0; !st && i < sw->n_points; i++) {
        int has_recon;
        point_file(path, sizeof path, c->dir, i);
        st = ensure_analysis(path, &has_recon, err);
        if (!st)
            st = read_point(path, i, &r, err);
    }
    results_ctx rc = {c, &r};
    char out[4200];
    if (!st) {
        snprintf(out, sizeof out, "%s/results.csv", c->dir);
        st = write_atomic(out, write_results_csv, &rc, err);
    }
    snprintf(out, sizeof out, "%s/lesions.csv", c->dir);
    if (!st && r.n_lesions)
        st = write_atomic(out, write_lesions_csv, &rc, err);
    else if (!st)
        remove(out); /* an earlier collection's table would no longer match */
    if (!st) {
        snprintf(out, sizeof out, "%s/results.h5", c->dir);
        st = write_results_h5(out, c, &r, err);
    }
    if (!st && log) {
        fprintf(log, "sweep: wrote %s/results.csv and results.h5 (%zu points", c->dir,
                sw->n_points);
        if (r.n_lesions)
            fprintf(log, "; lesion metrics of %zu points in lesions.csv)\n", r.n_with_recon);
        else
            fprintf(log, "; PET counters only: no point file holds a reconstructed image, "
                         "OSEM is not built yet)\n");
    }
    free(r.counters);
    free(r.lesions);
    return st;
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

static mist_status basis_point(const mist_sweep *sw, point *p, const char *dir, const char *path,
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
    point *points = NULL;
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
            st = write_atomic(path, write_points_csv, &ctx, err);
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
        point *p = &points[i];
        char path[4200];
        point_file(path, sizeof path, o->out_dir, i);
        int skip = root && o->resume ? point_complete(path, p->study) : 0;
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
        int has_recon = 0;
        if (!st && root)
            st = ensure_analysis(path, &has_recon, err);
        st = agree(st, err);
        if (st) {
            char msg[MIST_ERROR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            mist_error_set(err, st, "point %zu (%s): %s", i, p->desc, msg);
        } else if (log) {
            fprintf(
                log,
                "sweep: [%zu/%zu] point %zu (%s) done in %.1f s%s: %llu decays, %llu prompts%s\n",
                i + 1, sw->n_points, i, p->desc, mist_time_now_s() - t0,
                from_ckpt ? " (resumed from its checkpoint)" : "", (unsigned long long)res.decays,
                (unsigned long long)res.prompts, has_recon ? ", analysed" : "");
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
        st = collect(&ctx, log, err);
    st = agree(st, err);
    for (size_t i = 0; points && i < sw->n_points; i++)
        point_free(&points[i]);
    free(points);
    mist_sweep_free(sw);
    return st;
}
