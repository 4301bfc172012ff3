#!/usr/bin/env bash
# NEMA IEC image quality on simulated data (issue #8): the IEC body phantom (all six spheres,
# 10-37 mm, and the lung insert) with F-18 on the whole-body LSO ring, at CI cost
# (tests/data/study_iec_crc.yaml: 4e7 decays, 1/230 of a clinical 3 min scan; spheres at 8:1),
# reconstructed with attenuation, randoms (delayed) and scatter (truth) corrections by MLEM on
# 4 mm voxels after 2 and after 8 iterations and scored by `mist analyze`.  tests/cli/iec_crc.py
# measures each CRC's statistical error in the image itself (background balls of the sphere's
# size) and asserts, at 4 standard errors: no sphere's CRC falls significantly with iterations
# or with size; the mean rise with iterations over the six spheres, and the rise of each of the
# 28 and 37 mm spheres, are significant; so is the slope of CRC against diameter after 2
# iterations.  At this count level the smaller spheres' rises and the neighbouring pairs are
# within their errors (a pilot with another seed, --seed 3, gave 1.6-4.6 sigma for the rise of
# the 10-22 mm spheres and at most 4.7 sigma for a pair): those are checked only for not
# falling.  The strict checks are the ones that pilot passed by at least 5 sigma.
#   test_iec_crc.sh MIST SOURCE_DIR
set -euo pipefail
MIST=$1 SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$MIST" simulate "$SRC/tests/data/study_iec_crc.yaml" -o "$TMP/s.h5" --quiet
for it in 2 8; do
  "$MIST" recon "$TMP/s.h5" -o "$TMP/it$it.h5" --quiet --set recon.iterations=$it
  "$MIST" analyze "$TMP/it$it.h5" --json > "$TMP/it$it.json"
done
/usr/bin/python3 - "$TMP/it8.h5" <<'PY'
import sys, h5py
d = h5py.File(sys.argv[1], "r")["/recon/pet/pet_wholebody_lyso/image"]
a = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in d.attrs.items()}
assert a["iterations"] == 8 and a["algorithm"] == "mlem", a
assert a["attenuation"] == "/phantom/mu_511" and a["randoms"] == "delayed", a
assert a["scatter"].startswith("simulation truth"), a
PY
/usr/bin/python3 "$SRC/tests/cli/iec_crc.py" "$TMP/it2.h5" "$TMP/it2.json" "$TMP/it8.h5" "$TMP/it8.json" \
  --iters-strict 28,37 --slope-strict lo
echo "1 passed, 0 failed"
