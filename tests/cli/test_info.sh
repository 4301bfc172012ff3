#!/usr/bin/env bash
# A run writes the root attributes and units that DESIGN.md promises, and
# `mist info` (text and JSON) describes them.
#   test_info.sh MIST SOURCE_DIR
set -euo pipefail
MIST=$1 SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$MIST" run "$SRC/tests/data/study_small.yaml" -o "$TMP/r.h5" --quiet --set acquisition.batches=4
"$MIST" info "$TMP/r.h5" > "$TMP/info.txt"
for key in mist_version git_commit study_yaml seed mpi_ranks created_utc; do
  grep -Eq "^  $key +" "$TMP/info.txt" || { echo "info lacks $key"; cat "$TMP/info.txt"; exit 1; }
done
grep -Eq '/acquisition/decays_per_batch +uint(8|16|32|64) +\[4\] +decays' "$TMP/info.txt"
"$MIST" info "$TMP/r.h5" --json > "$TMP/info.json"
/usr/bin/python3 - "$TMP/info.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
a = d["attributes"]
assert a["seed"] == 7 and a["mpi_ranks"] == 1, a
assert "# --set acquisition.batches=4" in a["study_yaml"], a["study_yaml"]
ds = [o for o in d["objects"] if o["kind"] == "dataset"]
assert ds and all(o["units"] for o in ds), ds
PY
echo "1 passed, 0 failed"
