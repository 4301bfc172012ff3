#!/usr/bin/env bash
# A killed run resumed with --resume gives tallies bit-identical to an
# uninterrupted run (also on another number of ranks); a checkpoint of another
# run is refused; nothing is left under the result's name by the killed run.
#   test_resume.sh MIST SOURCE_DIR MPIEXEC
set -euo pipefail
MIST=$1 SRC=$2 MPIEXEC=${3:-mpirun}
source "$SRC/scripts/mpi_env.sh"
source "$SRC/tests/mpi/kill_at_checkpoint.sh"
TMP=$(mktemp -d)
trap 'kill -9 $PID 2>/dev/null || true; rm -rf "$TMP"' EXIT
PID=
STUDY="$SRC/tests/data/study_small.yaml"
ARGS=(--quiet --set acquisition.batches=40 --set acquisition.simulated_fraction=0.005
      --set acquisition.checkpoint_s=0)

"$MIST" run "$STUDY" "${ARGS[@]}" -o "$TMP/full.h5"

# Start on 2 ranks, kill it once a checkpoint past epoch 3 is on disk.
kill_at_checkpoint "$TMP/part.h5.checkpoint" 3 \
  "$MPIEXEC" --oversubscribe -n 2 "$MIST" run "$STUDY" "${ARGS[@]}" -o "$TMP/part.h5"
[ ! -e "$TMP/part.h5" ] || { echo "a killed run left a result file"; exit 1; }

# Another seed must not pick up this checkpoint.
if "$MIST" run "$STUDY" "${ARGS[@]}" --seed 99 --resume -o "$TMP/part.h5" 2> "$TMP/err"; then
  echo "resumed another run's checkpoint"; exit 1
fi
grep -q "belongs to another study or seed" "$TMP/err" || { cat "$TMP/err"; exit 1; }

# Resume on 3 ranks.
"$MPIEXEC" --oversubscribe -n 3 "$MIST" run "$STUDY" "${ARGS[@]}" --resume -o "$TMP/part.h5"
[ ! -e "$TMP/part.h5.checkpoint" ] || { echo "checkpoint left after completion"; exit 1; }
same_tallies "$TMP/full.h5" "$TMP/part.h5" acquisition pet
echo "killed after epoch $KILLED_AT of 20, resumed on 3 ranks"
echo "1 passed, 0 failed"
