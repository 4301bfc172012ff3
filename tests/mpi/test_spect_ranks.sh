#!/usr/bin/env bash
# A SPECT study gives bit-identical projections, primary projections,
# spectra and counters on 1, 2 and 3 MPI ranks, analog and with forced
# detection (fixed-point weights, exact integer sums).
#   test_spect_ranks.sh MIST SOURCE_DIR MPIEXEC
set -euo pipefail
MIST=$1 SRC=$2 MPIEXEC=${3:-mpirun}
source "$SRC/scripts/mpi_env.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
STUDY="$SRC/tests/data/spect_small.yaml"
for n in 1 2 3; do
  "$MPIEXEC" --oversubscribe -n $n "$MIST" simulate "$STUDY" -o "$TMP/a$n.h5" --quiet
  "$MPIEXEC" --oversubscribe -n $n "$MIST" simulate "$STUDY" -o "$TMP/f$n.h5" --quiet \
    --set acquisition.spect.forced_detection=true --set acquisition.simulated_fraction=0.00002
done
/usr/bin/python3 - "$TMP" <<'PY'
import sys, h5py, numpy as np
tmp = sys.argv[1]
for kind in "af":
    ref = h5py.File(f"{tmp}/{kind}1.h5", "r")["spect/spect_symbia_lehr"]
    for n in (2, 3):
        g = h5py.File(f"{tmp}/{kind}{n}.h5", "r")["spect/spect_symbia_lehr"]
        for name in ("projections", "primary", "spectrum", "counts"):
            assert np.array_equal(ref[name][...], g[name][...]), (kind, n, name)
print("ranks 1-3 identical, analog and forced detection")
PY
echo "1 passed, 0 failed"
