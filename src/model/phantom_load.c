#include "model/phantom_load.h"

#include <stdio.h>
#include <string.h>

#include "model/breast.h"
#include "model/shapes.h"

enum {
    GEN_BREAST,
    GEN_IEC,
    GEN_SCATTER,
    GEN_CYLINDER,
    GEN_POINT,
    GEN_LINE,
    GEN_DERENZO,
    GEN_SENSITIVITY
};
static const char *const GENERATORS[] = {"breast_prone", "nema_iec", "scatter_cylinder",
                                         "cylinder",     "point",    "line",
                                         "derenzo",      "nema_sensitivity", NULL};
static const char *const TOP_KEYS[] = {"name",     "generator",        "seed",     "voxel_mm",
                                       "tissues",  "lesions",          "breast",   "chest_wall",
                                       "axilla",   "nema_iec",         "scatter_cylinder",
                                       "cylinder", "point",            "line",     "derenzo",
                                       "nema_sensitivity", NULL};

#define TRY(expr)                                                                                  \
    do {                                                                                           \
        if ((st = (expr)))                                                                         \
            return st;                                                                             \
    } while (0)

static mist_range rng(double lo, double hi)
{
    return (mist_range){lo, hi, 0, 0};
}

static mist_range rng_open_lo(double lo, double hi)
{
    return (mist_range){lo, hi, 1, 0};
}

/* A mapping section (absent -> NULL), checked for unknown keys. */
static mist_status section(mist_yaml_node *root, const char *key, const char *const *allowed,
                           mist_yaml_node **out, mist_error *err)
{
    mist_status st;
    TRY(mist_yaml_get_map(root, "", key, MIST_OPTIONAL, out, err));
    if (*out)
        TRY(mist_yaml_check_unknown(*out, key, allowed, err));
    return MIST_OK;
}

static mist_status read_breast(mist_yaml_node *root, double voxel, mist_breast_params *p,
                               mist_error *err)
{
    static const char *const B_KEYS[] = {
        "side",        "volume_mL",         "semi_axes_mm",     "shape_exponent", "ptosis_mm",
        "skin_mm",     "nipple_length_mm",  "nipple_radius_mm", "birads",         "fat_fraction",
        "texture",     "ligaments",         "ligament_mm",      "ligament_scale_mm", NULL};
    static const char *const T_KEYS[] = {"scale_mm", "octaves", "persistence", "centrality",
                                         NULL};
    static const char *const C_KEYS[] = {"depth_mm",      "midline_mm",   "subcutaneous_fat_mm",
                                         "pectoralis_mm", "rib_layer_mm", "rib_pitch_mm",
                                         "rib_height_mm", "rib_thickness_mm", NULL};
    static const char *const A_KEYS[] = {"nodes_level1", "nodes_level2", "node_diameter_mm",
                                         NULL};
    static const char *const SIDES[] = {"left", "right", NULL};
    static const char *const BIRADS[] = {"a", "b", "c", "d", NULL};
    mist_status st;
    mist_breast_defaults(p);
    p->voxel_mm = voxel;
    mist_yaml_node *b, *t = NULL, *c, *a;
    TRY(section(root, "breast", B_KEYS, &b, err));
    TRY(section(root, "chest_wall", C_KEYS, &c, err));
    TRY(section(root, "axilla", A_KEYS, &a, err));
    int side = 0;
    TRY(mist_yaml_get_choice(b, "breast", "side", MIST_OPTIONAL, 0, SIDES, &side, err));
    p->side = side ? MIST_BREAST_RIGHT : MIST_BREAST_LEFT;
    TRY(mist_yaml_get_double(b, "breast", "shape_exponent", MIST_OPTIONAL, p->shape_exponent,
                             rng(1.5, 8.0), &p->shape_exponent, err));
    mist_yaml_node *vol = b ? mist_yaml_map_find(b, "volume_mL") : NULL;
    mist_yaml_node *axes = b ? mist_yaml_map_find(b, "semi_axes_mm") : NULL;
    if (vol && axes)
        return mist_yaml_error_at(axes, "breast.semi_axes_mm", err,
                                  "give either volume_mL or semi_axes_mm, not both");
    double volume = 600.0;
    TRY(mist_yaml_get_double(b, "breast", "volume_mL", MIST_OPTIONAL, volume, rng(100.0, 3000.0),
                             &volume, err));
    mist_breast_semi_axes_for_volume(volume, p->shape_exponent, p->semi_axes_mm);
    TRY(mist_yaml_get_vec(b, "breast", "semi_axes_mm", MIST_OPTIONAL, 3, p->semi_axes_mm,
                          rng(20.0, 150.0), p->semi_axes_mm, err));
    TRY(mist_yaml_get_double(b, "breast", "ptosis_mm", MIST_OPTIONAL, p->ptosis_mm,
                             rng(0.0, 0.8 * p->semi_axes_mm[2]), &p->ptosis_mm, err));
    TRY(mist_yaml_get_double(b, "breast", "skin_mm", MIST_OPTIONAL, p->skin_mm, rng(0.0, 5.0),
                             &p->skin_mm, err));
    TRY(mist_yaml_get_double(b, "breast", "nipple_length_mm", MIST_OPTIONAL, p->nipple_length_mm,
                             rng(0.0, 20.0), &p->nipple_length_mm, err));
    TRY(mist_yaml_get_double(b, "breast", "nipple_radius_mm", MIST_OPTIONAL, p->nipple_radius_mm,
                             rng(0.0, 15.0), &p->nipple_radius_mm, err));
    mist_yaml_node *bir = b ? mist_yaml_map_find(b, "birads") : NULL;
    mist_yaml_node *ff = b ? mist_yaml_map_find(b, "fat_fraction") : NULL;
    if (bir && ff)
        return mist_yaml_error_at(ff, "breast.fat_fraction", err,
                                  "give either birads or fat_fraction, not both");
    int birads = 1;
    TRY(mist_yaml_get_choice(b, "breast", "birads", MIST_OPTIONAL, 1, BIRADS, &birads, err));
    p->fat_fraction = mist_breast_birads_fat_fraction((char)('a' + birads));
    TRY(mist_yaml_get_double(b, "breast", "fat_fraction", MIST_OPTIONAL, p->fat_fraction,
                             rng(0.0, 1.0), &p->fat_fraction, err));
    TRY(mist_yaml_get_map(b, "breast", "texture", MIST_OPTIONAL, &t, err));
    if (t) {
        TRY(mist_yaml_check_unknown(t, "breast.texture", T_KEYS, err));
        long oct = p->texture_octaves;
        TRY(mist_yaml_get_double(t, "breast.texture", "scale_mm", MIST_OPTIONAL,
                                 p->texture_scale_mm, rng(2.0, 200.0), &p->texture_scale_mm, err));
        TRY(mist_yaml_get_int(t, "breast.texture", "octaves", MIST_OPTIONAL, oct, 1, 10, &oct, err));
        p->texture_octaves = (int)oct;
        TRY(mist_yaml_get_double(t, "breast.texture", "persistence", MIST_OPTIONAL,
                                 p->texture_persistence, rng_open_lo(0.0, 1.0),
                                 &p->texture_persistence, err));
        TRY(mist_yaml_get_double(t, "breast.texture", "centrality", MIST_OPTIONAL, p->centrality,
                                 rng(0.0, 10.0), &p->centrality, err));
    }
    TRY(mist_yaml_get_bool(b, "breast", "ligaments", MIST_OPTIONAL, p->ligaments, &p->ligaments,
                           err));
    TRY(mist_yaml_get_double(b, "breast", "ligament_mm", MIST_OPTIONAL, p->ligament_mm,
                             rng_open_lo(0.0, 5.0), &p->ligament_mm, err));
    TRY(mist_yaml_get_double(b, "breast", "ligament_scale_mm", MIST_OPTIONAL, p->ligament_scale_mm,
                             rng(5.0, 200.0), &p->ligament_scale_mm, err));

    TRY(mist_yaml_get_double(c, "chest_wall", "depth_mm", MIST_OPTIONAL, p->chest_depth_mm,
                             rng(20.0, 200.0), &p->chest_depth_mm, err));
    TRY(mist_yaml_get_double(c, "chest_wall", "midline_mm", MIST_OPTIONAL, p->midline_mm,
                             rng(0.5 * p->semi_axes_mm[0], 200.0), &p->midline_mm, err));
    TRY(mist_yaml_get_double(c, "chest_wall", "subcutaneous_fat_mm", MIST_OPTIONAL,
                             p->subcutaneous_fat_mm, rng(0.0, 30.0), &p->subcutaneous_fat_mm, err));
    TRY(mist_yaml_get_double(c, "chest_wall", "pectoralis_mm", MIST_OPTIONAL, p->pectoralis_mm,
                             rng(0.0, 30.0), &p->pectoralis_mm, err));
    TRY(mist_yaml_get_double(c, "chest_wall", "rib_layer_mm", MIST_OPTIONAL, p->rib_layer_mm,
                             rng(0.0, 20.0), &p->rib_layer_mm, err));
    TRY(mist_yaml_get_double(c, "chest_wall", "rib_pitch_mm", MIST_OPTIONAL, p->rib_pitch_mm,
                             rng(5.0, 60.0), &p->rib_pitch_mm, err));
    TRY(mist_yaml_get_double(c, "chest_wall", "rib_height_mm", MIST_OPTIONAL, p->rib_height_mm,
                             rng(0.0, 30.0), &p->rib_height_mm, err));
    TRY(mist_yaml_get_double(c, "chest_wall", "rib_thickness_mm", MIST_OPTIONAL,
                             p->rib_thickness_mm, rng(0.0, 20.0), &p->rib_thickness_mm, err));
    long n1 = p->nodes_level1, n2 = p->nodes_level2;
    TRY(mist_yaml_get_int(a, "axilla", "nodes_level1", MIST_OPTIONAL, n1, 0, 8, &n1, err));
    TRY(mist_yaml_get_int(a, "axilla", "nodes_level2", MIST_OPTIONAL, n2, 0, 8, &n2, err));
    p->nodes_level1 = (int)n1;
    p->nodes_level2 = (int)n2;
    TRY(mist_yaml_get_vec(a, "axilla", "node_diameter_mm", MIST_OPTIONAL, 2, p->node_diameter_mm,
                          rng(2.0, 20.0), p->node_diameter_mm, err));
    /* Cross-parameter checks: report them at the breast section. */
    mist_error e2;
    if (mist_breast_check(p, &e2))
        return mist_yaml_error_at(b ? b : root, b ? "breast" : "(root)", err, "%s", e2.msg);
    return MIST_OK;
}

static mist_status build_shape(mist_yaml_node *root, int gen, double voxel, mist_phantom **out,
                               mist_error *err)
{
    mist_status st;
    mist_yaml_node *s;
    switch (gen) {
    case GEN_IEC: {
        static const char *const K[] = {"sphere_diameters_mm", "sphere_to_background",
                                        "lung_insert", "wall_mm", NULL};
        mist_nema_iec_params p;
        mist_nema_iec_defaults(&p);
        p.voxel_mm = voxel;
        TRY(section(root, "nema_iec", K, &s, err));
        TRY(mist_yaml_get_vec(s, "nema_iec", "sphere_diameters_mm", MIST_OPTIONAL,
                              MIST_IEC_SPHERES, p.sphere_diameters_mm, rng(0.0, 50.0),
                              p.sphere_diameters_mm, err));
        TRY(mist_yaml_get_double(s, "nema_iec", "sphere_to_background", MIST_OPTIONAL,
                                 p.sphere_to_background, rng(0.0, 1000.0),
                                 &p.sphere_to_background, err));
        TRY(mist_yaml_get_bool(s, "nema_iec", "lung_insert", MIST_OPTIONAL, 1, &p.lung_insert, err));
        TRY(mist_yaml_get_double(s, "nema_iec", "wall_mm", MIST_OPTIONAL, p.wall_mm,
                                 rng(0.0, 20.0), &p.wall_mm, err));
        return mist_shapes_nema_iec(&p, out, err);
    }
    case GEN_SCATTER: {
        static const char *const K[] = {"diameter_mm", "length_mm", "source_offset_mm",
                                        "source_diameter_mm", "hole_diameter_mm", NULL};
        mist_scatter_cylinder_params p;
        mist_scatter_cylinder_defaults(&p);
        p.voxel_mm = voxel;
        TRY(section(root, "scatter_cylinder", K, &s, err));
        TRY(mist_yaml_get_double(s, "scatter_cylinder", "diameter_mm", MIST_OPTIONAL,
                                 p.diameter_mm, rng_open_lo(0.0, 1000.0), &p.diameter_mm, err));
        TRY(mist_yaml_get_double(s, "scatter_cylinder", "length_mm", MIST_OPTIONAL, p.length_mm,
                                 rng_open_lo(0.0, 2000.0), &p.length_mm, err));
        TRY(mist_yaml_get_double(s, "scatter_cylinder", "source_offset_mm", MIST_OPTIONAL,
                                 p.source_offset_mm, rng(0.0, 500.0), &p.source_offset_mm, err));
        TRY(mist_yaml_get_double(s, "scatter_cylinder", "source_diameter_mm", MIST_OPTIONAL,
                                 p.source_diameter_mm, rng_open_lo(0.0, 50.0),
                                 &p.source_diameter_mm, err));
        TRY(mist_yaml_get_double(s, "scatter_cylinder", "hole_diameter_mm", MIST_OPTIONAL,
                                 p.hole_diameter_mm, rng_open_lo(0.0, 50.0), &p.hole_diameter_mm,
                                 err));
        return mist_shapes_scatter_cylinder(&p, out, err);
    }
    case GEN_CYLINDER: {
        static const char *const K[] = {"diameter_mm", "length_mm", "tissue", "margin_mm", NULL};
        mist_cylinder_params p;
        mist_cylinder_defaults(&p);
        p.voxel_mm = voxel;
        TRY(section(root, "cylinder", K, &s, err));
        TRY(mist_yaml_get_double(s, "cylinder", "diameter_mm", MIST_OPTIONAL, p.diameter_mm,
                                 rng_open_lo(0.0, 1000.0), &p.diameter_mm, err));
        TRY(mist_yaml_get_double(s, "cylinder", "length_mm", MIST_OPTIONAL, p.length_mm,
                                 rng_open_lo(0.0, 2000.0), &p.length_mm, err));
        TRY(mist_yaml_get_double(s, "cylinder", "margin_mm", MIST_OPTIONAL, p.margin_mm,
                                 rng(0.0, 100.0), &p.margin_mm, err));
        const char *tissue = "water";
        TRY(mist_yaml_get_string(s, "cylinder", "tissue", MIST_OPTIONAL, "water", &tissue, err));
        snprintf(p.tissue, sizeof p.tissue, "%s", tissue);
        if (!mist_tissue_find_builtin(p.tissue))
            return mist_yaml_error_at(mist_yaml_map_find(s, "tissue"), "cylinder.tissue", err,
                                      "unknown tissue class '%s'", p.tissue);
        return mist_shapes_cylinder(&p, out, err);
    }
    case GEN_POINT: {
        static const char *const K[] = {"position_mm", "diameter_mm", "fov_mm", NULL};
        mist_point_params p;
        mist_point_defaults(&p);
        p.voxel_mm = voxel;
        TRY(section(root, "point", K, &s, err));
        TRY(mist_yaml_get_vec(s, "point", "position_mm", MIST_OPTIONAL, 3, p.position_mm,
                              MIST_ANY_FINITE, p.position_mm, err));
        TRY(mist_yaml_get_double(s, "point", "diameter_mm", MIST_OPTIONAL, p.diameter_mm,
                                 rng_open_lo(0.0, 50.0), &p.diameter_mm, err));
        TRY(mist_yaml_get_vec(s, "point", "fov_mm", MIST_OPTIONAL, 3, p.fov_mm,
                              rng_open_lo(0.0, 2000.0), p.fov_mm, err));
        st = mist_shapes_point(&p, out, err);
        if (st == MIST_ERR_INPUT && s)
            return mist_yaml_error_at(mist_yaml_map_find(s, "position_mm"), "point.position_mm",
                                      err, "%s", err->msg);
        return st;
    }
    case GEN_LINE: {
        static const char *const K[] = {"position_mm", "diameter_mm", "length_mm", "fov_mm", NULL};
        mist_line_params p;
        mist_line_defaults(&p);
        p.voxel_mm = voxel;
        TRY(section(root, "line", K, &s, err));
        TRY(mist_yaml_get_vec(s, "line", "position_mm", MIST_OPTIONAL, 2, p.position_mm,
                              MIST_ANY_FINITE, p.position_mm, err));
        TRY(mist_yaml_get_double(s, "line", "diameter_mm", MIST_OPTIONAL, p.diameter_mm,
                                 rng_open_lo(0.0, 50.0), &p.diameter_mm, err));
        TRY(mist_yaml_get_double(s, "line", "length_mm", MIST_OPTIONAL, p.length_mm,
                                 rng_open_lo(0.0, 2000.0), &p.length_mm, err));
        TRY(mist_yaml_get_vec(s, "line", "fov_mm", MIST_OPTIONAL, 3, p.fov_mm,
                              rng_open_lo(0.0, 2000.0), p.fov_mm, err));
        return mist_shapes_line(&p, out, err);
    }
    case GEN_DERENZO: {
        static const char *const K[] = {"diameter_mm", "length_mm", "rod_length_mm",
                                        "rod_diameters_mm", NULL};
        mist_derenzo_params p;
        mist_derenzo_defaults(&p);
        p.voxel_mm = voxel;
        TRY(section(root, "derenzo", K, &s, err));
        TRY(mist_yaml_get_double(s, "derenzo", "diameter_mm", MIST_OPTIONAL, p.diameter_mm,
                                 rng_open_lo(0.0, 1000.0), &p.diameter_mm, err));
        TRY(mist_yaml_get_double(s, "derenzo", "length_mm", MIST_OPTIONAL, p.length_mm,
                                 rng_open_lo(0.0, 1000.0), &p.length_mm, err));
        TRY(mist_yaml_get_double(s, "derenzo", "rod_length_mm", MIST_OPTIONAL, p.rod_length_mm,
                                 rng_open_lo(0.0, 1000.0), &p.rod_length_mm, err));
        TRY(mist_yaml_get_vec(s, "derenzo", "rod_diameters_mm", MIST_OPTIONAL,
                              MIST_DERENZO_SECTORS, p.rod_diameters_mm, rng(0.0, 50.0),
                              p.rod_diameters_mm, err));
        return mist_shapes_derenzo(&p, out, err);
    }
    case GEN_SENSITIVITY: {
        static const char *const K[] = {"sleeves", "offset_mm", "length_mm",
                                        "source_diameter_mm", NULL};
        mist_nema_sensitivity_params p;
        mist_nema_sensitivity_defaults(&p);
        p.voxel_mm = voxel;
        long sleeves = p.sleeves;
        TRY(section(root, "nema_sensitivity", K, &s, err));
        TRY(mist_yaml_get_int(s, "nema_sensitivity", "sleeves", MIST_OPTIONAL, sleeves, 0,
                              MIST_NEMA_SLEEVES, &sleeves, err));
        p.sleeves = (int)sleeves;
        TRY(mist_yaml_get_double(s, "nema_sensitivity", "offset_mm", MIST_OPTIONAL, p.offset_mm,
                                 rng(0.0, 500.0), &p.offset_mm, err));
        TRY(mist_yaml_get_double(s, "nema_sensitivity", "length_mm", MIST_OPTIONAL, p.length_mm,
                                 rng_open_lo(0.0, 2000.0), &p.length_mm, err));
        TRY(mist_yaml_get_double(s, "nema_sensitivity", "source_diameter_mm", MIST_OPTIONAL,
                                 p.source_diameter_mm, rng_open_lo(0.0, 3.9),
                                 &p.source_diameter_mm, err));
        return mist_shapes_nema_sensitivity(&p, out, err);
    }
    default:
        return mist_error_set(err, MIST_ERR_INTERNAL, "generator %d has no builder", gen);
    }
}

static mist_status read_tissues(mist_yaml_node *root, mist_phantom *ph, mist_error *err)
{
    static const char *const K[] = {"name", "material", "uptake", "density_g_cm3",
                                    "relative_activity", NULL};
    mist_status st;
    mist_yaml_node *seq;
    TRY(mist_yaml_get_seq(root, "", "tissues", MIST_OPTIONAL, &seq, err));
    for (size_t i = 0; seq && i < seq->n; i++) {
        char path[64];
        mist_yaml_join(path, sizeof path, "tissues", NULL, (long)i);
        mist_yaml_node *m = seq->values[i];
        if (m->kind != MIST_YAML_MAP)
            return mist_yaml_error_at(m, path, err, "expected a mapping of tissue keys");
        TRY(mist_yaml_check_unknown(m, path, K, err));
        const char *name;
        int mat, up;
        mist_tissue t;
        memset(&t, 0, sizeof t);
        TRY(mist_yaml_get_string(m, path, "name", MIST_REQUIRED, NULL, &name, err));
        if (strlen(name) >= sizeof t.name)
            return mist_yaml_error_at(mist_yaml_map_find(m, "name"), path, err,
                                      "name is longer than %zu characters", sizeof t.name - 1);
        TRY(mist_yaml_get_choice(m, path, "material", MIST_REQUIRED, 0,
                                 mist_tissue_material_names(), &mat, err));
        TRY(mist_yaml_get_choice(m, path, "uptake", MIST_REQUIRED, 0, mist_tissue_uptake_names(),
                                 &up, err));
        snprintf(t.name, sizeof t.name, "%s", name);
        snprintf(t.material, sizeof t.material, "%s", mist_tissue_material_names()[mat]);
        snprintf(t.uptake, sizeof t.uptake, "%s", mist_tissue_uptake_names()[up]);
        TRY(mist_yaml_get_double(m, path, "density_g_cm3", MIST_REQUIRED, 1.0,
                                 rng_open_lo(0.0, 25.0), &t.density_g_cm3, err));
        TRY(mist_yaml_get_double(m, path, "relative_activity", MIST_OPTIONAL, 0.0,
                                 MIST_NONNEGATIVE, &t.relative_activity, err));
        mist_error e2;
        if (mist_phantom_tissue_add(ph, &t, NULL, &e2))
            return mist_yaml_error_at(m, path, err, "%s", e2.msg);
    }
    return MIST_OK;
}

static mist_status read_lesions(mist_yaml_node *root, mist_phantom *ph, int is_breast,
                                const mist_breast_anatomy *an, mist_error *err)
{
    static const char *const K[] = {"name",   "tissue",       "diameter_mm", "semi_axes_mm",
                                    "center_mm", "quadrant",  "depth",       "radial",
                                    "axilla_level", "node",   NULL};
    static const char *const QUAD[] = {"UOQ", "UIQ", "LOQ", "LIQ", "central", NULL};
    mist_status st;
    mist_yaml_node *seq;
    TRY(mist_yaml_get_seq(root, "", "lesions", MIST_OPTIONAL, &seq, err));
    for (size_t i = 0; seq && i < seq->n; i++) {
        char path[64], full[96];
        mist_yaml_join(path, sizeof path, "lesions", NULL, (long)i);
        mist_yaml_node *m = seq->values[i];
        if (m->kind != MIST_YAML_MAP)
            return mist_yaml_error_at(m, path, err, "expected a mapping of lesion keys");
        TRY(mist_yaml_check_unknown(m, path, K, err));
        const char *name, *tissue;
        TRY(mist_yaml_get_string(m, path, "name", MIST_REQUIRED, NULL, &name, err));
        TRY(mist_yaml_get_string(m, path, "tissue", MIST_REQUIRED, NULL, &tissue, err));
        if (mist_phantom_tissue_find(ph, tissue) < 0 && !mist_tissue_find_builtin(tissue)) {
            mist_yaml_join(full, sizeof full, path, "tissue", 0);
            return mist_yaml_error_at(mist_yaml_map_find(m, "tissue"), full, err,
                                      "unknown tissue class '%s' (built-in: tumor_her2_pos, "
                                      "tumor_her2_neg, node_met, glandular, ...; or define it "
                                      "under tissues:)",
                                      tissue);
        }
        mist_yaml_node *nd = mist_yaml_map_find(m, "diameter_mm");
        mist_yaml_node *na = mist_yaml_map_find(m, "semi_axes_mm");
        mist_yaml_node *nc = mist_yaml_map_find(m, "center_mm");
        mist_yaml_node *nq = mist_yaml_map_find(m, "quadrant");
        mist_yaml_node *nl = mist_yaml_map_find(m, "axilla_level");
        if (!!nd + !!na != 1)
            return mist_yaml_error_at(m, path, err,
                                      "give exactly one of diameter_mm (sphere) or semi_axes_mm "
                                      "(ellipsoid)");
        if (!!nc + !!nq + !!nl != 1)
            return mist_yaml_error_at(m, path, err,
                                      "give exactly one placement: center_mm, quadrant (+ depth, "
                                      "radial) or axilla_level (+ node)");
        double axes[3], center[3];
        if (nd) {
            double d;
            TRY(mist_yaml_get_double(m, path, "diameter_mm", MIST_REQUIRED, 0.0,
                                     rng_open_lo(0.0, 200.0), &d, err));
            axes[0] = axes[1] = axes[2] = 0.5 * d;
        } else {
            TRY(mist_yaml_get_vec(m, path, "semi_axes_mm", MIST_REQUIRED, 3, NULL,
                                  rng_open_lo(0.0, 100.0), axes, err));
        }
        mist_yaml_node *where = nc ? nc : (nq ? nq : nl);
        if (nc) {
            TRY(mist_yaml_get_vec(m, path, "center_mm", MIST_REQUIRED, 3, NULL, MIST_ANY_FINITE,
                                  center, err));
        } else if (!is_breast) {
            mist_yaml_join(full, sizeof full, path, nq ? "quadrant" : "axilla_level", 0);
            return mist_yaml_error_at(where, full, err,
                                      "placement by anatomy needs generator breast_prone; give "
                                      "center_mm");
        } else if (nq) {
            int q;
            double depth, radial;
            TRY(mist_yaml_get_choice(m, path, "quadrant", MIST_REQUIRED, 0, QUAD, &q, err));
            TRY(mist_yaml_get_double(m, path, "depth", MIST_OPTIONAL, 0.5, rng(0.0, 1.0), &depth,
                                     err));
            TRY(mist_yaml_get_double(m, path, "radial", MIST_OPTIONAL, q == 4 ? 0.0 : 0.5,
                                     rng(0.0, 1.0), &radial, err));
            mist_breast_locate(an, (mist_breast_quadrant)q, depth, radial, center);
        } else {
            long level, node;
            double dnode;
            TRY(mist_yaml_get_int(m, path, "axilla_level", MIST_REQUIRED, 1, 1, 2, &level, err));
            TRY(mist_yaml_get_int(m, path, "node", MIST_OPTIONAL, 0, 0, MIST_BREAST_MAX_NODES - 1,
                                  &node, err));
            mist_error e2;
            if (mist_breast_node(an, (int)level, (size_t)node, center, &dnode, &e2)) {
                mist_yaml_join(full, sizeof full, path, "axilla_level", 0);
                return mist_yaml_error_at(nl, full, err, "%s", e2.msg);
            }
        }
        if (!nc && (nq || nl)) {
            /* anatomical placement: fine as computed */
        } else if (mist_yaml_map_find(m, "depth") || mist_yaml_map_find(m, "radial") ||
                   mist_yaml_map_find(m, "node")) {
            return mist_yaml_error_at(m, path, err,
                                      "depth, radial and node go with quadrant / axilla_level, "
                                      "not with center_mm");
        }
        mist_error e2;
        if (mist_phantom_add_lesion(ph, name, tissue, center, axes, 1, &e2)) {
            mist_yaml_join(full, sizeof full, path,
                           nc ? "center_mm" : (nq ? "quadrant" : "axilla_level"), 0);
            return mist_yaml_error_at(where, full, err, "%s", e2.msg);
        }
    }
    return MIST_OK;
}

mist_status mist_phantom_from_yaml(mist_yaml_doc *doc, mist_phantom **out, mist_error *err)
{
    *out = NULL;
    mist_status st;
    mist_yaml_node *root = doc->root;
    TRY(mist_yaml_check_unknown(root, "", TOP_KEYS, err));
    const char *name;
    int gen;
    uint64_t seed;
    TRY(mist_yaml_get_string(root, "", "name", MIST_REQUIRED, NULL, &name, err));
    TRY(mist_yaml_get_choice(root, "", "generator", MIST_REQUIRED, 0, GENERATORS, &gen, err));
    TRY(mist_yaml_get_uint64(root, "", "seed", MIST_OPTIONAL, 1, &seed, err));
    /* Sections of other generators are mistakes, not silently ignored parameters. */
    static const char *const SECTION_GEN[][2] = {
        {"breast", "breast_prone"},   {"chest_wall", "breast_prone"}, {"axilla", "breast_prone"},
        {"nema_iec", "nema_iec"},     {"scatter_cylinder", "scatter_cylinder"},
        {"cylinder", "cylinder"},     {"point", "point"},             {"line", "line"},
        {"derenzo", "derenzo"}};
    for (size_t s = 0; s < sizeof SECTION_GEN / sizeof SECTION_GEN[0]; s++) {
        mist_yaml_node *n = mist_yaml_map_find(root, SECTION_GEN[s][0]);
        if (n && strcmp(SECTION_GEN[s][1], GENERATORS[gen]))
            return mist_yaml_error_at(n, SECTION_GEN[s][0], err,
                                      "this section belongs to generator %s, but generator is %s",
                                      SECTION_GEN[s][1], GENERATORS[gen]);
    }
    double voxel;
    int is_breast = gen == GEN_BREAST;
    TRY(mist_yaml_get_double(root, "", "voxel_mm", MIST_OPTIONAL, is_breast ? 1.0 : 2.0,
                             is_breast ? rng(0.5, 2.0) : rng(0.25, 5.0), &voxel, err));
    mist_phantom *ph = NULL;
    mist_breast_anatomy an;
    memset(&an, 0, sizeof an);
    if (is_breast) {
        mist_breast_params p;
        TRY(read_breast(root, voxel, &p, err));
        p.seed = seed;
        TRY(mist_breast_generate(&p, &ph, &an, err));
    } else {
        st = build_shape(root, gen, voxel, &ph, err);
        if (st == MIST_ERR_INPUT && !strchr(err->msg, ':'))
            return mist_yaml_error_at(mist_yaml_map_find(root, GENERATORS[gen]),
                                      GENERATORS[gen], err, "%s", err->msg);
        if (st)
            return st;
    }
    snprintf(ph->name, sizeof ph->name, "%s", name);
    if ((st = read_tissues(root, ph, err)) || (st = read_lesions(root, ph, is_breast, &an, err))) {
        mist_phantom_free(ph);
        return st;
    }
    *out = ph;
    return MIST_OK;
}

mist_status mist_phantom_load(const char *path, const char *const *sets, size_t n_sets,
                              mist_phantom **out, mist_error *err)
{
    *out = NULL;
    mist_yaml_doc *doc = NULL;
    mist_status st = mist_yaml_load_file(path, &doc, err);
    for (size_t i = 0; !st && i < n_sets; i++)
        st = mist_yaml_override(doc, sets[i], err);
    if (!st)
        st = mist_phantom_from_yaml(doc, out, err);
    mist_yaml_free(doc);
    return st;
}
