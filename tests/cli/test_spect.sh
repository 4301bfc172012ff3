#!/usr/bin/env bash
# A study on a SPECT camera runs (exit 0) and writes /spect/<camera>/projections
# [n_windows, n_views, n_rows, n_cols] with its window definitions; bad orbit
# settings exit 2 with a message naming the key and leave no result.
#   test_spect.sh MIST SOURCE_DIR
set -uo pipefail
MIST=$1 SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
STUDY="$SRC/tests/data/spect_small.yaml"
pass=0 fail=0
check() { if "$@"; then pass=$((pass+1)); else echo "FAIL: $*"; fail=$((fail+1)); fi; }

"$MIST" simulate "$STUDY" -o "$TMP/s.h5" --quiet
check test $? -eq 0
"$MIST" info "$TMP/s.h5" > "$TMP/info.txt"
check grep -Eq '/spect/spect_symbia_lehr/projections +uint64 +\[3 x 4 x 128 x 128\] +counts' "$TMP/info.txt"
check grep -Eq 'window_names +peak140.5,lower140.5,upper140.5' "$TMP/info.txt"
check grep -Eq 'windows_keV +\[126.4' "$TMP/info.txt"
check grep -Eq 'view_angles_deg +\[0, 90, 180, 270\]' "$TMP/info.txt"
# Photons got through: the photopeak window holds counts (the counters say how many).
check grep -Eq '^ +in_matrix +[1-9][0-9]+$' "$TMP/info.txt"
# Forced detection writes expected counts as float64.
"$MIST" simulate "$STUDY" -o "$TMP/f.h5" --quiet --set acquisition.spect.forced_detection=true \
  --set acquisition.simulated_fraction=0.00002
check test $? -eq 0
"$MIST" info "$TMP/f.h5" > "$TMP/info_f.txt"
check grep -Eq '/spect/spect_symbia_lehr/projections +float64 +\[3 x 4 x 128 x 128\]' "$TMP/info_f.txt"

# Interfile export: one header and data file per window beside the result.
"$MIST" simulate "$STUDY" -o "$TMP/i.h5" --quiet --set acquisition.spect.interfile=true
check test -s "$TMP/i.peak140.5.hs"
check test "$(stat -c %s "$TMP/i.peak140.5.s")" -eq $((4 * 4 * 128 * 128))
check grep -q '^name of data file := i.peak140.5.s$' "$TMP/i.peak140.5.hs"
check test -s "$TMP/i.upper140.5.s"
# A body-contour orbit: one radius per view in the result and the Interfile header.
"$MIST" simulate "$STUDY" -o "$TMP/c.h5" --quiet --set acquisition.spect.contour=true \
  --set acquisition.spect.interfile=true
check grep -q '^orbit := Non-circular$' "$TMP/c.peak140.5.hs"
check grep -Eq '^Radius := \{[0-9.]+, [0-9.]+, [0-9.]+, [0-9.]+\}$' "$TMP/c.peak140.5.hs"
"$MIST" info "$TMP/c.h5" > "$TMP/info_c.txt"
check grep -Eq 'orbit +body contour' "$TMP/info_c.txt"
# The default-ish study parses (a quick check: a tiny simulated fraction).
"$MIST" simulate "$SRC/scripts/studies/spect_tc99m_zher2.yaml" -o "$TMP/d.h5" --quiet \
  --set acquisition.simulated_fraction=0.00001
check test $? -eq 0
"$MIST" simulate "$SRC/scripts/studies/mbi_tc99m_zher2.yaml" -o "$TMP/m.h5" --quiet \
  --set acquisition.simulated_fraction=0.00002
check test $? -eq 0
"$MIST" info "$TMP/m.h5" > "$TMP/info_m.txt"
check grep -Eq '/spect/mbi_czt/projections +float64 +\[3 x 2 x 64 x 80\]' "$TMP/info_m.txt"

expect() {
  local code=$1 pattern=$2; shift 3
  "$MIST" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  local rc=$?
  if [ $rc -ne "$code" ] || ! grep -Eq -- "$pattern" "$TMP/stderr"; then
    echo "FAIL: mist $* -> exit $rc (want $code), stderr:"; cat "$TMP/stderr"; fail=$((fail+1))
  else
    pass=$((pass+1))
  fi
  if ls "$TMP"/out* >/dev/null 2>&1; then
    echo "FAIL: mist $* left a result file"; fail=$((fail+1)); rm -f "$TMP"/out*
  fi
}
expect 2 'acquisition.spect.views: 3 views do not divide among the 2 heads' -- \
  simulate "$STUDY" -o "$TMP/out.h5" --set acquisition.spect.views=3
expect 2 'acquisition.batches: 5 batches do not divide into the 2 stops' -- \
  simulate "$STUDY" -o "$TMP/out.h5" --set acquisition.batches=5
expect 2 'acquisition.spect.orbit_deg: expected 180 or 360, got 270' -- \
  simulate "$STUDY" -o "$TMP/out.h5" --set acquisition.spect.orbit_deg=270
expect 2 'acquisition.spect.collimator_model' -- \
  simulate "$STUDY" -o "$TMP/out.h5" --set acquisition.spect.collimator_model=exact
expect 2 'radius_mm: the phantom.s body reaches 1[0-9.]+ mm' -- \
  simulate "$STUDY" -o "$TMP/out.h5" --set acquisition.spect.radius_mm=8
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
