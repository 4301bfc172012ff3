#!/usr/bin/env bash
# List-mode output (acquisition.listmode=true): the table's prompt records
# equal the prompts counter and the sinogram (plus the LORs outside it), its
# delayed records the delayed counter, batches come in order, and 1 and 2
# MPI ranks (and no mpirun) write identical tables.  On a TOF scanner
# (tests/data/pet_ideal_tof.yaml) the TOF sinograms are identical on 1 and 2
# ranks and their TOF axis matches the list's tof_ps binned the same way.
#   test_listmode.sh MIST SOURCE_DIR MPIEXEC
set -euo pipefail
MIST=$1 SRC=$2 MPIEXEC=${3:-mpirun}
source "$SRC/scripts/mpi_env.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
STUDY="$SRC/tests/data/study_small.yaml"
SET=(--set acquisition.listmode=true --set acquisition.batches=23)

"$MIST" run "$STUDY" -o "$TMP/r0.h5" --quiet "${SET[@]}"
for n in 1 2; do
  "$MPIEXEC" --oversubscribe -n $n "$MIST" run "$STUDY" -o "$TMP/r$n.h5" --quiet "${SET[@]}"
  "$MPIEXEC" --oversubscribe -n $n "$MIST" run "$STUDY" -o "$TMP/t$n.h5" --quiet "${SET[@]}" \
    --set scanner=pet_ideal_tof.yaml  # beside the study
done

/usr/bin/python3 - "$TMP" <<'PY'
import os, sys, h5py, numpy as np
tmp = sys.argv[1]
files = {k: h5py.File(f"{tmp}/{k}.h5", "r") for k in ["r0", "r1", "r2"]}
ref = files["r1"]
scanner = list(ref["pet"].keys())[0]
g = ref["pet"][scanner]
lm = g["listmode"]
assert lm.chunks is not None and lm.compression == "gzip", (lm.chunks, lm.compression)
assert lm.attrs["units"] and lm.attrs["tof_convention"], dict(lm.attrs)
a = lm[...]
c = g["counts"].attrs
prompts = int((a["delayed"] == 0).sum())
delayed = int((a["delayed"] == 1).sum())
sino = int(g["prompts"][...].sum()) + int(c["outside_sinogram"])
assert prompts == int(c["prompts"]) == sino, (prompts, int(c["prompts"]), sino)
assert delayed == int(c["delayed"]), (delayed, int(c["delayed"]))
assert prompts > 10000, prompts
for cls, name in [(0, "trues"), (1, "scatters"), (2, "detector_scatters"), (3, "randoms")]:
    got = int(((a["delayed"] == 0) & (a["class"] == cls)).sum())
    assert got == int(c[name]), (name, got, int(c[name]))
assert np.all(np.diff(a["batch"].astype(np.int64)) >= 0), "batches out of order"
assert np.all(a["batch"] < 23)
for k in ["r0", "r2"]:
    b = files[k]["pet"][scanner]["listmode"][...]
    assert a.dtype == b.dtype and np.array_equal(a, b), f"list-mode differs between 1 rank and {k}"
# TOF: same sinograms on 1 and 2 ranks; the TOF axis is the list's tof_ps binned.
t1, t2 = (h5py.File(f"{tmp}/t{n}.h5", "r")["pet"]["pet_ideal_tof"] for n in (1, 2))
for name in ["prompts", "trues", "delayed"]:
    assert t1[name].ndim == 4 and t1[name].shape[0] == 41, t1[name].shape
    assert np.array_equal(t1[name][...], t2[name][...]), f"TOF {name} differs on 2 ranks"
assert t1["prompts"].attrs["tof_bin_ps"] == 50.0
tl = t1["listmode"][...]
assert np.array_equal(tl, t2["listmode"][...])
for flag, name in [(0, "prompts"), (1, "delayed")]:
    tau = tl["tof_ps"][tl["delayed"] == flag].astype(np.float64)
    k = np.clip(np.floor(tau / 50.0 + 20.5), 0, 40).astype(int)
    want = np.bincount(k, minlength=41)
    got = t1[name][...].sum(axis=(1, 2, 3))
    assert np.array_equal(want, got), (name, want, got)
assert t1["prompts"][...].sum() > 500, t1["prompts"][...].sum()
raw = a.size * a.dtype.itemsize
stored = lm.id.get_storage_size()
print(f"identical list-mode tables (and TOF sinograms) on 1, 2 ranks and without mpirun: {a.size} records "
      f"({prompts} prompts, {delayed} delayed), {a.dtype.itemsize} B/record, "
      f"{raw} B raw, {stored} B stored ({stored / a.size:.2f} B/record)")
PY
ls "$TMP" | grep -q tmp && { echo "temporary file left behind"; exit 1; }
echo "1 passed, 0 failed"
