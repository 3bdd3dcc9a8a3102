#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (-DCIISCOPE_FUZZ=ON, ASan+UBSan) in
# BUILD_DIR and runs each for SECONDS (default 20) from a seed corpus of small
# captures. Usage: scripts/fuzz.sh [BUILD_DIR] [SECONDS]. Exit 1 on a finding.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-$ROOT/build-fuzz}"
SECS="${2:-20}"
command -v clang++ >/dev/null || { echo "fuzz: clang++ not installed; skipped" >&2; exit 0; }
LAUNCHER=()
if command -v ccache >/dev/null 2>&1; then LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCIISCOPE_FUZZ=ON -DCIISCOPE_BUILD_TESTS=OFF "${LAUNCHER[@]}" >/dev/null
nice cmake --build "$BUILD" -j "$(nproc)" --target passive_fuzz
corpus="$BUILD/fuzz-corpus/passive"
mkdir -p "$corpus"
# Seeds: small captures from the shared corpus when present (mode byte 1 = file).
shared="$ROOT/../shared/corpora/pcap"
if [ -d "$shared" ] && [ -z "$(ls -A "$corpus")" ]; then
  # No `find | head` here: head closing the pipe early kills find with SIGPIPE,
  # which pipefail turns into a failed script (exit 141) on every fresh build.
  n=0
  while IFS= read -r f; do
    n=$((n + 1)); [ "$n" -le 200 ] || continue
    { printf '\001'; cat "$f"; } > "$corpus/$(basename "$f").seed"
  done < <(find "$shared" -type f \( -name '*.pcap' -o -name '*.pcapng' \) -size -4k | sort)
fi
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# A fixed seed and run count keep CI repeatable; SECS caps the time.
# CIISCOPE_FUZZ_SEED=0 lets libFuzzer pick a seed for exploratory runs.
"$BUILD/tests/fuzz/passive_fuzz" -seed="${CIISCOPE_FUZZ_SEED:-1}" -runs="${CIISCOPE_FUZZ_RUNS:-200000}" \
  -max_total_time="$SECS" -timeout=10 -rss_limit_mb=1024 \
  -max_len=65536 -print_final_stats=1 "$corpus" 2>&1 | tail -15
