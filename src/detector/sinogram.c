#include "detector/sinogram.h"

#include <math.h>
#include <stdlib.h>

#define MIST_PI 3.14159265358979323846

/* Segment number (0, +1, -1, ...) of ring difference delta, or INT32_MIN. */
static int32_t segment_of(const mist_sino_geom *g, int32_t delta)
{
    int32_t half = (int32_t)(g->span - 1) / 2, span = (int32_t)g->span;
    if ((uint32_t)abs(delta) > g->max_ring_difference)
        return INT32_MIN;
    int32_t mag = (abs(delta) + half) / span;
    return delta < 0 ? -mag : mag;
}

mist_status mist_sino_init(mist_sino_geom *g, uint32_t n_crystals, uint32_t n_rings,
                           uint32_t n_radial, uint32_t span, uint32_t max_ring_difference,
                           double radius_mm, mist_error *err)
{
    *g = (mist_sino_geom){0};
    if (n_crystals < 4 || n_crystals % 2 || n_rings < 1 || n_radial < 2 || n_radial % 2 ||
        n_radial > n_crystals || span % 2 == 0 || max_ring_difference >= n_rings ||
        max_ring_difference < (span - 1) / 2 || !(radius_mm > 0))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "sinogram: need an even number of crystals per ring, an even radial "
                              "bin count up to it, an odd span, and (span-1)/2 <= maximum ring "
                              "difference < rings (got %u crystals, %u rings, %u radial, span %u, "
                              "MRD %u)",
                              n_crystals, n_rings, n_radial, span, max_ring_difference);
    g->n_crystals = n_crystals;
    g->n_rings = n_rings;
    g->n_views = n_crystals / 2;
    g->n_radial = n_radial;
    g->span = span;
    g->max_ring_difference = max_ring_difference;
    g->radius_mm = radius_mm;
    g->n_tof = 1;
    int32_t n_pos = (int32_t)(max_ring_difference + (span - 1) / 2) / (int32_t)span;
    g->n_segments = 2 * (uint32_t)n_pos + 1;
    g->plane_of = malloc((size_t)n_rings * n_rings * sizeof *g->plane_of);
    g->cos_t = malloc(n_crystals * sizeof *g->cos_t);
    g->sin_t = malloc(n_crystals * sizeof *g->sin_t);
    size_t max_planes = (size_t)n_rings * n_rings;
    g->segment_of_plane = malloc(max_planes * sizeof *g->segment_of_plane);
    if (!g->plane_of || !g->cos_t || !g->sin_t || !g->segment_of_plane) {
        mist_sino_free(g);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the sinogram tables");
    }
    for (uint32_t i = 0; i < n_crystals; i++) {
        g->cos_t[i] = cos(2.0 * MIST_PI * i / n_crystals);
        g->sin_t[i] = sin(2.0 * MIST_PI * i / n_crystals);
    }
    for (size_t i = 0; i < (size_t)n_rings * n_rings; i++)
        g->plane_of[i] = -1;
    /* Segments in the order 0, +1, -1, +2, -2, ... */
    uint32_t offset = 0;
    for (int32_t order = 0; order < (int32_t)g->n_segments; order++) {
        int32_t seg = order == 0 ? 0 : ((order + 1) / 2) * (order % 2 ? 1 : -1);
        int32_t min_abs = seg == 0 ? 0 : abs(seg) * (int32_t)span - (int32_t)(span - 1) / 2;
        uint32_t planes = 0;
        for (uint32_t r1 = 0; r1 < n_rings; r1++) {
            for (uint32_t r2 = 0; r2 < n_rings; r2++) {
                int32_t delta = (int32_t)r2 - (int32_t)r1;
                if (segment_of(g, delta) != seg)
                    continue;
                uint32_t local = span == 1 ? (r1 < r2 ? r1 : r2)
                                           : (uint32_t)((int32_t)(r1 + r2) - min_abs);
                g->plane_of[r1 * n_rings + r2] = (int32_t)(offset + local);
                if (local + 1 > planes)
                    planes = local + 1;
            }
        }
        for (uint32_t p = 0; p < planes; p++)
            g->segment_of_plane[offset + p] = seg;
        offset += planes;
    }
    g->n_planes = offset;
    return MIST_OK;
}

void mist_sino_free(mist_sino_geom *g)
{
    free(g->plane_of);
    free(g->segment_of_plane);
    free(g->cos_t);
    free(g->sin_t);
    *g = (mist_sino_geom){0};
}

/* mist_sino_lor, also saying whether ca is the first crystal along the LOR. */
static int lor_of(const mist_sino_geom *g, uint32_t ca, uint32_t cb, uint32_t *view, int32_t *rho,
                  int32_t *delta, uint32_t *plane, int *a_first)
{
    uint32_t n = g->n_crystals;
    uint32_t a = ca % n, b = cb % n, ra = ca / n, rb = cb / n;
    *a_first = 1; /* same angle: no order (the LOR is not in the sinogram) */
    if (a == b)
        return -1;
    uint32_t k = (a + b) % n;
    int32_t sign = a + b >= n ? -1 : 1;
    int32_t u = abs((int32_t)b - (int32_t)a);
    int32_t r = sign * ((int32_t)(n / 2) - u);
    /* Order the pair along the LOR direction t = (-sin phi, cos phi):
     * p . t = R sin(theta - phi). */
    double phi = MIST_PI * k / n, cp = cos(phi), sp = sin(phi);
    double ta = g->sin_t[a] * cp - g->cos_t[a] * sp, tb = g->sin_t[b] * cp - g->cos_t[b] * sp;
    int32_t d = tb > ta ? (int32_t)rb - (int32_t)ra : (int32_t)ra - (int32_t)rb;
    uint32_t first = tb > ta ? ra : rb, second = tb > ta ? rb : ra;
    *a_first = tb > ta;
    *view = k / 2;
    *rho = r;
    *delta = d;
    int32_t j = r + (int32_t)g->n_radial / 2;
    if (j < 0 || j >= (int32_t)g->n_radial)
        return -1;
    int32_t p = g->plane_of[first * g->n_rings + second];
    if (p < 0)
        return -1;
    *plane = (uint32_t)p;
    return 0;
}

int mist_sino_lor(const mist_sino_geom *g, uint32_t ca, uint32_t cb, uint32_t *view, int32_t *rho,
                  int32_t *delta, uint32_t *plane)
{
    int a_first;
    return lor_of(g, ca, cb, view, rho, delta, plane, &a_first);
}

int64_t mist_sino_bin(const mist_sino_geom *g, uint32_t ca, uint32_t cb)
{
    uint32_t view, plane;
    int32_t rho, delta;
    int a_first;
    if (lor_of(g, ca, cb, &view, &rho, &delta, &plane, &a_first))
        return -1;
    return ((int64_t)plane * g->n_views + view) * g->n_radial + (rho + (int32_t)g->n_radial / 2);
}

void mist_sino_set_tof(mist_sino_geom *g, uint32_t n_tof, double tof_bin_s)
{
    g->n_tof = n_tof > 1 ? n_tof : 1;
    g->tof_bin_s = n_tof > 1 ? tof_bin_s : 0.0;
}

uint32_t mist_sino_tof_index(const mist_sino_geom *g, double tau_s)
{
    if (g->n_tof <= 1)
        return 0;
    double k = floor(tau_s / g->tof_bin_s + 0.5 * g->n_tof);
    if (!(k >= 0.0)) /* also NaN */
        return 0;
    return k >= (double)g->n_tof ? g->n_tof - 1 : (uint32_t)k;
}

int64_t mist_sino_bin_tof(const mist_sino_geom *g, uint32_t ca, uint32_t cb, double dt_s,
                          double *tau_s)
{
    uint32_t view, plane;
    int32_t rho, delta;
    int a_first;
    int out = lor_of(g, ca, cb, &view, &rho, &delta, &plane, &a_first);
    /* tau = t(first along the LOR) - t(second); dt_s = t(cb) - t(ca). */
    double tau = a_first ? -dt_s : dt_s;
    if (tau_s)
        *tau_s = tau;
    if (out)
        return -1;
    int64_t tof = mist_sino_tof_index(g, tau);
    return ((tof * g->n_planes + plane) * g->n_views + view) * g->n_radial +
           (rho + (int32_t)g->n_radial / 2);
}

int mist_sino_a_first(const mist_sino_geom *g, uint32_t ca, uint32_t cb)
{
    uint32_t n = g->n_crystals, a = ca % n, b = cb % n;
    if (a == b)
        return 1;
    double phi = MIST_PI * ((a + b) % n) / n, cp = cos(phi), sp = sin(phi);
    double ta = g->sin_t[a] * cp - g->cos_t[a] * sp, tb = g->sin_t[b] * cp - g->cos_t[b] * sp;
    return tb > ta;
}
