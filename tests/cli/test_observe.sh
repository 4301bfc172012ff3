#!/usr/bin/env bash
# `mist observe` (issue #9 items 2-3) on tests/data/study_observe.yaml: a muscle
# cylinder on the ideal ring with a large hot lesion ("big", 16 mm HER2+), a small
# faint one ("small", 6 mm HER2-) and a null lesion ("flat": muscle in muscle, so
# its lesion-absent simulation is bit-identical to the present data).
#  (a) the command writes /analysis/observer; big's d' lower CI bound exceeds
#      small's d' for both observers; every AUC is in [0, 1] with its CI holding it;
#  (b) null: flat's NPW d' 95 % CI holds 0, and the CHO's bias-corrected d'^2 is
#      within 4 SD of 0, the SD from the Hotelling T^2 null distribution
#      (T^2 = n0 n1 / (n0 + n1) D ~ nu p / (nu - p + 1) F(p, nu - p + 1));
#  (c) the same file and seed give the identical table;
#  and refused input leaves the file untouched.
#   test_observe.sh MIST SOURCE_DIR
set -euo pipefail
MIST=$1 SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$MIST" simulate "$SRC/tests/data/study_observe.yaml" -o "$TMP/r.h5" --quiet

# Refused input: exit 2, the file unchanged, no temporary files left.
before=$(md5sum < "$TMP/r.h5")
rc=0; "$MIST" observe "$TMP/r.h5" --set recon.iterations=1 --quiet 2> "$TMP/err" || rc=$?
[ $rc -eq 2 ] && grep -q "only analysis" "$TMP/err" || { echo "recon set: exit $rc"; cat "$TMP/err"; exit 1; }
rc=0; "$MIST" observe "$TMP/r.h5" --counts -1 --quiet 2> "$TMP/err" || rc=$?
[ $rc -eq 2 ] || { echo "--counts -1: exit $rc"; exit 1; }
[ "$(md5sum < "$TMP/r.h5")" = "$before" ] || { echo "file changed"; exit 1; }

# 0.1 x the simulated counts (simulated_fraction 1: 0.1 of the clinical level).
"$MIST" observe "$TMP/r.h5" --counts 0.1 --json --quiet > "$TMP/a.json"
cp "$TMP/r.h5" "$TMP/first.h5"
"$MIST" observe "$TMP/r.h5" --counts 0.1 --json --quiet > "$TMP/b.json"
[ "$(ls "$TMP")" = "$(printf 'a.json\nb.json\nerr\nfirst.h5\nr.h5')" ] || { ls "$TMP"; exit 1; }
/usr/bin/python3 - "$TMP/a.json" "$TMP/b.json" "$TMP/first.h5" "$TMP/r.h5" <<'PY'
import json, math, sys
import h5py, numpy as np
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
rows = {(r["lesion"], r["observer"]): r for r in a["observer"]}
assert len(rows) == 6, rows.keys()
N = 8
for r in a["observer"]:
    assert r["realizations"] == N, r
    assert 0 <= r["auc_lo"] <= r["auc"] <= r["auc_hi"] <= 1, r
    assert r["d_prime_lo"] <= r["d_prime_hi"], r
# (a) the big hot lesion is far more detectable than the small faint one.
for obs in ("npw", "cho"):
    big, small = rows[("big", obs)], rows[("small", obs)]
    assert big["d_prime_lo"] > small["d_prime"], (big, small)
    assert big["auc"] > 0.9, big
# (b) null lesion: identical expected data in both classes.
flat = rows[("flat", "npw")]
assert flat["d_prime_lo"] <= 0 <= flat["d_prime_hi"], flat
assert flat["auc_lo"] <= 0.5 <= flat["auc_hi"], flat
# CHO: SD of d2_unbiased = (nu - p - 1) / nu * SD(D), D = T^2 (n0 + n1) / (n0 n1).
p, n0, n1 = 6, N, N
nu = n0 + n1 - 2
m = nu - p + 1
var_f = 2 * m * m * (p + m - 2) / (p * (m - 2) ** 2 * (m - 4))
sd_d = nu * p / m * math.sqrt(var_f) * (n0 + n1) / (n0 * n1)
sd_unb = (nu - p - 1) / nu * sd_d
d2 = rows[("flat", "cho")]["d2_unbiased"]
assert abs(d2) < 4 * sd_unb, (d2, sd_unb)
print("null CHO d'^2 (unbiased) %.3f, 4 SD %.3f" % (d2, 4 * sd_unb))
# (c) reproducible: same table (wall time aside).
for k in ("count_scale", "mc_ratio", "observer"):
    assert a[k] == b[k], k
t1 = h5py.File(sys.argv[3], "r")["/analysis/observer"]
t2 = h5py.File(sys.argv[4], "r")["/analysis/observer"]
assert t1.shape == (6,) and t1[()].tobytes() == t2[()].tobytes()
assert abs(t1.attrs["mc_ratio"] - 0.1) < 1e-12
names = set(t1.dtype.names)
for c in ("image", "lesion", "observer", "d_prime", "d_prime_lo", "d_prime_hi", "auc", "auc_lo",
          "auc_hi", "realizations"):
    assert c in names, c
print(json.dumps(a["observer"][:2]))
PY
echo "observe ok"
