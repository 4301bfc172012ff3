#!/usr/bin/env bash
# `mist sweep`: a 2 x 2 sweep over tests/data/study_small.yaml writes points.csv,
# point files and results tables whose axis values and counters match each point
# file; a point equals a direct `mist run` with the same overrides and seed, bit
# for bit; --point runs one point and writes no results; --resume reruns only
# the points whose file is missing; seed repeats; a bad grid key is exit 2 naming
# the sweep file's line and writes nothing; plot_sweep.py writes report.html.
#   test_sweep.sh MIST SOURCE_DIR [MPIEXEC]
set -euo pipefail
MIST=$1 SRC=$2 MPIEXEC=${3:-$(command -v mpirun || true)}
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/sweeps"
# File values are relative to the sweep file (here $TMP/sweeps).
ln -s "$SRC/phantoms" "$TMP/phantoms"
cat > "$TMP/sweeps/tiny.yaml" <<YAML
name: tiny
study: $SRC/tests/data/study_small.yaml
set: ["acquisition.simulated_fraction=0.00002"]
grid:
  tracer.probe: [../phantoms/tracers/ga68_aby025.yaml, ../phantoms/tracers/zr89_trastuzumab.yaml]
  lesions.0.diameter_mm: [4, 8]
YAML
"$MIST" sweep "$TMP/sweeps/tiny.yaml" -o "$TMP/out" 2> "$TMP/log"
cat "$TMP/log"
[ "$(grep -c '^sweep: \[[1-4]/4\] point [0-3] (tracer.probe=.*, lesions.0.diameter_mm=[48]) done in' "$TMP/log")" = 4 ] \
  || { echo "progress lines"; exit 1; }
grep -q "lesion metrics of 4 points in lesions.csv" "$TMP/log"  # mist run reconstructs and analyses
for f in points.csv results.csv results.h5 point_0.h5 point_1.h5 point_2.h5 point_3.h5; do
  [ -f "$TMP/out/$f" ] || { echo "missing $f"; exit 1; }
done
if ls "$TMP"/out/*.tmp.* 2>/dev/null; then echo "temporary file left"; exit 1; fi
$PY - "$TMP/out" "$SRC" <<'PY'
import csv, os, sys
import h5py, numpy as np
d, src = sys.argv[1], sys.argv[2]
pts = list(csv.DictReader(open(f"{d}/points.csv")))
res = list(csv.DictReader(open(f"{d}/results.csv")))
assert len(pts) == 4 and len(res) == 4, (pts, res)
assert list(pts[0]) == ["index", "tracer.probe", "lesions.0.diameter_mm", "seed", "file"], pts[0]
want = [("ga68", "4"), ("ga68", "8"), ("zr89", "4"), ("zr89", "8")]
names = ["decays", "prompts", "trues", "scatters", "randoms", "delayed"]
with h5py.File(f"{d}/results.h5") as r:
    for i, (p, row) in enumerate(zip(pts, res)):
        assert int(row["index"]) == i and row["file"] == f"point_{i}.h5", row
        assert os.path.basename(row["tracer.probe"]).startswith(want[i][0]), row
        assert row["lesions.0.diameter_mm"] == want[i][1] and row["seed"] == "7", row
        with h5py.File(f"{d}/{row['file']}") as f:
            # The point's study: its overrides, with the probe as an absolute path.
            y = f.attrs["study_yaml"]
            y = y.decode() if isinstance(y, bytes) else y
            assert f"# --set lesions.0.diameter_mm={want[i][1]}" in y, y
            probe = os.path.realpath(f"{src}/phantoms/tracers/" + os.path.basename(row["tracer.probe"]))
            assert f'# --set tracer.probe="{probe}"' in y, y
            assert int(f.attrs["seed"]) == 7
            c = f["/pet/pet_ideal_ring/counts"].attrs
            got = [int(f["/acquisition"].attrs["decays"])] + [int(c[n]) for n in names[1:]]
        assert [int(row[n]) for n in names] == got, (row, got)
        assert got[1] > 0 and got[0] > 0
        assert [int(r[f"/points/{n}"][i]) for n in names] == got
        assert r["/points/lesions.0.diameter_mm"][i] == float(want[i][1])
        tp = r["/points/tracer.probe"][i]
        assert (tp.decode() if isinstance(tp, bytes) else tp) == row["tracer.probe"]
    assert int(r.attrs["n_points"]) == 4 and "/lesions" in r
    for i in range(4):  # every point file went through OSEM and the lesion analysis
        with h5py.File(f"{d}/point_{i}.h5", "r") as f:
            assert "recon" in f and "analysis/lesions" in f, i
assert os.path.exists(f"{d}/lesions.csv")
PY

# A point equals `mist run` with the same overrides and seed, bit for bit (sinograms).
"$MIST" run "$SRC/tests/data/study_small.yaml" --quiet -o "$TMP/direct.h5" \
  --set acquisition.simulated_fraction=0.00002 \
  --set tracer.probe="$SRC/phantoms/tracers/zr89_trastuzumab.yaml" --set lesions.0.diameter_mm=4
$PY - "$TMP/direct.h5" "$TMP/out/point_2.h5" <<'PY'
import sys
import h5py, numpy as np
with h5py.File(sys.argv[1]) as a, h5py.File(sys.argv[2]) as b:
    n = 0
    for k in ("prompts", "trues", "scatters", "detector_scatters", "randoms", "delayed", "counts"):
        x, y = a[f"/pet/pet_ideal_ring/{k}"][...], b[f"/pet/pet_ideal_ring/{k}"][...]
        assert x.shape == y.shape and np.array_equal(x, y), k
        n += int(x.sum())
    assert n > 0
    assert np.array_equal(a["/acquisition/decays_per_batch"][...], b["/acquisition/decays_per_batch"][...])
    assert np.array_equal(a["/phantom/activity"][...], b["/phantom/activity"][...])
PY

# --resume after deleting one point file reruns that point only, and the result is the same.
cp "$TMP/out/point_1.h5" "$TMP/p1.h5"
cp "$TMP/out/point_3.h5" "$TMP/p3.h5"
rm "$TMP/out/point_1.h5"
"$MIST" sweep "$TMP/sweeps/tiny.yaml" -o "$TMP/out" --resume 2> "$TMP/log"
[ "$(grep -c 'already done, skipped' "$TMP/log")" = 3 ] && grep -q '^sweep: \[2/4\] point 1 (.*) done in' "$TMP/log" \
  || { cat "$TMP/log"; echo "resume"; exit 1; }
cmp "$TMP/out/point_3.h5" "$TMP/p3.h5" || { echo "resume rewrote point 3"; exit 1; }
$PY - "$TMP/p1.h5" "$TMP/out/point_1.h5" <<'PY'
import sys
import h5py, numpy as np
with h5py.File(sys.argv[1]) as a, h5py.File(sys.argv[2]) as b:
    assert np.array_equal(a["/pet/pet_ideal_ring/prompts"][...], b["/pet/pet_ideal_ring/prompts"][...])
PY

# --point I runs point I only (a job-array task) and writes no results tables; --collect
# then writes them, and refuses while a point is missing.
"$MIST" sweep "$TMP/sweeps/tiny.yaml" -o "$TMP/arr" --point 2 2> "$TMP/log"
[ "$(ls "$TMP/arr" | tr '\n' ' ')" = "point_2.h5 points.csv " ] || { ls "$TMP/arr"; exit 1; }
grep -q '^sweep: \[3/4\] point 2 ' "$TMP/log"
cmp "$TMP/arr/points.csv" "$TMP/out/points.csv"
rc=0; "$MIST" sweep "$TMP/sweeps/tiny.yaml" -o "$TMP/arr" --collect 2> "$TMP/log" || rc=$?
[ $rc -eq 1 ] && grep -q '3 of 4 points have no complete result.*points 0, 1, 3' "$TMP/log" \
  || { echo "collect with missing points: exit $rc"; cat "$TMP/log"; exit 1; }
for i in 0 1 3; do "$MIST" sweep "$TMP/sweeps/tiny.yaml" -o "$TMP/arr" --point $i --quiet; done
"$MIST" sweep "$TMP/sweeps/tiny.yaml" -o "$TMP/arr" --collect --quiet
cmp "$TMP/arr/results.csv" "$TMP/out/results.csv"
rc=0; "$MIST" sweep "$TMP/sweeps/tiny.yaml" -o "$TMP/arr" --point 4 2> "$TMP/log" || rc=$?
[ $rc -eq 2 ] && grep -q -- '--point 4: expected a point index from 0 to 3' "$TMP/log" \
  || { echo "--point 4: exit $rc"; cat "$TMP/log"; exit 1; }

# --dry-run validates and writes points.csv only.
"$MIST" sweep "$TMP/sweeps/tiny.yaml" -o "$TMP/dry" --dry-run 2> "$TMP/log"
grep -q '^sweep: tiny: 4 points valid, nothing run' "$TMP/log" && [ "$(ls "$TMP/dry")" = points.csv ] \
  || { cat "$TMP/log"; ls "$TMP/dry"; exit 1; }

# Under MPI every point uses all ranks: 2 ranks give the same results as 1.
if [ -n "$MPIEXEC" ]; then
  source "$SRC/scripts/mpi_env.sh"
  "$MPIEXEC" --oversubscribe -n 2 "$MIST" sweep "$TMP/sweeps/tiny.yaml" -o "$TMP/mpi" --quiet
  cmp "$TMP/mpi/results.csv" "$TMP/out/results.csv" || { echo "2 ranks differ"; exit 1; }
  # points.csv, results.csv, results.h5, lesions.csv and 4 point files
  [ "$(ls "$TMP/mpi" | wc -l)" = 8 ] || { ls "$TMP/mpi"; exit 1; }
fi

# Seed repeats and a zip axis: 2 values x 2 seeds; repeat r has the study's seed + r.
cat > "$TMP/sweeps/seeds.yaml" <<YAML
name: seeds
study: $SRC/tests/data/study_small.yaml
set: ["acquisition.simulated_fraction=0.00001"]
zip:
  tracer.uptake_time_h: [1, 3]
  acquisition.duration_s: [30, 60]
seeds: 2
YAML
"$MIST" sweep "$TMP/sweeps/seeds.yaml" -o "$TMP/seeds" --quiet
$PY - "$TMP/seeds" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(f"{sys.argv[1]}/results.csv")))
got = [(r["tracer.uptake_time_h"], r["acquisition.duration_s"], r["seed"]) for r in rows]
assert got == [("1", "30", "7"), ("1", "30", "8"), ("3", "60", "7"), ("3", "60", "8")], got
assert rows[0]["prompts"] != rows[1]["prompts"], rows
PY

# Bad input: exit 2, file:line:column naming the key, nothing written.
bad() {
  local pattern=$1
  rc=0; "$MIST" sweep "$TMP/sweeps/bad.yaml" -o "$TMP/bad" 2> "$TMP/log" || rc=$?
  if [ $rc -ne 2 ] || ! grep -Eq -- "$pattern" "$TMP/log"; then
    echo "bad sweep: exit $rc, want 2 and /$pattern/:"; cat "$TMP/log"; exit 1
  fi
  [ ! -e "$TMP/bad" ] || { echo "bad sweep wrote $TMP/bad"; exit 1; }
}
sed 's/lesions.0.diameter_mm: \[4, 8\]/lesions.0.diamter_mm: [4, 8]/' "$TMP/sweeps/tiny.yaml" > "$TMP/sweeps/bad.yaml"
bad "bad.yaml:6:3: grid.lesions.0.diamter_mm: point 0 \(.*\): lesions\[0\].diamter_mm: unknown key \(did you mean 'diameter_mm'\?\)"
sed 's/\[4, 8\]/[4, -8]/' "$TMP/sweeps/tiny.yaml" > "$TMP/sweeps/bad.yaml"
bad "bad.yaml:6:30: grid.lesions.0.diameter_mm\[1\]: point 1 \(.*lesions.0.diameter_mm=-8\): lesions\[0\].diameter_mm: expected"
sed 's/^grid:/grdi:/' "$TMP/sweeps/tiny.yaml" > "$TMP/sweeps/bad.yaml"
bad "bad.yaml:4:1: grdi: unknown key.*did you mean 'grid'"
sed 's|zr89_trastuzumab.yaml|zr89.yaml|' "$TMP/sweeps/tiny.yaml" > "$TMP/sweeps/bad.yaml"
bad "bad.yaml:5:.*grid.tracer.probe\[1\]: file '../phantoms/tracers/zr89.yaml' not found"
printf 'name: z\nstudy: %s\nzip:\n  tracer.uptake_time_h: [1, 2]\n  acquisition.duration_s: [30]\n' \
  "$SRC/tests/data/study_small.yaml" > "$TMP/sweeps/bad.yaml"
bad "bad.yaml:5:27: zip.acquisition.duration_s: expected 2 values, as many as zip.tracer.uptake_time_h"
printf 'name: z\nstudy: %s\nset: ["acquisition.duration_s=-1"]\n' "$SRC/tests/data/study_small.yaml" > "$TMP/sweeps/bad.yaml"
bad "bad.yaml:3:7: set\[0\]: point 0 \(\): acquisition.duration_s: expected"

# The report: figures and report.html from the counters-only results.
MPLBACKEND=Agg $PY "$SRC/scripts/plot_sweep.py" "$TMP/out" > "$TMP/plot.log"
grep -q '<img' "$TMP/out/report.html" && ls "$TMP"/out/*.png > /dev/null \
  || { cat "$TMP/plot.log"; echo "report"; exit 1; }
grep -q 'point_3.h5' "$TMP/out/report.html"

# Lesion metrics: point files with (synthetic, tests/cli/make_recon_image.py) reconstructed
# images are scored by `mist analyze` when collected; lesions.csv and /lesions in
# results.h5 hold their rows (CRC = 1 in the exact image), and the report plots CRC.
cat > "$TMP/sweeps/les.yaml" <<YAML
name: lesions
study: $SRC/tests/data/study_analysis.yaml
grid:
  lesions.1.diameter_mm: [5, 7]
YAML
"$MIST" sweep "$TMP/sweeps/les.yaml" -o "$TMP/les" --quiet
# The run already reconstructed and analysed each point (OSEM image pet/pet_ideal_ring); add the
# synthetic images and analyse again, so /analysis/lesions covers all three.
for i in 0 1; do
  $PY "$SRC/tests/cli/make_recon_image.py" "$TMP/les/point_$i.h5" > /dev/null
  "$MIST" analyze "$TMP/les/point_$i.h5" > /dev/null
done
"$MIST" sweep "$TMP/sweeps/les.yaml" -o "$TMP/les" --collect 2> "$TMP/log"
grep -q 'lesion metrics of 2 points in lesions.csv' "$TMP/log" || { cat "$TMP/log"; exit 1; }
$PY - "$TMP/les" <<'PY'
import csv, math, sys
import h5py
d = sys.argv[1]
rows = list(csv.DictReader(open(f"{d}/lesions.csv")))
assert len(rows) == 12, rows  # 2 points x 3 images (OSEM, exact, noisy) x 2 lesions
small = [r for r in rows if r["lesion"] == "small" and r["image"] == "pet/exact"]
assert [(r["index"], r["lesions.1.diameter_mm"], r["diameter_mm"]) for r in small] == \
    [("0", "5", "5"), ("1", "7", "7")], small
for r in rows:
    if r["image"] == "pet/exact":
        assert abs(float(r["crc"]) - 1) < 1e-4, r
with h5py.File(f"{d}/results.h5") as f:
    t = f["/lesions"][...]
    assert len(t) == 12 and list(t["point"]) == [int(r["index"]) for r in rows]
    assert all(abs(c - 1) < 1e-4 for c, im in zip(t["crc"], t["image"]) if im == b"pet/exact")
with h5py.File(f"{d}/point_0.h5") as f:
    assert "/analysis/lesions" in f
PY
$PY "$SRC/scripts/plot_sweep.py" "$TMP/les" > "$TMP/plot.log"
grep -q 'sweep_crc_small.png' "$TMP/plot.log" && grep -q 'sweep_images.png' "$TMP/plot.log" \
  && grep -q '<h2>Lesions' "$TMP/les/report.html" \
  || { cat "$TMP/plot.log"; exit 1; }
# Observer study in a sweep (observe:): every point is scored by `mist observe`; observer.csv
# and /observer in results.h5 hold exactly the rows of each point's /analysis/observer, and
# the report plots AUC and d' per lesion.  A bad observe: block is refused with its line.
cat > "$TMP/sweeps/obs.yaml" <<YAML
name: observer
study: $SRC/tests/data/study_observe.yaml
grid:
  acquisition.duration_s: [2]
observe: {realizations: 6, counts: 0.1}
YAML
sed 's/realizations: 6/realizations: 2/' "$TMP/sweeps/obs.yaml" > "$TMP/sweeps/obs_bad.yaml"
rc=0; "$MIST" sweep "$TMP/sweeps/obs_bad.yaml" -o "$TMP/obs_bad" 2> "$TMP/err" || rc=$?
[ $rc -eq 2 ] && grep -q "obs_bad.yaml:5:.*observe.realizations" "$TMP/err" && [ ! -e "$TMP/obs_bad" ] \
  || { echo "bad observe: exit $rc"; cat "$TMP/err"; exit 1; }
"$MIST" sweep "$TMP/sweeps/obs.yaml" -o "$TMP/obs" 2> "$TMP/log"
grep -q 'observer study done' "$TMP/log" && grep -q "observer d' and AUC in observer.csv" "$TMP/log" \
  || { cat "$TMP/log"; exit 1; }
$PY - "$TMP/obs" <<'PY'
import csv, math, sys
import h5py
d = sys.argv[1]
rows = list(csv.DictReader(open(f"{d}/observer.csv")))
with h5py.File(f"{d}/point_0.h5") as f:
    t = f["/analysis/observer"][...]
    mc = float(f["/analysis/observer"].attrs["mc_ratio"])
    n = 2 * len(f["/phantom/lesions"])  # every lesion x (npw, cho)
assert len(t) == n and len(rows) == n, (len(t), rows)
for r, o in zip(rows, t):
    assert r["index"] == "0" and r["acquisition.duration_s"] == "2", r
    assert (r["lesion"], r["observer"]) == (o["lesion"].decode(), o["observer"].decode()), (r, o)
    for k in ("d_prime", "d_prime_lo", "d_prime_hi", "auc", "auc_lo", "auc_hi"):
        assert math.isclose(float(r[k]), float(o[k]), rel_tol=1e-8, abs_tol=1e-12), (k, r, o)
    assert int(r["realizations"]) == 6 and math.isclose(float(r["mc_ratio"]), mc), r
    assert 0 <= float(r["auc_lo"]) <= float(r["auc"]) <= float(r["auc_hi"]) <= 1, r
with h5py.File(f"{d}/results.h5") as f:
    h = f["/observer"][...]
    assert len(h) == n and set(h["point"]) == {0}
    assert all(math.isclose(float(x), float(r["auc"]), rel_tol=1e-8) for x, r in zip(h["auc"], rows))
PY
$PY "$SRC/scripts/plot_sweep.py" "$TMP/obs" > "$TMP/plot.log"
grep -q 'sweep_auc_big.png' "$TMP/plot.log" && grep -q 'sweep_d_prime_flat.png' "$TMP/plot.log" \
  && grep -q '<h2>Observer study' "$TMP/obs/report.html" \
  || { cat "$TMP/plot.log"; exit 1; }
echo "1 passed, 0 failed"
