#!/usr/bin/env bash
# Bad input: exit code 2, a file:line:column message naming the key, and no
# result file (nor temporary file) left behind.  Unknown commands and options
# exit 2 with usage; unbuilt capabilities exit 3.
#   test_errors.sh MIST SOURCE_DIR
set -uo pipefail
MIST=$1 SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
STUDY="$SRC/tests/data/study_small.yaml"
cp "$SRC"/tests/data/*.yaml "$TMP/"
sed -i -e "s|^  probe: .*|  probe: $SRC/phantoms/tracers/ga68_aby025.yaml|" \
  -e "s|^scanner: .*|scanner: $SRC/geometry/pet_ideal_ring.yaml|" "$TMP/study_small.yaml"
pass=0 fail=0

# expect CODE PATTERN -- ARGS: run mist, check exit code and that stderr matches PATTERN.
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
    echo "FAIL: mist $* left a result file: $(ls "$TMP"/out*)"; fail=$((fail+1)); rm -f "$TMP"/out*
  fi
}

expect 2 '^mist run: error: --set seed=abc:1:6: seed: expected a non-negative integer' -- \
  run "$STUDY" --set seed=abc -o "$TMP/out.h5"
sed 's/simulated_fraction/simulated_fracton/' "$TMP/study_small.yaml" > "$TMP/typo.yaml"
expect 2 'typo.yaml:14:3: acquisition.simulated_fracton: unknown key \(did you mean .simulated_fraction.\?\)' -- \
  run "$TMP/typo.yaml" -o "$TMP/out.h5"
sed 's/^phantom: .*/phantom: no_such_phantom.yaml/' "$TMP/study_small.yaml" > "$TMP/nophantom.yaml"
expect 2 'nophantom.yaml:4:10: phantom: file .no_such_phantom.yaml. not found' -- \
  run "$TMP/nophantom.yaml" -o "$TMP/out.h5"
expect 2 'acquisition.duration_s: expected a finite number in \(0, 604800\], got non-finite' -- \
  run "$STUDY" --set acquisition.duration_s=.inf -o "$TMP/out.h5"
expect 2 'tracer.injected_MBq: expected a finite number in \(0, 100000\], got 0 \(out of range\)' -- \
  run "$STUDY" --set tracer.injected_MBq=0 -o "$TMP/out.h5"
expect 2 'lesions\[0\].diameter_mm: expected a finite number' -- \
  run "$STUDY" --set lesions.0.diameter_mm=big -o "$TMP/out.h5"
expect 2 'recon.algorithm: unknown value .osme. \(did you mean .osem.\?\)' -- \
  run "$STUDY" --set recon.algorithm=osme -o "$TMP/out.h5"
sed 's/^  injected_MBq: 200/  injected_MBq: [200/' "$TMP/study_small.yaml" > "$TMP/syntax.yaml"
expect 2 'syntax.yaml:[0-9]+:[0-9]+: YAML syntax error' -- run "$TMP/syntax.yaml" -o "$TMP/out.h5"
expect 2 'cannot open' -- run "$TMP/does_not_exist.yaml" -o "$TMP/out.h5"
expect 2 'study_small.yaml:6:5: lesions\[0\]: lesion .primary.: centre \(45, 0, 0\) mm lies outside the body' -- \
  run "$TMP/study_small.yaml" --set 'lesions.0.center_mm=[45,0,0]' -o "$TMP/out.h5"
expect 2 "unknown command 'frobnicate'" -- frobnicate
expect 2 "unknown option '--frob'" -- run --frob
expect 2 "missing argument" -- info
expect 2 '^mist recon: error: cannot open .*x.h5 as HDF5$' -- recon "$TMP/x.h5"
sed 's/^modality: pet/modality: spect/' "$SRC/geometry/pet_ideal_ring.yaml" > "$TMP/spect.yaml"
# A PET file relabelled as a SPECT camera is a camera file with unknown keys.
expect 2 'spect.yaml:8:1: geometry: unknown key' -- run "$TMP/study_small.yaml" --set scanner=spect.yaml -o "$TMP/out.h5"
expect 2 '^mist sweep: error: .*x.yaml: cannot open' -- sweep "$TMP/x.yaml" -o "$TMP/out_d"
expect 1 'cannot create the result file' -- run "$STUDY" -o "$TMP/no/such/dir/out.h5" --quiet

# Help and version exit 0.
"$MIST" --version | grep -Eq '^mist [0-9]+\.[0-9]+\.[0-9]+ \(git [0-9a-f]+' && pass=$((pass+1)) || { echo "FAIL: --version"; fail=$((fail+1)); }
for c in run phantom simulate recon analyze sweep info validate bench; do
  "$MIST" help $c | grep -q "^usage: mist $c" && "$MIST" $c --help | grep -q "^usage: mist $c" \
    && pass=$((pass+1)) || { echo "FAIL: help $c"; fail=$((fail+1)); }
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
