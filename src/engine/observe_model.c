#include "engine/observe_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/scene.h"

mist_status mist_observe_bg_activity(mist_study *study, const mist_img_geom *g, float **x,
                                     double *total_Bq, mist_error *err)
{
    *x = NULL;
    size_t n_les = study->n_lesions;
    char comp[sizeof study->acquisition.component];
    memcpy(comp, study->acquisition.component, sizeof comp);
    study->n_lesions = 0;
    study->acquisition.component[0] = '\0';
    mist_scene sc;
    memset(&sc, 0, sizeof sc);
    mist_status st = mist_scene_build_source(&sc, study, err);
    study->n_lesions = n_les;
    memcpy(study->acquisition.component, comp, sizeof comp);
    size_t nv = mist_img_count(g);
    float *out = st ? NULL : calloc(nv ? nv : 1, sizeof *out);
    if (!st && !out)
        st = mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the background activity");
    if (st) {
        mist_scene_free(&sc);
        return st;
    }
    const mist_phantom *ph = sc.phantom;
    int m[3];
    double step[3];
    for (int k = 0; k < 3; k++) {
        m[k] = (int)ceil(2.0 * ph->voxel_mm[k] / g->voxel_mm[k] - 1e-9);
        m[k] = m[k] < 1 ? 1 : m[k];
        step[k] = ph->voxel_mm[k] / m[k];
    }
    double share = 1.0 / ((double)m[0] * m[1] * m[2]);
    double voxel_mm3 = (double)g->voxel_mm[0] * g->voxel_mm[1] * g->voxel_mm[2];
    const float *a = sc.source.activity_Bq;
    double *acc = calloc(nv ? nv : 1, sizeof *acc);
    if (!acc) {
        free(out);
        mist_scene_free(&sc);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the background activity");
    }
    size_t i = 0;
    for (size_t z = 0; z < ph->n[2]; z++)
        for (size_t y = 0; y < ph->n[1]; y++)
            for (size_t xx = 0; xx < ph->n[0]; xx++, i++) {
                if (!(a[i] > 0))
                    continue;
                const size_t p[3] = {xx, y, z};
                double q = a[i] * share;
                long lo[3][8];
                for (int k = 0; k < 3; k++)
                    for (int s = 0; s < m[k] && s < 8; s++) {
                        double c = ph->origin_mm[k] + p[k] * ph->voxel_mm[k] -
                                   0.5 * ph->voxel_mm[k] + (s + 0.5) * step[k];
                        long r = lround((c - g->origin_mm[k]) / g->voxel_mm[k]);
                        lo[k][s] = r >= 0 && r < g->n[k] ? r : -1;
                    }
                for (int sz = 0; sz < m[2] && sz < 8; sz++)
                    for (int sy = 0; sy < m[1] && sy < 8; sy++)
                        for (int sx = 0; sx < m[0] && sx < 8; sx++) {
                            if (lo[0][sx] < 0 || lo[1][sy] < 0 || lo[2][sz] < 0)
                                continue;
                            acc[((size_t)lo[2][sz] * g->n[1] + (size_t)lo[1][sy]) * g->n[0] +
                                (size_t)lo[0][sx]] += q;
                        }
            }
    for (size_t v = 0; v < nv; v++)
        out[v] = (float)(acc[v] / voxel_mm3);
    *total_Bq = sc.source.total_Bq;
    free(acc);
    mist_scene_free(&sc);
    *x = out;
    return MIST_OK;
}

/* Two passes of a moving mean of 2 h + 1 samples along a line of n samples, stride apart
 * (windows cut at the ends); tmp holds n doubles. */
static void smooth_line(float *v, size_t n, size_t stride, int h, double *tmp, double *cum)
{
    if (h <= 0 || n < 2)
        return;
    for (int pass = 0; pass < 2; pass++) {
        cum[0] = 0.0;
        for (size_t i = 0; i < n; i++)
            cum[i + 1] = cum[i] + (double)v[i * stride];
        for (size_t i = 0; i < n; i++) {
            size_t a = i >= (size_t)h ? i - (size_t)h : 0;
            size_t b = i + (size_t)h + 1 < n ? i + (size_t)h + 1 : n;
            tmp[i] = (cum[b] - cum[a]) / (double)(b - a);
        }
        for (size_t i = 0; i < n; i++)
            v[i * stride] = (float)tmp[i];
    }
}

mist_status mist_sino_smooth(const mist_sino_geom *g, size_t n_tof, float *data,
                             const int hw[3], mist_error *err)
{
    size_t nr = g->n_radial, nvw = g->n_views, np = g->n_planes;
    size_t plane = nr * nvw, nb = plane * np;
    size_t longest = nr > nvw ? nr : nvw;
    longest = longest > np ? longest : np;
    double *tmp = malloc((longest + 1) * sizeof *tmp), *cum = malloc((longest + 2) * sizeof *cum);
    if (!tmp || !cum) {
        free(tmp);
        free(cum);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the sinogram smoothing");
    }
    double before = 0.0, after = 0.0;
    for (size_t i = 0; i < n_tof * nb; i++)
        before += data[i];
    for (size_t t = 0; t < n_tof; t++) {
        float *d = data + t * nb;
        for (size_t p = 0; p < np; p++)
            for (size_t v = 0; v < nvw; v++)
                smooth_line(d + p * plane + v * nr, nr, 1, hw[0], tmp, cum);
        for (size_t p = 0; p < np; p++)
            for (size_t r = 0; r < nr; r++)
                smooth_line(d + p * plane + r, nvw, nr, hw[1], tmp, cum);
        /* The planes of one segment are contiguous (detector/sinogram.h). */
        for (size_t p0 = 0; p0 < np;) {
            size_t p1 = p0 + 1;
            while (p1 < np && g->segment_of_plane[p1] == g->segment_of_plane[p0])
                p1++;
            for (size_t k = 0; k < plane; k++)
                smooth_line(d + p0 * plane + k, p1 - p0, plane, hw[2], tmp, cum);
            p0 = p1;
        }
    }
    for (size_t i = 0; i < n_tof * nb; i++)
        after += data[i];
    if (after > 0.0) {
        double f = before / after;
        for (size_t i = 0; i < n_tof * nb; i++)
            data[i] = (float)(data[i] * f);
    }
    free(tmp);
    free(cum);
    return MIST_OK;
}
