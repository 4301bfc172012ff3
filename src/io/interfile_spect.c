#include "io/interfile_spect.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* float32 in little-endian byte order, whatever the host's. */
static void put_le32(unsigned char *b, float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    b[0] = (unsigned char)(u & 0xFFu);
    b[1] = (unsigned char)((u >> 8) & 0xFFu);
    b[2] = (unsigned char)((u >> 16) & 0xFFu);
    b[3] = (unsigned char)((u >> 24) & 0xFFu);
}

mist_status mist_interfile_spect_write(const char *prefix, const mist_spect_sim *ss,
                                       mist_tallies *t, int window, mist_error *err)
{
    const mist_spect_camera *c = ss->cam;
    char data_path[4096], header_path[4096];
    snprintf(data_path, sizeof data_path, "%s.s", prefix);
    snprintf(header_path, sizeof header_path, "%s.hs", prefix);
    const char *base = strrchr(data_path, '/');
    base = base ? base + 1 : data_path;

    size_t plane = (size_t)c->n_rows * c->n_cols, n = (size_t)ss->orbit.n_views * plane;
    unsigned char *buf = malloc(n * 4);
    if (!buf)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for Interfile data");
    const uint64_t *proj = mist_tally_data(t, ss->id_proj) + (size_t)window * n;
    for (size_t i = 0; i < n; i++)
        put_le32(buf + 4 * i, (float)mist_spect_value(ss, proj[i]));
    FILE *f = fopen(data_path, "wb");
    int ok = f && fwrite(buf, 4, n, f) == n;
    ok = (f && fclose(f) == 0) && ok;
    free(buf);
    if (!ok)
        return mist_error_set(err, MIST_ERR_IO, "%s: cannot write (%s)", data_path,
                              strerror(errno));

    f = fopen(header_path, "w");
    if (!f)
        return mist_error_set(err, MIST_ERR_IO, "%s: cannot write (%s)", header_path,
                              strerror(errno));
    const mist_energy_window *w = &ss->win[window];
    /* Circular: one radius; body contour: one per view, as STIR reads it ("Radius := {...}"). */
    size_t cap = 64 + 16 * (size_t)ss->orbit.n_views, used = 0;
    char *orbit = malloc(cap);
    if (!orbit) {
        fclose(f);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    }
    if (!ss->orbit.contour) {
        snprintf(orbit, cap, "orbit := Circular\nRadius := %.4f\n", ss->orbit.radius_mm);
    } else {
        used = (size_t)snprintf(orbit, cap, "orbit := Non-circular\nRadius := {");
        for (uint32_t v = 0; v < ss->orbit.n_views; v++)
            used += (size_t)snprintf(orbit + used, cap - used, "%s%.4f", v ? ", " : "",
                                     ss->radius_view_mm[v]);
        snprintf(orbit + used, cap - used, "}\n");
    }
    fprintf(f,
            "!INTERFILE  :=\n"
            "; written by mist: SPECT projections of camera %s, energy window %s\n"
            "; mist convention: view k looks from angle start + k x extent / n about z,\n"
            "; counter-clockwise from +x toward +y; columns along (-sin, cos, 0), rows along +z\n"
            "!imaging modality := nucmed\n"
            "!version of keys := 3.3\n"
            "name of data file := %s\n"
            "!GENERAL DATA :=\n"
            "!GENERAL IMAGE DATA :=\n"
            "!type of data := Tomographic\n"
            "imagedata byte order := LITTLEENDIAN\n"
            "number of energy windows := 1\n"
            "energy window lower level[1] := %.4f\n"
            "energy window upper level[1] := %.4f\n"
            "!SPECT STUDY (General) :=\n"
            "!number format := float\n"
            "!number of bytes per pixel := 4\n"
            "!number of projections := %u\n"
            "!extent of rotation := %g\n"
            "process status := acquired\n"
            "!SPECT STUDY (acquired data) :=\n"
            "!direction of rotation := CCW\n"
            "start angle := 0\n"
            "%s"
            "!matrix size [1] := %u\n"
            "!scaling factor (mm/pixel) [1] := %.6f\n"
            "!matrix size [2] := %u\n"
            "!scaling factor (mm/pixel) [2] := %.6f\n"
            "!END OF INTERFILE :=\n",
            c->name, w->name, base, w->lo_keV, w->hi_keV, ss->orbit.n_views, ss->orbit.orbit_deg,
            orbit, c->n_cols, c->pixel_mm, c->n_rows, c->pixel_mm);
    free(orbit);
    if (fclose(f) != 0)
        return mist_error_set(err, MIST_ERR_IO, "%s: cannot write", header_path);
    return MIST_OK;
}
