/* Phantom files: generators, NEMA IEC geometry, lesions by anatomy, clear errors,
 * HDF5 and NIfTI output, the phantom command. */
#include <criterion/criterion.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/phantom_cmd.h"
#include "io/phantom_io.h"
#include "model/phantom_load.h"
#include "model/shapes.h"

#define PI 3.14159265358979323846
#define DATA MIST_TEST_DATA_DIR "/"
#define PHANTOMS MIST_SOURCE_DIR "/phantoms/"

static mist_phantom *load(const char *path)
{
    mist_phantom *p = NULL;
    mist_error err;
    cr_assert_eq(mist_phantom_load(path, NULL, 0, &p, &err), MIST_OK, "%s", err.msg);
    return p;
}

static void expect_error(const char *path, const char *const *sets, size_t n, const char *frag)
{
    mist_phantom *p = NULL;
    mist_error err;
    mist_status st = mist_phantom_load(path, sets, n, &p, &err);
    cr_expect_eq(st, MIST_ERR_INPUT, "%s (%s) gave %d", path, n ? sets[0] : "", st);
    cr_expect_null(p);
    if (st)
        cr_expect(strstr(err.msg, frag) != NULL, "message '%s' lacks '%s'", err.msg, frag);
}

/* Sphere centres 57.2 mm from the axis, 60 degrees apart, in the plane 70 mm from the end
 * plate; diameters 10-37 mm, each voxelised volume within 1 % of 4/3 pi r^3 at 1 mm. */
Test(phantom_load, nema_iec_spheres_as_the_standard_places_them)
{
    mist_phantom *p = load(DATA "phantom_iec.yaml");
    const double d[6] = {10, 13, 17, 22, 28, 37};
    cr_assert_eq(p->n_lesions, 6);
    for (int s = 0; s < 6; s++) {
        const mist_phantom_lesion *l = &p->lesions[s];
        double r = hypot(l->center_mm[0], l->center_mm[1]);
        cr_expect_float_eq(r, 57.2, 1e-9, "sphere %d at radius %g", s, r);
        cr_expect_float_eq(atan2(l->center_mm[1], l->center_mm[0]),
                           remainder(s * PI / 3.0, 2.0 * PI), 1e-9);
        cr_expect_float_eq(l->center_mm[2], 0.0, 1e-12);
        cr_expect_float_eq(l->diameter_mm, d[s], 1e-9);
        double exact = PI / 6.0 * d[s] * d[s] * d[s];
        cr_expect_lt(fabs(l->volume_mm3 / exact - 1.0), 0.01, "%g mm sphere", d[s]);
        cr_expect_str_eq(p->tissues[l->label].name, "iec_sphere");
        cr_expect_float_eq(p->tissues[l->label].relative_activity, 4.0, 0);
    }
    /* the sphere plane is 70 mm from the inside of the end plate: the phantom's interior
     * ends at z = +70 mm (background at 69.5, PMMA wall at 70.5) */
    size_t ijk[3];
    double in[3] = {100.0, 0.0, 69.5}, wall[3] = {100.0, 0.0, 70.5}, lung[3] = {0.0, 0.0, 0.0};
    cr_assert(mist_phantom_locate(p, in, ijk));
    cr_expect_str_eq(p->tissues[p->labels[mist_phantom_index(p, ijk[0], ijk[1], ijk[2])]].name,
                     "iec_background");
    cr_assert(mist_phantom_locate(p, wall, ijk));
    cr_expect_str_eq(p->tissues[p->labels[mist_phantom_index(p, ijk[0], ijk[1], ijk[2])]].name,
                     "pmma");
    cr_assert(mist_phantom_locate(p, lung, ijk));
    const mist_tissue *t = &p->tissues[p->labels[mist_phantom_index(p, ijk[0], ijk[1], ijk[2])]];
    cr_expect_str_eq(t->name, "iec_lung");
    cr_expect_float_eq(t->density_g_cm3, 0.30, 1e-12);
    mist_phantom_free(p);
}

Test(phantom_load, every_shipped_phantom_file_builds)
{
    const char *files[] = {"nema_iec_body", "nema_scatter_cylinder", "cylinder_water",
                           "point_source", "line_source", "derenzo",
                           "breast_prone_scattered"};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[512];
        snprintf(path, sizeof path, PHANTOMS "%s.yaml", files[f]);
        const char *coarse[] = {"voxel_mm=2"};
        mist_phantom *p = NULL;
        mist_error err;
        cr_expect_eq(mist_phantom_load(path, coarse, 1, &p, &err), MIST_OK, "%s: %s", files[f],
                     err.msg);
        if (p)
            cr_expect_str_eq(p->name, files[f]);
        mist_phantom_free(p);
    }
}

Test(phantom_load, scatter_cylinder_and_point_source)
{
    const char *sets[] = {"voxel_mm=4"};
    mist_phantom *p = NULL;
    mist_error err;
    cr_assert_eq(mist_phantom_load(PHANTOMS "nema_scatter_cylinder.yaml", sets, 1, &p, &err),
                 MIST_OK, "%s", err.msg);
    int pe = mist_phantom_tissue_find(p, "polyethylene");
    cr_assert(pe > 0);
    cr_expect_float_eq(p->tissues[pe].density_g_cm3, 0.96, 1e-12); /* NEMA NU 2 */
    double src[3] = {0.0, -45.0, 0.0};
    size_t ijk[3];
    cr_assert(mist_phantom_locate(p, src, ijk));
    cr_expect_str_eq(p->tissues[p->labels[mist_phantom_index(p, ijk[0], ijk[1], ijk[2])]].name,
                     "line_source");
    mist_phantom_free(p);
    p = load(PHANTOMS "point_source.yaml");
    cr_assert_eq(p->n_lesions, 1);
    cr_expect_float_eq(p->lesions[0].center_mm[1], 10.0, 0);
    cr_expect_lt(fabs(p->lesions[0].volume_mm3 / (PI / 6.0) - 1.0), 0.02);
    mist_phantom_free(p);
}

Test(phantom_load, breast_lesions_by_anatomy_and_coordinates)
{
    mist_phantom *p = load(DATA "phantom_breast_small.yaml");
    cr_assert_eq(p->n_lesions, 3);
    const mist_phantom_lesion *prim = &p->lesions[0], *node = &p->lesions[1], *cyst = &p->lesions[2];
    cr_expect(prim->center_mm[0] > 0.0 && prim->center_mm[1] > 0.0, "UOQ: lateral, anterior");
    cr_expect_str_eq(p->tissues[prim->label].name, "tumor_her2_pos");
    /* the node metastasis sits where a level I normal node was: lymph node around it */
    cr_expect_str_eq(node->tissue, "node_met");
    cr_expect_str_eq(p->tissues[p->pv_under[node->pv_offset + node->pv_count / 2]].name,
                     "lymph_node");
    cr_expect_str_eq(cyst->tissue, "seroma");
    cr_expect_float_eq(p->tissues[cyst->label].density_g_cm3, 1.01, 1e-12);
    cr_expect_float_eq(cyst->volume_mm3, 4.0 / 3.0 * PI * 24.0, 0.05 * 4.0 / 3.0 * PI * 24.0);
    /* study lesions join on top; one in air is refused */
    mist_lesion ok = {.name = "s1", .tissue = "tumor_her2_neg", .center_mm = {0, 20, 0},
                      .diameter_mm = 8.0};
    mist_error err;
    cr_expect_eq(mist_phantom_add_study_lesions(p, &ok, 1, &err), MIST_OK, "%s", err.msg);
    mist_lesion lost = {.name = "s2", .tissue = "tumor_her2_neg", .center_mm = {0, 78, 40},
                        .diameter_mm = 4.0};
    cr_expect_eq(mist_phantom_add_study_lesions(p, &lost, 1, &err), MIST_ERR_INPUT);
    cr_expect(strstr(err.msg, "lesion 's2'") && strstr(err.msg, "outside the body"), "%s",
              err.msg);
    mist_phantom_free(p);
}

Test(phantom_load, malformed_files_give_located_errors)
{
    expect_error(DATA "phantom_bad_negative.yaml", NULL, 0,
                 "phantom_bad_negative.yaml:5:12: nema_iec.wall_mm: expected a finite number in [0, 20], got -3");
    expect_error(DATA "phantom_bad_outside.yaml", NULL, 0,
                 "phantom_bad_outside.yaml:6:69: lesions[0].center_mm: lesion 'lost': centre "
                 "(0, 75, 50) mm lies outside the body (in air)");
    expect_error(DATA "phantom_bad_tissue.yaml", NULL, 0,
                 "phantom_bad_tissue.yaml:6:23: lesions[0].tissue: unknown tissue class "
                 "'tumour_her2'");
    const char *neg[] = {"breast.volume_mL=-300"};
    expect_error(PHANTOMS "breast_prone_scattered.yaml", neg, 1,
                 "breast.volume_mL: expected a finite number in [100, 3000], got -300");
    const char *axes[] = {"lesions=[{name: a, tissue: node_met, semi_axes_mm: [2, -1, 2], "
                          "center_mm: [0, 20, 0]}]"};
    expect_error(PHANTOMS "breast_prone_scattered.yaml", axes, 1,
                 "lesions[0].semi_axes_mm[1]: expected a finite number in (0, 100], got -1");
    const char *typo[] = {"breast.birad=c"};
    expect_error(PHANTOMS "breast_prone_scattered.yaml", typo, 1,
                 "breast.birad: unknown key (did you mean 'birads'?)");
    const char *gen[] = {"generator=nema"};
    expect_error(PHANTOMS "breast_prone_scattered.yaml", gen, 1,
                 "generator: unknown value 'nema'");
    const char *wrong[] = {"generator=cylinder"};
    expect_error(PHANTOMS "breast_prone_scattered.yaml", wrong, 1,
                 "breast: this section belongs to generator breast_prone, but generator is "
                 "cylinder");
    const char *vox[] = {"voxel_mm=3"};
    expect_error(PHANTOMS "breast_prone_scattered.yaml", vox, 1,
                 "voxel_mm: expected a finite number in [0.5, 2], got 3");
    const char *both[] = {"lesions=[{name: a, tissue: node_met, diameter_mm: 4, "
                          "center_mm: [0, 20, 0], quadrant: UOQ}]"};
    expect_error(PHANTOMS "breast_prone_scattered.yaml", both, 1, "give exactly one placement");
    const char *user[] = {"tissues=[{name: gel, material: jelly, uptake: none, "
                          "density_g_cm3: 1}]"};
    expect_error(PHANTOMS "breast_prone_scattered.yaml", user, 1,
                 "tissues[0].material: unknown value 'jelly'");
    const char *lvl[] = {"lesions=[{name: a, tissue: node_met, diameter_mm: 4, "
                         "axilla_level: 2, node: 5}]"};
    expect_error(PHANTOMS "breast_prone_scattered.yaml", lvl, 1,
                 "axillary level 2 has 3 normal nodes, so node 5 does not exist");
}

static double attr3(hid_t d, const char *name, int i)
{
    double v[3] = {0};
    hid_t a = H5Aopen(d, name, H5P_DEFAULT);
    H5Aread(a, H5T_NATIVE_DOUBLE, v);
    H5Aclose(a);
    return v[i];
}

Test(phantom_load, command_writes_hdf5_and_nifti)
{
    char dir[] = "/tmp/mist_phantom_XXXXXX";
    cr_assert(mkdtemp(dir));
    char h5[256], prefix[256], nii[300];
    snprintf(h5, sizeof h5, "%s/p.h5", dir);
    snprintf(prefix, sizeof prefix, "%s/p", dir);
    cr_assert_eq(mist_phantom_command(PHANTOMS "point_source.yaml", h5, prefix), 0);
    hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert(f >= 0);
    hid_t d = H5Dopen2(f, "/phantom/labels", H5P_DEFAULT);
    cr_assert(d >= 0);
    hid_t s = H5Dget_space(d);
    hsize_t dims[3];
    cr_expect_eq(H5Sget_simple_extent_ndims(s), 3);
    H5Sget_simple_extent_dims(s, dims, NULL);
    cr_expect(dims[0] == 64 && dims[1] == 64 && dims[2] == 64);
    cr_expect_float_eq(attr3(d, "voxel_size_mm", 0), 1.0, 0);
    cr_expect_float_eq(attr3(d, "origin_mm", 2), -31.5, 1e-12);
    cr_expect(H5Aexists(d, "units") > 0);
    H5Sclose(s);
    H5Dclose(d);
    const char *sets[] = {"/phantom/tissues", "/phantom/lesions", "/phantom/lesion_pv/voxel",
                          "/phantom/lesion_pv/fraction", "/phantom/lesion_pv/under"};
    for (size_t i = 0; i < 5; i++) {
        d = H5Dopen2(f, sets[i], H5P_DEFAULT);
        cr_expect(d >= 0 && H5Aexists(d, "units") > 0, "%s", sets[i]);
        if (d >= 0)
            H5Dclose(d);
    }
    H5Fclose(f);
    snprintf(nii, sizeof nii, "%s_labels.nii", prefix);
    FILE *n = fopen(nii, "rb");
    cr_assert(n);
    fseek(n, 0, SEEK_END);
    cr_expect_eq(ftell(n), 352 + 64 * 64 * 64);
    fclose(n);
    unlink(nii);
    snprintf(nii, sizeof nii, "%s_density.nii", prefix);
    cr_expect_eq(access(nii, R_OK), 0);
    unlink(nii);
    unlink(h5);
    /* bad input: exit code 2 and no result file */
    cr_expect_eq(mist_phantom_command(DATA "phantom_bad_tissue.yaml", h5, NULL), 2);
    cr_expect_neq(access(h5, F_OK), 0);
    rmdir(dir);
}
