/* YAML reader: typed getters, positions in messages, unknown keys, overrides. */
#include <criterion/criterion.h>
#include <string.h>

#include "io/yaml_doc.h"

static mist_yaml_doc *load(const char *text)
{
    mist_yaml_doc *doc = NULL;
    mist_error err;
    mist_status st = mist_yaml_load_string(text, "t.yaml", ".", &doc, &err);
    cr_assert_eq(st, MIST_OK, "%s", err.msg);
    return doc;
}

Test(yaml_doc, typed_values)
{
    mist_yaml_doc *doc = load("a: 1.5\nb: 7\nc: yes\nd: hello\ne: [1, 2, 3]\nf: {g: 2}\n");
    mist_error err;
    double a;
    long b;
    int c;
    const char *d;
    double e[3];
    mist_yaml_node *f;
    cr_assert_eq(mist_yaml_get_double(doc->root, "", "a", MIST_REQUIRED, 0, MIST_POSITIVE, &a, &err), MIST_OK);
    cr_expect_float_eq(a, 1.5, 1e-15);
    cr_assert_eq(mist_yaml_get_int(doc->root, "", "b", MIST_REQUIRED, 0, 0, 10, &b, &err), MIST_OK);
    cr_expect_eq(b, 7);
    cr_assert_eq(mist_yaml_get_bool(doc->root, "", "c", MIST_REQUIRED, 0, &c, &err), MIST_OK);
    cr_expect_eq(c, 1);
    cr_assert_eq(mist_yaml_get_string(doc->root, "", "d", MIST_REQUIRED, NULL, &d, &err), MIST_OK);
    cr_expect_str_eq(d, "hello");
    cr_assert_eq(mist_yaml_get_vec(doc->root, "", "e", MIST_REQUIRED, 3, NULL, MIST_ANY_FINITE, e, &err), MIST_OK);
    cr_expect_float_eq(e[2], 3.0, 0);
    cr_assert_eq(mist_yaml_get_map(doc->root, "", "f", MIST_REQUIRED, &f, &err), MIST_OK);
    double g, h;
    cr_assert_eq(mist_yaml_get_double(f, "f", "g", MIST_REQUIRED, 0, MIST_POSITIVE, &g, &err), MIST_OK);
    cr_assert_eq(mist_yaml_get_double(f, "f", "h", MIST_OPTIONAL, 9.0, MIST_POSITIVE, &h, &err), MIST_OK);
    cr_expect_float_eq(h, 9.0, 0);
    const char *const top[] = {"a", "b", "c", "d", "e", "f", NULL};
    cr_expect_eq(mist_yaml_check_unknown(doc->root, "", top, &err), MIST_OK);
    mist_yaml_free(doc);
}

Test(yaml_doc, wrong_type_names_position_and_key)
{
    mist_yaml_doc *doc = load("x:\n  y: abc\n");
    mist_error err;
    mist_yaml_node *x;
    double y;
    cr_assert_eq(mist_yaml_get_map(doc->root, "", "x", MIST_REQUIRED, &x, &err), MIST_OK);
    cr_assert_eq(mist_yaml_get_double(x, "x", "y", MIST_REQUIRED, 0, MIST_POSITIVE, &y, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "t.yaml:2:6: x.y: expected a finite number > 0, got 'abc'") != NULL, "%s", err.msg);
    mist_yaml_free(doc);
}

Test(yaml_doc, non_finite_and_range)
{
    mist_yaml_doc *doc = load("a: .nan\nb: .inf\nc: -1\nd: 1e999\ne: '5'\n");
    mist_error err;
    double v;
    cr_expect_eq(mist_yaml_get_double(doc->root, "", "a", MIST_REQUIRED, 0, MIST_ANY_FINITE, &v, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "non-finite") != NULL, "%s", err.msg);
    cr_expect_eq(mist_yaml_get_double(doc->root, "", "b", MIST_REQUIRED, 0, MIST_ANY_FINITE, &v, &err), MIST_ERR_INPUT);
    cr_expect_eq(mist_yaml_get_double(doc->root, "", "c", MIST_REQUIRED, 0, MIST_POSITIVE, &v, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "t.yaml:3:4: c:") != NULL && strstr(err.msg, "out of range"), "%s", err.msg);
    cr_expect_eq(mist_yaml_get_double(doc->root, "", "d", MIST_REQUIRED, 0, MIST_ANY_FINITE, &v, &err), MIST_ERR_INPUT);
    /* A quoted '5' is text, not a number. */
    cr_expect_eq(mist_yaml_get_double(doc->root, "", "e", MIST_REQUIRED, 0, MIST_ANY_FINITE, &v, &err), MIST_ERR_INPUT);
    mist_yaml_free(doc);
}

Test(yaml_doc, integers)
{
    mist_yaml_doc *doc = load("a: 2.5\nb: 99999999999999999999999\nc: 18446744073709551615\nd: -3\n");
    mist_error err;
    long l;
    uint64_t u;
    cr_expect_eq(mist_yaml_get_int(doc->root, "", "a", MIST_REQUIRED, 0, 0, 10, &l, &err), MIST_ERR_INPUT);
    cr_expect_eq(mist_yaml_get_int(doc->root, "", "b", MIST_REQUIRED, 0, 0, 10, &l, &err), MIST_ERR_INPUT);
    cr_expect_eq(mist_yaml_get_uint64(doc->root, "", "c", MIST_REQUIRED, 0, &u, &err), MIST_OK);
    cr_expect_eq(u, UINT64_MAX);
    cr_expect_eq(mist_yaml_get_uint64(doc->root, "", "d", MIST_REQUIRED, 0, &u, &err), MIST_ERR_INPUT);
    cr_expect_eq(mist_yaml_get_int(doc->root, "", "d", MIST_REQUIRED, 0, -5, 5, &l, &err), MIST_OK);
    cr_expect_eq(l, -3);
    mist_yaml_free(doc);
}

Test(yaml_doc, missing_required_key)
{
    mist_yaml_doc *doc = load("sub:\n  a: 1\n");
    mist_error err;
    mist_yaml_node *sub;
    double v;
    cr_assert_eq(mist_yaml_get_map(doc->root, "", "sub", MIST_REQUIRED, &sub, &err), MIST_OK);
    cr_expect_eq(mist_yaml_get_double(sub, "sub", "b", MIST_REQUIRED, 0, MIST_POSITIVE, &v, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "t.yaml:2:3: sub.b: required key is missing") != NULL, "%s", err.msg);
    mist_yaml_free(doc);
}

Test(yaml_doc, unknown_key_suggests)
{
    mist_yaml_doc *doc = load("nmae: x\n");
    mist_error err;
    const char *const allowed[] = {"name", "seed", NULL};
    const char *s;
    cr_assert_eq(mist_yaml_get_string(doc->root, "", "name", MIST_OPTIONAL, "d", &s, &err), MIST_OK);
    cr_expect_eq(mist_yaml_check_unknown(doc->root, "", allowed, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "t.yaml:1:1: nmae: unknown key (did you mean 'name'?)") != NULL, "%s", err.msg);
    mist_yaml_free(doc);
}

Test(yaml_doc, syntax_error_and_duplicates)
{
    mist_yaml_doc *doc = NULL;
    mist_error err;
    cr_expect_eq(mist_yaml_load_string("a: [1, 2\nb: 3\n", "s.yaml", ".", &doc, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "s.yaml:") == err.msg && strstr(err.msg, "YAML syntax error"), "%s", err.msg);
    cr_expect_eq(mist_yaml_load_string("a: 1\na: 2\n", "s.yaml", ".", &doc, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "s.yaml:2:1: duplicate key 'a'") != NULL, "%s", err.msg);
    cr_expect_eq(mist_yaml_load_string("- 1\n", "s.yaml", ".", &doc, &err), MIST_ERR_INPUT);
    cr_expect_eq(mist_yaml_load_string("", "s.yaml", ".", &doc, &err), MIST_ERR_INPUT);
    cr_expect_eq(mist_yaml_load_string("a: &x 1\nb: *x\n", "s.yaml", ".", &doc, &err), MIST_ERR_INPUT);
    cr_expect_null(doc);
}

Test(yaml_doc, missing_file)
{
    mist_yaml_doc *doc = NULL;
    mist_error err;
    cr_expect_eq(mist_yaml_load_file("/nonexistent/x.yaml", &doc, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "/nonexistent/x.yaml: cannot open") != NULL, "%s", err.msg);
}

Test(yaml_doc, file_reference_resolved_and_checked)
{
    mist_yaml_doc *doc = NULL;
    mist_error err;
    cr_assert_eq(mist_yaml_load_string("p: test_yaml_doc.c\nq: nothere.yaml\n", "x.yaml",
                                       MIST_TEST_DATA_DIR "/../unit", &doc, &err), MIST_OK);
    char *p = NULL;
    cr_expect_eq(mist_yaml_get_file(doc->root, "", "p", MIST_REQUIRED, doc->dir, &p, &err), MIST_OK, "%s", err.msg);
    cr_expect(p && strstr(p, "/unit/test_yaml_doc.c"));
    free(p);
    cr_expect_eq(mist_yaml_get_file(doc->root, "", "q", MIST_REQUIRED, doc->dir, &p, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "x.yaml:2:4: q: file 'nothere.yaml' not found") != NULL, "%s", err.msg);
    mist_yaml_free(doc);
}

Test(yaml_doc, overrides)
{
    mist_yaml_doc *doc = load("a:\n  b: 1\nl: [{d: 1}, {d: 2}]\n");
    mist_error err;
    cr_assert_eq(mist_yaml_override(doc, "a.b=2.5", &err), MIST_OK, "%s", err.msg);
    cr_assert_eq(mist_yaml_override(doc, "a.c=[1,2]", &err), MIST_OK, "%s", err.msg);
    cr_assert_eq(mist_yaml_override(doc, "l.1.d=7", &err), MIST_OK, "%s", err.msg);
    cr_assert_eq(mist_yaml_override(doc, "new.key=x", &err), MIST_OK, "%s", err.msg);
    cr_expect_eq(mist_yaml_override(doc, "l.5.d=7", &err), MIST_ERR_INPUT);
    cr_expect_eq(mist_yaml_override(doc, "noequals", &err), MIST_ERR_INPUT);
    cr_expect_eq(mist_yaml_override(doc, "a.b.c=1", &err), MIST_ERR_INPUT);
    mist_yaml_node *a = mist_yaml_map_find(doc->root, "a");
    double b;
    cr_assert_eq(mist_yaml_get_double(a, "a", "b", MIST_REQUIRED, 0, MIST_POSITIVE, &b, &err), MIST_OK);
    cr_expect_float_eq(b, 2.5, 0);
    cr_expect_eq(mist_yaml_map_find(a, "c")->kind, MIST_YAML_SEQ);
    mist_yaml_node *l = mist_yaml_map_find(doc->root, "l");
    cr_expect_str_eq(mist_yaml_map_find(l->values[1], "d")->scalar, "7");
    /* A bad override value is reported against the --set argument. */
    cr_assert_eq(mist_yaml_override(doc, "seed=abc", &err), MIST_OK);
    uint64_t s;
    cr_expect_eq(mist_yaml_get_uint64(doc->root, "", "seed", MIST_REQUIRED, 0, &s, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "--set seed=abc:1:6: seed: expected a non-negative integer") != NULL, "%s", err.msg);
    mist_yaml_free(doc);
}

Test(yaml_doc, edit_distance)
{
    cr_expect_eq(mist_edit_distance("kitten", "sitting"), 3);
    cr_expect_eq(mist_edit_distance("", "abc"), 3);
    cr_expect_eq(mist_edit_distance("same", "same"), 0);
}
