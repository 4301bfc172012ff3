#include "detector/collimator.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xraylib.h>

#include "transport/collide.h"

#define MIST_PI 3.14159265358979323846
/* Grid of the septal attenuation for the fast-model table [1/mm]: 0.02 .. 200 per mm covers
 * lead and tungsten from 20 keV to 2 MeV (xraylib). */
#define MU_MIN_PER_MM 0.02
#define MU_MAX_PER_MM 200.0

double mist_collimator_mu(const mist_collimator *c, double e_keV)
{
    return mist_xsec_mu(&c->septa.xsec, MIST_XS_TOTAL, e_keV);
}

/* Centre of the hole (lattice point) nearest to (x, y). */
static void nearest_centre(const mist_collimator *c, double x, double y, double *cx, double *cy)
{
    double p = c->pitch_mm;
    if (c->g.shape == MIST_HOLES_SQUARE) {
        /* Centres at half-integer multiples of the pitch: registered to a matrix of pixels of
         * the pitch with an even number of columns and rows. */
        *cx = p * (nearbyint(x / p - 0.5) + 0.5);
        *cy = p * (nearbyint(y / p - 0.5) + 0.5);
        return;
    }
    /* Triangular lattice a1 = p (1, 0), a2 = p (1/2, sqrt(3)/2): the nearest point is a corner of
     * the lattice parallelogram holding (x, y). */
    double h = p * 0.5 * sqrt(3.0);
    double fj = floor(y / h), fi = floor(x / p - 0.5 * (y / h));
    double best = INFINITY;
    for (int di = 0; di <= 1; di++)
        for (int dj = 0; dj <= 1; dj++) {
            double i = fi + di, j = fj + dj;
            double px = p * (i + 0.5 * j), py = h * j;
            double d2 = (x - px) * (x - px) + (y - py) * (y - py);
            if (d2 < best) {
                best = d2;
                *cx = px;
                *cy = py;
            }
        }
}

int mist_collimator_in_hole(const mist_collimator *c, double x, double y)
{
    double cx, cy, half = 0.5 * c->g.hole_mm;
    nearest_centre(c, x, y, &cx, &cy);
    for (int k = 0; k < c->n_dirs; k++)
        if (fabs((x - cx) * c->e[k][0] + (y - cy) * c->e[k][1]) > half)
            return 0;
    return 1;
}

double mist_collimator_septal_path(const mist_collimator *c, double x0, double y0, double tu,
                                   double tv)
{
    const double L = c->g.length_mm, p = c->pitch_mm, d = c->g.hole_mm;
    const double dx = L * tu, dy = L * tv, k3 = sqrt(1.0 + tu * tu + tv * tv);
    double cx, cy;
    nearest_centre(c, x0, y0, &cx, &cy);
    /* Walk the segment (x0, y0) + s (dx, dy), s in [0, 1], cell by cell (each lattice point's
     * Voronoi cell, |r . e_k| <= p / 2, holds its hole); sum the share of s inside holes. */
    double s = 0.0, in_holes = 0.0;
    for (int guard = 0; guard < 1000000; guard++) {
        double rx = x0 - cx, ry = y0 - cy, s_exit = 1.0, sign = 0.0, lo = s, hi = 1.0;
        int k_exit = -1;
        for (int k = 0; k < c->n_dirs; k++) {
            double r = rx * c->e[k][0] + ry * c->e[k][1];
            double dl = dx * c->e[k][0] + dy * c->e[k][1];
            if (dl != 0.0) {
                double se = ((dl > 0 ? 0.5 : -0.5) * p - r) / dl;
                if (se < s_exit) {
                    s_exit = se;
                    k_exit = k;
                    sign = dl > 0 ? 1.0 : -1.0;
                }
                double a = (-0.5 * d - r) / dl, b = (0.5 * d - r) / dl;
                if (a > b) {
                    double x = a;
                    a = b;
                    b = x;
                }
                if (a > lo)
                    lo = a;
                if (b < hi)
                    hi = b;
            } else if (fabs(r) > 0.5 * d) {
                lo = 2.0; /* parallel to this pair of walls and outside them */
            }
        }
        if (s_exit < s)
            s_exit = s;
        if (hi > s_exit)
            hi = s_exit;
        if (hi > lo)
            in_holes += hi - lo;
        if (k_exit < 0 || s_exit >= 1.0)
            break;
        s = s_exit;
        cx += sign * p * c->e[k_exit][0];
        cy += sign * p * c->e[k_exit][1];
    }
    double f = 1.0 - in_holes;
    return f > 1e-12 ? L * k3 * f : 0.0;
}

/* K fluorescence of the heaviest element of the septal material (xraylib). */
static void init_fluorescence(mist_collimator *c)
{
    const mist_material *m = &c->septa.material;
    int z = 0;
    for (int i = 0; i < m->n_elements; i++)
        if (m->Z[i] > z)
            z = m->Z[i];
    c->n_xrays = 0;
    c->k_yield = 0.0;
    if (z < 30)
        return;
    xrl_error *xe = NULL;
    double edge = EdgeEnergy(z, K_SHELL, &xe), jump = JumpFactor(z, K_SHELL, &xe),
           omega = FluorYield(z, K_SHELL, &xe);
    if (xe || !(jump > 1.0)) {
        xrl_error_free(xe);
        return;
    }
    const int lines[MIST_COLL_MAX_XRAYS] = {KL3_LINE, KL2_LINE, KM3_LINE, KM2_LINE, KN3_LINE};
    double sum = 0.0;
    for (int i = 0; i < MIST_COLL_MAX_XRAYS; i++) {
        double rate = RadRate(z, lines[i], &xe), e = LineEnergy(z, lines[i], &xe);
        if (xe) {
            xrl_error_free(xe);
            xe = NULL;
            continue;
        }
        sum += rate;
        c->xray_keV[c->n_xrays] = e;
        c->xray_cum[c->n_xrays++] = sum;
    }
    for (int i = 0; i < c->n_xrays; i++)
        c->xray_cum[i] /= sum;
    c->k_edge_keV = edge;
    /* Share of photoabsorptions in the K shell (1 - 1/J_K) times the K fluorescence yield. */
    c->k_yield = (1.0 - 1.0 / jump) * omega;
}

/* Area [mm^2] of the overlap of a hole with the same hole shifted by (sx, sy): the share of
 * entrance points whose straight ray stays in one hole (geometric acceptance), by clipping the
 * hole polygon against the shifted hole's half-planes (Sutherland-Hodgman) and the shoelace. */
static double hole_overlap_area(const mist_collimator *c, double sx, double sy)
{
    double poly[16][2], next[16][2];
    int n = 2 * c->n_dirs;
    double half = 0.5 * c->g.hole_mm, rv = half / cos(MIST_PI / n);
    for (int i = 0; i < n; i++) {
        double a = MIST_PI / n + 2.0 * MIST_PI * i / n;
        poly[i][0] = rv * cos(a);
        poly[i][1] = rv * sin(a);
    }
    for (int k = 0; k < c->n_dirs && n > 0; k++)
        for (int side = -1; side <= 1 && n > 0; side += 2) {
            /* Keep side * ((x - s) . e_k) <= half. */
            double ex = side * c->e[k][0], ey = side * c->e[k][1], off = half + ex * sx + ey * sy;
            int m = 0;
            for (int i = 0; i < n; i++) {
                const double *a = poly[i], *b = poly[(i + 1) % n];
                double fa = ex * a[0] + ey * a[1] - off, fb = ex * b[0] + ey * b[1] - off;
                if (fa <= 0) {
                    next[m][0] = a[0];
                    next[m++][1] = a[1];
                }
                if ((fa < 0) != (fb < 0) && fa != fb) {
                    double u = fa / (fa - fb);
                    next[m][0] = a[0] + u * (b[0] - a[0]);
                    next[m++][1] = a[1] + u * (b[1] - a[1]);
                }
            }
            n = m;
            memcpy(poly, next, (size_t)n * sizeof poly[0]);
        }
    double area = 0;
    for (int i = 0; i < n; i++)
        area += poly[i][0] * poly[(i + 1) % n][1] - poly[(i + 1) % n][0] * poly[i][1];
    return 0.5 * fabs(area);
}

static void build_table(mist_collimator *c)
{
    const double L = c->g.length_mm, p = c->pitch_mm;
    double a1[2] = {p, 0.0}, a2[2];
    if (c->g.shape == MIST_HOLES_SQUARE) {
        a2[0] = 0.0;
        a2[1] = p;
    } else {
        a2[0] = 0.5 * p;
        a2[1] = 0.5 * sqrt(3.0) * p;
    }
    double cell = fabs(a1[0] * a2[1] - a1[1] * a2[0]);
    c->ln_mu0 = log(MU_MIN_PER_MM);
    c->dln_mu = (log(MU_MAX_PER_MM) - c->ln_mu0) / (MIST_COLL_NMU - 1);
    double mu[MIST_COLL_NMU];
    for (int m = 0; m < MIST_COLL_NMU; m++)
        mu[m] = exp(c->ln_mu0 + m * c->dln_mu);
    /* Entrance points: one uniform point in each of n x n strata of the cell (jittered, so the
     * regular grid cannot alias with the septa), from a fixed stream: the table is the same on
     * every rank and run. */
    mist_rng rng = mist_rng_substream(0x636f6c6cu, 0u);
    for (int k = 0; k < MIST_COLL_NR; k++) {
        double q = (double)k / (MIST_COLL_NR - 1), r = MIST_COLL_T_MAX * q * q;
        int n = r < 4.0 * p / L ? 40 : 16;
        for (int j = 0; j < MIST_COLL_NPHI; j++) {
            double phi = c->sector_rad * j / (MIST_COLL_NPHI - 1);
            double tu = r * cos(phi), tv = r * sin(phi), open = 0.0, pen[MIST_COLL_NMU] = {0};
            for (int ia = 0; ia < n; ia++)
                for (int ib = 0; ib < n; ib++) {
                    double fa = (ia + mist_rng_uniform(&rng)) / n, fb = (ib + mist_rng_uniform(&rng)) / n;
                    double l = mist_collimator_septal_path(c, fa * a1[0] + fb * a2[0],
                                                           fa * a1[1] + fb * a2[1], tu, tv);
                    if (l <= 0.0) {
                        open += 1.0;
                        continue;
                    }
                    for (int m = 0; m < MIST_COLL_NMU && mu[m] * l < 700.0; m++)
                        pen[m] += exp(-mu[m] * l);
                }
            /* Geometric share exact; the sampled rays with l > 0 stand for the rest. */
            double nn = (double)n * n, geo = hole_overlap_area(c, L * tu, L * tv) / cell;
            double scale = nn > open ? (1.0 - geo) / (nn - open) : 0.0;
            c->geo[k][j] = geo;
            for (int m = 0; m < MIST_COLL_NMU; m++)
                c->ln_pen[k][j][m] = pen[m] > 0 ? log(pen[m] * scale) : -745.0;
        }
    }
}

mist_status mist_collimator_init(mist_collimator *c, const mist_collimator_geom *g,
                                 const mist_material_list *materials, mist_error *err)
{
    memset(c, 0, sizeof *c);
    c->g = *g;
    c->pitch_mm = g->hole_mm + g->septa_mm;
    if (g->shape == MIST_HOLES_SQUARE) {
        c->n_dirs = 2;
        c->e[0][0] = 1.0;
        c->e[1][1] = 1.0;
        c->sector_rad = 0.25 * MIST_PI;
        c->n_sym = 8;
    } else {
        c->n_dirs = 3;
        c->e[0][0] = 1.0;
        c->e[1][0] = 0.5;
        c->e[1][1] = 0.5 * sqrt(3.0);
        c->e[2][0] = -0.5;
        c->e[2][1] = 0.5 * sqrt(3.0);
        c->sector_rad = MIST_PI / 6.0;
        c->n_sym = 12;
    }
    const mist_material *m = mist_material_list_find(materials, g->material);
    if (!m)
        return mist_error_set(err, MIST_ERR_INPUT,
                              "collimator: septal material '%s' is not in the material list",
                              g->material);
    mist_status st = mist_physics_material_build(m, &c->septa, err);
    if (st)
        return st;
    c->options = mist_physics_default_options();
    init_fluorescence(c);
    build_table(c);
    return MIST_OK;
}

void mist_collimator_free(mist_collimator *c)
{
    mist_alias_free(c->fd_alias);
    c->fd_alias = NULL;
}

/* Table coordinates of slopes (tu, tv): radius cell k, fraction fr, azimuth cell j, fraction
 * fp.  Returns 0 beyond T_MAX. */
static int locate_slope(const mist_collimator *c, double tu, double tv, int *k, double *fr,
                        int *j, double *fp)
{
    double r = sqrt(tu * tu + tv * tv);
    if (!(r < MIST_COLL_T_MAX))
        return 0;
    double x = sqrt(r / MIST_COLL_T_MAX) * (MIST_COLL_NR - 1);
    *k = (int)x;
    if (*k > MIST_COLL_NR - 2)
        *k = MIST_COLL_NR - 2;
    *fr = x - *k;
    /* Fold the azimuth into the symmetry sector (mirror lines every sector_rad). */
    double phi = atan2(fabs(tv), fabs(tu)), two = 2.0 * c->sector_rad;
    phi = fmod(phi, two);
    if (phi > c->sector_rad)
        phi = two - phi;
    double y = phi / c->sector_rad * (MIST_COLL_NPHI - 1);
    *j = (int)y;
    if (*j > MIST_COLL_NPHI - 2)
        *j = MIST_COLL_NPHI - 2;
    *fp = y - *j;
    return 1;
}

static double pen_at(const mist_collimator *c, int k, int j, int m, double fm)
{
    const double *lp = c->ln_pen[k][j];
    return exp(lp[m] + fm * (lp[m + 1] - lp[m]));
}

double mist_collimator_transmission(const mist_collimator *c, double tu, double tv, double e_keV)
{
    int k, j;
    double fr, fp;
    if (!locate_slope(c, tu, tv, &k, &fr, &j, &fp))
        return 0.0;
    double z = (log(mist_collimator_mu(c, e_keV)) - c->ln_mu0) / c->dln_mu;
    if (z < 0)
        z = 0;
    if (z > MIST_COLL_NMU - 1)
        z = MIST_COLL_NMU - 1;
    int m = (int)z;
    if (m > MIST_COLL_NMU - 2)
        m = MIST_COLL_NMU - 2;
    double fm = z - m;
    double v00 = c->geo[k][j] + pen_at(c, k, j, m, fm),
           v01 = c->geo[k][j + 1] + pen_at(c, k, j + 1, m, fm),
           v10 = c->geo[k + 1][j] + pen_at(c, k + 1, j, m, fm),
           v11 = c->geo[k + 1][j + 1] + pen_at(c, k + 1, j + 1, m, fm);
    return (1 - fr) * ((1 - fp) * v00 + fp * v01) + fr * ((1 - fp) * v10 + fp * v11);
}

int mist_collimator_track(const mist_collimator *c, mist_photon *p, mist_rng *rng)
{
    const double L = c->g.length_mm;
    while (p->fate == MIST_FATE_ALIVE) {
        mist_xsec_point e = mist_xsec_locate(p->energy_keV);
        double mu = mist_xsec_mu_at(&c->septa.xsec, MIST_XS_TOTAL, e);
        double s = -log(mist_rng_uniform_pos(rng)) / mu;
        double w = p->pos_mm[2] + s * p->dir[2];
        if (w >= L) { /* leaves through the back face */
            double t = (L - p->pos_mm[2]) / p->dir[2];
            p->pos_mm[0] += t * p->dir[0];
            p->pos_mm[1] += t * p->dir[1];
            p->pos_mm[2] = L;
            return 1;
        }
        if (w < 0.0)
            return 0; /* back out through the front */
        for (int i = 0; i < 3; i++)
            p->pos_mm[i] += s * p->dir[i];
        if (mist_collimator_in_hole(c, p->pos_mm[0], p->pos_mm[1]))
            continue; /* virtual collision in a hole */
        double e0 = p->energy_keV;
        mist_collide(&c->options, &c->septa, p, e, rng);
        if (p->fate == MIST_FATE_PHOTO && c->n_xrays && e0 > c->k_edge_keV &&
            mist_rng_uniform(rng) < c->k_yield) {
            /* K fluorescence: an X-ray from the absorption point, isotropic. */
            double u = mist_rng_uniform(rng);
            int i = 0;
            while (i < c->n_xrays - 1 && u >= c->xray_cum[i])
                i++;
            p->energy_keV = c->xray_keV[i];
            mist_rng_isotropic(rng, p->dir);
            p->fate = MIST_FATE_ALIVE;
            p->flags |= MIST_COLL_XRAY_FLAG;
        }
    }
    return 0;
}

mist_status mist_collimator_prepare_fd(mist_collimator *c, double e_ref_keV, mist_error *err)
{
    /* Cell (k, j) of the polar slope grid, sampled with probability proportional to its area
     * times the transmission at its centre at e_ref, plus a 2 % share spread by area so that no
     * direction the table allows is left out (a defensive mixture). */
    enum { NC = (MIST_COLL_NR - 1) * (MIST_COLL_NPHI - 1) };
    double *wt = malloc(NC * sizeof *wt), *area = malloc(NC * sizeof *area);
    if (!wt || !area) {
        free(wt);
        free(area);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory");
    }
    double sum_t = 0, sum_a = 0, dphi = c->sector_rad / (MIST_COLL_NPHI - 1);
    for (int k = 0; k < MIST_COLL_NR - 1; k++) {
        double q0 = (double)k / (MIST_COLL_NR - 1), q1 = (double)(k + 1) / (MIST_COLL_NR - 1);
        double r0 = MIST_COLL_T_MAX * q0 * q0, r1 = MIST_COLL_T_MAX * q1 * q1;
        for (int j = 0; j < MIST_COLL_NPHI - 1; j++) {
            double rm = 0.5 * (r0 + r1), pm = (j + 0.5) * dphi;
            size_t i = (size_t)k * (MIST_COLL_NPHI - 1) + (size_t)j;
            area[i] = 0.5 * (r1 * r1 - r0 * r0) * dphi;
            wt[i] = area[i] * mist_collimator_transmission(c, rm * cos(pm), rm * sin(pm), e_ref_keV);
            sum_t += wt[i];
            sum_a += area[i];
        }
    }
    for (size_t i = 0; i < NC; i++) {
        wt[i] = 0.98 * wt[i] / sum_t + 0.02 * area[i] / sum_a;
        c->fd_cell_p[i / (MIST_COLL_NPHI - 1)][i % (MIST_COLL_NPHI - 1)] = wt[i];
    }
    mist_alias_free(c->fd_alias);
    c->fd_alias = NULL;
    mist_status st = mist_alias_build(wt, NC, &c->fd_alias, err);
    free(wt);
    free(area);
    return st;
}

double mist_collimator_sample_slope(const mist_collimator *c, mist_rng *rng, double *tu,
                                    double *tv)
{
    uint32_t i = mist_alias_sample(c->fd_alias, rng);
    int k = (int)(i / (MIST_COLL_NPHI - 1)), j = (int)(i % (MIST_COLL_NPHI - 1));
    double q0 = (double)k / (MIST_COLL_NR - 1), q1 = (double)(k + 1) / (MIST_COLL_NR - 1);
    double r0 = MIST_COLL_T_MAX * q0 * q0, r1 = MIST_COLL_T_MAX * q1 * q1;
    double dphi = c->sector_rad / (MIST_COLL_NPHI - 1);
    /* Uniform in area within the cell. */
    double r = sqrt(r0 * r0 + mist_rng_uniform(rng) * (r1 * r1 - r0 * r0));
    double phi = (j + mist_rng_uniform(rng)) * dphi;
    /* One of the n_sym images of the sector: a mirror, then a rotation by 2 sector_rad. */
    uint32_t s = mist_rng_bounded(rng, (uint32_t)c->n_sym);
    if (s & 1u)
        phi = -phi;
    phi += (double)(s >> 1) * 2.0 * c->sector_rad;
    *tu = r * cos(phi);
    *tv = r * sin(phi);
    double area = 0.5 * (r1 * r1 - r0 * r0) * dphi;
    return c->fd_cell_p[k][j] / (area * c->n_sym);
}

double mist_collimator_penetration_share(const mist_collimator *c, double e_keV)
{
    /* Quadrature over the table's cells in slope space, solid angle dOmega = dt / k^3. */
    double all = 0, geo = 0, dphi = c->sector_rad / (MIST_COLL_NPHI - 1);
    for (int k = 0; k < MIST_COLL_NR - 1; k++) {
        double q0 = (double)k / (MIST_COLL_NR - 1), q1 = (double)(k + 1) / (MIST_COLL_NR - 1);
        double r0 = MIST_COLL_T_MAX * q0 * q0, r1 = MIST_COLL_T_MAX * q1 * q1;
        for (int sub = 0; sub < 4; sub++) {
            double ra = r0 + (r1 - r0) * sub / 4.0, rb = r0 + (r1 - r0) * (sub + 1) / 4.0;
            double r = 0.5 * (ra + rb), area_r = 0.5 * (rb * rb - ra * ra);
            double w = area_r * dphi / pow(1.0 + r * r, 1.5);
            for (int j = 0; j < MIST_COLL_NPHI - 1; j++) {
                double phi = (j + 0.5) * dphi, tu = r * cos(phi), tv = r * sin(phi);
                int kk, jj;
                double fr, fp;
                if (!locate_slope(c, tu, tv, &kk, &fr, &jj, &fp))
                    continue;
                double g = (1 - fr) * ((1 - fp) * c->geo[kk][jj] + fp * c->geo[kk][jj + 1]) +
                           fr * ((1 - fp) * c->geo[kk + 1][jj] + fp * c->geo[kk + 1][jj + 1]);
                all += w * mist_collimator_transmission(c, tu, tv, e_keV);
                geo += w * g;
            }
        }
    }
    return all > 0 ? 1.0 - geo / all : 0.0;
}
