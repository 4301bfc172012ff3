#!/usr/bin/env bash
# Progress on stderr: one line per 10% when stderr is not a terminal, redrawn
# in place (carriage returns) on a terminal, nothing with --quiet.
#   test_progress.sh MIST SOURCE_DIR
set -euo pipefail
MIST=$1 SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
STUDY="$SRC/tests/data/study_small.yaml"

"$MIST" run "$STUDY" -o "$TMP/a.h5" --set acquisition.batches=50 2> "$TMP/err"
lines=$(grep -c '^simulate: ' "$TMP/err")
grep -Eq '^simulate: +10\.0%  .* decays/s  ETA ' "$TMP/err" || { cat "$TMP/err"; exit 1; }
grep -Eq '^simulate: 100\.0%  .* decays in ' "$TMP/err" || { cat "$TMP/err"; exit 1; }
[ "$lines" -eq 10 ] || { echo "expected 10 progress lines (9 steps + final), got $lines"; cat "$TMP/err"; exit 1; }
grep -q $'\r' "$TMP/err" && { echo "carriage return in non-terminal output"; exit 1; }

"$MIST" run "$STUDY" -o "$TMP/b.h5" --quiet 2> "$TMP/quiet"
[ ! -s "$TMP/quiet" ] || { echo "--quiet printed:"; cat "$TMP/quiet"; exit 1; }

if command -v script >/dev/null; then
  # On a terminal: redrawn with \r, at most once a second (a short run: one final line).
  script -qec "$MIST run $STUDY -o $TMP/c.h5" /dev/null > "$TMP/tty" 2>&1
  grep -q $'\r''simulate: 100.0%' "$TMP/tty" || { echo "no in-place redraw on a terminal"; cat -A "$TMP/tty"; exit 1; }
  n=$(tr '\r' '\n' < "$TMP/tty" | grep -c '^simulate: ' || true)
  [ "$n" -le 3 ] || { echo "redrawn $n times in a sub-second run"; exit 1; }
fi
echo "1 passed, 0 failed"
