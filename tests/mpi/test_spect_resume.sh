#!/usr/bin/env bash
# A SPECT run killed after a checkpoint and resumed with --resume (on another
# number of ranks) gives projections, spectra and counters bit-identical to an
# uninterrupted run.
#   test_spect_resume.sh MIST SOURCE_DIR MPIEXEC
set -euo pipefail
MIST=$1 SRC=$2 MPIEXEC=${3:-mpirun}
source "$SRC/scripts/mpi_env.sh"
TMP=$(mktemp -d)
trap 'kill -9 $PID 2>/dev/null || true; rm -rf "$TMP"' EXIT
PID=
STUDY="$SRC/tests/data/spect_small.yaml"
ARGS=(--quiet --set acquisition.batches=40 --set acquisition.simulated_fraction=0.004
      --set acquisition.checkpoint_s=0)

"$MIST" simulate "$STUDY" "${ARGS[@]}" -o "$TMP/full.h5"

setsid "$MPIEXEC" --oversubscribe -n 2 "$MIST" simulate "$STUDY" "${ARGS[@]}" -o "$TMP/part.h5" &
PID=$!
epoch() {
  /usr/bin/python3 -c "import h5py,sys; print(h5py.File(sys.argv[1],'r').attrs['next_epoch_epoch_size_batches'][0])" \
    "$TMP/part.h5.checkpoint" 2>/dev/null || echo 0
}
for i in $(seq 600); do
  [ "$(epoch)" -ge 3 ] && break
  kill -0 $PID 2>/dev/null || { echo "the run ended before it could be killed"; exit 1; }
  sleep 0.05
done
kill -9 -- -$PID 2>/dev/null || kill -9 $PID
wait $PID 2>/dev/null || true
killed_at=$(epoch)
[ "$killed_at" -ge 3 ] || { echo "no checkpoint to resume from"; exit 1; }
[ ! -e "$TMP/part.h5" ] || { echo "a killed run left a result file"; exit 1; }

"$MPIEXEC" --oversubscribe -n 3 "$MIST" simulate "$STUDY" "${ARGS[@]}" --resume -o "$TMP/part.h5"
[ ! -e "$TMP/part.h5.checkpoint" ] || { echo "checkpoint left after completion"; exit 1; }
/usr/bin/python3 - "$TMP/full.h5" "$TMP/part.h5" "$killed_at" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
names = []
a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset)
             and n.split("/")[0] in ("acquisition", "spect") else None)
assert any(n.endswith("projections") for n in names), names
for n in names:
    assert np.array_equal(a[n][...], b[n][...]), f"{n} differs after resume"
print(f"killed after epoch {sys.argv[3]} of 20, resumed on 3 ranks: {len(names)} tallies identical")
PY
echo "1 passed, 0 failed"
