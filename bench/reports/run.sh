#!/usr/bin/env bash
# Scorecard at scale (issue 7 item 6): a real inventory of UNITS units and
# FINDINGS findings is generated, then `ciiscope report --kind scorecard`
# computes a score run and renders every streamed format. Run at two sizes
# (default: 1/10 and full) to show peak memory flat in the number of units
# and findings. There is no peer tool for this report; the comparison is
# ciiscope against itself at 10x the data.
#
#   bench/reports/run.sh [BUILD_DIR] [UNITS] [FINDINGS] [FORMATS] [KIND]
#
# KIND: scorecard (default) or ledger (one row per asset of the same
# inventory, also streamed).
#
# Needs: python3, /usr/bin/time. Not part of ctest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
units=${2:-10000}
findings=${3:-1000000}
formats=${4:-html,csv,json,md,xlsx}
kind=${5:-scorecard}
bin=$build/bin/ciiscope
work=${BENCH_DIR:-/tmp/ciiscope-bench-reports}
[ -x "$bin" ] || { echo "no ciiscope binary at $bin (build first)" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "missing /usr/bin/time (apt-get install time)" >&2; exit 2; }
mkdir -p "$work"

# run_size UNITS FINDINGS → prints one result line, sets SECS and RSS (KiB)
run_size() {
  local u=$1 f=$2
  local db=$work/scale-$u-$f.db out=$work/out-$kind-$u-$f
  if [ ! -s "$db" ]; then
    rm -f "$db" "$db-wal" "$db-shm"
    "$bin" --db "$db" units list >/dev/null   # creates the schema
    python3 "$here/gen_store.py" "$db" "$u" "$f" >&2
  fi
  rm -rf "$out"
  local tf=$work/time-$u-$f.txt
  /usr/bin/time -v -o "$tf" "$bin" --db "$db" --lang zh report --kind "$kind" \
    --format "$formats" -o "$out/" > "$work/report-$u-$f.log"
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tf")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tf")
  SECS=$(echo "$wall" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  RSS=$rss
  local bytes
  bytes=$(du -sb "$out" | awk '{print $1}')
  printf '%8d %9d %9.1f %12.1f %12.1f   %s\n' "$u" "$f" "$SECS" "$(echo "$RSS/1024" | bc -l)" \
    "$(echo "$bytes/1048576" | bc -l)" "$kind $formats"
}

printf '%8s %9s %9s %12s %12s   %s\n' units findings seconds peak_RSS_MiB output_MiB formats
run_size $((units / 10)) $((findings / 10)); small_rss=$RSS; small_secs=$SECS
run_size "$units" "$findings"; big_rss=$RSS; big_secs=$SECS
awk -v a="$small_rss" -v b="$big_rss" -v s="$small_secs" -v t="$big_secs" 'BEGIN {
  printf "ratio at 10x the data: peak RSS %.2fx, time %.1fx (flat memory: RSS ratio near 1)\n", b/a, t/s }'
