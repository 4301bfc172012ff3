/*
 * phantom_load.h - phantom definition files (YAML) -> a phantom.
 *
 * A phantom file names its generator and that generator's parameters, each
 * range-checked, plus optional user tissue classes and lesions:
 *
 *   name: breast_prone_scattered
 *   generator: breast_prone   # or nema_iec, scatter_cylinder, cylinder, point, line, derenzo
 *   seed: 1                   # texture and node placement (breast_prone)
 *   voxel_mm: 1.0
 *   breast: {side: left, volume_mL: 600, birads: b, skin_mm: 1.5, ...}
 *   chest_wall: {depth_mm: 100, pectoralis_mm: 12, ...}
 *   axilla: {nodes_level1: 4, nodes_level2: 3, node_diameter_mm: [5, 9]}
 *   tissues:                  # extra classes (or redefinitions of built-in ones)
 *     - {name: seroma, material: water, uptake: none, density_g_cm3: 1.01}
 *   lesions:
 *     - {name: primary, tissue: tumor_her2_pos, diameter_mm: 12, quadrant: UOQ, depth: 0.5}
 *     - {name: n1, tissue: node_met, diameter_mm: 6, axilla_level: 1, node: 0}
 *     - {name: x, tissue: tumor_her2_neg, center_mm: [10, 30, 5], semi_axes_mm: [5, 4, 3]}
 *
 * The other generators take their parameters from a mapping named after them
 * (nema_iec: {...}, derenzo: {...}, ...).  Every problem is MIST_ERR_INPUT
 * with "file:line:column: key.path: what was expected" (unknown keys with a
 * "did you mean"; negative sizes; unknown tissue; a lesion outside the body).
 */
#ifndef MIST_MODEL_PHANTOM_LOAD_H
#define MIST_MODEL_PHANTOM_LOAD_H

#include <stddef.h>

#include "core/status.h"
#include "io/yaml_doc.h"
#include "model/phantom.h"

/* Read a phantom file, apply `n_sets` overrides ("a.b=value", as for studies) and build the
 * phantom. */
mist_status mist_phantom_load(const char *path, const char *const *sets, size_t n_sets,
                              mist_phantom **out, mist_error *err);

/* Build the phantom from a loaded document. */
mist_status mist_phantom_from_yaml(mist_yaml_doc *doc, mist_phantom **out, mist_error *err);

#endif
