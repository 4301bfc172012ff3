#!/usr/bin/env bash
# Submit a mist sweep to Slurm as a job array (one task per point) and a final
# job, after the array, that runs any point still missing, collects
# DIR/results.csv and DIR/results.h5 and writes DIR/report.html.
#   scripts/slurm/submit_sweep.sh SWEEP.yaml DIR [extra sbatch options...]
# Run from the repository root; extra options (e.g. --partition=X) go to both jobs.
set -euo pipefail
SWEEP=${1:?usage: submit_sweep.sh SWEEP.yaml DIR [sbatch options...]}
DIR=${2:?usage: submit_sweep.sh SWEEP.yaml DIR [sbatch options...]}
shift 2
MIST=${MIST:-$PWD/build/mist}
HERE=$(cd "$(dirname "$0")" && pwd)
# Validate every point first (exit 2 and a file:line message on bad input).
"$MIST" sweep "$SWEEP" -o "$DIR" --dry-run
N=$(( $(wc -l < "$DIR/points.csv") - 1 ))
jid=$(sbatch --parsable "$@" --array=0-$((N - 1)) "$HERE/mist_sweep_array.sbatch" "$SWEEP" "$DIR")
cid=$(sbatch --parsable "$@" --dependency=afterany:"$jid" "$HERE/mist_sweep_array.sbatch" "$SWEEP" "$DIR")
echo "submitted: job array $jid (points 0-$((N - 1))), collection job $cid"
echo "results: $DIR/results.csv, $DIR/results.h5, $DIR/report.html"
