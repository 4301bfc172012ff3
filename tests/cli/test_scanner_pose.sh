#!/usr/bin/env bash
# scanner_pose: a 20 mm F-18 source bead at phantom (0, 20, 30) with the ring's
# axis along the phantom's y through that point sits on the scanner axis: the
# trues' mean radial coordinate is 0 and nearly all of them lie within the bead's
# 10 mm radius plus blur.  The control run, the ring's axis through (0, 20, 0),
# leaves the bead 30 mm off axis (scanner frame (x, -z, y)): over the views
# (0 to 180 degrees) its radial coordinate is 30 sin(phi), whose mean magnitude is
# 2 x 30 / pi = 19.1 mm.  Both runs' OSEM images (reconstructed in the phantom's
# frame: the LORs carried back through the pose) put the bead where it is, at
# phantom (0, 20, 30): over 85 % of the image lies within 20 mm of it (the bead's
# 10 mm radius plus blur and the coarse 20 mm rings' axial artefacts), and the
# centroid of that part lies within one voxel of it.
#   test_scanner_pose.sh MIST SOURCE_DIR
set -euo pipefail
MIST=$1 SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
common=(--quiet --set 'lesions=[]' --set 'phantom_set=["point.position_mm=[0, 20, 30]"]'
        --set tracer.probe=../../phantoms/tracers/f18_affibody.yaml
        --set acquisition.simulated_fraction=0.0002)
"$MIST" run "$SRC/tests/data/study_small.yaml" -o "$TMP/on.h5" "${common[@]}" \
  --set 'scanner_pose={axis: y, center_mm: [0, 20, 30]}'
"$MIST" run "$SRC/tests/data/study_small.yaml" -o "$TMP/off.h5" "${common[@]}" \
  --set 'scanner_pose={axis: y, center_mm: [0, 20, 0]}'
/usr/bin/python3 - "$TMP" <<'PY'
import sys, h5py, numpy as np
tmp = sys.argv[1]
def radial(path):
    f = h5py.File(path, "r")
    g = f["pet/pet_ideal_ring"]
    assert g.attrs["scanner_axis"] in (b"y", "y"), g.attrs["scanner_axis"]
    t = g["trues"][...].astype(float)           # [planes, views, radial]
    nr, n = t.shape[2], 256                      # 256 crystals per ring, radius 421 mm
    s = 421.0 * np.sin(np.pi * (np.arange(nr) - nr / 2) / n)
    w = t.sum(axis=(0, 1))
    mean = (w * s).sum() / w.sum()
    rms = np.sqrt((w * s ** 2).sum() / w.sum())
    inside = w[np.abs(s) < 13.0].sum() / w.sum()
    return w.sum(), mean, rms, inside
n_on, m_on, r_on, in_on = radial(f"{tmp}/on.h5")
n_off, m_off, r_off, in_off = radial(f"{tmp}/off.h5")
print(f"on axis: {n_on:.0f} trues, mean {m_on:+.2f} mm, rms {r_on:.2f} mm, "
      f"{100 * in_on:.1f} % within 13 mm; 30 mm off: mean {m_off:+.2f} mm, "
      f"{100 * in_off:.1f} % within 13 mm")
assert n_on > 1000 and n_off > 1000, (n_on, n_off)
# Mean within 4 standard errors (rms / sqrt(n)) of 0 on axis.
assert abs(m_on) < 4 * r_on / np.sqrt(n_on), m_on
# Bead radius 10 mm + bins, voxels, positron range: >= 90 % within 13 mm on axis.
assert in_on > 0.90, in_on
# 30 mm off axis: |mean| = 60 / pi = 19.1 mm (the bead's symmetric blur leaves the mean),
# within 1 mm (discrete views and bins); and a minority within 13 mm.
assert abs(abs(m_off) - 60.0 / np.pi) < 1.0, m_off
assert in_off < 0.5, in_off
def bead(path):
    f = h5py.File(path, "r")
    d = f["recon/pet/pet_ideal_ring/image"]
    img = d[...].astype(float)
    vox = np.array(d.attrs["voxel_size_mm"], float)
    org = np.array(d.attrs["origin_mm"], float)
    k, j, i = np.indices(img.shape)
    xyz = [org[0] + i * vox[0], org[1] + j * vox[1], org[2] + k * vox[2]]
    near = (xyz[0] - 0) ** 2 + (xyz[1] - 20) ** 2 + (xyz[2] - 30) ** 2 < 20.0 ** 2
    w = img * near
    return w.sum() / img.sum(), np.array([(w * x).sum() / w.sum() for x in xyz]), vox
for name in ("on", "off"):
    share, c, vox = bead(f"{tmp}/{name}.h5")
    print(f"{name}: {100 * share:.1f} % of the image within 20 mm of the bead, centroid "
          f"({c[0]:.2f}, {c[1]:.2f}, {c[2]:.2f}) mm")
    assert share > 0.85, share
    assert np.all(np.abs(c - [0, 20, 30]) <= vox), (c, vox)
print("1 passed, 0 failed")
PY
