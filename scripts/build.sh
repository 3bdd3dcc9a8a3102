#!/usr/bin/env bash
# Configures and builds ciiscope. Usage: scripts/build.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-$ROOT/build}"
shift || true
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCIISCOPE_WERROR=ON "$@" >/dev/null
cmake --build "$BUILD" -j "$(nproc)"
