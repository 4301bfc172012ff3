#!/usr/bin/env bash
# SPECT reconstruction on 1 and 2 MPI ranks (each rank projects its share of
# each subset's views; back projections summed) gives the same image up to
# float summation order.
#   test_spect_recon_ranks.sh MIST SOURCE_DIR MPIEXEC
set -euo pipefail
MIST=$1 SRC=$2 MPIEXEC=${3:-mpirun}
source "$SRC/scripts/mpi_env.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$MIST" simulate "$SRC/tests/data/study_spect_recon.yaml" -o "$TMP/s.h5" --quiet
for n in 1 2; do
  "$MPIEXEC" --oversubscribe -n $n "$MIST" recon "$TMP/s.h5" -o "$TMP/r$n.h5" --quiet
done
/usr/bin/python3 - "$TMP" <<'PY'
import sys, h5py, numpy as np
tmp = sys.argv[1]
a = h5py.File(f"{tmp}/r1.h5", "r")["/recon/spect/spect_coarse/image"][...]
b = h5py.File(f"{tmp}/r2.h5", "r")["/recon/spect/spect_coarse/image"][...]
d = np.abs(a - b).max() / a.max()
print(f"max |1 rank - 2 ranks| / max = {d:.2e}")
assert d < 1e-4, d
PY
echo "1 passed, 0 failed"
