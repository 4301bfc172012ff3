#!/usr/bin/env bash
# A SPECT run killed after a checkpoint and resumed with --resume (on another
# number of ranks) gives projections, spectra and counters bit-identical to an
# uninterrupted run.
#   test_spect_resume.sh MIST SOURCE_DIR MPIEXEC
set -euo pipefail
MIST=$1 SRC=$2 MPIEXEC=${3:-mpirun}
source "$SRC/scripts/mpi_env.sh"
source "$SRC/tests/mpi/kill_at_checkpoint.sh"
TMP=$(mktemp -d)
trap 'kill -9 $PID 2>/dev/null || true; rm -rf "$TMP"' EXIT
PID=
STUDY="$SRC/tests/data/spect_small.yaml"
ARGS=(--quiet --set acquisition.batches=40 --set acquisition.simulated_fraction=0.004
      --set acquisition.checkpoint_s=0)

"$MIST" simulate "$STUDY" "${ARGS[@]}" -o "$TMP/full.h5"

kill_at_checkpoint "$TMP/part.h5.checkpoint" 3 \
  "$MPIEXEC" --oversubscribe -n 2 "$MIST" simulate "$STUDY" "${ARGS[@]}" -o "$TMP/part.h5"
[ ! -e "$TMP/part.h5" ] || { echo "a killed run left a result file"; exit 1; }

"$MPIEXEC" --oversubscribe -n 3 "$MIST" simulate "$STUDY" "${ARGS[@]}" --resume -o "$TMP/part.h5"
[ ! -e "$TMP/part.h5.checkpoint" ] || { echo "checkpoint left after completion"; exit 1; }
/usr/bin/python3 -c "import h5py,sys; n=[]; h5py.File(sys.argv[1],'r').visit(n.append); assert any(x.endswith('projections') for x in n), 'no projections'" \
  "$TMP/part.h5"
same_tallies "$TMP/full.h5" "$TMP/part.h5" acquisition spect
echo "killed after epoch $KILLED_AT of 20, resumed on 3 ranks"
echo "1 passed, 0 failed"
