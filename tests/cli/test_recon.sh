#!/usr/bin/env bash
# `mist run` reconstructs; `mist recon` reruns that stage alone, in place or
# into -o, without ever losing the input.  A uniform F-18 cylinder on the
# ideal ring, scatter (simulation truth) + randoms (delayed) + attenuation
# corrected, comes out within 5 % of the true activity concentration in a
# central ROI (issue #8); without attenuation correction it cannot.
#   test_recon.sh MIST SOURCE_DIR
set -euo pipefail
MIST=$1 SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
STUDY="$SRC/tests/data/study_recon_cylinder.yaml"
IMG=/recon/pet/pet_ideal_ring/image

"$MIST" run "$STUDY" -o "$TMP/r.h5" --quiet --set recon.iterations=10
/usr/bin/python3 -c "
import h5py, sys
assert h5py.File(sys.argv[1], 'r')['/recon/pet/pet_ideal_ring/image'].attrs['iterations'] == 10
" "$TMP/r.h5"
# ratio FILE: central ROI (r < 40 mm, |z| < 24 mm) of the image over the truth.
ratio() {
  /usr/bin/python3 - "$1" <<'PY'
import h5py, numpy as np, sys
f = h5py.File(sys.argv[1], "r")
def roi_mean(d):
    v, o = np.array(d.attrs["voxel_size_mm"]), np.array(d.attrs["origin_mm"])
    nz, ny, nx = d.shape
    z, y, x = np.meshgrid(*(o[k] + v[k] * np.arange(n) for k, n in ((2, nz), (1, ny), (0, nx))), indexing="ij")
    return d[...][(x * x + y * y <= 40 ** 2) & (np.abs(z) <= 24)].mean()
act = f["/phantom/activity"]
truth = roi_mean(act) / (np.prod(act.attrs["voxel_size_mm"]) / 1000.0)   # Bq/mL
img = f["/recon/pet/pet_ideal_ring/image"]
assert img.attrs["units"] in (b"Bq/mL", "Bq/mL"), img.attrs["units"]
print("%.4f" % (roi_mean(img) / truth))
PY
}
r=$(ratio "$TMP/r.h5")
echo "corrected: recon / truth = $r"
/usr/bin/python3 -c "import sys; r=float(sys.argv[1]); sys.exit(0 if abs(r-1) < 0.05 else 1)" "$r" \
  || { echo "FAIL: central ROI off by more than 5 %"; exit 1; }

# -o: a new file with the image replaced; the input untouched.
sum_before=$(md5sum < "$TMP/r.h5")
"$MIST" recon "$TMP/r.h5" -o "$TMP/noatt.h5" --quiet --set recon.attenuation=false \
  --set recon.iterations=10 --nifti "$TMP/img" --interfile "$TMP/sino"
[ "$(md5sum < "$TMP/r.h5")" = "$sum_before" ] || { echo "FAIL: -o changed the input"; exit 1; }
r=$(ratio "$TMP/noatt.h5")
echo "no attenuation correction: recon / truth = $r"
/usr/bin/python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 0.5 else 1)" "$r" \
  || { echo "FAIL: attenuation correction off should lose most of the centre"; exit 1; }

# The NIfTI export holds the same image (float32 after a 352-byte header).
/usr/bin/python3 - "$TMP" <<'PY'
import h5py, numpy as np, struct, sys
t = sys.argv[1]
img = h5py.File(f"{t}/noatt.h5", "r")["/recon/pet/pet_ideal_ring/image"]
raw = open(f"{t}/img_pet_ideal_ring.nii", "rb").read()
dims = struct.unpack("<8h", raw[40:56])
assert dims[:4] == (3, img.shape[2], img.shape[1], img.shape[0]), dims
pix = struct.unpack("<8f", raw[76:108])
assert np.allclose(pix[1:4], img.attrs["voxel_size_mm"]), pix
nii = np.frombuffer(raw[352:], dtype="<f4").reshape(img.shape)
assert np.array_equal(nii, img[...])
PY

# The Interfile export: headers whose axial sizes add up to the planes, and
# data equal to the file's prompts and to delayed + scatters.
/usr/bin/python3 - "$TMP" <<'PY'
import h5py, numpy as np, re, sys
t = sys.argv[1]
g = h5py.File(f"{t}/noatt.h5", "r")["/pet/pet_ideal_ring"]
shape = g["prompts"].shape
for name, want in (("prompts", g["prompts"][...]), ("additive", g["delayed"][...] + g["scatters"][...])):
    hdr = open(f"{t}/sino_{name}.hs").read()
    sizes = [int(v) for v in re.search(r"!matrix size \[3\] := \{([^}]*)\}", hdr).group(1).split(",")]
    assert sum(sizes) == shape[0], (sizes, shape)
    assert re.search(r"!matrix size \[2\] := %d\n" % shape[1], hdr)
    data = np.fromfile(f"{t}/sino_{name}.s", dtype="<f4").reshape(shape)
    assert np.array_equal(data, want.astype(np.float32)), name
m = np.fromfile(f"{t}/sino_multiplicative.s", dtype="<f4")
assert m.min() >= 0 and m.max() > 0
PY

# A rerun keeps the run's own recon overrides (recon.iterations=10 above).
"$MIST" recon "$TMP/r.h5" -o "$TMP/again.h5" --quiet
/usr/bin/python3 -c "
import h5py, sys
assert h5py.File(sys.argv[1], 'r')['/recon/pet/pet_ideal_ring/image'].attrs['iterations'] == 10
" "$TMP/again.h5"

# In place: the image is replaced (MLEM now), the rest kept, no temporary left.
"$MIST" recon "$TMP/r.h5" --quiet --set recon.algorithm=mlem --set recon.iterations=2
/usr/bin/python3 - "$TMP/r.h5" <<'PY'
import h5py, sys
f = h5py.File(sys.argv[1], "r")
a = f["/recon/pet/pet_ideal_ring/image"].attrs
assert a["algorithm"] in (b"mlem", "mlem") and a["subsets"] == 1 and a["iterations"] == 2, dict(a)
assert "/pet/pet_ideal_ring/prompts" in f and "/phantom/mu_511" in f
PY
ls "$TMP" | grep -q tmp && { echo "FAIL: temporary file left: $(ls "$TMP")"; exit 1; }

# Errors: exit 2 with a sentence, the file untouched.
sum_before=$(md5sum < "$TMP/r.h5")
set +e
"$MIST" recon "$TMP/r.h5" --set acquisition.duration_s=5 2>"$TMP/err"; rc=$?
set -e
[ $rc -eq 2 ] && grep -q "only recon.\* settings" "$TMP/err" || { echo "FAIL: rc $rc"; cat "$TMP/err"; exit 1; }
set +e
"$MIST" recon "$TMP/r.h5" --set recon.subsets=0 2>"$TMP/err"; rc=$?
set -e
[ $rc -eq 2 ] && grep -q "recon.subsets" "$TMP/err" || { echo "FAIL: rc $rc"; cat "$TMP/err"; exit 1; }
[ "$(md5sum < "$TMP/r.h5")" = "$sum_before" ] || { echo "FAIL: a failed recon changed the file"; exit 1; }
"$MIST" phantom "$SRC/tests/data/phantom_min.yaml" -o "$TMP/ph.h5" >/dev/null
set +e
"$MIST" recon "$TMP/ph.h5" 2>"$TMP/err"; rc=$?
set -e
[ $rc -eq 2 ] && grep -q "no PET data" "$TMP/err" || { echo "FAIL: rc $rc"; cat "$TMP/err"; exit 1; }
# A file without /phantom/mu_511 (older simulations): a clear error unless
# attenuation correction is off.
cp "$TMP/r.h5" "$TMP/nomu.h5"
/usr/bin/python3 -c "
import h5py, sys
f = h5py.File(sys.argv[1], 'a'); del f['/phantom/mu_511']
" "$TMP/nomu.h5"
set +e
"$MIST" recon "$TMP/nomu.h5" 2>"$TMP/err"; rc=$?
set -e
[ $rc -eq 2 ] && grep -q "no /phantom/mu_511" "$TMP/err" || { echo "FAIL: rc $rc"; cat "$TMP/err"; exit 1; }
"$MIST" recon "$TMP/nomu.h5" --quiet --set recon.attenuation=false --set recon.iterations=1

# A SPECT group without a study or projections is bad input: exit 2
# (SPECT reconstruction itself: tests/cli/test_spect_recon.sh).
/usr/bin/python3 -c "import h5py, sys; h5py.File(sys.argv[1], 'w').create_group('spect/cam')" "$TMP/spect.h5"
set +e
"$MIST" recon "$TMP/spect.h5" 2>"$TMP/err"; rc=$?
set -e
[ $rc -eq 2 ] || { echo "FAIL: rc $rc"; cat "$TMP/err"; exit 1; }

# TOF data (the 41-bin ideal TOF ring) are reconstructed with the TOF kernel,
# or summed with recon.tof=false; both give a finite, non-zero image.
"$MIST" run "$STUDY" -o "$TMP/tof.h5" --quiet --set scanner="$SRC/tests/data/pet_ideal_tof.yaml" \
  --set recon.iterations=2
"$MIST" recon "$TMP/tof.h5" -o "$TMP/notof.h5" --quiet --set recon.tof=false --set recon.iterations=2
/usr/bin/python3 - "$TMP" <<'PY'
import h5py, numpy as np, sys
t = sys.argv[1]
for name, want in (("tof", "Gaussian kernel, 41 bins of 50 ps, 200 ps FWHM"), ("notof", "none")):
    d = h5py.File(f"{t}/{name}.h5", "r")["/recon/pet/pet_ideal_tof/image"]
    tof = d.attrs["tof"]
    tof = tof.decode() if isinstance(tof, bytes) else tof
    assert tof.startswith(want), tof
    x = d[...]
    assert np.isfinite(x).all() and x.sum() > 0
PY
echo "all passed"
