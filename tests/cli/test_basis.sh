#!/usr/bin/env bash
# `mist basis` and `mist combine` (issue #9 item 4) on tests/data/study_basis.yaml: a
# muscle cylinder with a 16 mm HER2+ lesion on the ideal ring.  The basis (each tissue
# class simulated alone at 2 h, 200 MBq, 2 s) is combined into another protocol (1 h,
# 150 MBq, 3 s) and compared with a direct simulation of that protocol:
#  (a) the trues + scatters + detector scatters in 32 sinogram regions (4 view x 4 radial
#      x 2 plane ranges; those with counts): chi-square within 4 sigma of its R degrees of
#      freedom (chi2 < R + 4 sqrt(2 R)), each region's variance the direct counts plus the
#      basis's (sum over classes of weight^2 x the class's counts in the region);
#  (b) the accepted singles (a total) and each class's share of them within 4 sigma;
#  (c) the modelled randoms (2 tau S_a S_b from the combined singles) against the direct
#      run's delayed coincidences in the sinogram (an unbiased randoms estimate) within
#      4 sigma of the delayed counts' Poisson error;
#  (d) `mist recon` reconstructs the combined file; refused input: a --set outside the
#      activity and frame keys, a probe of another nuclide, both exit 2 and write nothing;
#  (e) `mist sweep` with `basis: true` (below).
#   test_basis.sh MIST SOURCE_DIR
set -euo pipefail
MIST=$1 SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
STUDY="$SRC/tests/data/study_basis.yaml"
SETS=(--set tracer.uptake_time_h=1 --set tracer.injected_MBq=150 --set acquisition.duration_s=3)
"$MIST" basis "$STUDY" -o "$TMP/basis.h5" --quiet
"$MIST" combine "$TMP/basis.h5" -o "$TMP/comb.h5" "${SETS[@]}" --quiet
"$MIST" simulate "$STUDY" -o "$TMP/direct.h5" "${SETS[@]}" --quiet

rc=0; "$MIST" combine "$TMP/basis.h5" -o "$TMP/bad.h5" --set lesions.0.diameter_mm=5 2> "$TMP/err" || rc=$?
[ $rc -eq 2 ] && grep -q "changes only the activity" "$TMP/err" || { echo "lesion set: exit $rc"; cat "$TMP/err"; exit 1; }
rc=0; "$MIST" combine "$TMP/basis.h5" -o "$TMP/bad.h5" \
  --set tracer.probe="$SRC/phantoms/tracers/zr89_trastuzumab.yaml" 2> "$TMP/err" || rc=$?
[ $rc -eq 2 ] && grep -q "simulate a basis for Zr-89" "$TMP/err" || { echo "probe: exit $rc"; cat "$TMP/err"; exit 1; }
[ ! -e "$TMP/bad.h5" ] && [ -z "$(ls "$TMP" | grep tmp || true)" ] || { ls "$TMP"; exit 1; }

/usr/bin/python3 - "$TMP/basis.h5" "$TMP/comb.h5" "$TMP/direct.h5" <<'PY'
import math, sys
import h5py, numpy as np
B, C, D = (h5py.File(p, "r") for p in sys.argv[1:4])
sc = "pet_ideal_ring"
def regions(a):
    # [planes, views, radial] -> 2 x 4 x 4 region sums
    p, v, r = a.shape
    out = np.zeros((2, 4, 4))
    for i in range(2):
        for j in range(4):
            for k in range(4):
                out[i, j, k] = a[i * p // 2:(i + 1) * p // 2, j * v // 4:(j + 1) * v // 4,
                                 k * r // 4:(k + 1) * r // 4].sum()
    return out.ravel()
parts = ("trues", "scatters", "detector_scatters")
d = sum(regions(D["pet/%s/%s" % (sc, q)][()].astype(float)) for q in parts)
c = sum(regions(C["pet/%s/%s" % (sc, q)][()].astype(float)) for q in parts)
names = C.attrs["basis_classes"]
names = (names.decode() if isinstance(names, bytes) else names).split(",")
w = C.attrs["basis_weights"]
var_c = np.zeros_like(c)
for name, wl in zip(names, w):
    n = sum(regions(B["basis/%s/%s" % (name, q)][()].astype(float)) for q in parts)
    var_c += wl * wl * n
# Regions no count reaches (outside the cylinder's sinogram support) hold none in either.
live = d + var_c > 0
assert np.all(c[~live] == 0), c[~live]
chi2 = float(((c[live] - d[live]) ** 2 / (d[live] + var_c[live])).sum())
R = int(live.sum())
assert R >= 16, R
print("regions %d: direct %.0f, combined %.1f counts; chi2 %.1f (limit %.1f)"
      % (R, d.sum(), c.sum(), chi2, R + 4 * math.sqrt(2 * R)))
assert chi2 < R + 4 * math.sqrt(2 * R), chi2
# (b) accepted singles.
sd_ = D["pet/%s/block_singles" % sc][1].astype(float).sum()
sc_ = C["pet/%s/block_singles" % sc][1].sum()
vs = sum(wl * wl * B["basis/%s/block_singles" % name][1].astype(float).sum()
         for name, wl in zip(names, w))
z = (sc_ - sd_) / math.sqrt(sd_ + vs)
print("singles: direct %.0f, combined %.1f, z %.2f" % (sd_, sc_, z))
assert abs(z) < 4, z
# (c) randoms model against the delayed window.
delayed = D["pet/%s/delayed" % sc][()].astype(float).sum()
rnd = C["pet/%s/randoms" % sc][()].sum()
z = (rnd - delayed) / math.sqrt(delayed)
print("randoms: direct delayed %.0f, modelled %.1f, z %.2f" % (delayed, rnd, z))
assert abs(z) < 4, z
assert abs(C["pet/%s/delayed" % sc][()].sum() - rnd) < 1e-3 * rnd
a = C["acquisition"].attrs
assert abs(a["duration_s"] - 3) < 1e-12 and abs(a["frame_start_s"] - 3600) < 1e-9, dict(a)
assert abs(a["injected_Bq"] - 150e6) < 1, a["injected_Bq"]
# The activity map is the target's, exactly as a direct simulation writes it.
assert np.array_equal(C["phantom/activity"][()], D["phantom/activity"][()])
PY
"$MIST" recon "$TMP/comb.h5" --quiet
/usr/bin/python3 -c "
import h5py, sys, numpy as np
im = h5py.File(sys.argv[1], 'r')['recon/pet/pet_ideal_ring/image'][()]
assert np.isfinite(im).all() and im.max() > 0
" "$TMP/comb.h5"

# (e) mist sweep with basis: true: one basis, four points combined, reconstructed and
# analysed; point 3 equals `mist combine` with its overrides; the speed-up line; an axis
# that changes more than the activity is refused.
mkdir "$TMP/sw"
cat > "$TMP/sw/act.yaml" <<YAML
name: act
study: $STUDY
basis: true
grid:
  tracer.uptake_time_h: [1, 2]
  tracer.injected_MBq: [150, 200]
YAML
"$MIST" sweep "$TMP/sw/act.yaml" -o "$TMP/sw/out" 2> "$TMP/sw/log"
cat "$TMP/sw/log"
grep -q "^sweep: basis: 1 basis simulation in .* 4 points combined in .*x faster" "$TMP/sw/log"
[ "$(grep -c '^sweep: \[[1-4]/4\] point [0-3] .* done in' "$TMP/sw/log")" = 4 ]
"$MIST" combine "$TMP/sw/out/basis_Ga-68.h5" -o "$TMP/p3.h5" --set tracer.uptake_time_h=2 \
  --set tracer.injected_MBq=200 --quiet
/usr/bin/python3 - "$TMP/sw/out" "$TMP/p3.h5" <<'PY'
import csv, sys
import h5py, numpy as np
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/results.csv")))
assert len(rows) == 4, rows
a = h5py.File(d + "/point_3.h5", "r")["pet/pet_ideal_ring/prompts"][()]
b = h5py.File(sys.argv[2], "r")["pet/pet_ideal_ring/prompts"][()]
assert np.array_equal(a, b)
assert "recon" in h5py.File(d + "/point_3.h5", "r")
les = list(csv.DictReader(open(d + "/lesions.csv")))
assert len(les) == 4, les
print("sweep basis ok:", [r["prompts"] for r in rows])
PY
sed -i 's/tracer.injected_MBq: \[150, 200\]/lesions.0.diameter_mm: [8, 16]/' "$TMP/sw/act.yaml"
rc=0; "$MIST" sweep "$TMP/sw/act.yaml" -o "$TMP/sw/bad" 2> "$TMP/err" || rc=$?
[ $rc -eq 2 ] && grep -q "basis: true needs axes" "$TMP/err" && [ ! -e "$TMP/sw/bad" ] \
  || { echo "bad basis axis: exit $rc"; cat "$TMP/err"; exit 1; }
echo "basis ok"
