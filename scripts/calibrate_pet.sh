#!/usr/bin/env bash
# The PET image calibration factor of a scanner: simulate the uniform F-18
# cylinder of tests/data/study_recon_cylinder.yaml (120 mm x 80 mm, muscle)
# on SCANNER, reconstruct it with the study's corrections (attenuation,
# delayed randoms, scatter truth) and print truth / image in the central ROI
# (r < 40 mm, |z| < 24 mm).  Put the factor in a study as
# recon.calibration (1 for the ideal ring, whose model is absolute).
#   scripts/calibrate_pet.sh SCANNER.yaml [MIST] [extra mist run options]
set -euo pipefail
SCANNER=$(realpath "$1"); shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MIST=${1:-$ROOT/build/mist}; shift || true
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$MIST" run "$ROOT/tests/data/study_recon_cylinder.yaml" -o "$TMP/cal.h5" --quiet \
  --set scanner="$SCANNER" --set recon.iterations=10 --set recon.calibration=1 "$@"
/usr/bin/python3 - "$TMP/cal.h5" <<'PY'
import h5py, numpy as np, sys
f = h5py.File(sys.argv[1], "r")
def roi(d):
    v, o = np.array(d.attrs["voxel_size_mm"]), np.array(d.attrs["origin_mm"])
    nz, ny, nx = d.shape
    z, y, x = np.meshgrid(*(o[k] + v[k] * np.arange(n) for k, n in ((2, nz), (1, ny), (0, nx))), indexing="ij")
    m = (x * x + y * y <= 40 ** 2) & (np.abs(z) <= 24)
    return d[...][m].mean()
act = f["/phantom/activity"]
truth = roi(act) / (np.prod(act.attrs["voxel_size_mm"]) / 1000.0)
scanner = list(f["/recon/pet"].keys())[0]
img = roi(f["/recon/pet/%s/image" % scanner])
prompts = f["/pet/%s/counts" % scanner].attrs["prompts"]
print("%s: truth %.1f Bq/mL, image %.1f Bq/mL, %d prompts: recon.calibration = %.4f"
      % (scanner, truth, img, prompts, truth / img))
PY
