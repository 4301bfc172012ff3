#include "io/yaml_doc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

/* ---- tree construction -------------------------------------------------- */

static const char *doc_name(mist_yaml_doc *doc, const char *name)
{
    char **names = realloc(doc->names, (doc->n_names + 1) * sizeof *names);
    if (!names)
        return NULL;
    doc->names = names;
    names[doc->n_names] = strdup(name);
    return names[doc->n_names] ? names[doc->n_names++] : NULL;
}

static mist_yaml_node *node_new(mist_yaml_kind kind, const char *file, const yaml_mark_t *mark)
{
    mist_yaml_node *n = calloc(1, sizeof *n);
    if (n) {
        n->kind = kind;
        n->file = file;
        n->line = (int)mark->line + 1;
        n->column = (int)mark->column + 1;
    }
    return n;
}

static void node_free(mist_yaml_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        if (n->keys)
            node_free(n->keys[i]);
        node_free(n->values[i]);
    }
    free(n->keys);
    free(n->values);
    free(n->scalar);
    free(n);
}

/* Append (key, value) to a mapping or value to a sequence (key == NULL). */
static int node_append(mist_yaml_node *parent, mist_yaml_node *key, mist_yaml_node *value)
{
    if (parent->n == parent->cap) {
        size_t cap = parent->cap ? 2 * parent->cap : 4;
        mist_yaml_node **v = realloc(parent->values, cap * sizeof *v);
        if (!v)
            return -1;
        parent->values = v;
        if (parent->kind == MIST_YAML_MAP) {
            mist_yaml_node **k = realloc(parent->keys, cap * sizeof *k);
            if (!k)
                return -1;
            parent->keys = k;
        }
        parent->cap = cap;
    }
    parent->values[parent->n] = value;
    if (parent->kind == MIST_YAML_MAP)
        parent->keys[parent->n] = key;
    parent->n++;
    return 0;
}

typedef struct builder {
    yaml_parser_t parser;
    const char *file;
    mist_error *err;
} builder;

static mist_status parse_node(builder *b, yaml_event_t *ev, mist_yaml_node **out);

static mist_status next_event(builder *b, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&b->parser, ev)) {
        const yaml_mark_t *m = &b->parser.problem_mark;
        return mist_error_set(b->err, MIST_ERR_INPUT, "%s:%d:%d: YAML syntax error: %s%s%s",
                              b->file, (int)m->line + 1, (int)m->column + 1,
                              b->parser.problem ? b->parser.problem : "unknown problem",
                              b->parser.context ? " " : "",
                              b->parser.context ? b->parser.context : "");
    }
    return MIST_OK;
}

static mist_status parse_children(builder *b, mist_yaml_node *parent, yaml_event_type_t end)
{
    for (;;) {
        yaml_event_t ev;
        mist_status st = next_event(b, &ev);
        if (st)
            return st;
        if (ev.type == end) {
            yaml_event_delete(&ev);
            return MIST_OK;
        }
        mist_yaml_node *key = NULL, *value = NULL;
        st = parse_node(b, &ev, parent->kind == MIST_YAML_MAP ? &key : &value);
        yaml_event_delete(&ev);
        if (st)
            return st;
        if (parent->kind == MIST_YAML_MAP) {
            if (key->kind != MIST_YAML_SCALAR) {
                st = mist_error_set(b->err, MIST_ERR_INPUT,
                                    "%s:%d:%d: mapping keys must be plain words", b->file,
                                    key->line, key->column);
                node_free(key);
                return st;
            }
            for (size_t i = 0; i < parent->n; i++) {
                if (strcmp(parent->keys[i]->scalar, key->scalar) == 0) {
                    st = mist_error_set(b->err, MIST_ERR_INPUT,
                                        "%s:%d:%d: duplicate key '%s' (first given at line %d)",
                                        b->file, key->line, key->column, key->scalar,
                                        parent->keys[i]->line);
                    node_free(key);
                    return st;
                }
            }
            st = next_event(b, &ev);
            if (!st) {
                st = parse_node(b, &ev, &value);
                yaml_event_delete(&ev);
            }
            if (st) {
                node_free(key);
                return st;
            }
        }
        if (node_append(parent, key, value)) {
            node_free(key);
            node_free(value);
            return mist_error_set(b->err, MIST_ERR_NOMEM, "out of memory reading %s", b->file);
        }
    }
}

static mist_status parse_node(builder *b, yaml_event_t *ev, mist_yaml_node **out)
{
    mist_yaml_node *n = NULL;
    mist_status st = MIST_OK;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        n = node_new(MIST_YAML_SCALAR, b->file, &ev->start_mark);
        if (!n || !(n->scalar = strdup((const char *)ev->data.scalar.value)))
            st = MIST_ERR_NOMEM;
        else
            n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        break;
    case YAML_SEQUENCE_START_EVENT:
        n = node_new(MIST_YAML_SEQ, b->file, &ev->start_mark);
        st = n ? parse_children(b, n, YAML_SEQUENCE_END_EVENT) : MIST_ERR_NOMEM;
        break;
    case YAML_MAPPING_START_EVENT:
        n = node_new(MIST_YAML_MAP, b->file, &ev->start_mark);
        st = n ? parse_children(b, n, YAML_MAPPING_END_EVENT) : MIST_ERR_NOMEM;
        break;
    case YAML_ALIAS_EVENT:
        return mist_error_set(b->err, MIST_ERR_INPUT,
                              "%s:%d:%d: YAML aliases (*name) are not supported in mist files",
                              b->file, (int)ev->start_mark.line + 1,
                              (int)ev->start_mark.column + 1);
    default:
        return mist_error_set(b->err, MIST_ERR_INTERNAL, "%s:%d:%d: unexpected YAML event",
                              b->file, (int)ev->start_mark.line + 1,
                              (int)ev->start_mark.column + 1);
    }
    if (st == MIST_ERR_NOMEM)
        mist_error_set(b->err, st, "out of memory reading %s", b->file);
    if (st) {
        node_free(n);
        return st;
    }
    *out = n;
    return MIST_OK;
}

/* Parse one YAML document from text into *root (NULL for an empty document). */
static mist_status parse_text(const char *text, size_t len, const char *file,
                              mist_yaml_node **root, mist_error *err)
{
    builder b = {.file = file, .err = err};
    *root = NULL;
    if (!yaml_parser_initialize(&b.parser))
        return mist_error_set(err, MIST_ERR_NOMEM, "cannot initialise the YAML parser");
    yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, len);
    mist_status st = MIST_OK;
    int docs = 0;
    for (;;) {
        yaml_event_t ev;
        if ((st = next_event(&b, &ev)))
            break;
        yaml_event_type_t t = ev.type;
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (t == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
            st = mist_error_set(err, MIST_ERR_INPUT,
                                "%s:%d:%d: more than one YAML document (---) in one file", file,
                                (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1);
            yaml_event_delete(&ev);
            break;
        }
        if (t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT ||
            t == YAML_MAPPING_START_EVENT || t == YAML_ALIAS_EVENT)
            st = parse_node(&b, &ev, root);
        yaml_event_delete(&ev);
        if (st)
            break;
    }
    yaml_parser_delete(&b.parser);
    if (st) {
        node_free(*root);
        *root = NULL;
    }
    return st;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    size_t n = (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, path, n);
        d[n] = '\0';
    }
    return d;
}

mist_status mist_yaml_load_string(const char *text, const char *name, const char *dir,
                                  mist_yaml_doc **out, mist_error *err)
{
    *out = NULL;
    mist_yaml_doc *doc = calloc(1, sizeof *doc);
    if (!doc)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    doc->path = strdup(name);
    doc->dir = strdup(dir ? dir : ".");
    doc->text = strdup(text);
    const char *file = doc_name(doc, name);
    if (!doc->path || !doc->dir || !doc->text || !file) {
        mist_yaml_free(doc);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    }
    mist_status st = parse_text(doc->text, strlen(doc->text), file, &doc->root, err);
    if (!st && !doc->root)
        st = mist_error_set(err, MIST_ERR_INPUT, "%s:1:1: the file is empty (expected a mapping of keys)", file);
    if (!st && doc->root->kind != MIST_YAML_MAP)
        st = mist_error_set(err, MIST_ERR_INPUT,
                            "%s:%d:%d: expected a mapping of 'key: value' lines at the top level",
                            file, doc->root->line, doc->root->column);
    if (st) {
        mist_yaml_free(doc);
        return st;
    }
    *out = doc;
    return MIST_OK;
}

mist_status mist_yaml_load_file(const char *path, mist_yaml_doc **out, mist_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return mist_error_set(err, MIST_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && !S_ISREG(sb.st_mode)) {
        fclose(f);
        return mist_error_set(err, MIST_ERR_INPUT, "%s: not a regular file", path);
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? 2 * cap : 8192;
            char *t = realloc(text, cap);
            if (!t) {
                free(text);
                fclose(f);
                return mist_error_set(err, MIST_ERR_NOMEM, "%s: out of memory", path);
            }
            text = t;
        }
        size_t got = fread(text + len, 1, 4096, f);
        len += got;
        if (got < 4096)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(text);
        return mist_error_set(err, MIST_ERR_INPUT, "%s: read error", path);
    }
    text[len] = '\0';
    if (strlen(text) != len) {
        free(text);
        return mist_error_set(err, MIST_ERR_INPUT, "%s: not a text file (holds NUL bytes)", path);
    }
    char *dir = dir_of(path);
    mist_status st = dir ? mist_yaml_load_string(text, path, dir, out, err)
                         : mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    free(dir);
    free(text);
    return st;
}

void mist_yaml_free(mist_yaml_doc *doc)
{
    if (!doc)
        return;
    node_free(doc->root);
    for (size_t i = 0; i < doc->n_names; i++)
        free(doc->names[i]);
    free(doc->names);
    free(doc->path);
    free(doc->dir);
    free(doc->text);
    free(doc);
}

/* ---- lookups and messages ------------------------------------------------ */

mist_yaml_node *mist_yaml_map_find(const mist_yaml_node *map, const char *key)
{
    if (!map || map->kind != MIST_YAML_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i]->scalar, key) == 0)
            return map->values[i];
    return NULL;
}

/* Value of key in a mapping node (NULL when absent or not a mapping). */
static mist_yaml_node *take(mist_yaml_node *map, const char *key)
{
    if (!map || map->kind != MIST_YAML_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++) {
        if (strcmp(map->keys[i]->scalar, key) == 0)
            return map->values[i];
    }
    return NULL;
}

const char *mist_yaml_join(char *buf, size_t size, const char *path, const char *key, long index)
{
    if (!path || !*path)
        snprintf(buf, size, "%s", key ? key : "");
    else if (key)
        snprintf(buf, size, "%s.%s", path, key);
    else
        snprintf(buf, size, "%s[%ld]", path, index);
    if (!key && (!path || !*path))
        snprintf(buf, size, "[%ld]", index);
    return buf;
}

mist_status mist_yaml_error_at(const mist_yaml_node *node, const char *path, mist_error *err,
                               const char *fmt, ...)
{
    char what[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (node)
        return mist_error_set(err, MIST_ERR_INPUT, "%s:%d:%d: %s: %s", node->file, node->line,
                              node->column, path, what);
    return mist_error_set(err, MIST_ERR_INPUT, "%s: %s", path, what);
}

/* Error for a missing required key, located at the enclosing mapping. */
static mist_status missing(const mist_yaml_node *map, const char *path, const char *key,
                           const char *expect, mist_error *err)
{
    char full[256];
    mist_yaml_join(full, sizeof full, path, key, 0);
    if (map)
        return mist_error_set(err, MIST_ERR_INPUT,
                              "%s:%d:%d: %s: required key is missing (expected %s)", map->file,
                              map->line, map->column, full, expect);
    return mist_error_set(err, MIST_ERR_INPUT, "%s: required key is missing (expected %s)",
                          full, expect);
}

static const char *kind_name(const mist_yaml_node *n)
{
    switch (n->kind) {
    case MIST_YAML_SCALAR: return "a value";
    case MIST_YAML_SEQ: return "a list";
    case MIST_YAML_MAP: return "a mapping";
    }
    return "?";
}

/* Fetch a scalar value; NULL with *st set when absent/wrong kind. */
static mist_yaml_node *take_scalar(mist_yaml_node *map, const char *path, const char *key,
                                   mist_yaml_need need, const char *expect, mist_status *st,
                                   mist_error *err)
{
    *st = MIST_OK;
    mist_yaml_node *v = take(map, key);
    char full[256];
    mist_yaml_join(full, sizeof full, path, key, 0);
    if (!v) {
        if (need == MIST_REQUIRED)
            *st = missing(map, path, key, expect, err);
        return NULL;
    }
    if (v->kind != MIST_YAML_SCALAR) {
        *st = mist_yaml_error_at(v, full, err, "expected %s, got %s", expect, kind_name(v));
        return NULL;
    }
    if (v->plain && (!strcmp(v->scalar, "") || !strcmp(v->scalar, "~") ||
                     !strcmp(v->scalar, "null") || !strcmp(v->scalar, "Null") ||
                     !strcmp(v->scalar, "NULL"))) {
        if (need == MIST_REQUIRED)
            *st = mist_yaml_error_at(v, full, err, "expected %s, got an empty value", expect);
        return NULL;
    }
    return v;
}

/* Parse a YAML number (decimal, with .inf/.nan spellings) into *x; 0 on success. */
static int parse_number(const char *s, double *x)
{
    static const char *const inf[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "inf"};
    static const char *const ninf[] = {"-.inf", "-.Inf", "-.INF", "-inf"};
    static const char *const nan_[] = {".nan", ".NaN", ".NAN", "nan", "NaN"};
    for (size_t i = 0; i < sizeof inf / sizeof *inf; i++)
        if (!strcmp(s, inf[i]))
            return *x = INFINITY, 0;
    for (size_t i = 0; i < sizeof ninf / sizeof *ninf; i++)
        if (!strcmp(s, ninf[i]))
            return *x = -INFINITY, 0;
    for (size_t i = 0; i < sizeof nan_ / sizeof *nan_; i++)
        if (!strcmp(s, nan_[i]))
            return *x = NAN, 0;
    if (!*s || isspace((unsigned char)*s))
        return -1;
    char *end;
    errno = 0;
    *x = strtod(s, &end);
    if (*end != '\0')
        return -1;
    /* strtod accepts hex floats, "infinity" and "nan(...)": only plain decimals here. */
    for (const char *p = s; *p; p++)
        if (!(isdigit((unsigned char)*p) || strchr("+-.eE", *p)))
            return -1;
    if (errno == ERANGE && fabs(*x) > 1.0)
        *x = *x > 0 ? INFINITY : -INFINITY;
    return 0;
}

static void range_text(char *buf, size_t size, mist_range r)
{
    int has_lo = r.lo > -1.0e307, has_hi = r.hi < 1.0e307;
    if (has_lo && has_hi)
        snprintf(buf, size, "a finite number in %s%g, %g%s", r.open_lo ? "(" : "[", r.lo, r.hi,
                 r.open_hi ? ")" : "]");
    else if (has_lo)
        snprintf(buf, size, "a finite number %s %g", r.open_lo ? ">" : ">=", r.lo);
    else if (has_hi)
        snprintf(buf, size, "a finite number %s %g", r.open_hi ? "<" : "<=", r.hi);
    else
        snprintf(buf, size, "a finite number");
}

static mist_status check_number(const mist_yaml_node *v, const char *full, mist_range range,
                                double *out, mist_error *err)
{
    char expect[128];
    range_text(expect, sizeof expect, range);
    double x;
    if (!v->plain || parse_number(v->scalar, &x))
        return mist_yaml_error_at(v, full, err, "expected %s, got '%s'", expect, v->scalar);
    if (!isfinite(x))
        return mist_yaml_error_at(v, full, err, "expected %s, got non-finite '%s'", expect,
                                  v->scalar);
    if (x < range.lo || x > range.hi || (range.open_lo && x == range.lo) ||
        (range.open_hi && x == range.hi))
        return mist_yaml_error_at(v, full, err, "expected %s, got %s (out of range)", expect,
                                  v->scalar);
    *out = x;
    return MIST_OK;
}

mist_status mist_yaml_get_double(mist_yaml_node *map, const char *path, const char *key,
                                 mist_yaml_need need, double def, mist_range range,
                                 double *out, mist_error *err)
{
    char expect[128], full[256];
    range_text(expect, sizeof expect, range);
    mist_status st;
    mist_yaml_node *v = take_scalar(map, path, key, need, expect, &st, err);
    if (!v) {
        if (!st)
            *out = def;
        return st;
    }
    return check_number(v, mist_yaml_join(full, sizeof full, path, key, 0), range, out, err);
}

/* Parse a decimal integer (optional sign); 0 on success. */
static int parse_integer(const char *s, int allow_sign, long long *sign_out,
                         unsigned long long *mag)
{
    const char *p = s;
    long long sign = 1;
    if (*p == '+' || *p == '-') {
        if (!allow_sign && *p == '-')
            return -1;
        sign = *p == '-' ? -1 : 1;
        p++;
    }
    if (!isdigit((unsigned char)*p))
        return -1;
    char *end;
    errno = 0;
    unsigned long long m = strtoull(p, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return -1;
    *sign_out = sign;
    *mag = m;
    return 0;
}

/* Read key as a plain decimal integer: 1 with its sign and magnitude, 0 when
 * absent (*st says whether that is an error) or malformed (*st set). */
static int take_integer(mist_yaml_node *map, const char *path, const char *key,
                        mist_yaml_need need, const char *expect, int allow_sign,
                        long long *sign, unsigned long long *mag, mist_yaml_node **node,
                        mist_status *st, mist_error *err)
{
    char full[256];
    mist_yaml_node *v = take_scalar(map, path, key, need, expect, st, err);
    if (!v)
        return 0;
    if (!v->plain || parse_integer(v->scalar, allow_sign, sign, mag)) {
        *st = mist_yaml_error_at(v, mist_yaml_join(full, sizeof full, path, key, 0), err,
                                 "expected %s, got '%s'", expect, v->scalar);
        return 0;
    }
    *node = v;
    return 1;
}

mist_status mist_yaml_get_int(mist_yaml_node *map, const char *path, const char *key,
                              mist_yaml_need need, long def, long lo, long hi, long *out,
                              mist_error *err)
{
    char expect[128], full[256];
    snprintf(expect, sizeof expect, "an integer in [%ld, %ld]", lo, hi);
    mist_status st;
    long long sign;
    unsigned long long mag;
    mist_yaml_node *v;
    if (!take_integer(map, path, key, need, expect, 1, &sign, &mag, &v, &st, err)) {
        if (!st)
            *out = def;
        return st;
    }
    long long x = sign * (long long)mag;
    if (mag > 0x7fffffffffffffffull || x < lo || x > hi)
        return mist_yaml_error_at(v, mist_yaml_join(full, sizeof full, path, key, 0), err,
                                  "expected %s, got %s (out of range)", expect, v->scalar);
    *out = (long)x;
    return MIST_OK;
}

mist_status mist_yaml_get_uint64(mist_yaml_node *map, const char *path, const char *key,
                                 mist_yaml_need need, uint64_t def, uint64_t *out,
                                 mist_error *err)
{
    mist_status st;
    long long sign;
    unsigned long long mag;
    mist_yaml_node *v;
    if (!take_integer(map, path, key, need, "a non-negative integer below 2^64", 0, &sign, &mag,
                      &v, &st, err)) {
        if (!st)
            *out = def;
        return st;
    }
    *out = (uint64_t)mag;
    return MIST_OK;
}

mist_status mist_yaml_get_bool(mist_yaml_node *map, const char *path, const char *key,
                               mist_yaml_need need, int def, int *out, mist_error *err)
{
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "on", "On"};
    static const char *const no[] = {"false", "False", "FALSE", "no", "No", "off", "Off"};
    const char *expect = "true or false";
    char full[256];
    mist_status st;
    mist_yaml_node *v = take_scalar(map, path, key, need, expect, &st, err);
    if (!v) {
        if (!st)
            *out = def;
        return st;
    }
    for (size_t i = 0; v->plain && i < sizeof yes / sizeof *yes; i++) {
        if (!strcmp(v->scalar, yes[i]))
            return *out = 1, MIST_OK;
        if (!strcmp(v->scalar, no[i]))
            return *out = 0, MIST_OK;
    }
    return mist_yaml_error_at(v, mist_yaml_join(full, sizeof full, path, key, 0), err,
                              "expected %s, got '%s'", expect, v->scalar);
}

mist_status mist_yaml_get_string(mist_yaml_node *map, const char *path, const char *key,
                                 mist_yaml_need need, const char *def, const char **out,
                                 mist_error *err)
{
    mist_status st;
    mist_yaml_node *v = take_scalar(map, path, key, need, "a text value", &st, err);
    if (!v) {
        if (!st)
            *out = def;
        return st;
    }
    *out = v->scalar;
    return MIST_OK;
}

/* The candidate closest to word by edit distance, if close enough to suggest. */
static const char *closest(const char *word, const char *const *candidates)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; candidates && candidates[i]; i++) {
        size_t d = mist_edit_distance(word, candidates[i]);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    size_t len = strlen(word);
    size_t limit = len < 4 ? 1 : (len < 8 ? 2 : 3);
    return (best && best_d <= limit) ? best : NULL;
}

static void list_words(char *buf, size_t size, const char *const *words)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; words && words[i] && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", words[i]);
}

mist_status mist_yaml_get_choice(mist_yaml_node *map, const char *path, const char *key,
                                 mist_yaml_need need, int def, const char *const *choices,
                                 int *out, mist_error *err)
{
    char list[512], expect[560], full[256];
    list_words(list, sizeof list, choices);
    snprintf(expect, sizeof expect, "one of: %s", list);
    mist_status st;
    mist_yaml_node *v = take_scalar(map, path, key, need, expect, &st, err);
    if (!v) {
        if (!st)
            *out = def;
        return st;
    }
    for (int i = 0; choices[i]; i++)
        if (!strcmp(v->scalar, choices[i]))
            return *out = i, MIST_OK;
    const char *near = closest(v->scalar, choices);
    mist_yaml_join(full, sizeof full, path, key, 0);
    if (near)
        return mist_yaml_error_at(v, full, err, "unknown value '%s' (did you mean '%s'?); %s",
                                  v->scalar, near, expect);
    return mist_yaml_error_at(v, full, err, "unknown value '%s'; expected %s", v->scalar, expect);
}

mist_status mist_yaml_get_vec(mist_yaml_node *map, const char *path, const char *key,
                              mist_yaml_need need, size_t n, const double *def,
                              mist_range range, double *out, mist_error *err)
{
    char expect[160], full[256], item[280];
    snprintf(expect, sizeof expect, "a list of %zu numbers", n);
    mist_yaml_join(full, sizeof full, path, key, 0);
    mist_yaml_node *v = take(map, key);
    if (!v) {
        if (need == MIST_REQUIRED)
            return missing(map, path, key, expect, err);
        for (size_t i = 0; i < n; i++)
            out[i] = def ? def[i] : 0.0;
        return MIST_OK;
    }
    if (v->kind != MIST_YAML_SEQ || v->n != n)
        return mist_yaml_error_at(v, full, err, "expected %s, got %s%s", expect,
                                  v->kind == MIST_YAML_SEQ ? "a list of a different length"
                                                           : kind_name(v),
                                  "");
    for (size_t i = 0; i < n; i++) {
        mist_yaml_node *x = v->values[i];
        mist_yaml_join(item, sizeof item, full, NULL, (long)i);
        if (x->kind != MIST_YAML_SCALAR)
            return mist_yaml_error_at(x, item, err, "expected a number, got %s", kind_name(x));
        mist_status st = check_number(x, item, range, &out[i], err);
        if (st)
            return st;
    }
    return MIST_OK;
}

mist_status mist_yaml_get_file(mist_yaml_node *map, const char *path, const char *key,
                               mist_yaml_need need, const char *base_dir, char **out,
                               mist_error *err)
{
    const char *rel;
    char full[256];
    *out = NULL;
    mist_status st;
    mist_yaml_node *s = take_scalar(map, path, key, need, "a file path", &st, err);
    if (!s)
        return st;
    rel = s->scalar;
    mist_yaml_join(full, sizeof full, path, key, 0);
    size_t need_len = strlen(rel) + (base_dir ? strlen(base_dir) : 0) + 2;
    char *p = malloc(need_len);
    if (!p)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    if (rel[0] == '/' || !base_dir || !*base_dir)
        snprintf(p, need_len, "%s", rel);
    else
        snprintf(p, need_len, "%s/%s", base_dir, rel);
    struct stat sb;
    FILE *f = NULL;
    if (stat(p, &sb) != 0) {
        st = mist_yaml_error_at(s, full, err, "file '%s' not found (looked for %s)", rel, p);
    } else if (!S_ISREG(sb.st_mode)) {
        st = mist_yaml_error_at(s, full, err, "'%s' is not a regular file", p);
    } else if (!(f = fopen(p, "rb"))) {
        st = mist_yaml_error_at(s, full, err, "cannot read '%s': %s", p, strerror(errno));
    }
    if (f)
        fclose(f);
    if (st) {
        free(p);
        return st;
    }
    *out = p;
    return MIST_OK;
}

static mist_status get_container(mist_yaml_node *map, const char *path, const char *key,
                                 mist_yaml_need need, mist_yaml_kind kind, mist_yaml_node **out,
                                 mist_error *err)
{
    const char *expect = kind == MIST_YAML_MAP ? "a mapping of keys" : "a list";
    char full[256];
    *out = NULL;
    mist_yaml_node *v = take(map, key);
    if (!v)
        return need == MIST_REQUIRED ? missing(map, path, key, expect, err) : MIST_OK;
    if (v->kind != kind) {
        if (need == MIST_OPTIONAL && v->kind == MIST_YAML_SCALAR && v->plain &&
            (!strcmp(v->scalar, "") || !strcmp(v->scalar, "~") || !strcmp(v->scalar, "null")))
            return MIST_OK;
        return mist_yaml_error_at(v, mist_yaml_join(full, sizeof full, path, key, 0), err,
                                  "expected %s, got %s", expect, kind_name(v));
    }
    *out = v;
    return MIST_OK;
}

mist_status mist_yaml_get_map(mist_yaml_node *map, const char *path, const char *key,
                              mist_yaml_need need, mist_yaml_node **out, mist_error *err)
{
    return get_container(map, path, key, need, MIST_YAML_MAP, out, err);
}

mist_status mist_yaml_get_seq(mist_yaml_node *map, const char *path, const char *key,
                              mist_yaml_need need, mist_yaml_node **out, mist_error *err)
{
    return get_container(map, path, key, need, MIST_YAML_SEQ, out, err);
}

mist_status mist_yaml_check_unknown(const mist_yaml_node *map, const char *path,
                                    const char *const *allowed, mist_error *err)
{
    if (!map || map->kind != MIST_YAML_MAP)
        return MIST_OK;
    for (size_t i = 0; i < map->n; i++) {
        int known = 0;
        for (size_t j = 0; allowed && allowed[j] && !known; j++)
            known = !strcmp(map->keys[i]->scalar, allowed[j]);
        if (known)
            continue;
        const mist_yaml_node *k = map->keys[i];
        char full[256], list[512];
        mist_yaml_join(full, sizeof full, path, k->scalar, 0);
        list_words(list, sizeof list, allowed);
        const char *near = closest(k->scalar, allowed);
        if (near)
            return mist_yaml_error_at(k, full, err,
                                      "unknown key (did you mean '%s'?); expected one of: %s",
                                      near, list);
        return mist_yaml_error_at(k, full, err, "unknown key; expected one of: %s", list);
    }
    return MIST_OK;
}

size_t mist_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (lb > 63)
        lb = 63;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* ---- overrides ----------------------------------------------------------- */

mist_status mist_yaml_override(mist_yaml_doc *doc, const char *assignment, mist_error *err)
{
    char label[512];
    snprintf(label, sizeof label, "--set %s", assignment);
    const char *name = doc_name(doc, label);
    if (!name)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return mist_error_set(err, MIST_ERR_INPUT,
                              "%s:1:1: expected KEY=VALUE with a dotted key path, e.g. "
                              "--set tracer.uptake_time_h=4",
                              name);
    size_t key_len = (size_t)(eq - assignment);
    const char *value_text = eq + 1;
    /* Parse the value as a one-line YAML document: "v: <value>". */
    mist_yaml_node *parsed = NULL;
    size_t wrap_len = strlen(value_text) + 4;
    char *wrapped = malloc(wrap_len);
    if (!wrapped)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    snprintf(wrapped, wrap_len, "v: %s", value_text);
    mist_status st = parse_text(wrapped, strlen(wrapped), name, &parsed, err);
    free(wrapped);
    if (st) {
        /* Columns in the wrapped text are offset by "v: " vs the value's place. */
        return st;
    }
    mist_yaml_node *value = parsed->values[0];
    parsed->values[0] = NULL;
    node_free(parsed->keys[0]);
    parsed->keys[0] = NULL;
    parsed->n = 0;
    node_free(parsed);
    /* Shift positions so that the column points into "KEY=VALUE". */
    value->column = value->column - 3 + (int)key_len + 1;

    /* Walk the dotted path, creating mappings as needed. */
    mist_yaml_node *cur = doc->root;
    char key[256];
    size_t pos = 0;
    while (pos < key_len) {
        size_t end = pos;
        while (end < key_len && assignment[end] != '.')
            end++;
        size_t klen = end - pos;
        if (klen == 0 || klen >= sizeof key) {
            node_free(value);
            return mist_error_set(err, MIST_ERR_INPUT, "%s:1:%zu: empty or overlong key in the path",
                                  name, pos + 1);
        }
        memcpy(key, assignment + pos, klen);
        key[klen] = '\0';
        int last = end >= key_len;
        yaml_mark_t mark = {.index = 0, .line = 0, .column = pos};
        if (cur->kind == MIST_YAML_SEQ) {
            char *endp;
            unsigned long idx = strtoul(key, &endp, 10);
            if (*endp || idx >= cur->n) {
                node_free(value);
                return mist_error_set(err, MIST_ERR_INPUT,
                                      "%s:1:%zu: '%s' is a list of %zu items: expected an index "
                                      "0..%zu, got '%s'",
                                      name, pos + 1, key, cur->n, cur->n ? cur->n - 1 : 0, key);
            }
            if (last) {
                node_free(cur->values[idx]);
                cur->values[idx] = value;
                return MIST_OK;
            }
            cur = cur->values[idx];
        } else if (cur->kind == MIST_YAML_MAP) {
            size_t i;
            for (i = 0; i < cur->n; i++)
                if (!strcmp(cur->keys[i]->scalar, key))
                    break;
            if (i == cur->n) {
                mist_yaml_node *k = node_new(MIST_YAML_SCALAR, name, &mark);
                mist_yaml_node *v = last ? value : node_new(MIST_YAML_MAP, name, &mark);
                if (!k || !v || !(k->scalar = strdup(key)) || node_append(cur, k, v)) {
                    node_free(k);
                    if (v != value)
                        node_free(v);
                    node_free(value);
                    return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
                }
                if (last)
                    return MIST_OK;
                cur = v;
            } else if (last) {
                node_free(cur->values[i]);
                cur->values[i] = value;
                return MIST_OK;
            } else {
                cur = cur->values[i];
            }
        } else {
            node_free(value);
            return mist_error_set(err, MIST_ERR_INPUT,
                                  "%s:1:%zu: '%.*s' is a single value, it has no key '%s'", name,
                                  pos + 1, (int)(pos ? pos - 1 : 0), assignment, key);
        }
        pos = end + 1;
    }
    node_free(value);
    return MIST_OK;
}
