#!/usr/bin/env bash
# Quick start, command 2: install what is missing, build, run every test —
# once in the normal build (warnings are errors) and once under
# AddressSanitizer + UndefinedBehaviorSanitizer.
# Set CIISCOPE_NO_SANITIZE=1 to skip the sanitizer pass locally.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/deps.sh"

status=0
"$ROOT/scripts/build.sh" "$ROOT/build"
(cd "$ROOT/build" && ctest --output-on-failure -j 2 --timeout 600) || status=1

# The passive decoder's libFuzzer target, briefly (clang only).
if command -v clang++ >/dev/null 2>&1 && [ "${CIISCOPE_NO_FUZZ:-0}" != "1" ]; then
  "$ROOT/scripts/fuzz.sh" "$ROOT/build-fuzz" "${CIISCOPE_FUZZ_SECONDS:-20}" || status=1
fi

if [ "${CIISCOPE_NO_SANITIZE:-0}" != "1" ]; then
  "$ROOT/scripts/build.sh" "$ROOT/build-asan" -DCIISCOPE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  (cd "$ROOT/build-asan" && ctest --output-on-failure -j 2 --timeout 900) || status=1
fi
exit $status
