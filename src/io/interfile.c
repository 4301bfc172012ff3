#include "io/interfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ring differences of segment seg (mist's numbering). */
static void segment_range(const mist_sino_geom *g, int32_t seg, int32_t *lo, int32_t *hi)
{
    int32_t half = (int32_t)(g->span - 1) / 2, span = (int32_t)g->span;
    int32_t mrd = (int32_t)g->max_ring_difference;
    int32_t a = seg == 0 ? -half : (seg > 0 ? seg * span - half : -(-seg * span + half));
    int32_t b = seg == 0 ? half : (seg > 0 ? seg * span + half : -(-seg * span - half));
    if (b > mrd)
        b = mrd;
    if (a < -mrd)
        a = -mrd;
    *lo = a;
    *hi = b;
}

/* Write the list "{ a,b,c }" of one value per segment (in file order). */
static void segment_list(FILE *f, const char *key, const mist_sino_geom *g, int what)
{
    fprintf(f, "%s := {", key);
    uint32_t p = 0;
    for (uint32_t s = 0; s < g->n_segments; s++) {
        int32_t seg = g->segment_of_plane[p], lo, hi;
        uint32_t n = 0;
        while (p < g->n_planes && g->segment_of_plane[p] == seg) {
            p++;
            n++;
        }
        segment_range(g, seg, &lo, &hi);
        fprintf(f, "%s%d", s ? "," : " ", what == 0 ? (int)n : what == 1 ? lo : hi);
    }
    fprintf(f, " }\n");
}

mist_status mist_interfile_write_pet(const char *prefix, const mist_sino_geom *g, double pitch_mm,
                                     const float *sino, const char *description, mist_error *err)
{
    size_t len = strlen(prefix) + 8;
    char *hs = malloc(len), *ds = malloc(len);
    if (!hs || !ds) {
        free(hs);
        free(ds);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    }
    snprintf(hs, len, "%s.hs", prefix);
    snprintf(ds, len, "%s.s", prefix);
    mist_status st = MIST_OK;
    size_t n = (size_t)g->n_planes * g->n_views * g->n_radial;
    FILE *f = fopen(ds, "wb");
    if (!f || fwrite(sino, sizeof *sino, n, f) != n)
        st = mist_error_set(err, MIST_ERR_IO, "cannot write %s", ds);
    if (f && fclose(f) && !st)
        st = mist_error_set(err, MIST_ERR_IO, "cannot write %s", ds);
    f = st ? NULL : fopen(hs, "w");
    if (!st && !f)
        st = mist_error_set(err, MIST_ERR_IO, "cannot write %s", hs);
    if (!st) {
        const char *base = strrchr(ds, '/') ? strrchr(ds, '/') + 1 : ds;
        fprintf(f, "!INTERFILE  :=\n");
        fprintf(f, "; %s, written by mist (conventions: src/io/interfile.h)\n", description);
        fprintf(f, "!imaging modality := PT\n");
        fprintf(f, "name of data file := %s\n", base);
        fprintf(f, "originating system := mist\n");
        fprintf(f, "!version of keys := STIR4.0\n");
        fprintf(f, "!GENERAL DATA :=\n!GENERAL IMAGE DATA :=\n!type of data := PET\n");
        fprintf(f, "imagedata byte order := LITTLEENDIAN\n");
        fprintf(f, "!PET STUDY (General) :=\n!PET data type := Emission\n");
        fprintf(f, "applied corrections := {None}\n");
        fprintf(f, "!number format := float\n!number of bytes per pixel := 4\n");
        fprintf(f, "number of dimensions := 4\n");
        fprintf(f, "matrix axis label [4] := segment\n!matrix size [4] := %u\n", g->n_segments);
        fprintf(f, "matrix axis label [3] := axial coordinate\n");
        segment_list(f, "!matrix size [3]", g, 0);
        fprintf(f, "matrix axis label [2] := view\n!matrix size [2] := %u\n", g->n_views);
        fprintf(f, "matrix axis label [1] := tangential coordinate\n!matrix size [1] := %u\n",
                g->n_radial);
        segment_list(f, "minimum ring difference per segment", g, 1);
        segment_list(f, "maximum ring difference per segment", g, 2);
        fprintf(f, "Scanner parameters :=\nScanner type := unknown\n");
        fprintf(f, "Number of rings := %u\n", g->n_rings);
        fprintf(f, "Number of detectors per ring := %u\n", g->n_crystals);
        fprintf(f, "Inner ring diameter (cm) := %.4f\n", 2.0 * g->radius_mm / 10.0);
        fprintf(f, "Average depth of interaction (cm) := 0\n");
        fprintf(f, "Distance between rings (cm) := %.4f\n", pitch_mm / 10.0);
        fprintf(f, "Default bin size (cm) := %.4f\n",
                3.14159265358979323846 * g->radius_mm / g->n_crystals / 10.0);
        fprintf(f, "View offset (degrees) := 0\n");
        fprintf(f, "Maximum number of non-arc-corrected bins := %u\n", g->n_radial);
        fprintf(f, "end scanner parameters :=\n");
        fprintf(f, "effective central bin size (cm) := %.4f\n",
                3.14159265358979323846 * g->radius_mm / g->n_crystals / 10.0);
        fprintf(f, "number of time frames := 1\n");
        fprintf(f, "!END OF INTERFILE :=\n");
        if (ferror(f))
            st = mist_error_set(err, MIST_ERR_IO, "cannot write %s", hs);
    }
    if (f && fclose(f) && !st)
        st = mist_error_set(err, MIST_ERR_IO, "cannot write %s", hs);
    free(hs);
    free(ds);
    return st;
}
