/* PET scanner files and the ideal ring's geometry. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "detector/pet_scanner.h"

#define GEOM MIST_TEST_DATA_DIR "/../../geometry/"
#define PI 3.14159265358979323846

Test(pet_scanner, wholebody_file)
{
    mist_pet_scanner s;
    mist_error err;
    cr_assert_eq(mist_pet_scanner_load(GEOM "pet_wholebody_lyso.yaml", &s, &err), MIST_OK, "%s",
                 err.msg);
    cr_expect_eq(s.geometry, MIST_PET_BLOCKS);
    cr_expect_eq(s.crystals_per_ring, 624);
    cr_expect_eq(s.rings, 52);
    cr_expect_float_eq(s.radius_mm, 421.0, 1e-12);
    cr_expect_float_eq(s.coincidence_window_s, 4.1e-9, 1e-18);
    cr_expect_eq(s.span, 11);
    cr_expect_str_eq(s.crystal_material, "lso");
    mist_coinc_params p = mist_pet_coinc_params(&s);
    cr_expect_eq(p.n_blocks, 192);
}

Test(pet_scanner, ideal_ring_hits)
{
    mist_pet_scanner s;
    mist_error err;
    cr_assert_eq(mist_pet_scanner_load(GEOM "pet_ideal_ring.yaml", &s, &err), MIST_OK, "%s",
                 err.msg);
    cr_expect_eq(s.geometry, MIST_PET_IDEAL_RING);
    uint32_t c;
    double path;
    const double o[3] = {0, 0, 0};
    /* Along +x from the centre: crystal 0 of the ring at z = 0 (ring 5 of 10). */
    const double dx[3] = {1, 0, 0};
    cr_assert_eq(mist_pet_ideal_hit(&s, o, dx, &c, &path), 1);
    cr_expect_eq(c, 5 * 256 + 0);
    cr_expect_float_eq(path, 421.0, 1e-9);
    /* From an off-centre point the path is the chord. */
    const double p[3] = {100, 0, 10}, dy[3] = {0, 1, 0};
    cr_assert_eq(mist_pet_ideal_hit(&s, p, dy, &c, &path), 1);
    cr_expect_float_eq(path, sqrt(421.0 * 421.0 - 100.0 * 100.0), 1e-9);
    double angle = atan2(path, 100.0);
    cr_expect_eq(c % 256, (uint32_t)lround(angle / (2 * PI) * 256), "nearest element centre");
    cr_expect_eq(c / 256, (uint32_t)((10 + 100) / 20.0));
    /* Steeper than the axial half-extent: leaves through an end. */
    const double dz[3] = {0.1, 0, sqrt(1 - 0.01)};
    cr_expect_eq(mist_pet_ideal_hit(&s, o, dz, &c, &path), 0);
}

Test(pet_scanner, bad_files_name_the_key)
{
    mist_pet_scanner s;
    mist_error err;
    cr_expect_eq(mist_pet_scanner_load(MIST_TEST_DATA_DIR "/pet_bad_window.yaml", &s, &err),
                 MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "pet_bad_window.yaml:6:20: energy_window_keV: expected [low, high]") != NULL,
              "%s", err.msg);
    cr_expect_eq(mist_pet_scanner_load(MIST_TEST_DATA_DIR "/pet_bad_key.yaml", &s, &err),
                 MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "ring_diametr_mm: unknown key (did you mean 'ring_diameter_mm'?)") != NULL,
              "%s", err.msg);
}

Test(pet_scanner, readout_units_tile_the_block)
{
    mist_pet_scanner s;
    mist_error err;
    cr_assert_eq(mist_pet_scanner_load(GEOM "pet_vision_lso.yaml", &s, &err), MIST_OK, "%s",
                 err.msg);
    cr_expect_eq(s.readout_transaxial, 5);
    cr_expect_eq(s.readout_axial, 5);
    cr_assert_eq(mist_pet_scanner_load(GEOM "pet_wholebody_lyso.yaml", &s, &err), MIST_OK, "%s",
                 err.msg);
    cr_expect_eq(s.readout_transaxial, 13, "default: the whole block");
    cr_expect_eq(s.readout_axial, 13);
    cr_expect_eq(mist_pet_scanner_load(MIST_TEST_DATA_DIR "/pet_bad_readout.yaml", &s, &err),
                 MIST_ERR_INPUT);
    cr_log_info("%s", err.msg);
    cr_expect(strstr(err.msg, "readout") != NULL, "%s", err.msg);
    cr_expect(strstr(err.msg, "tile the block") != NULL, "%s", err.msg);
}
