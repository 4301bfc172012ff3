/*
 * geom.h - small geometric helpers shared by the trackers and detectors.
 */
#ifndef MIST_CORE_GEOM_H
#define MIST_CORE_GEOM_H

#include <math.h>

/* Slab test of the ray p + t d against the axis-aligned box [lo, hi]: returns 1
 * and the parameters where the ray's line enters (*t_near) and leaves (*t_far)
 * the box when the box lies at least partly ahead (t_far > 0), else 0. */
static inline int mist_ray_box(const double lo[3], const double hi[3], const double p[3],
                               const double d[3], double *t_near, double *t_far)
{
    double a = -INFINITY, b = INFINITY;
    for (int i = 0; i < 3; i++) {
        if (d[i] == 0.0) {
            if (p[i] < lo[i] || p[i] > hi[i])
                return 0;
            continue;
        }
        double t0 = (lo[i] - p[i]) / d[i], t1 = (hi[i] - p[i]) / d[i];
        if (t0 > t1) {
            double x = t0;
            t0 = t1;
            t1 = x;
        }
        if (t0 > a)
            a = t0;
        if (t1 < b)
            b = t1;
    }
    if (!(a < b) || b <= 0.0)
        return 0;
    *t_near = a;
    *t_far = b;
    return 1;
}

#endif
