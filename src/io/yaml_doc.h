/*
 * yaml_doc.h - YAML documents as a tree that remembers where every node came
 * from, and typed, range-checked readers that turn bad input into one
 * sentence: "file:line:column: key.path: expected ..., got ...".
 *
 * Every mist input file (study, phantom, tracer, scanner, material list) is
 * read through this module: load the file with mist_yaml_load_file(), check
 * each mapping's keys with mist_yaml_check_unknown() (a misspelled key is an
 * error with a "did you mean" suggestion, never silently ignored), then read
 * its values with the typed mist_yaml_get_* readers.
 *
 * Built on libyaml (Debian libyaml-dev): its parser events carry line and
 * column marks, which is all this module needs.  Anchors and aliases are
 * rejected (input files have no use for them).
 */
#ifndef MIST_IO_YAML_DOC_H
#define MIST_IO_YAML_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

typedef enum mist_yaml_kind { MIST_YAML_SCALAR, MIST_YAML_SEQ, MIST_YAML_MAP } mist_yaml_kind;

typedef struct mist_yaml_node mist_yaml_node;
struct mist_yaml_node {
    mist_yaml_kind kind;
    const char *file; /**< source name used in messages (file path, or "--set ...") */
    int line, column; /**< 1-based position of the node's start */
    char *scalar;     /**< scalar text (kind == SCALAR), NUL-terminated */
    int plain;        /**< scalar was unquoted (so "null", "~", numbers are parsed) */
    size_t n;         /**< number of items (SEQ) or key/value pairs (MAP) */
    size_t cap;
    mist_yaml_node **keys;   /**< MAP: scalar key nodes, [n] */
    mist_yaml_node **values; /**< MAP: values; SEQ: items, [n] */
};

typedef struct mist_yaml_doc {
    char *path;           /**< path the document was read from (or its name) */
    char *dir;            /**< directory of path, for resolving relative file references */
    char *text;           /**< the whole source text */
    mist_yaml_node *root; /**< the document's root node (a mapping for mist files) */
    char **names;         /**< source names owned by the document (file, overrides) */
    size_t n_names;
} mist_yaml_doc;

/* Parse a file.  Errors: unreadable file (MIST_ERR_INPUT, naming the path),
 * YAML syntax (file:line:column and libyaml's problem), duplicate keys, non-mapping root. */
mist_status mist_yaml_load_file(const char *path, mist_yaml_doc **out, mist_error *err);

/* Parse text held in memory; name is used in messages, dir to resolve file references. */
mist_status mist_yaml_load_string(const char *text, const char *name, const char *dir,
                                  mist_yaml_doc **out, mist_error *err);

void mist_yaml_free(mist_yaml_doc *doc);

/* Apply an override "a.b.c=value" (the value is YAML: a scalar, [list] or {map}).
 * Missing intermediate mappings are created; a numeric path element indexes a
 * sequence.  Messages about the new value name "--set a.b.c=value" as the file. */
mist_status mist_yaml_override(mist_yaml_doc *doc, const char *assignment, mist_error *err);

/* Value of key in a mapping, or NULL. */
mist_yaml_node *mist_yaml_map_find(const mist_yaml_node *map, const char *key);

/* --- Typed readers -------------------------------------------------------
 * `map` is a mapping node (NULL means "absent": the optional default applies),
 * `path` is its dotted path ("" at the root) for messages.  A reader checks
 * the type and range and writes *out.  If the key is
 * absent: required -> error naming the key; otherwise *out = default.       */

typedef enum mist_yaml_need { MIST_OPTIONAL = 0, MIST_REQUIRED = 1 } mist_yaml_need;

/* Number range [lo, hi]; open_lo / open_hi make a bound exclusive.
 * Non-finite values (.nan, .inf) are always rejected. */
typedef struct mist_range {
    double lo, hi;
    int open_lo, open_hi;
} mist_range;

#define MIST_ANY_FINITE ((mist_range){-1.0e308, 1.0e308, 0, 0})
#define MIST_POSITIVE ((mist_range){0.0, 1.0e308, 1, 0})
#define MIST_NONNEGATIVE ((mist_range){0.0, 1.0e308, 0, 0})

mist_status mist_yaml_get_double(mist_yaml_node *map, const char *path, const char *key,
                                 mist_yaml_need need, double def, mist_range range,
                                 double *out, mist_error *err);
mist_status mist_yaml_get_int(mist_yaml_node *map, const char *path, const char *key,
                              mist_yaml_need need, long def, long lo, long hi, long *out,
                              mist_error *err);
mist_status mist_yaml_get_uint64(mist_yaml_node *map, const char *path, const char *key,
                                 mist_yaml_need need, uint64_t def, uint64_t *out,
                                 mist_error *err);
mist_status mist_yaml_get_bool(mist_yaml_node *map, const char *path, const char *key,
                               mist_yaml_need need, int def, int *out, mist_error *err);
/* String: *out points into the document (valid while it lives); def may be NULL. */
mist_status mist_yaml_get_string(mist_yaml_node *map, const char *path, const char *key,
                                 mist_yaml_need need, const char *def, const char **out,
                                 mist_error *err);
/* One of a fixed set of words; *out is the index into choices (NULL-terminated). */
mist_status mist_yaml_get_choice(mist_yaml_node *map, const char *path, const char *key,
                                 mist_yaml_need need, int def, const char *const *choices,
                                 int *out, mist_error *err);
/* A list of exactly n finite numbers, each within range, e.g. center_mm: [0, 20, 0]. */
mist_status mist_yaml_get_vec(mist_yaml_node *map, const char *path, const char *key,
                              mist_yaml_need need, size_t n, const double *def,
                              mist_range range, double *out, mist_error *err);
/* A file reference, resolved relative to base_dir (the referring file's directory)
 * unless absolute, and checked to be a readable regular file.  *out is malloc'd. */
mist_status mist_yaml_get_file(mist_yaml_node *map, const char *path, const char *key,
                               mist_yaml_need need, const char *base_dir, char **out,
                               mist_error *err);
/* A nested mapping (*out = NULL when optional and absent) or a sequence. */
mist_status mist_yaml_get_map(mist_yaml_node *map, const char *path, const char *key,
                              mist_yaml_need need, mist_yaml_node **out, mist_error *err);
mist_status mist_yaml_get_seq(mist_yaml_node *map, const char *path, const char *key,
                              mist_yaml_need need, mist_yaml_node **out, mist_error *err);

/* Any key of the mapping that is not in `allowed` (NULL-terminated) is an error
 * "file:line:col: path.key: unknown key (did you mean 'x'?); expected one of: ...".
 * Call it before reading the mapping, so that a misspelled required key is
 * reported as the typo it is rather than as a missing key. */
mist_status mist_yaml_check_unknown(const mist_yaml_node *map, const char *path,
                                    const char *const *allowed, mist_error *err);

/* Report an error located at node: "file:line:col: path: <message>". */
mist_status mist_yaml_error_at(const mist_yaml_node *node, const char *path, mist_error *err,
                               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Join a dotted path: writes "path.key" (or "key" at the root, or "path[i]" for
 * i >= 0 when key is NULL) into buf. */
const char *mist_yaml_join(char *buf, size_t size, const char *path, const char *key, long index);

/* Levenshtein distance, for "did you mean" suggestions. */
size_t mist_edit_distance(const char *a, const char *b);

#endif
