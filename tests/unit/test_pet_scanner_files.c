/* The whole-body scanner files of the Biograph Vision and Discovery MI
 * classes: they load with the values of ../shared/reference/scanners.md,
 * their blocks fit on the ring, their crystal material is in the material
 * list, and their sinograms have the size their comments state. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "detector/pet_blocks.h"
#include "detector/pet_scanner.h"
#include "detector/sinogram.h"

#define GEOM MIST_TEST_DATA_DIR "/../../geometry/"
#define PI 3.14159265358979323846

typedef struct expect {
    const char *file, *material;
    uint32_t crystals_per_ring, rings, blocks;
    double radius_mm, window_ns, tof_ps, e_lo, e_hi;
    uint32_t planes;
    uint64_t sinogram_bytes;
} expect;

static void check(const expect *e)
{
    mist_pet_scanner s;
    mist_error err;
    cr_assert_eq(mist_pet_scanner_load(e->file, &s, &err), MIST_OK, "%s", err.msg);
    cr_expect_eq(s.geometry, MIST_PET_BLOCKS);
    cr_expect_str_eq(s.crystal_material, e->material);
    cr_expect_eq(s.crystals_per_ring, e->crystals_per_ring, "%s", e->file);
    cr_expect_eq(s.rings, e->rings, "%s", e->file);
    cr_expect_eq(mist_pet_coinc_params(&s).n_blocks, e->blocks, "%s", e->file);
    cr_expect_float_eq(s.radius_mm, e->radius_mm, 1e-9);
    cr_expect_float_eq(s.coincidence_window_s, e->window_ns * 1e-9, 1e-18);
    cr_expect_float_eq(s.tof_fwhm_s, e->tof_ps * 1e-12, 1e-20);
    cr_expect_float_eq(s.e_lo_keV, e->e_lo, 1e-9);
    cr_expect_float_eq(s.e_hi_keV, e->e_hi, 1e-9);
    /* Flat blocks with front faces tangent to the ring do not overlap. */
    double half_w = 0.5 * s.block_transaxial * s.crystal_transaxial_mm;
    cr_expect_leq(half_w, s.radius_mm * tan(PI / s.blocks_per_ring), "%s: blocks overlap", e->file);
    mist_material_list materials;
    memset(&materials, 0, sizeof materials);
    cr_assert_eq(mist_material_list_load(&materials, GEOM "materials.yaml", &err), MIST_OK, "%s",
                 err.msg);
    mist_pet_blocks blocks;
    cr_expect_eq(mist_pet_blocks_init(&blocks, &s, &materials, &err), MIST_OK, "%s", err.msg);
    mist_material_list_free(&materials);
    mist_sino_geom g;
    cr_assert_eq(mist_sino_init(&g, s.crystals_per_ring, s.rings, s.radial_bins, s.span,
                                s.max_ring_difference, s.radius_mm, &err),
                 MIST_OK, "%s", err.msg);
    mist_sino_set_tof(&g, s.tof_bins, s.tof_bin_s);
    cr_expect_eq(g.n_planes, e->planes, "%s: %u planes", e->file, g.n_planes);
    cr_expect_eq(mist_sino_size(&g) * sizeof(uint64_t), e->sinogram_bytes, "%s: %zu bytes", e->file,
                 mist_sino_size(&g) * sizeof(uint64_t));
    mist_sino_free(&g);
}

Test(pet_scanner_files, biograph_vision)
{
    const expect e = {GEOM "pet_vision_lso.yaml",
                      "lso",
                      760,
                      80,
                      38 * 8,
                      410.0,
                      4.0,
                      214.0,
                      435.0,
                      585.0,
                      369,
                      287170560ull};
    check(&e);
}

Test(pet_scanner_files, discovery_mi)
{
    const expect e = {GEOM "pet_discovery_mi_lyso.yaml",
                      "lyso",
                      544,
                      36,
                      136 * 4,
                      372.0,
                      4.9,
                      375.0,
                      425.0,
                      650.0,
                      421,
                      234520576ull};
    check(&e);
}
