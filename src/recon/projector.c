#include "recon/projector.h"

#include <math.h>
#include <string.h>

typedef mist_joseph_ray joseph_ray;

/* Narrow [*lo, *hi] (plane indices) to where c + i k lies in (-1, n). */
static void clip_axis(double c, double k, int n, double *lo, double *hi)
{
    if (k == 0.0) {
        if (!(c > -1.0 && c < n))
            *hi = -INFINITY;
        return;
    }
    double e1 = (-1.0 - c) / k, e2 = (n - c) / k;
    if (e1 > e2) {
        double t = e1;
        e1 = e2;
        e2 = t;
    }
    if (e1 > *lo)
        *lo = e1;
    if (e2 < *hi)
        *hi = e2;
}

/* 1 if all four taps of plane i lie inside the image. */
static inline int interior(const joseph_ray *r, int i)
{
    double ua = r->ca + i * r->ka, ub = r->cb + i * r->kb;
    return ua >= 0.0 && ua < r->na - 1 && ub >= 0.0 && ub < r->nb - 1;
}

/* The interior run [j0, j1] of planes whose taps are all inside (where 0 <= u < n - 1 along
 * a and b; a contiguous run, the ray being straight); j0 > j1 when there is none. */
static void interior_run(joseph_ray *r)
{
    double lo = r->i0, hi = r->i1;
    clip_axis(r->ca - 1.0, r->ka, r->na - 2, &lo, &hi); /* u - 1 in (-1, n - 2): u in (0, n-1), */
    clip_axis(r->cb - 1.0, r->kb, r->nb - 2, &lo, &hi); /* trimmed exactly below */
    int j0 = r->i0, j1 = r->i0 - 1;
    if (lo <= hi) {
        j0 = (int)ceil(lo);
        j1 = (int)floor(hi);
        while (j0 <= j1 && !interior(r, j0))
            j0++;
        while (j1 >= j0 && !interior(r, j1))
            j1--;
    }
    if (j0 > j1) { /* no interior run: every plane is an edge plane */
        j0 = r->i1 + 1;
        j1 = r->i1;
    }
    r->j0 = j0;
    r->j1 = j1;
}

/* Set up ray p1 -> p2; returns 0 when it samples no voxel. */
static int ray_setup(const mist_img_geom *g, const float p1[3], const float p2[3], joseph_ray *r)
{
    double u1[3], du[3], len2 = 0.0;
    for (int k = 0; k < 3; k++) {
        double delta = (double)p2[k] - (double)p1[k];
        u1[k] = ((double)p1[k] - g->origin_mm[k]) / g->voxel_mm[k];
        du[k] = delta / g->voxel_mm[k];
        len2 += delta * delta;
    }
    int d = 0;
    for (int k = 1; k < 3; k++)
        if (fabs(du[k]) > fabs(du[d]))
            d = k;
    if (du[d] == 0.0)
        return 0;
    int a = (d + 1) % 3, b = (d + 2) % 3;
    const size_t stride[3] = {1, (size_t)g->n[0], (size_t)g->n[0] * (size_t)g->n[1]};
    r->sd = stride[d];
    r->sa = stride[a];
    r->sb = stride[b];
    r->na = g->n[a];
    r->nb = g->n[b];
    r->ka = du[a] / du[d];
    r->kb = du[b] / du[d];
    r->ca = u1[a] - u1[d] * r->ka;
    r->cb = u1[b] - u1[d] * r->kb;
    r->w = (float)(sqrt(len2) / fabs(du[d]));
    r->t0 = -u1[d] / du[d];
    r->dt = 1.0 / du[d];
    r->len = sqrt(len2);
    /* The segment's planes, inside the image along d, a and b. */
    double lo = u1[d] < u1[d] + du[d] ? u1[d] : u1[d] + du[d];
    double hi = u1[d] < u1[d] + du[d] ? u1[d] + du[d] : u1[d];
    if (lo < 0.0)
        lo = 0.0;
    if (hi > g->n[d] - 1)
        hi = g->n[d] - 1;
    clip_axis(r->ca, r->ka, r->na, &lo, &hi);
    clip_axis(r->cb, r->kb, r->nb, &lo, &hi);
    if (!(lo <= hi))
        return 0;
    r->i0 = (int)ceil(lo);
    r->i1 = (int)floor(hi);
    if (r->i0 > r->i1)
        return 0;
    interior_run(r);
    return 1;
}

/* One plane of the ray at the image's edge: only the taps inside count. */
static inline float edge_plane(const joseph_ray *r, int i, const float *img_in, float *img_out,
                               float v, int back)
{
    double ua = r->ca + i * r->ka, ub = r->cb + i * r->kb;
    int ia = (int)(ua + 1.0) - 1, ib = (int)(ub + 1.0) - 1; /* floor, as u > -1 */
    float fa = (float)(ua - ia), fb = (float)(ub - ib), sum = 0.0f;
    const int ta[4] = {ia, ia + 1, ia, ia + 1}, tb[4] = {ib, ib, ib + 1, ib + 1};
    const float tw[4] = {(1.0f - fa) * (1.0f - fb), fa * (1.0f - fb), (1.0f - fa) * fb, fa * fb};
    size_t base = (size_t)i * r->sd;
    for (int t = 0; t < 4; t++) {
        if (ta[t] < 0 || ta[t] >= r->na || tb[t] < 0 || tb[t] >= r->nb)
            continue;
        size_t p = base + (size_t)ta[t] * r->sa + (size_t)tb[t] * r->sb;
        if (back)
            img_out[p] += tw[t] * v;
        else
            sum += tw[t] * img_in[p];
    }
    return sum;
}

/* The one per-ray worker: back = 0 returns the weighted sum of img_in along
 * the ray; back = 1 adds value times the same weights into img_out.  The
 * planes whose taps are all inside (a contiguous run, the ray being straight)
 * go through a loop without bounds checks; the few at the edges are checked
 * tap by tap.  Both directions compute the same weights. */
static inline float joseph_ray_walk(const joseph_ray *r, const float *img_in, float *img_out,
                                    float value, int back)
{
    float sum = 0.0f, v = value * r->w;
    const int j0 = r->j0, j1 = r->j1; /* the interior run (ray_setup) */
    for (int i = r->i0; i < j0; i++)
        sum += edge_plane(r, i, img_in, img_out, v, back);
    const float ka = (float)r->ka, kb = (float)r->kb;
    float ua = (float)(r->ca + j0 * r->ka), ub = (float)(r->cb + j0 * r->kb);
    const size_t sa = r->sa, sb = r->sb, sd = r->sd;
    for (int i = j0; i <= j1; i++, ua += ka, ub += kb) {
        int ia = (int)ua, ib = (int)ub;
        /* float stepping may stray by round-off: keep the taps inside */
        ia = ia < 0 ? 0 : ia > r->na - 2 ? r->na - 2 : ia;
        ib = ib < 0 ? 0 : ib > r->nb - 2 ? r->nb - 2 : ib;
        float fa = ua - (float)ia, fb = ub - (float)ib;
        float w00 = (1.0f - fa) * (1.0f - fb), w10 = fa * (1.0f - fb);
        float w01 = (1.0f - fa) * fb, w11 = fa * fb;
        size_t p = (size_t)i * sd + (size_t)ia * sa + (size_t)ib * sb;
        if (back) {
            img_out[p] += w00 * v;
            img_out[p + sa] += w10 * v;
            img_out[p + sb] += w01 * v;
            img_out[p + sa + sb] += w11 * v;
        } else {
            sum += w00 * img_in[p] + w10 * img_in[p + sa] + w01 * img_in[p + sb] +
                   w11 * img_in[p + sa + sb];
        }
    }
    for (int i = j1 + 1; i <= r->i1; i++)
        sum += edge_plane(r, i, img_in, img_out, v, back);
    return sum * r->w;
}

float mist_joseph3d_fwd_ray(const mist_img_geom *g, const float *img, const float p1[3],
                            const float p2[3])
{
    joseph_ray r;
    if (!ray_setup(g, p1, p2, &r))
        return 0.0f;
    return joseph_ray_walk(&r, img, NULL, 0.0f, 0);
}

void mist_joseph3d_back_ray(const mist_img_geom *g, float *img, const float p1[3],
                            const float p2[3], float value)
{
    joseph_ray r;
    if (value == 0.0f || !ray_setup(g, p1, p2, &r))
        return;
    joseph_ray_walk(&r, NULL, img, value, 1);
}

/* TOF weights at x [mm] from the midpoint: wk[k] for k < n_tof; the
 * kernel is cut at 5 sigma (edges beyond count as 0 or 1). */
static void tof_weights(const mist_tof *tof, double x, float *wk)
{
    double prev = 0.0; /* Phi at the lower edge of bin k (bin 0 open below) */
    double s = tof->sigma_mm * sqrt(2.0), cut = 5.0 * tof->sigma_mm;
    for (int k = 0; k < tof->n_tof; k++) {
        double hi_edge = (k + 1 - 0.5 * tof->n_tof) * tof->bin_mm, cur;
        if (k == tof->n_tof - 1 || hi_edge - x > cut)
            cur = 1.0;
        else if (hi_edge - x < -cut)
            cur = 0.0;
        else
            cur = 0.5 * erfc(-(hi_edge - x) / s);
        wk[k] = (float)(cur - prev);
        prev = cur;
    }
}

#define MIST_TOF_MAX MIST_TOF_MAX_BINS

/* The TOF per-ray worker: every plane's sample (all taps bounds-checked)
 * spread over the TOF bins by the kernel at the plane's distance from the
 * midpoint; back = 1 is its transpose. */
static void joseph_tof_walk(const joseph_ray *r, const mist_tof *tof, const float *img_in,
                            float *img_out, const float *in_proj, float *out_proj, int back)
{
    float wk[MIST_TOF_MAX];
    int nt = tof->n_tof < MIST_TOF_MAX ? tof->n_tof : MIST_TOF_MAX;
    mist_tof t = *tof;
    t.n_tof = nt;
    for (int k = 0; back == 0 && k < nt; k++)
        out_proj[k] = 0.0f;
    for (int i = r->i0; i <= r->i1; i++) {
        double x = (r->t0 + i * r->dt - 0.5) * r->len;
        tof_weights(&t, x, wk);
        if (back) {
            float v = 0.0f;
            for (int k = 0; k < nt; k++)
                v += wk[k] * in_proj[k];
            if (v != 0.0f)
                edge_plane(r, i, NULL, img_out, v * r->w, 1);
        } else {
            float val = edge_plane(r, i, img_in, NULL, 0.0f, 0) * r->w;
            for (int k = 0; k < nt; k++)
                out_proj[k] += wk[k] * val;
        }
    }
}

void mist_joseph3d_tof_fwd_ray(const mist_img_geom *g, const float *img, const float p1[3],
                               const float p2[3], const mist_tof *tof, float *proj)
{
    joseph_ray r;
    if (!ray_setup(g, p1, p2, &r)) {
        for (int k = 0; k < tof->n_tof; k++)
            proj[k] = 0.0f;
        return;
    }
    joseph_tof_walk(&r, tof, img, NULL, NULL, proj, 0);
}

void mist_joseph3d_tof_back_ray(const mist_img_geom *g, float *img, const float p1[3],
                                const float p2[3], const mist_tof *tof, const float *proj)
{
    joseph_ray r;
    if (!ray_setup(g, p1, p2, &r))
        return;
    joseph_tof_walk(&r, tof, NULL, img, proj, NULL, 1);
}

int mist_joseph3d_ray_hits(const mist_img_geom *g, const float p1[3], const float p2[3])
{
    joseph_ray r;
    return ray_setup(g, p1, p2, &r);
}

void mist_joseph3d_fwd(const mist_img_geom *g, const float *img, const float *xstart,
                       const float *xend, size_t n, float *proj)
{
    for (size_t i = 0; i < n; i++)
        proj[i] = mist_joseph3d_fwd_ray(g, img, xstart + 3 * i, xend + 3 * i);
}

void mist_joseph3d_back(const mist_img_geom *g, float *img, const float *xstart, const float *xend,
                        size_t n, const float *proj)
{
    for (size_t i = 0; i < n; i++)
        mist_joseph3d_back_ray(g, img, xstart + 3 * i, xend + 3 * i, proj[i]);
}

mist_img_geom mist_img_geom_cover(const size_t n[3], const double vox_mm[3],
                                  const double origin_mm[3], double voxel_mm)
{
    mist_img_geom g;
    for (int k = 0; k < 3; k++) {
        double extent = n[k] * vox_mm[k], centre = origin_mm[k] + 0.5 * (n[k] - 1.0) * vox_mm[k];
        int m = (int)ceil(extent / voxel_mm - 1e-6);
        g.n[k] = m > 0 ? m : 1;
        g.voxel_mm[k] = (float)voxel_mm;
        g.origin_mm[k] = (float)(centre - 0.5 * (g.n[k] - 1) * voxel_mm);
    }
    return g;
}

int mist_joseph3d_ray_init(const mist_img_geom *g, const float p1[3], const float p2[3],
                           mist_joseph_ray *r)
{
    return ray_setup(g, p1, p2, r);
}

float mist_joseph3d_ray_fwd(const mist_joseph_ray *r, const float *img)
{
    return joseph_ray_walk(r, img, NULL, 0.0f, 0);
}

void mist_joseph3d_ray_back(const mist_joseph_ray *r, float *img, float value)
{
    if (value != 0.0f)
        joseph_ray_walk(r, NULL, img, value, 1);
}

void mist_joseph3d_ray_tof_fwd(const mist_joseph_ray *r, const mist_tof *tof, const float *img,
                               float *proj)
{
    joseph_tof_walk(r, tof, img, NULL, NULL, proj, 0);
}

void mist_joseph3d_ray_tof_back(const mist_joseph_ray *r, const mist_tof *tof, float *img,
                                const float *proj)
{
    joseph_tof_walk(r, tof, NULL, img, proj, NULL, 1);
}

#define LANES MIST_JOSEPH_LANES

/* The taps of plane i of the ray at the image's edge (as edge_plane): weights tw[4] and
 * offsets off[4] (in voxels) of the taps inside; returns their count. */
static inline int edge_taps(const joseph_ray *r, int i, float *tw, size_t *off)
{
    double ua = r->ca + i * r->ka, ub = r->cb + i * r->kb;
    int ia = (int)(ua + 1.0) - 1, ib = (int)(ub + 1.0) - 1; /* floor, as u > -1 */
    float fa = (float)(ua - ia), fb = (float)(ub - ib);
    const int ta[4] = {ia, ia + 1, ia, ia + 1}, tb[4] = {ib, ib, ib + 1, ib + 1};
    const float w[4] = {(1.0f - fa) * (1.0f - fb), fa * (1.0f - fb), (1.0f - fa) * fb, fa * fb};
    size_t base = (size_t)i * r->sd;
    int n = 0;
    for (int t = 0; t < 4; t++) {
        if (ta[t] < 0 || ta[t] >= r->na || tb[t] < 0 || tb[t] >= r->nb)
            continue;
        tw[n] = w[t];
        off[n++] = base + (size_t)ta[t] * r->sa + (size_t)tb[t] * r->sb;
    }
    return n;
}

/* The interior plane's taps (as joseph_ray_walk): weights w[4], offset of the first tap. */
static inline size_t interior_taps(const joseph_ray *r, int i, float ua, float ub, float *w)
{
    int ia = (int)ua, ib = (int)ub;
    ia = ia < 0 ? 0 : ia > r->na - 2 ? r->na - 2 : ia;
    ib = ib < 0 ? 0 : ib > r->nb - 2 ? r->nb - 2 : ib;
    float fa = ua - (float)ia, fb = ub - (float)ib;
    w[0] = (1.0f - fa) * (1.0f - fb);
    w[1] = fa * (1.0f - fb);
    w[2] = (1.0f - fa) * fb;
    w[3] = fa * fb;
    return (size_t)i * r->sd + (size_t)ia * r->sa + (size_t)ib * r->sb;
}

/* Edge plane i of a lane walk: its taps summed into a sum of its own from 0, then added
 * (as edge_plane does for one image); the back projection adds each tap's share. */
static inline void edge_fwd_lanes(const mist_joseph_ray *r, int i, const float *restrict img,
                                  float *restrict sum)
{
    float tw[4], part[LANES] = {0};
    size_t off[4];
    int n = edge_taps(r, i, tw, off);
    for (int t = 0; t < n; t++)
        for (int k = 0; k < LANES; k++)
            part[k] += tw[t] * img[off[t] * LANES + k];
    for (int k = 0; k < LANES; k++)
        sum[k] += part[k];
}

static inline void edge_back_lanes(const mist_joseph_ray *r, int i, const float *restrict v,
                                   float *restrict img)
{
    float tw[4];
    size_t off[4];
    int n = edge_taps(r, i, tw, off);
    for (int t = 0; t < n; t++)
        for (int k = 0; k < LANES; k++)
            img[off[t] * LANES + k] += tw[t] * v[k];
}

void mist_joseph3d_ray_fwd_lanes(const mist_joseph_ray *r, const float *restrict img,
                                 float *restrict proj)
{
    float sum[LANES] = {0};
    const int j0 = r->j0, j1 = r->j1;
    for (int i = r->i0; i < j0; i++) {
        edge_fwd_lanes(r, i, img, sum);
    }
    const float ka = (float)r->ka, kb = (float)r->kb;
    float ua = (float)(r->ca + j0 * r->ka), ub = (float)(r->cb + j0 * r->kb);
    const size_t sa = r->sa * LANES, sb = r->sb * LANES;
    for (int i = j0; i <= j1; i++, ua += ka, ub += kb) {
        float w[4];
        const float *q = img + interior_taps(r, i, ua, ub, w) * LANES;
        for (int k = 0; k < LANES; k++)
            sum[k] += w[0] * q[k] + w[1] * q[sa + k] + w[2] * q[sb + k] + w[3] * q[sa + sb + k];
    }
    for (int i = j1 + 1; i <= r->i1; i++) {
        edge_fwd_lanes(r, i, img, sum);
    }
    for (int k = 0; k < LANES; k++)
        proj[k] = sum[k] * r->w;
}

/* The lanes as one vector (GCC / Clang vector extension: each lane's float operations are
 * those of the scalar code, so the results are the same bit for bit). */
typedef float lanes_v __attribute__((vector_size(LANES * sizeof(float))));

/* o[k] += w * v[k] for every lane k. */
static inline void lanes_add(float *o, float w, const lanes_v *v)
{
    lanes_v x;
    memcpy(&x, o, sizeof x);
    x += w * *v;
    memcpy(o, &x, sizeof x);
}

void mist_joseph3d_ray_back_lanes(const mist_joseph_ray *r, float *restrict img,
                                  const float *restrict value)
{
    float v[LANES];
    for (int k = 0; k < LANES; k++)
        v[k] = value[k] * r->w;
    lanes_v vv;
    memcpy(&vv, v, sizeof vv);
    const int j0 = r->j0, j1 = r->j1;
    for (int i = r->i0; i < j0; i++) {
        edge_back_lanes(r, i, v, img);
    }
    const float ka = (float)r->ka, kb = (float)r->kb;
    float ua = (float)(r->ca + j0 * r->ka), ub = (float)(r->cb + j0 * r->kb);
    const size_t sa = r->sa * LANES, sb = r->sb * LANES;
    for (int i = j0; i <= j1; i++, ua += ka, ub += kb) {
        float w[4];
        float *o = img + interior_taps(r, i, ua, ub, w) * LANES;
        lanes_add(o, w[0], &vv);
        lanes_add(o + sa, w[1], &vv);
        lanes_add(o + sb, w[2], &vv);
        lanes_add(o + sa + sb, w[3], &vv);
    }
    for (int i = j1 + 1; i <= r->i1; i++) {
        edge_back_lanes(r, i, v, img);
    }
}
