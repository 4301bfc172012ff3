#!/usr/bin/env bash
# The same data reconstructed on 1, 2 and 3 MPI ranks (each rank projects a
# share of every subset's rays; back projections summed with MPI_Allreduce)
# give the same image up to float summation order: every voxel within
# 1e-4 of the image maximum (the documented tolerance; the sums differ in
# order only, ~1e-7 relative per sum, compounded over 80 OSEM updates).
#   test_recon_ranks.sh MIST SOURCE_DIR MPIEXEC
set -euo pipefail
MIST=$1 SRC=$2 MPIEXEC=${3:-mpirun}
source "$SRC/scripts/mpi_env.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$MIST" run "$SRC/tests/data/study_recon_cylinder.yaml" -o "$TMP/r.h5" --quiet \
  --set recon.iterations=1
for n in 1 2 3; do
  "$MPIEXEC" --oversubscribe -n $n "$MIST" recon "$TMP/r.h5" -o "$TMP/r$n.h5" --quiet \
    --set recon.iterations=10 --set recon.subsets=8
done
/usr/bin/python3 - "$TMP" <<'PY'
import sys, h5py, numpy as np
tmp = sys.argv[1]
im = {n: h5py.File(f"{tmp}/r{n}.h5", "r")["/recon/pet/pet_ideal_ring/image"][...] for n in (1, 2, 3)}
ref = im[1]
assert ref.max() > 0
for n in (2, 3):
    d = np.abs(im[n] - ref).max() / ref.max()
    print(f"{n} ranks vs 1: max |difference| / max = {d:.2e}")
    assert d < 1e-4, d
PY
