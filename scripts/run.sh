#!/usr/bin/env bash
# run.sh - set up mist on a fresh Debian 12 machine and run the default study.
#   scripts/run.sh [STUDY.yaml] [mist run options...]
# Installs missing Debian packages, builds a Release build in build/, runs the
# study under mpirun on all cores and says where the result is.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh" release
source "$ROOT/scripts/mpi_env.sh"

NP=$(nproc 2>/dev/null || echo 1)
OUT_DIR="$ROOT/out"
mkdir -p "$OUT_DIR"
OUT="$OUT_DIR/default.h5"
if [ $# -gt 0 ] && [[ "$1" != -* ]]; then
  OUT="$OUT_DIR/$(basename "${1%.yaml}").h5"
fi
echo "run: mpirun -n $NP build/mist run $* -o $OUT" >&2
mpirun -n "$NP" "$ROOT/build/mist" run "$@" -o "$OUT"
cat <<MSG

Result: $OUT
Look at it with:
  $ROOT/build/mist info $OUT          # groups, datasets, units, root attributes
  $ROOT/build/mist info $OUT --json
  /usr/bin/python3 -c "import h5py; f = h5py.File('$OUT'); p = f['pet']; s = p[list(p)[0]];
print({k: int(s[k][...].sum()) for k in ('prompts', 'trues', 'scatters', 'randoms', 'delayed')})"
  /usr/bin/python3 $ROOT/scripts/plot_phantom.py $OUT -o ${OUT%.h5}_phantom.png   # phantom slices
MSG
