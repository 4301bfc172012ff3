#!/usr/bin/env bash
# `mist analyze`: a file without a reconstructed image is refused (exit 2, file
# untouched); on a simulated phantom with synthetic /recon images of known
# contrast (tests/cli/make_recon_image.py) CRC = 1 exactly for the piecewise-
# constant image, SUVs match the truth, the noisy image's voxel noise matches the
# noise put in, /analysis/lesions is written and a rerun replaces it; the NEMA IEC
# phantom gets all six spheres and the lung residual.
#   test_analyze.sh MIST SOURCE_DIR
set -euo pipefail
MIST=$1 SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$MIST" simulate "$SRC/tests/data/study_analysis.yaml" -o "$TMP/r.h5" --quiet

# No /recon: exit 2, a sentence, the file unchanged.
before=$(md5sum < "$TMP/r.h5")
rc=0; "$MIST" analyze "$TMP/r.h5" 2> "$TMP/err" || rc=$?
[ $rc -eq 2 ] || { echo "no recon: exit $rc, want 2"; exit 1; }
grep -q "holds no reconstructed image" "$TMP/err" || { cat "$TMP/err"; exit 1; }
[ "$(md5sum < "$TMP/r.h5")" = "$before" ] || { echo "file changed"; exit 1; }
rc=0; "$MIST" analyze "$TMP/none.h5" 2> "$TMP/err" || rc=$?
[ $rc -eq 2 ] && grep -q "cannot read" "$TMP/err" || { echo "missing file: exit $rc"; cat "$TMP/err"; exit 1; }

echo "not HDF5" > "$TMP/text.h5"
rc=0; "$MIST" analyze "$TMP/text.h5" 2> "$TMP/err" || rc=$?
[ $rc -eq 2 ] && grep -q "is not an HDF5 file" "$TMP/err" || { echo "text file: exit $rc"; cat "$TMP/err"; exit 1; }
# A `mist phantom` file has no activity map to score against, even with an image.
"$MIST" phantom "$SRC/tests/data/phantom_analysis.yaml" -o "$TMP/p.h5" > /dev/null
/usr/bin/python3 -c "
import h5py, numpy as np, sys
with h5py.File(sys.argv[1], 'r+') as f:
    d = f.create_dataset('/recon/pet/x/image', data=np.ones((4, 4, 4), np.float32))
    d.attrs['voxel_size_mm'] = [2.0, 2.0, 2.0]; d.attrs['origin_mm'] = [0.0, 0.0, 0.0]
" "$TMP/p.h5"
rc=0; "$MIST" analyze "$TMP/p.h5" 2> "$TMP/err" || rc=$?
[ $rc -eq 2 ] && grep -q "has no /phantom/activity" "$TMP/err" || { echo "phantom file: exit $rc"; cat "$TMP/err"; exit 1; }

/usr/bin/python3 "$SRC/tests/cli/make_recon_image.py" "$TMP/r.h5" > "$TMP/truth.json"
"$MIST" analyze "$TMP/r.h5" > "$TMP/table.txt"
grep -Eq '^pet/exact$' "$TMP/table.txt" && grep -Eq '^  primary ' "$TMP/table.txt" \
  || { cat "$TMP/table.txt"; exit 1; }
"$MIST" analyze "$TMP/r.h5" --json > "$TMP/a.json"
/usr/bin/python3 - "$TMP/a.json" "$TMP/truth.json" "$TMP/r.h5" <<'PY'
import json, math, sys
import h5py
a = json.load(open(sys.argv[1]))
t = json.load(open(sys.argv[2]))
rows = {(r["image"], r["name"]): r for r in a["lesions"]}
assert len(rows) == 4, rows.keys()
for name, a_h in t["lesions"].items():
    r = rows[("pet/exact", name)]
    # Piecewise constant: C_H = a_H, C_B = a_B exactly (float32 image).
    assert abs(r["crc"] - 1) < 1e-4, r
    assert r["bv"] == 0 and r["cnr"] is None, r
    assert abs(r["a_h_Bq_mL"] / a_h - 1) < 1e-5 and abs(r["a_b_Bq_mL"] / t["a_b"] - 1) < 1e-5, r
    suv = a_h * t["suv_scale"]
    assert abs(r["suv_mean"] / suv - 1) < 1e-5 and abs(r["suv_max"] / suv - 1) < 1e-5, (r, suv)
    assert r["n_bg_rois"] == 60, r
    n = rows[("pet/noisy", name)]
    # White noise SD 0.1 a_B: voxel noise 0.1 within 4 SE, SE = 0.1 / sqrt(2 N) with
    # N >= 60 ROIs x 9 voxels (a 7 mm disk on 2 mm pixels): 0.012.
    assert abs(n["noise"] - 0.1) < 0.012, n
    # C_B's SE is SD_B / sqrt(60) (0.3 % here), C_H's smaller: CRC within 4 x 0.5 %.
    assert abs(n["crc"] - 1) < 0.02 and n["bv"] > 0 and n["cnr"] > 0, n
with h5py.File(sys.argv[3], "r") as f:
    tab = f["/analysis/lesions"][...]
    assert len(tab) == 4, tab
    for col in ("image", "name", "diameter_mm", "crc", "bv", "cnr", "suv_max", "suv_mean"):
        assert col in tab.dtype.names, tab.dtype.names
    assert f["/analysis/lesions"].attrs["units"]
    assert "/phantom/activity" in f and "/recon/pet/exact/image" in f
PY
# A rerun replaces /analysis rather than failing or duplicating it; no temporary file is left.
"$MIST" analyze "$TMP/r.h5" > /dev/null
/usr/bin/python3 -c "import h5py,sys; assert len(h5py.File(sys.argv[1])['/analysis/lesions']) == 4" "$TMP/r.h5"
if ls "$TMP"/r.h5.tmp.* 2>/dev/null; then echo "temporary file left"; exit 1; fi

# A field of view that leaves out one lesion (x > 0 mm cut away): that lesion's row says so,
# the other is scored as before.
/usr/bin/python3 - "$TMP/r.h5" <<'PY'
import sys
import h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    src = f["/recon/pet/exact/image"]
    org, vox = np.array(src.attrs["origin_mm"]), np.array(src.attrs["voxel_size_mm"])
    nx = int((0.0 - org[0]) / vox[0])
    d = f.create_dataset("/recon/pet/crop/image", data=src[:, :, :nx])
    d.attrs["origin_mm"], d.attrs["voxel_size_mm"] = org, vox
PY
"$MIST" analyze "$TMP/r.h5" --json > "$TMP/crop.json"
"$MIST" analyze "$TMP/r.h5" | grep -Eq '^  primary +12.0  \(not wholly inside the image\)$'
/usr/bin/python3 - "$TMP/crop.json" <<'PY'
import json, sys
rows = {(r["image"], r["name"]): r for r in json.load(open(sys.argv[1]))["lesions"]}
assert len(rows) == 6, rows.keys()
p, s = rows[("pet/crop", "primary")], rows[("pet/crop", "small")]
assert not p["in_image"] and p["crc"] is None and p["n_bg_rois"] == 0, p
assert s["in_image"] and abs(s["crc"] - 1) < 1e-4, s
PY

# NEMA IEC image quality: all six spheres scored, and the cold lung insert's residual
# (0 in the exact image) in /analysis/lung_residual.
"$MIST" simulate "$SRC/tests/data/study_iec.yaml" -o "$TMP/iec.h5" --quiet
/usr/bin/python3 "$SRC/tests/cli/make_recon_image.py" "$TMP/iec.h5" > /dev/null
"$MIST" analyze "$TMP/iec.h5" --json > "$TMP/iec.json"
/usr/bin/python3 - "$TMP/iec.json" "$TMP/iec.h5" <<'PY'
import json, sys
import h5py
a = json.load(open(sys.argv[1]))
exact = {r["name"]: r for r in a["lesions"] if r["image"] == "pet/exact"}
assert sorted(exact) == sorted(f"sphere_{d}mm" for d in (10, 13, 17, 22, 28, 37)), exact.keys()
for r in exact.values():
    assert abs(r["crc"] - 1) < 1e-4 and abs(r["a_h_Bq_mL"] / r["a_b_Bq_mL"] - 4) < 1e-4, r
    assert r["n_bg_rois"] >= 48, r
lung = {r["image"]: r for r in a["lung_residual"]}
assert lung["pet/exact"]["lung_residual"] == 0 and lung["pet/exact"]["slices"] > 0, lung
with h5py.File(sys.argv[2], "r") as f:
    assert len(f["/analysis/lung_residual"]) == 2
PY
echo "1 passed, 0 failed"
