#!/usr/bin/env bash
# setup.sh - install what mist needs on Debian 12 and build it.
#   scripts/setup.sh [release|asan]...   (default: release)
# release -> build/       (Release, -O2, the binary users run)
# asan    -> build-asan/  (Debug with AddressSanitizer + UndefinedBehaviorSanitizer)
# Sourced by scripts/run.sh and scripts/test.sh; safe to run again (only missing
# packages are installed, builds are incremental).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

PACKAGES=(build-essential cmake pkg-config git
          libopenmpi-dev openmpi-bin openssh-client libhdf5-dev libxrl-dev libyaml-dev libcriterion-dev libnifti2-dev
          python3 python3-numpy python3-h5py python3-matplotlib)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

JOBS=$(nproc 2>/dev/null || echo 2)
build() {
  local dir=$1; shift
  cmake -S "$ROOT" -B "$ROOT/$dir" "$@" >/dev/null
  cmake --build "$ROOT/$dir" -j "$JOBS"
}
for kind in "${@:-release}"; do
  case "$kind" in
    release) build build -DCMAKE_BUILD_TYPE=Release -DMIST_WERROR=ON ;;
    asan)    build build-asan -DCMAKE_BUILD_TYPE=Debug -DMIST_SANITIZE=ON -DMIST_WERROR=ON ;;
    *) echo "setup: unknown build '$kind' (expected release or asan)" >&2; exit 2 ;;
  esac
done
