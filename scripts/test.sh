#!/usr/bin/env bash
# test.sh - set up mist on a fresh Debian 12 machine and run every test:
# the Criterion unit tests and the MPI / command-line integration tests on the
# Release build, then the unit tests again under AddressSanitizer + UBSan.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh" release asan
source "$ROOT/scripts/mpi_env.sh"
JOBS=$(nproc 2>/dev/null || echo 2)

echo "== tests (Release build) ==" >&2
ctest --test-dir "$ROOT/build" --output-on-failure -j "$JOBS"

echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer ==" >&2
# LeakSanitizer is on: a leak in a test process fails that test (exit code 1).
# Third-party leaks (xraylib) are suppressed by name in tests/lsan.supp.
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$ROOT/build-asan" --output-on-failure -j "$JOBS" -L unit
