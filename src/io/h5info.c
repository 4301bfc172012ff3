/* mist info: describe a result file (root attributes, groups, datasets). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5out.h"

typedef struct info_ctx {
    FILE *out;
    int json;
    int first;
    const char *indent; /* text mode: prefix of attribute lines */
    int skip_units;     /* the units attribute is shown in the dataset line */
} info_ctx;

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c == '\t')
            fputs("\\t", out);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

/* Read a string attribute (fixed or variable length) into a malloc'd buffer. */
static char *attr_string(hid_t attr, hid_t type)
{
    char *s = NULL;
    hid_t mem = H5Tcopy(H5T_C_S1);
    H5Tset_cset(mem, H5Tget_cset(type));
    if (H5Tis_variable_str(type) > 0) {
        char *v = NULL;
        H5Tset_size(mem, H5T_VARIABLE);
        if (H5Aread(attr, mem, &v) >= 0 && v) {
            s = malloc(strlen(v) + 1);
            if (s)
                strcpy(s, v);
            H5free_memory(v);
        }
    } else {
        size_t n = H5Tget_size(type);
        H5Tset_size(mem, n + 1);
        s = calloc(n + 2, 1);
        if (s && H5Aread(attr, mem, s) < 0) {
            free(s);
            s = NULL;
        }
    }
    H5Tclose(mem);
    return s;
}

/* Print one attribute's value: text mode short, JSON mode complete. */
static void print_attr_value(info_ctx *c, hid_t attr, const char *name)
{
    hid_t type = H5Aget_type(attr), space = H5Aget_space(attr);
    hssize_t n = H5Sget_simple_extent_npoints(space);
    H5T_class_t cls = H5Tget_class(type);
    if (cls == H5T_STRING) {
        char *s = attr_string(attr, type);
        if (c->json) {
            json_string(c->out, s ? s : "");
        } else if (s && strchr(s, '\n')) {
            int lines = 0;
            for (char *p = s; *p; p++)
                lines += *p == '\n';
            fprintf(c->out, "(%d lines of text; `mist info --json` prints it)", lines);
        } else {
            fprintf(c->out, "%s", s ? s : "");
        }
        free(s);
    } else if ((cls == H5T_INTEGER || cls == H5T_FLOAT) && n > 0 && n < 1000000) {
        double *v = malloc((size_t)n * sizeof *v);
        int is_int = cls == H5T_INTEGER;
        long long *iv = malloc((size_t)n * sizeof *iv);
        if (v && iv &&
            H5Aread(attr, is_int ? H5T_NATIVE_LLONG : H5T_NATIVE_DOUBLE, is_int ? (void *)iv : (void *)v) >= 0) {
            if (n > 1)
                fputc('[', c->out);
            for (hssize_t i = 0; i < n; i++) {
                if (is_int)
                    fprintf(c->out, "%s%lld", i ? ", " : "", iv[i]);
                else
                    fprintf(c->out, c->json ? "%s%.17g" : "%s%.10g", i ? ", " : "", v[i]);
            }
            if (n > 1)
                fputc(']', c->out);
        } else {
            fputs(c->json ? "null" : "?", c->out);
        }
        free(v);
        free(iv);
    } else {
        fputs(c->json ? "null" : "(unprintable)", c->out);
    }
    (void)name;
    H5Sclose(space);
    H5Tclose(type);
}

static herr_t print_attr(hid_t loc, const char *name, const H5A_info_t *ainfo, void *data)
{
    info_ctx *c = data;
    if (c->skip_units && !strcmp(name, "units"))
        return 0;
    hid_t attr = H5Aopen(loc, name, H5P_DEFAULT);
    if (attr < 0)
        return 0;
    if (c->json) {
        fprintf(c->out, "%s%s", c->first ? "" : ", ", c->indent);
        json_string(c->out, name);
        fputs(": ", c->out);
    } else {
        fprintf(c->out, "%s%-24s ", c->indent, name);
    }
    c->first = 0;
    print_attr_value(c, attr, name);
    if (!c->json)
        fputc('\n', c->out);
    H5Aclose(attr);
    (void)ainfo;
    return 0;
}

/* Attributes of a group or dataset: indented lines, or a JSON "attributes" member. */
static void print_object_attrs(info_ctx *c, hid_t obj)
{
    info_ctx a = {.out = c->out, .json = c->json, .first = 1, .indent = c->json ? "" : "      ",
                  .skip_units = 1};
    if (c->json)
        fputs(", \"attributes\": {", c->out);
    H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, NULL, print_attr, &a);
    if (c->json)
        fputc('}', c->out);
}

static const char *type_name(hid_t type)
{
    H5T_class_t cls = H5Tget_class(type);
    size_t size = H5Tget_size(type);
    if (cls == H5T_INTEGER) {
        int sgn = H5Tget_sign(type) == H5T_SGN_2;
        switch (size) {
        case 1: return sgn ? "int8" : "uint8";
        case 2: return sgn ? "int16" : "uint16";
        case 4: return sgn ? "int32" : "uint32";
        case 8: return sgn ? "int64" : "uint64";
        }
    }
    if (cls == H5T_FLOAT)
        return size == 4 ? "float32" : "float64";
    if (cls == H5T_COMPOUND)
        return "table";
    if (cls == H5T_STRING)
        return "string";
    return "other";
}

static herr_t visit(hid_t root, const char *name, const H5L_info_t *linfo, void *data)
{
    info_ctx *c = data;
    hid_t obj = H5Oopen(root, name, H5P_DEFAULT);
    if (obj < 0)
        return 0;
    H5I_type_t kind = H5Iget_type(obj);
    if (kind == H5I_GROUP) {
        if (c->json) {
            fprintf(c->out, "%s\n    {\"path\": ", c->first ? "" : ",");
            char p[1024];
            snprintf(p, sizeof p, "/%s", name);
            json_string(c->out, p);
            fputs(", \"kind\": \"group\"", c->out);
            print_object_attrs(c, obj);
            fputc('}', c->out);
        } else {
            fprintf(c->out, "  /%s/\n", name);
            print_object_attrs(c, obj);
        }
        c->first = 0;
    } else if (kind == H5I_DATASET) {
        hid_t type = H5Dget_type(obj), space = H5Dget_space(obj);
        hsize_t dims[32];
        int nd = H5Sget_simple_extent_dims(space, dims, NULL);
        char units[64] = "";
        if (H5Aexists(obj, "units") > 0) {
            hid_t a = H5Aopen(obj, "units", H5P_DEFAULT);
            hid_t at = H5Aget_type(a);
            char *s = attr_string(a, at);
            if (s)
                snprintf(units, sizeof units, "%s", s);
            free(s);
            H5Tclose(at);
            H5Aclose(a);
        }
        if (c->json) {
            char p[1024];
            snprintf(p, sizeof p, "/%s", name);
            fprintf(c->out, "%s\n    {\"path\": ", c->first ? "" : ",");
            json_string(c->out, p);
            fprintf(c->out, ", \"kind\": \"dataset\", \"dtype\": \"%s\", \"shape\": [", type_name(type));
            for (int i = 0; i < nd; i++)
                fprintf(c->out, "%s%llu", i ? ", " : "", (unsigned long long)dims[i]);
            fputs("], \"units\": ", c->out);
            json_string(c->out, units);
            print_object_attrs(c, obj);
            fputc('}', c->out);
        } else {
            char shape[256] = "";
            size_t used = 0;
            for (int i = 0; i < nd && used < sizeof shape; i++)
                used += (size_t)snprintf(shape + used, sizeof shape - used, "%s%llu", i ? " x " : "",
                                         (unsigned long long)dims[i]);
            if (nd == 0)
                snprintf(shape, sizeof shape, "scalar");
            fprintf(c->out, "  /%-40s %-8s [%s]  %s\n", name, type_name(type), shape, units);
            print_object_attrs(c, obj);
        }
        c->first = 0;
        H5Sclose(space);
        H5Tclose(type);
    }
    H5Oclose(obj);
    (void)linfo;
    return 0;
}

mist_status mist_h5_info(const char *path, int json, FILE *out, mist_error *err)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (H5Fis_hdf5(path) <= 0)
        return mist_error_set(err, MIST_ERR_INPUT, "%s: not an HDF5 file (or not readable)", path);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return mist_error_set(err, MIST_ERR_INPUT, "%s: cannot open the HDF5 file", path);
    info_ctx c = {.out = out, .json = json, .first = 1, .indent = json ? "\n    " : "  "};
    if (json) {
        fputs("{\n  \"file\": ", out);
        json_string(out, path);
        fputs(",\n  \"attributes\": {", out);
    } else {
        fprintf(out, "%s\nroot attributes:\n", path);
    }
    H5Aiterate2(f, H5_INDEX_NAME, H5_ITER_INC, NULL, print_attr, &c);
    if (json)
        fputs("\n  },\n  \"objects\": [", out);
    else
        fputs("contents:\n", out);
    c.first = 1;
    H5Lvisit(f, H5_INDEX_NAME, H5_ITER_INC, visit, &c);
    fputs(json ? "\n  ]\n}\n" : "", out);
    H5Fclose(f);
    return MIST_OK;
}
