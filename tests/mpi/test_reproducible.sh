#!/usr/bin/env bash
# The same study and seed give bit-identical tallies (acquisition, PET
# sinograms and counters) on 1, 2 and 3 MPI ranks, and a different seed gives
# different ones.
#   test_reproducible.sh MIST SOURCE_DIR MPIEXEC
set -euo pipefail
MIST=$1 SRC=$2 MPIEXEC=${3:-mpirun}
source "$SRC/scripts/mpi_env.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
STUDY="$SRC/tests/data/study_small.yaml"

# 97 batches: with dynamic hand-out, which rank runs which batch varies.
for n in 1 2 3; do
  "$MPIEXEC" --oversubscribe -n $n "$MIST" run "$STUDY" -o "$TMP/r$n.h5" --quiet \
    --set acquisition.batches=97
done
"$MIST" run "$STUDY" -o "$TMP/r0.h5" --quiet --set acquisition.batches=97  # without mpirun
"$MIST" run "$STUDY" -o "$TMP/s8.h5" --quiet --set acquisition.batches=97 --seed 8

/usr/bin/python3 - "$TMP" <<'PY'
import sys, h5py, numpy as np
tmp = sys.argv[1]
files = {k: h5py.File(f"{tmp}/{k}.h5", "r") for k in ["r0", "r1", "r2", "r3", "s8"]}
for k in ["r1", "r2", "r3"]:
    assert files[k].attrs["mpi_ranks"] == int(k[1]), (k, files[k].attrs["mpi_ranks"])
ref = files["r1"]
# Every tally: the acquisition's and the PET sinograms and counters.
names = []
ref.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset)
               and n.split("/")[0] in ("acquisition", "pet") else None)
assert any(n.endswith("/prompts") for n in names), names
for name in names:
    a = ref[name][...]
    assert a.dtype.kind == "u", (name, a.dtype)  # counts: narrowest unsigned type
    for k in ["r0", "r2", "r3"]:
        assert np.array_equal(a, files[k][name][...]), f"{name} differs between 1 rank and {k}"
    assert ref[name].attrs["units"], name
prompts = [n for n in names if n.endswith("/prompts")][0]
assert ref[prompts][...].sum() > 10000, ref[prompts][...].sum()
assert not np.array_equal(ref[prompts][...], files["s8"][prompts][...]), "seed 8 gave the same"
print(f"identical tallies ({len(names)} datasets) on 1, 2, 3 ranks and without mpirun:",
      int(ref["acquisition/decays_per_batch"][...].sum()), "decays,",
      int(ref[prompts][...].sum()), "prompts in the sinogram")
PY
ls "$TMP" | grep -q tmp && { echo "temporary file left behind"; exit 1; }
echo "1 passed, 0 failed"
