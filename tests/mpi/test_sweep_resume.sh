#!/usr/bin/env bash
# A sweep killed in the middle of a point, run again with --resume, skips the
# complete points and finishes the killed one from its checkpoint (on another
# number of ranks), bit-identical to a direct `mist run` of that point.
#   test_sweep_resume.sh MIST SOURCE_DIR MPIEXEC
set -euo pipefail
MIST=$1 SRC=$2 MPIEXEC=${3:-mpirun}
source "$SRC/scripts/mpi_env.sh"
source "$SRC/tests/mpi/kill_at_checkpoint.sh"
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

kill_at_checkpoint "$TMP/out/point_1.h5.checkpoint" 3 \
  "$MPIEXEC" --oversubscribe -n 2 "$MIST" sweep "$TMP/s.yaml" -o "$TMP/out" --quiet
[ -e "$TMP/out/point_0.h5" ] && [ ! -e "$TMP/out/point_1.h5" ] && [ ! -e "$TMP/out/results.csv" ] \
  || { ls "$TMP/out"; exit 1; }

"$MIST" sweep "$TMP/s.yaml" -o "$TMP/out" --resume 2> "$TMP/log"
cat "$TMP/log"
grep -q '^sweep: \[1/2\] point 0 .* already done, skipped' "$TMP/log" \
  && grep -q '^sweep: \[2/2\] point 1 .* done in .* (resumed from its checkpoint)' "$TMP/log" \
  || { echo "resume log"; exit 1; }
[ ! -e "$TMP/out/point_1.h5.checkpoint" ] && [ -e "$TMP/out/results.csv" ]
same_tallies "$TMP/direct.h5" "$TMP/out/point_1.h5" acquisition pet
echo "sweep point killed and resumed: identical to a direct run"
echo "1 passed, 0 failed"
