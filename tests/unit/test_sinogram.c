/* Sinogram binning: symmetry, bin geometry against crystal positions, one LOR
 * per bin for span 1, Michelogram plane counts for span 3. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "detector/sinogram.h"

#define PI 3.14159265358979323846

Test(sinogram, pair_order_does_not_matter)
{
    mist_sino_geom g;
    mist_error err;
    cr_assert_eq(mist_sino_init(&g, 16, 4, 16, 1, 3, 100.0, &err), MIST_OK, "%s", err.msg);
    uint32_t n = 16 * 4;
    for (uint32_t a = 0; a < n; a++)
        for (uint32_t b = 0; b < n; b++)
            cr_assert_eq(mist_sino_bin(&g, a, b), mist_sino_bin(&g, b, a), "%u %u", a, b);
    mist_sino_free(&g);
}

Test(sinogram, bin_geometry_matches_crystal_positions)
{
    /* The line through crystals a and b (radius R) must have normal angle
     * phi = pi k / n (mod pi) and signed distance R sin(pi rho / n). */
    const uint32_t n = 24;
    const double R = 400.0;
    mist_sino_geom g;
    mist_error err;
    cr_assert_eq(mist_sino_init(&g, n, 1, n, 1, 0, R, &err), MIST_OK, "%s", err.msg);
    for (uint32_t a = 0; a < n; a++) {
        for (uint32_t b = 0; b < n; b++) {
            uint32_t view, plane;
            int32_t rho, delta;
            if (mist_sino_lor(&g, a, b, &view, &rho, &delta, &plane))
                continue;
            double xa = R * cos(2 * PI * a / n), ya = R * sin(2 * PI * a / n);
            double xb = R * cos(2 * PI * b / n), yb = R * sin(2 * PI * b / n);
            /* Unit normal of the chord, oriented so that the distance uses phi. */
            uint32_t k = (a + b) % n;
            cr_expect(k / 2 == view);
            double phi = PI * k / n;
            double dx = xb - xa, dy = yb - ya, len = hypot(dx, dy);
            /* The normal (cos phi, sin phi) is perpendicular to the chord. */
            cr_expect_lt(fabs((dx * cos(phi) + dy * sin(phi)) / len), 1e-12, "a %u b %u", a, b);
            double s = xa * cos(phi) + ya * sin(phi);
            cr_expect_lt(fabs(s - R * sin(PI * rho / n)), 1e-9 * R, "a %u b %u: s %g rho %d", a, b,
                         s, rho);
        }
    }
    mist_sino_free(&g);
}

Test(sinogram, span1_one_lor_per_bin)
{
    const uint32_t n = 32, rings = 5;
    mist_sino_geom g;
    mist_error err;
    cr_assert_eq(mist_sino_init(&g, n, rings, n, 1, rings - 1, 300.0, &err), MIST_OK);
    cr_expect_eq(g.n_planes, rings * rings, "span 1, full MRD: one plane per ring pair");
    size_t size = mist_sino_size(&g);
    unsigned char *hit = calloc(size, 1);
    size_t lors = 0;
    for (uint32_t a = 0; a < n * rings; a++) {
        for (uint32_t b = a + 1; b < n * rings; b++) {
            int64_t bin = mist_sino_bin(&g, a, b);
            if (a % n == b % n) {
                cr_expect_eq(bin, -1);
                continue;
            }
            cr_assert_geq(bin, 0, "%u %u", a, b);
            cr_assert_lt((size_t)bin, size);
            cr_expect_eq(hit[bin], 0, "two LORs in bin %lld", (long long)bin);
            hit[bin] = 1;
            lors++;
        }
    }
    /* Every pair of distinct transaxial crystals in every ring pair. */
    cr_expect_eq(lors, (size_t)n * (n - 1) / 2 * rings * rings);
    free(hit);
    mist_sino_free(&g);
}

Test(sinogram, ring_difference_sign_follows_the_pair_order)
{
    /* Swapping the rings of a pair flips delta: they land in segments +1 and -1. */
    mist_sino_geom g;
    mist_error err;
    cr_assert_eq(mist_sino_init(&g, 16, 3, 16, 1, 2, 100.0, &err), MIST_OK);
    uint32_t v1, v2, p1, p2;
    int32_t r1, r2, d1, d2;
    cr_assert_eq(mist_sino_lor(&g, 0 * 16 + 3, 1 * 16 + 9, &v1, &r1, &d1, &p1), 0);
    cr_assert_eq(mist_sino_lor(&g, 1 * 16 + 3, 0 * 16 + 9, &v2, &r2, &d2, &p2), 0);
    cr_expect_eq(v1, v2);
    cr_expect_eq(r1, r2);
    cr_expect_eq(d1, -d2);
    cr_expect_eq(abs(d1), 1);
    cr_expect_eq(g.segment_of_plane[p1], d1);
    cr_expect_eq(g.segment_of_plane[p2], d2);
    mist_sino_free(&g);
}

Test(sinogram, span3_michelogram)
{
    /* 8 rings, span 3, MRD 7: segment 0 |delta| <= 1: 15 planes; +-1 (2..4): 11;
     * +-2 (5..7): 5.  Total 15 + 2*11 + 2*5 = 47 in 5 segments. */
    mist_sino_geom g;
    mist_error err;
    cr_assert_eq(mist_sino_init(&g, 16, 8, 16, 3, 7, 100.0, &err), MIST_OK);
    cr_expect_eq(g.n_segments, 5);
    cr_expect_eq(g.n_planes, 47);
    /* Ring pairs with the same r1 + r2 in segment 0 share a plane. */
    cr_expect_eq(g.plane_of[3 * 8 + 4], g.plane_of[4 * 8 + 3]);
    cr_expect_eq(g.plane_of[3 * 8 + 3], 6);
    /* (0, 7): delta 7 in segment +2 (stored after 0, +1, -1), z - 5 = 2. */
    cr_expect_eq(g.plane_of[0 * 8 + 7], 15 + 11 + 11 + 2);
    cr_expect_eq(g.segment_of_plane[15 + 11 + 11 + 2], 2);
    cr_expect_eq(g.segment_of_plane[15 + 11 + 11 + 5 + 2], -2);
    mist_sino_free(&g);
}

Test(sinogram, bad_parameters)
{
    mist_sino_geom g;
    mist_error err;
    cr_expect_eq(mist_sino_init(&g, 15, 4, 14, 1, 3, 100, &err), MIST_ERR_INPUT);
    cr_expect_eq(mist_sino_init(&g, 16, 4, 16, 2, 3, 100, &err), MIST_ERR_INPUT);
    cr_expect_eq(mist_sino_init(&g, 16, 4, 16, 1, 4, 100, &err), MIST_ERR_INPUT);
    cr_expect_eq(mist_sino_init(&g, 16, 4, 18, 1, 3, 100, &err), MIST_ERR_INPUT);
}
