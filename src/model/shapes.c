#include "model/shapes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846
#define XY_SUB 8 /* sub-samples per axis across a voxel for label majority */

/*
 * NEMA NU 2-2007 section 7 / IEC 61675-1 body phantom (scanners.md; NEMA NU 2-2007 figure 7.1.1
 * as commonly reproduced):
 *   sphere inner diameters 10, 13, 17, 22, 28, 37 mm, centres in one transverse plane 70 mm
 *   from the end plate that holds them, on a circle of radius 57.2 mm about the phantom's
 *   axis (the lung insert's axis);
 *   lung insert: cylinder of 50 mm outer diameter [U: 50 +- 2 mm] along the whole interior,
 *   of "low atomic number material" with mean density 0.3 g/mL;
 *   interior: 180 mm long [U]; cross-section a half circle of radius 147 mm (anterior)
 *   joined to a 294 x 77 mm block whose two posterior corners are rounded with radius 77 mm
 *   [U]; walls of PMMA, 3 mm [U].
 * The angular order of the spheres on the circle (10 mm at 0 degrees, i.e. +x, then every
 * 60 degrees counter-clockwise seen from +z) is a convention of this code [U].
 */
#define IEC_SPHERE_RING_MM 57.2
#define IEC_PLANE_FROM_END_MM 70.0
#define IEC_LENGTH_MM 180.0
#define IEC_ARC_MM 147.0
#define IEC_CORNER_MM 77.0
#define IEC_LUNG_DIAMETER_MM 50.0
#define IEC_LUNG_DENSITY 0.30
static const double IEC_SPHERES_MM[MIST_IEC_SPHERES] = {10.0, 13.0, 17.0, 22.0, 28.0, 37.0};

/* NEMA NU 2 scatter phantom: polyethylene, 203 mm diameter, 700 mm long, density 0.96 g/cm3,
 * line source 45 mm off axis (scanners.md); source tube 3.2 mm inner diameter in a 6.4 mm
 * hole [U]. */

/* Hot-rod phantom: body and rod sizes after the Data Spectrum Deluxe Jaszczak phantom (216 mm
 * inner diameter, rods 4.8, 6.4, 7.9, 9.5, 11.1, 12.7 mm, 88 mm long) [U]; rods hot, body
 * solid PMMA, rod pitch twice the rod diameter in each sector. */

void mist_nema_iec_defaults(mist_nema_iec_params *p)
{
    memset(p, 0, sizeof *p);
    p->voxel_mm = 2.0;
    memcpy(p->sphere_diameters_mm, IEC_SPHERES_MM, sizeof IEC_SPHERES_MM);
    p->sphere_to_background = 4.0; /* NEMA NU 2: 4:1 (and 8:1) */
    p->lung_insert = 1;
    p->wall_mm = 3.0;
}

void mist_scatter_cylinder_defaults(mist_scatter_cylinder_params *p)
{
    p->voxel_mm = 2.0;
    p->diameter_mm = 203.0;
    p->length_mm = 700.0;
    p->source_offset_mm = 45.0;
    p->source_diameter_mm = 3.2;
    p->hole_diameter_mm = 6.4;
}

void mist_cylinder_defaults(mist_cylinder_params *p)
{
    p->voxel_mm = 2.0;
    p->diameter_mm = 200.0;
    p->length_mm = 200.0;
    snprintf(p->tissue, sizeof p->tissue, "water");
    p->margin_mm = 10.0;
}

void mist_point_defaults(mist_point_params *p)
{
    p->voxel_mm = 1.0;
    p->position_mm[0] = p->position_mm[1] = p->position_mm[2] = 0.0;
    p->diameter_mm = 1.0;
    p->fov_mm[0] = p->fov_mm[1] = p->fov_mm[2] = 64.0;
}

void mist_line_defaults(mist_line_params *p)
{
    p->voxel_mm = 1.0;
    p->position_mm[0] = p->position_mm[1] = 0.0;
    p->diameter_mm = 1.0;
    p->length_mm = 100.0;
    p->fov_mm[0] = p->fov_mm[1] = 64.0;
    p->fov_mm[2] = 120.0;
}

void mist_derenzo_defaults(mist_derenzo_params *p)
{
    static const double rods[MIST_DERENZO_SECTORS] = {4.8, 6.4, 7.9, 9.5, 11.1, 12.7};
    p->voxel_mm = 1.0;
    p->diameter_mm = 216.0;
    p->length_mm = 120.0;
    p->rod_length_mm = 88.0;
    memcpy(p->rod_diameters_mm, rods, sizeof rods);
}

void mist_nema_iec_sphere_center(int i, double out_mm[3])
{
    double th = (double)i * PI / 3.0;
    out_mm[0] = IEC_SPHERE_RING_MM * cos(th);
    out_mm[1] = IEC_SPHERE_RING_MM * sin(th);
    out_mm[2] = 0.0;
}

/* A grid covering [lo, hi] mm with cubic voxels, centred on the box. */
static mist_status grid(const char *name, double voxel, const double lo[3], const double hi[3],
                        mist_phantom **out, mist_error *err)
{
    if (!(voxel >= 0.1 && voxel <= 10.0))
        return mist_error_set(err, MIST_ERR_INPUT, "voxel_mm = %g is outside [0.1, 10] mm", voxel);
    size_t n[3];
    double v[3] = {voxel, voxel, voxel}, o[3];
    for (int a = 0; a < 3; a++) {
        if (!(hi[a] > lo[a]))
            return mist_error_set(err, MIST_ERR_INPUT, "phantom extent must be positive");
        n[a] = (size_t)ceil((hi[a] - lo[a]) / voxel);
        o[a] = 0.5 * (lo[a] + hi[a]) - 0.5 * (double)(n[a] - 1) * voxel;
    }
    return mist_phantom_create(name, n, v, o, out, err);
}

/* Add a fixed-activity class (material, density, relative activity) and give its label. */
static mist_status fixed_class(mist_phantom *ph, const char *name, const char *material,
                               double density, const char *uptake, double rel, uint8_t *label,
                               mist_error *err)
{
    mist_tissue t;
    memset(&t, 0, sizeof t);
    snprintf(t.name, sizeof t.name, "%s", name);
    snprintf(t.material, sizeof t.material, "%s", material);
    snprintf(t.uptake, sizeof t.uptake, "%s", uptake);
    t.density_g_cm3 = density;
    t.relative_activity = rel;
    return mist_phantom_tissue_add(ph, &t, label, err);
}

typedef int (*xy_inside)(const void *ctx, double x, double y);

/* Set `label` where the prism {inside(x, y), z0 <= z <= z1} covers at least half a voxel;
 * bbox = xmin, xmax, ymin, ymax of the cross-section. */
static void draw_prism(mist_phantom *ph, xy_inside inside, const void *ctx, const double bbox[4],
                       double z0, double z1, uint8_t label)
{
    const double *v = ph->voxel_mm, *o = ph->origin_mm;
    long i0 = (long)floor((bbox[0] - o[0]) / v[0] + 0.5), i1 = (long)floor((bbox[1] - o[0]) / v[0] + 0.5);
    long j0 = (long)floor((bbox[2] - o[1]) / v[1] + 0.5), j1 = (long)floor((bbox[3] - o[1]) / v[1] + 0.5);
    long k0 = (long)floor((z0 - o[2]) / v[2] + 0.5), k1 = (long)floor((z1 - o[2]) / v[2] + 0.5);
    if (i0 < 0) i0 = 0;
    if (j0 < 0) j0 = 0;
    if (k0 < 0) k0 = 0;
    if (i1 >= (long)ph->n[0]) i1 = (long)ph->n[0] - 1;
    if (j1 >= (long)ph->n[1]) j1 = (long)ph->n[1] - 1;
    if (k1 >= (long)ph->n[2]) k1 = (long)ph->n[2] - 1;
    for (long j = j0; j <= j1; j++)
        for (long i = i0; i <= i1; i++) {
            double cx = o[0] + (double)i * v[0], cy = o[1] + (double)j * v[1];
            int hit = 0;
            for (int b = 0; b < XY_SUB; b++)
                for (int a = 0; a < XY_SUB; a++)
                    hit += inside(ctx, cx + v[0] * ((a + 0.5) / XY_SUB - 0.5),
                                  cy + v[1] * ((b + 0.5) / XY_SUB - 0.5));
            double fxy = (double)hit / (XY_SUB * XY_SUB);
            if (fxy <= 0.0)
                continue;
            for (long k = k0; k <= k1; k++) {
                double cz = o[2] + (double)k * v[2];
                double fz = (fmin(cz + 0.5 * v[2], z1) - fmax(cz - 0.5 * v[2], z0)) / v[2];
                if (fz * fxy >= 0.5)
                    ph->labels[mist_phantom_index(ph, (size_t)i, (size_t)j, (size_t)k)] = label;
            }
        }
}

typedef struct circle {
    double x, y, r;
} circle;

static int in_circle(const void *ctx, double x, double y)
{
    const circle *c = ctx;
    return (x - c->x) * (x - c->x) + (y - c->y) * (y - c->y) <= c->r * c->r;
}

static void draw_cylinder(mist_phantom *ph, double x, double y, double r, double z0, double z1,
                          uint8_t label)
{
    circle c = {x, y, r};
    double bbox[4] = {x - r, x + r, y - r, y + r};
    draw_prism(ph, in_circle, &c, bbox, z0, z1, label);
    /* A rod too thin to cover half of any voxel still marks the voxels its axis runs
     * through, so a line source never vanishes on a coarse grid. */
    double p0[3] = {x, y, z0}, p1[3] = {x, y, z1};
    size_t a[3], b[3];
    if (r < ph->voxel_mm[0] && mist_phantom_locate(ph, p0, a) && mist_phantom_locate(ph, p1, b))
        for (size_t k = a[2]; k <= b[2]; k++)
            ph->labels[mist_phantom_index(ph, a[0], a[1], k)] = label;
}

static int in_iec(const void *ctx, double x, double y)
{
    double g = *(const double *)ctx; /* grow by g mm (the wall) */
    double R = IEC_ARC_MM + g, rc = IEC_CORNER_MM + g, half_flat = IEC_ARC_MM - IEC_CORNER_MM;
    if (y >= 0.0)
        return x * x + y * y <= R * R;
    if (y < -rc)
        return 0;
    double ax = fabs(x);
    return ax <= half_flat || (ax - half_flat) * (ax - half_flat) + y * y <= rc * rc;
}

mist_status mist_shapes_nema_iec(const mist_nema_iec_params *p, mist_phantom **out,
                                 mist_error *err)
{
    *out = NULL;
    double w = p->wall_mm;
    double ztop = IEC_PLANE_FROM_END_MM, zbot = IEC_PLANE_FROM_END_MM - IEC_LENGTH_MM;
    double lo[3] = {-(IEC_ARC_MM + w + 4.0), -(IEC_CORNER_MM + w + 4.0), zbot - w - 4.0};
    double hi[3] = {IEC_ARC_MM + w + 4.0, IEC_ARC_MM + w + 4.0, ztop + w + 4.0};
    mist_phantom *ph;
    mist_status st = grid("nema_iec", p->voxel_mm, lo, hi, &ph, err);
    if (st)
        return st;
    uint8_t shell, bg, lung;
    if ((st = mist_phantom_tissue_label(ph, "pmma", &shell, err)) ||
        (st = fixed_class(ph, "iec_background", "water", 1.0, "fixed", 1.0, &bg, err)) ||
        (st = fixed_class(ph, "iec_lung", "lung", IEC_LUNG_DENSITY, "none", 0.0, &lung, err)) ||
        (st = fixed_class(ph, "iec_sphere", "water", 1.0, "fixed", p->sphere_to_background, NULL,
                          err)))
        goto fail;
    double g = w, zero = 0.0;
    double bbox_o[4] = {-(IEC_ARC_MM + w), IEC_ARC_MM + w, -(IEC_CORNER_MM + w), IEC_ARC_MM + w};
    if (w > 0.0)
        draw_prism(ph, in_iec, &g, bbox_o, zbot - w, ztop + w, shell);
    double bbox_i[4] = {-IEC_ARC_MM, IEC_ARC_MM, -IEC_CORNER_MM, IEC_ARC_MM};
    draw_prism(ph, in_iec, &zero, bbox_i, zbot, ztop, bg);
    if (p->lung_insert)
        draw_cylinder(ph, 0.0, 0.0, 0.5 * IEC_LUNG_DIAMETER_MM, zbot, ztop, lung);
    for (int s = 0; s < MIST_IEC_SPHERES; s++) {
        double d = p->sphere_diameters_mm[s];
        if (d <= 0.0)
            continue;
        char name[32];
        snprintf(name, sizeof name, "sphere_%gmm", IEC_SPHERES_MM[s]);
        double c[3], ax[3] = {0.5 * d, 0.5 * d, 0.5 * d};
        mist_nema_iec_sphere_center(s, c);
        if ((st = mist_phantom_add_lesion(ph, name, "iec_sphere", c, ax, 1, err)))
            goto fail;
    }
    *out = ph;
    return MIST_OK;
fail:
    mist_phantom_free(ph);
    return st;
}

mist_status mist_shapes_scatter_cylinder(const mist_scatter_cylinder_params *p,
                                         mist_phantom **out, mist_error *err)
{
    *out = NULL;
    double R = 0.5 * p->diameter_mm, hz = 0.5 * p->length_mm;
    if (!(p->source_offset_mm + 0.5 * p->hole_diameter_mm < R) ||
        !(p->source_diameter_mm <= p->hole_diameter_mm))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "the line source (offset %g mm, hole %g mm, source %g mm) must fit "
                              "in its hole inside the %g mm cylinder",
                              p->source_offset_mm, p->hole_diameter_mm, p->source_diameter_mm,
                              p->diameter_mm);
    double lo[3] = {-R - 4.0, -R - 4.0, -hz - 4.0}, hi[3] = {R + 4.0, R + 4.0, hz + 4.0};
    mist_phantom *ph;
    mist_status st = grid("nema_scatter_cylinder", p->voxel_mm, lo, hi, &ph, err);
    if (st)
        return st;
    uint8_t pe, air = MIST_PHANTOM_AIR, src;
    if ((st = mist_phantom_tissue_label(ph, "polyethylene", &pe, err)) ||
        (st = fixed_class(ph, "line_source", "water", 1.0, "fixed", 1.0, &src, err))) {
        mist_phantom_free(ph);
        return st;
    }
    /* NEMA: source 45 mm off axis; here below the axis (-y). */
    draw_cylinder(ph, 0.0, 0.0, R, -hz, hz, pe);
    draw_cylinder(ph, 0.0, -p->source_offset_mm, 0.5 * p->hole_diameter_mm, -hz, hz, air);
    draw_cylinder(ph, 0.0, -p->source_offset_mm, 0.5 * p->source_diameter_mm, -hz, hz, src);
    *out = ph;
    return MIST_OK;
}

mist_status mist_shapes_cylinder(const mist_cylinder_params *p, mist_phantom **out,
                                 mist_error *err)
{
    *out = NULL;
    double R = 0.5 * p->diameter_mm, hz = 0.5 * p->length_mm, m = p->margin_mm;
    double lo[3] = {-R - m, -R - m, -hz - m}, hi[3] = {R + m, R + m, hz + m};
    mist_phantom *ph;
    mist_status st = grid("cylinder", p->voxel_mm, lo, hi, &ph, err);
    if (st)
        return st;
    uint8_t fill;
    if ((st = mist_phantom_tissue_label(ph, p->tissue, &fill, err))) {
        mist_phantom_free(ph);
        return st;
    }
    draw_cylinder(ph, 0.0, 0.0, R, -hz, hz, fill);
    *out = ph;
    return MIST_OK;
}

mist_status mist_shapes_point(const mist_point_params *p, mist_phantom **out, mist_error *err)
{
    *out = NULL;
    double lo[3], hi[3];
    for (int a = 0; a < 3; a++) {
        lo[a] = -0.5 * p->fov_mm[a];
        hi[a] = 0.5 * p->fov_mm[a];
    }
    mist_phantom *ph;
    mist_status st = grid("point", p->voxel_mm, lo, hi, &ph, err);
    if (st)
        return st;
    double r = 0.5 * p->diameter_mm, ax[3] = {r, r, r};
    if ((st = fixed_class(ph, "source", "water", 1.0, "fixed", 1.0, NULL, err)) ||
        (st = mist_phantom_add_lesion(ph, "point", "source", p->position_mm, ax, 0, err))) {
        mist_phantom_free(ph);
        return st;
    }
    *out = ph;
    return MIST_OK;
}

mist_status mist_shapes_line(const mist_line_params *p, mist_phantom **out, mist_error *err)
{
    *out = NULL;
    double lo[3], hi[3];
    for (int a = 0; a < 3; a++) {
        lo[a] = -0.5 * p->fov_mm[a];
        hi[a] = 0.5 * p->fov_mm[a];
    }
    double r = 0.5 * p->diameter_mm;
    if (fabs(p->position_mm[0]) + r > hi[0] || fabs(p->position_mm[1]) + r > hi[1] ||
        0.5 * p->length_mm > hi[2])
        return mist_error_set(err, MIST_ERR_INPUT,
                              "the line source (at %g, %g mm, %g mm long) does not fit in the "
                              "%g x %g x %g mm field of view",
                              p->position_mm[0], p->position_mm[1], p->length_mm, p->fov_mm[0],
                              p->fov_mm[1], p->fov_mm[2]);
    mist_phantom *ph;
    mist_status st = grid("line", p->voxel_mm, lo, hi, &ph, err);
    if (st)
        return st;
    uint8_t src;
    if ((st = fixed_class(ph, "line_source", "water", 1.0, "fixed", 1.0, &src, err))) {
        mist_phantom_free(ph);
        return st;
    }
    draw_cylinder(ph, p->position_mm[0], p->position_mm[1], r, -0.5 * p->length_mm,
                  0.5 * p->length_mm, src);
    *out = ph;
    return MIST_OK;
}

/* NEMA NU 2 sensitivity sleeves: aluminium tubes 700 mm long with 1.25 mm walls, inner
 * diameters 3.9, 7.0, 10.2, 13.4, 16.6 mm and outer 6.4, 9.5, 12.7, 15.9, 19.1 mm (NEMA NU 2,
 * section 5 "Sensitivity", table of sleeve dimensions; the 1.25 mm wall is [U] in
 * ../shared/reference/scanners.md).  The source is a 1 mm water core (NEMA: polyethylene tube of
 * 1 mm inner diameter; the tube wall itself is not modelled). */
static const double SLEEVE_INNER_MM[MIST_NEMA_SLEEVES] = {3.9, 7.0, 10.2, 13.4, 16.6};
static const double SLEEVE_OUTER_MM[MIST_NEMA_SLEEVES] = {6.4, 9.5, 12.7, 15.9, 19.1};

void mist_nema_sleeve_mm(int j, double *inner_mm, double *outer_mm)
{
    *inner_mm = SLEEVE_INNER_MM[j];
    *outer_mm = SLEEVE_OUTER_MM[j];
}

void mist_nema_sensitivity_defaults(mist_nema_sensitivity_params *p)
{
    p->voxel_mm = 0.5;
    p->sleeves = 1;
    p->offset_mm = 0.0;
    p->length_mm = 700.0;
    p->source_diameter_mm = 1.0;
}

mist_status mist_shapes_nema_sensitivity(const mist_nema_sensitivity_params *p,
                                         mist_phantom **out, mist_error *err)
{
    *out = NULL;
    if (p->sleeves < 0 || p->sleeves > MIST_NEMA_SLEEVES)
        return mist_error_set(err, MIST_ERR_INPUT, "sleeves = %d: NEMA has 0 to %d sleeves",
                              p->sleeves, MIST_NEMA_SLEEVES);
    if (!(p->source_diameter_mm < SLEEVE_INNER_MM[0]))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "source_diameter_mm = %g must be below the innermost sleeve's "
                              "inner diameter, %g mm",
                              p->source_diameter_mm, SLEEVE_INNER_MM[0]);
    /* The grid: the outermost sleeve plus one voxel and 0.5 mm of air around it. */
    double half = 0.5 * SLEEVE_OUTER_MM[MIST_NEMA_SLEEVES - 1] + p->voxel_mm + 0.5;
    double hz = 0.5 * p->length_mm, y = -p->offset_mm;
    double lo[3] = {-half, y - half, -hz - p->voxel_mm}, hi[3] = {half, y + half, hz + p->voxel_mm};
    mist_phantom *ph;
    mist_status st = grid("nema_sensitivity", p->voxel_mm, lo, hi, &ph, err);
    if (st)
        return st;
    uint8_t al, air = MIST_PHANTOM_AIR, src;
    if ((st = mist_phantom_tissue_label(ph, "aluminium", &al, err)) ||
        (st = fixed_class(ph, "line_source", "water", 1.0, "fixed", 1.0, &src, err))) {
        mist_phantom_free(ph);
        return st;
    }
    for (int j = p->sleeves - 1; j >= 0; j--) { /* outermost first, each hollowed out */
        draw_cylinder(ph, 0.0, y, 0.5 * SLEEVE_OUTER_MM[j], -hz, hz, al);
        draw_cylinder(ph, 0.0, y, 0.5 * SLEEVE_INNER_MM[j], -hz, hz, air);
    }
    draw_cylinder(ph, 0.0, y, 0.5 * p->source_diameter_mm, -hz, hz, src);
    *out = ph;
    return MIST_OK;
}

mist_status mist_shapes_derenzo(const mist_derenzo_params *p, mist_phantom **out,
                                mist_error *err)
{
    *out = NULL;
    double R = 0.5 * p->diameter_mm, hz = 0.5 * p->length_mm, hr = 0.5 * p->rod_length_mm;
    if (!(hr <= hz))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "rod_length_mm (%g) must not exceed length_mm (%g)",
                              p->rod_length_mm, p->length_mm);
    double lo[3] = {-R - 4.0, -R - 4.0, -hz - 4.0}, hi[3] = {R + 4.0, R + 4.0, hz + 4.0};
    mist_phantom *ph;
    mist_status st = grid("derenzo", p->voxel_mm, lo, hi, &ph, err);
    if (st)
        return st;
    uint8_t body, rod;
    if ((st = mist_phantom_tissue_label(ph, "pmma", &body, err)) ||
        (st = fixed_class(ph, "rod", "water", 1.0, "fixed", 1.0, &rod, err))) {
        mist_phantom_free(ph);
        return st;
    }
    draw_cylinder(ph, 0.0, 0.0, R, -hz, hz, body);
    /* Each 60-degree sector holds a triangle of rods on a hexagonal lattice of pitch 2d,
     * apex toward the centre; rods stay within 0.92 R. */
    for (int s = 0; s < MIST_DERENZO_SECTORS; s++) {
        double d = p->rod_diameters_mm[s];
        if (d <= 0.0)
            continue;
        double pitch = 2.0 * d, th = (double)s * PI / 3.0 + PI / 6.0;
        double ux = cos(th), uy = sin(th), vx = -uy, vy = ux;
        double start = 0.06 * R + d; /* apex distance from the axis */
        for (int row = 0;; row++) {
            double rr = start + row * pitch * sqrt(3.0) / 2.0;
            int any = 0;
            for (int q = 0; q <= row; q++) {
                double off = ((double)q - 0.5 * row) * pitch;
                double x = rr * ux + off * vx, y = rr * uy + off * vy;
                if (sqrt(x * x + y * y) + 0.5 * d > 0.92 * R)
                    continue;
                any = 1;
                draw_cylinder(ph, x, y, 0.5 * d, -hr, hr, rod);
            }
            if (!any)
                break;
        }
    }
    *out = ph;
    return MIST_OK;
}
