#!/usr/bin/env bash
# observer_study.sh - the observer study of one protocol end to end, timed:
# `mist run` (simulation + OSEM), then `mist observe` (per lesion a lesion-only
# simulation of its excess activity and, for a hot lesion, a lesion-absent one;
# N realisations per class reconstructed, NPW and CHO d' and AUC), and the
# seconds of each stage against the 10-minute target of
# issue #9 (two lesions, 50 realisations each, present and absent).
#   scripts/observer_study.sh [-m MIST] [-s STUDY.yaml] [-o DIR] [-n N] [--counts F]
# Defaults: build/mist, the built-in default study, a temporary directory,
# N = 50, F = 1 (the clinical count level).  One MPI rank.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIST="$ROOT/build/mist" STUDY="" DIR="" N=50 COUNTS=1
while [ $# -gt 0 ]; do
  case "$1" in
    -m) MIST=$2; shift 2 ;;
    -s) STUDY=$2; shift 2 ;;
    -o) DIR=$2; shift 2 ;;
    -n) N=$2; shift 2 ;;
    --counts) COUNTS=$2; shift 2 ;;
    *) echo "usage: $0 [-m MIST] [-s STUDY.yaml] [-o DIR] [-n N] [--counts F]" >&2; exit 2 ;;
  esac
done
[ -n "$DIR" ] || DIR=$(mktemp -d)
mkdir -p "$DIR"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (shared machine)"
t0=$(date +%s.%N)
"$MIST" run $STUDY -o "$DIR/obs.h5" --quiet
t1=$(date +%s.%N)
"$MIST" observe "$DIR/obs.h5" --set analysis.realizations="$N" --counts "$COUNTS" --quiet
t2=$(date +%s.%N)
/usr/bin/env python3 - "$t0" "$t1" "$t2" <<'PY'
import sys
t0, t1, t2 = map(float, sys.argv[1:])
total = t2 - t0
print("mist run %.1f s, mist observe %.1f s, end to end %.1f s: %s the 10-minute target"
      % (t1 - t0, t2 - t1, total, "meets" if total < 600 else "misses"))
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
