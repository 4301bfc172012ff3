#!/usr/bin/env bash
# bench_scaling.sh - MPI strong scaling of one study: runs `mist run` with each
# rank count and prints wall time, simulated decays per second and speed-up,
# and checks that every run's tallies are bit-identical to the first.
#   scripts/bench_scaling.sh [-m MIST] [-s STUDY.yaml] [-o DIR] [--set KEY=VALUE]... N...
# Defaults: build/mist, the built-in default study, a temporary directory, N = 1 2 4.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIST="$ROOT/build/mist" STUDY="" DIR="" SETS=() NS=()
while [ $# -gt 0 ]; do
  case "$1" in
    -m) MIST=$2; shift 2 ;;
    -s) STUDY=$2; shift 2 ;;
    -o) DIR=$2; shift 2 ;;
    --set) SETS+=(--set "$2"); shift 2 ;;
    *) NS+=("$1"); shift ;;
  esac
done
[ ${#NS[@]} -gt 0 ] || NS=(1 2 4)
[ -n "$DIR" ] || DIR=$(mktemp -d)
mkdir -p "$DIR"
source "$ROOT/scripts/mpi_env.sh"
PY=python3
/usr/bin/python3 -c "import h5py" 2>/dev/null && PY=/usr/bin/python3
printf '%6s %10s %14s %9s %s\n' ranks wall_s decays/s speedup identical
base="" first=""
for n in "${NS[@]}"; do
  out="$DIR/r$n.h5"
  t0=$(date +%s.%N)
  mpirun --oversubscribe --bind-to none -n "$n" "$MIST" run $STUDY "${SETS[@]}" -o "$out" --quiet
  t1=$(date +%s.%N)
  "$PY" - "$out" "$first" "$n" "$t0" "$t1" "${base:-0}" <<'PY'
import sys, h5py, numpy as np
out, first, n, t0, t1, base = sys.argv[1:7]
f = h5py.File(out, "r")
names = []
f.visititems(lambda k, o: names.append(k) if isinstance(o, h5py.Dataset)
             and k.split("/")[0] in ("acquisition", "pet") else None)
same = "-"
if first:
    g = h5py.File(first, "r")
    same = "yes" if all(np.array_equal(f[k][...], g[k][...]) for k in names) else "NO"
wall = float(t1) - float(t0)
base = float(base) or wall
decays = int(f["acquisition/decays_per_batch"][...].sum())
print(f"{int(n):6d} {wall:10.2f} {decays / wall:14.4g} {base / wall:9.2f} {same}")
PY
  [ -n "$base" ] || base=$(echo "$t1 $t0" | awk '{print $1 - $2}')
  first=${first:-$out}
done
