#!/usr/bin/env bash
# Configures and builds ciiscope. Usage: scripts/build.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-$ROOT/build}"
shift || true
LAUNCHER=()
# ccache, when installed, makes rebuilds and parallel work trees cheap; it is optional.
if command -v ccache >/dev/null 2>&1; then LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCIISCOPE_WERROR=ON "${LAUNCHER[@]}" "$@" >/dev/null
cmake --build "$BUILD" -j "$(nproc)"
