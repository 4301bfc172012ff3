/* Voxel transport: grid geometry, narrow-beam transmission = exp(-mu x), Woodcock = voxel ray
 * tracing on a bone / lung / soft-tissue phantom, exit state, energy conservation, bench. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "physics/validate_physics.h"
#include "transport/bench_transport.h"
#include "transport/raytrace.h"
#include "transport/tracker.h"
#include "transport/voxel_grid.h"
#include "transport/woodcock.h"

static mist_material mat(const char *name, const char *formula, double rho)
{
    mist_material m;
    mist_error err;
    cr_assert_eq(mist_material_from_formula(name, formula, rho, &m, &err), MIST_OK, "%s", err.msg);
    return m;
}

Test(voxel_grid, index_and_mm_round_trip)
{
    const size_t n[3] = {4, 5, 6};
    const double vox[3] = {1.0, 2.0, 3.0}, origin[3] = {-10.0, 0.0, 5.0};
    mist_voxel_grid *g;
    mist_error err;
    cr_assert_eq(mist_voxel_grid_create(n, vox, origin, &g, &err), MIST_OK);
    cr_expect_eq(mist_voxel_grid_index(g, 1, 2, 3), (3 * 5 + 2) * 4 + 1); /* C order, z slowest */
    double c[3];
    mist_voxel_grid_center(g, 0, 0, 0, c);
    cr_expect(c[0] == -10.0 && c[1] == 0.0 && c[2] == 5.0); /* origin = centre of voxel 0 */
    mist_voxel_grid_center(g, 3, 4, 5, c);
    size_t ijk[3];
    cr_assert(mist_voxel_grid_locate(g, c, ijk));
    cr_expect(ijk[0] == 3 && ijk[1] == 4 && ijk[2] == 5);
    double lo[3], hi[3];
    mist_voxel_grid_bounds(g, lo, hi);
    cr_expect(lo[0] == -10.5 && hi[0] == -6.5 && lo[2] == 3.5 && hi[2] == 21.5);
    const double out[3] = {-10.6, 1.0, 6.0};
    cr_expect_not(mist_voxel_grid_locate(g, out, ijk));
    mist_voxel_grid_free(g);
}

Test(voxel_grid, bad_dimensions_and_unmapped_labels_are_errors)
{
    const size_t n0[3] = {0, 1, 1}, n[3] = {2, 2, 2};
    const double vox[3] = {1.0, 1.0, 1.0}, bad[3] = {1.0, -1.0, 1.0};
    mist_voxel_grid *g;
    mist_error err;
    cr_expect_eq(mist_voxel_grid_create_centered(n0, vox, &g, &err), MIST_ERR_INPUT);
    cr_expect_eq(mist_voxel_grid_create_centered(n, bad, &g, &err), MIST_ERR_INPUT);
    cr_assert_eq(mist_voxel_grid_create_centered(n, vox, &g, &err), MIST_OK);
    g->labels[3] = 7;
    mist_voxel_grid_set_material(g, 0, 0);
    mist_material w = mat("water", "H2O", 1.0);
    mist_tracker *t;
    cr_expect_eq(mist_tracker_create(g, &w, 1, NULL, &t, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "label 7") != NULL, "%s", err.msg);
    mist_voxel_grid_free(g);
}

static void transmission(const char *name, const char *formula, double rho, const char *ins,
                         double ins_rho, double e, double mm, int raytrace, uint64_t seed)
{
    mist_material m = mat(name, formula, rho), insert = mat(ins, ins, ins_rho);
    mist_validation v = {0};
    mist_error err;
    cr_assert_eq(mist_validate_transmission(&m, &insert, e, mm, raytrace, 400000, seed, &v, &err),
                 MIST_OK, "%s", err.msg);
    const mist_validation_row *r = &v.rows[0];
    cr_expect(r->pass, "%s: %g vs exp(-mu x) %g (%.2f sigma)", r->quantity, r->simulated,
              r->expected, r->deviation);
    mist_validation_free(&v);
}

Test(transport, narrow_beam_water_equals_exp_minus_mu_x)
{
    /* Bone-like Ca insert beside the beam raises the majorant above water's mu. */
    transmission("water", "H2O", 1.0, "CaCO3", 2.7, 140.5, 100.0, 0, 1);
    transmission("water", "H2O", 1.0, "CaCO3", 2.7, 511.0, 150.0, 0, 2);
    transmission("water", "H2O", 1.0, "CaCO3", 2.7, 140.5, 100.0, 1, 3);
}

Test(transport, narrow_beam_lead_equals_exp_minus_mu_x)
{
    transmission("lead", "Pb", 11.35, "W", 19.3, 140.5, 0.5, 0, 4);
    transmission("lead", "Pb", 11.35, "W", 19.3, 511.0, 8.0, 0, 5);
    transmission("lead", "Pb", 11.35, "W", 19.3, 511.0, 8.0, 1, 6);
}

static void woodcock_vs_raytrace(double e, uint64_t seed)
{
    mist_validation v = {0};
    mist_error err;
    cr_assert_eq(mist_validate_woodcock(e, 100000, seed, &v, &err), MIST_OK, "%s", err.msg);
    cr_assert_eq(v.n, 3);
    for (size_t i = 0; i < v.n; i++)
        cr_expect(v.rows[i].pass, "%s: Woodcock %g, ray trace %g (%.2f sigma, limit %.2f)",
                  v.rows[i].quantity, v.rows[i].simulated, v.rows[i].expected,
                  v.rows[i].deviation, v.rows[i].tolerance);
    mist_validation_free(&v);
}

Test(transport, woodcock_agrees_with_ray_tracing_140_keV)
{
    woodcock_vs_raytrace(140.5, 11);
}

Test(transport, woodcock_agrees_with_ray_tracing_511_keV)
{
    woodcock_vs_raytrace(511.0, 12);
}

/* A 3-material slab phantom for state checks. */
static mist_tracker *slab_tracker(mist_voxel_grid **gp, const mist_physics_options *opt)
{
    const size_t n[3] = {20, 20, 20};
    const double vox[3] = {5.0, 5.0, 5.0};
    mist_error err;
    cr_assert_eq(mist_voxel_grid_create_centered(n, vox, gp, &err), MIST_OK);
    mist_voxel_grid *g = *gp;
    for (size_t v = 0; v < mist_voxel_grid_count(g); v++)
        g->labels[v] = (uint8_t)((v / 400) % 3); /* slabs of 1 voxel along z */
    mist_material m[3] = {mat("water", "H2O", 1.0), mat("bone", "Ca5(PO4)3OH", 1.9),
                          mat("lung", "H2O", 0.26)};
    for (int l = 0; l < 3; l++)
        mist_voxel_grid_set_material(g, (uint8_t)l, l);
    mist_tracker *t;
    cr_assert_eq(mist_tracker_create(g, m, 3, opt, &t, &err), MIST_OK, "%s", err.msg);
    return t;
}

Test(transport, exit_state_and_energy_conservation)
{
    mist_voxel_grid *g;
    mist_tracker *t = slab_tracker(&g, NULL);
    mist_rng rng = mist_rng_substream(21, 0);
    const double src[3] = {3.0, -7.0, 11.0};
    int escaped = 0, absorbed = 0;
    for (int i = 0; i < 20000; i++) {
        double dir[3];
        mist_rng_isotropic(&rng, dir);
        mist_photon p = mist_photon_make(src, dir, i % 2 ? 511.0 : 140.5, 1e-9);
        double e0 = p.energy_keV;
        if (i % 4 < 2)
            mist_woodcock_track(t, &p, &rng);
        else
            mist_raytrace_track(t, &p, &rng);
        cr_assert_neq(p.fate, MIST_FATE_ALIVE);
        /* Time of flight is the path over c. */
        cr_assert(fabs(p.time_s - 1e-9 - p.path_mm / MIST_SPEED_OF_LIGHT_MM_S) < 1e-18);
        if (p.fate == MIST_FATE_ESCAPED) {
            escaped++;
            cr_assert(fabs(e0 - p.energy_keV - p.edep_keV) < 1e-9 * e0);
            /* The exit point lies on the boundary, and the photon was heading out. */
            double d = INFINITY;
            for (int a = 0; a < 3; a++) {
                d = fmin(d, fabs(p.pos_mm[a] - t->lo_mm[a]));
                d = fmin(d, fabs(p.pos_mm[a] - t->hi_mm[a]));
            }
            cr_assert(d < 1e-9, "exit point %g %g %g off the boundary by %g", p.pos_mm[0],
                      p.pos_mm[1], p.pos_mm[2], d);
            double dn = fabs(hypot(hypot(p.dir[0], p.dir[1]), p.dir[2]) - 1.0);
            cr_assert(dn < 1e-12);
            if (p.n_compton == 0 && p.n_rayleigh == 0)
                cr_assert(fabs(p.path_mm - hypot(hypot(p.pos_mm[0] - src[0], p.pos_mm[1] - src[1]),
                                                 p.pos_mm[2] - src[2])) < 1e-9);
        } else {
            absorbed++;
            cr_assert(fabs(e0 - p.edep_keV) < 1e-9 * e0);
            if (p.fate == MIST_FATE_CUTOFF)
                cr_assert(p.energy_keV < t->options.cutoff_keV);
        }
    }
    cr_expect(escaped > 1000 && absorbed > 1000, "escaped %d absorbed %d", escaped, absorbed);
    mist_tracker_free(t);
    mist_voxel_grid_free(g);
}

Test(transport, photons_enter_from_outside_or_miss)
{
    mist_voxel_grid *g;
    mist_physics_options opt = mist_physics_default_options();
    opt.cutoff_keV = 100.0;
    mist_tracker *t = slab_tracker(&g, &opt);
    mist_rng rng = mist_rng_substream(22, 0);
    const double away[3] = {0.0, 0.0, -200.0}, up[3] = {0.0, 0.0, 1.0}, side[3] = {1.0, 0.0, 0.0};
    mist_photon p = mist_photon_make(away, side, 511.0, 0.0);
    mist_woodcock_track(t, &p, &rng);
    cr_expect_eq(p.fate, MIST_FATE_ESCAPED);
    cr_expect(p.pos_mm[2] == -200.0 && p.path_mm == 0.0); /* missed: unchanged */
    p = mist_photon_make(away, up, 511.0, 0.0);
    mist_woodcock_track(t, &p, &rng);
    cr_expect(p.path_mm >= 100.0 - 1e-9 || p.fate != MIST_FATE_ESCAPED); /* entered at z = -50 */
    p = mist_photon_make(away, up, 50.0, 0.0); /* below the cut-off: absorbed on entry */
    mist_raytrace_track(t, &p, &rng);
    cr_expect_eq(p.fate, MIST_FATE_CUTOFF);
    cr_expect_float_eq(p.edep_keV, 50.0, 1e-12);
    mist_tracker_free(t);
    mist_voxel_grid_free(g);
}

Test(transport, majorant_bounds_every_material)
{
    mist_voxel_grid *g;
    mist_tracker *t = slab_tracker(&g, NULL);
    for (double e = 1.0; e < 2048.0; e *= 1.0137) {
        mist_xsec_point p = mist_xsec_locate(e);
        double mx = mist_tracker_majorant(t, p);
        for (size_t m = 0; m < t->n_materials; m++)
            cr_assert(mist_xsec_mu_at(&t->materials[m].xsec, MIST_XS_TOTAL, p) <= mx * (1 + 1e-12));
    }
    mist_tracker_free(t);
    mist_voxel_grid_free(g);
}

/* The flight majorant of each energy bin bounds every material's mu anywhere in the bin, and
 * the squeeze thresholds bound mu / majorant: the thresholds' decisions are exact. */
Test(transport, bin_majorants_and_squeeze_bound_every_material)
{
    mist_voxel_grid *g;
    mist_tracker *t = slab_tracker(&g, NULL);
    mist_rng rng = mist_rng_substream(11, 0);
    for (int n = 0; n < 200000; n++) {
        double e = exp2(11.0 * mist_rng_uniform(&rng)); /* 1 .. 2048 keV */
        if (n < 2)
            e = n ? 2048.0 : 1.0;
        int b = mist_tracker_energy_bin(e);
        double lo_e = ldexp(1.0 + (b % 64) / 64.0, b / 64), hi_e = ldexp(1.0 + (b % 64 + 1) / 64.0, b / 64);
        cr_assert(e >= lo_e && e <= hi_e, "%.17g keV outside its bin %d", e, b);
        mist_xsec_point p = mist_xsec_locate(e);
        for (size_t m = 0; m < t->n_materials; m++) {
            double r = mist_xsec_mu_at(&t->materials[m].xsec, MIST_XS_TOTAL, p) *
                       t->inv_bin_majorant[b] * 4294967296.0;
            const mist_tracker_squeeze *q = &t->squeeze[m * MIST_TRACKER_N_EBINS + (size_t)b];
            cr_assert(r < 4294967296.0, "mu above the majorant at %g keV", e);
            cr_assert(q->lo <= r && r <= q->hi, "%g keV, material %zu: %u <= %g <= %u", e, m,
                      q->lo, r, q->hi);
        }
    }
    mist_tracker_free(t);
    mist_voxel_grid_free(g);
}

Test(transport, bench_runs_and_matches_physics)
{
    mist_bench_transport_result r;
    mist_error err;
    cr_assert_eq(mist_bench_transport(511.0, 20000, 3, 1, &r, &err), MIST_OK, "%s", err.msg);
    cr_expect(r.histories == 20000 && r.reps == 3 && r.histories_per_s > 0.0);
    /* From the centre of a 200 mm water cylinder: a third leave unscattered at 511 keV (mu 0.0096
     * /mm over 100-141 mm), almost all escape eventually. */
    cr_expect(r.unscattered_fraction > 0.25 && r.unscattered_fraction < 0.42, "%g",
              r.unscattered_fraction);
    cr_expect(r.escaped_fraction > 0.9);
}

Test(validate, quick_suite_passes)
{
    mist_validation v = {0};
    mist_error err;
    cr_assert_eq(mist_validate_physics(1, &v, &err), MIST_OK, "%s", err.msg);
    cr_expect(v.n >= 20, "%zu rows", v.n);
    for (size_t i = 0; i < v.n; i++) {
        const mist_validation_row *r = &v.rows[i];
        cr_expect(r->pass, "%s: expected %g simulated %g (deviation %.3g)", r->quantity,
                  r->expected, r->simulated, r->deviation);
        cr_expect(r->quantity[0] != '\0' && r->source[0] != '\0' && isfinite(r->deviation));
    }
    cr_expect_eq(mist_validation_failures(&v), 0);
    mist_validation_free(&v);
}
