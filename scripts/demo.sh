#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build, start the demo
# campus network on loopback, audit it, and print where the report is.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/deps.sh"
"$ROOT/scripts/build.sh" "$ROOT/build"
mkdir -p "$ROOT/demo-workspace"
cd "$ROOT/demo-workspace"
exec "$ROOT/build/bin/ciiscope" --lang "${CIISCOPE_LANG:-zh}" demo run "$@"
