#!/usr/bin/env bash
# A sweep killed in the middle of a point, run again with --resume, skips the
# complete points and finishes the killed one from its checkpoint (on another
# number of ranks), bit-identical to a direct `mist run` of that point.
#   test_sweep_resume.sh MIST SOURCE_DIR MPIEXEC
set -euo pipefail
MIST=$1 SRC=$2 MPIEXEC=${3:-mpirun}
source "$SRC/scripts/mpi_env.sh"
TMP=$(mktemp -d)
trap 'kill -9 -- -$PID 2>/dev/null || true; rm -rf "$TMP"' EXIT
PID=
STUDY="$SRC/tests/data/study_small.yaml"
cat > "$TMP/s.yaml" <<YAML
name: resume
study: $STUDY
set: ["acquisition.batches=40", "acquisition.checkpoint_s=0"]
grid:
  acquisition.simulated_fraction: [0.0001, 0.002]
YAML
"$MIST" run "$STUDY" --quiet -o "$TMP/direct.h5" --set acquisition.batches=40 \
  --set acquisition.checkpoint_s=0 --set acquisition.simulated_fraction=0.002

setsid "$MPIEXEC" --oversubscribe -n 2 "$MIST" sweep "$TMP/s.yaml" -o "$TMP/out" --quiet &
PID=$!
epoch() {
  /usr/bin/python3 -c "import h5py,sys; print(h5py.File(sys.argv[1],'r').attrs['next_epoch_epoch_size_batches'][0])" \
    "$TMP/out/point_1.h5.checkpoint" 2>/dev/null || echo 0
}
for i in $(seq 600); do
  [ "$(epoch)" -ge 3 ] && break
  kill -0 $PID 2>/dev/null || { echo "the sweep ended before it could be killed"; exit 1; }
  sleep 0.05
done
kill -9 -- -$PID 2>/dev/null || kill -9 $PID
wait $PID 2>/dev/null || true
[ "$(epoch)" -ge 3 ] || { echo "no checkpoint to resume from"; exit 1; }
[ -e "$TMP/out/point_0.h5" ] && [ ! -e "$TMP/out/point_1.h5" ] && [ ! -e "$TMP/out/results.csv" ] \
  || { ls "$TMP/out"; exit 1; }

"$MIST" sweep "$TMP/s.yaml" -o "$TMP/out" --resume 2> "$TMP/log"
cat "$TMP/log"
grep -q '^sweep: \[1/2\] point 0 .* already done, skipped' "$TMP/log" \
  && grep -q '^sweep: \[2/2\] point 1 .* done in .* (resumed from its checkpoint)' "$TMP/log" \
  || { echo "resume log"; exit 1; }
[ ! -e "$TMP/out/point_1.h5.checkpoint" ] && [ -e "$TMP/out/results.csv" ]
/usr/bin/python3 - "$TMP/direct.h5" "$TMP/out/point_1.h5" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
names = []
a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset)
             and n.split("/")[0] in ("acquisition", "pet") else None)
assert len(names) > 5
for n in names:
    assert np.array_equal(a[n][...], b[n][...]), f"{n} differs after resume"
print(f"sweep point killed and resumed: {len(names)} tallies identical to a direct run")
PY
echo "1 passed, 0 failed"
