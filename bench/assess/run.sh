#!/usr/bin/env bash
# Assessment benchmark: rule × service evaluations per second with all packs
# loaded, and peak RSS, on generated inventories (realistic banners, HTTP
# pages, TLS facts; data only — nothing is sent).
#
#   [BASE_BIN=older/ciiscope] bench/assess/run.sh [BUILD_DIR] [N_SMALL] [N_LARGE]
#
# Two measurements, each at N_SMALL (default 100000) and N_LARGE (default
# 300000) services, so memory can be seen to stay flat as the inventory grows:
#   eval   — the evaluator alone (assess_bench eval): facts decoding + all
#            rules per service, one thread, streamed
#   assess — `ciiscope assess` end to end on a generated SQLite inventory
#            (read evidence, evaluate, upsert findings, identities), timed
#            with /usr/bin/time; evaluations per CPU-second (user + system)
# No peer tool evaluates these rule packs, so figures are printed against the
# target (≥ 1M evaluations/s per core) and as large/small ratios.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
small=${2:-100000}
large=${3:-300000}
bin=$build/bin/ciiscope
bench=$build/bin/assess_bench
work=${BENCH_DIR:-/tmp/ciiscope-bench-assess}
mkdir -p "$work"
for b in "$bin" "$bench"; do
  [ -x "$b" ] || { echo "missing $b (cmake --build $build --target ciiscope assess_bench)" >&2; exit 2; }
done
command -v /usr/bin/time >/dev/null || { echo "missing /usr/bin/time (apt-get install time)" >&2; exit 2; }

field() { sed -n "s|.*$1: \([0-9.]*\).*|\1|p"; }

declare -A EVPS RSS
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPU(s)"
for n in "$small" "$large"; do
  out=$("$bench" eval "$root/rules" "$n")
  echo "eval   n=$n: $out"
  EVPS[eval_$n]=$(echo "$out" | field "evals/s")
  RSS[eval_$n]=$(echo "$out" | field "peak RSS KiB")
done

# Each assess run starts from a fresh copy of the generated inventory, so the
# first-assessment work (identities, new findings) is what is measured.
# BASE_BIN=/path/to/older/ciiscope runs that binary too, on the same copies
# and under the same load, and prints the ratio.
assess_once() {  # TAG BIN N
  local tag=$1 b=$2 n=$3
  local db=$work/inv-$n.db run=$work/run-$tag-$n.db tf=$work/assess-$tag-$n.time
  rm -f "$run" "$run-wal" "$run-shm"
  cp "$db" "$run"
  local out
  out=$(/usr/bin/time -v -o "$tf" "$b" --db "$run" --rules "$root/rules" --actor bench assess --scan 1)
  local wall user sys rss evals
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tf" |
         awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  user=$(awk -F': ' '/User time/ {print $2}' "$tf")
  sys=$(awk -F': ' '/System time/ {print $2}' "$tf")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tf")
  evals=$(echo "$out" | sed -n 's/.*(\([0-9]*\) rule evaluations).*/\1/p')
  echo "$tag n=$n: $(echo "$out" | head -1) | wall ${wall}s user ${user}s sys ${sys}s | peak RSS ${rss} KiB"
  # Per CPU-second (user + system): the assess process is single-threaded.
  EVPS[${tag}_$n]=$(awk -v e="$evals" -v u="$user" -v s="$sys" 'BEGIN { printf "%.0f", (u + s > 0 ? e / (u + s) : 0) }')
  RSS[${tag}_$n]=$rss
  rm -f "$run" "$run-wal" "$run-shm"
}

modes="eval assess"
if [ -n "${BASE_BIN:-}" ]; then modes="$modes base"; fi
for n in "$small" "$large"; do
  db=$work/inv-$n.db
  if [ ! -s "$db" ]; then
    rm -f "$db" "$db-wal" "$db-shm"
    "$bench" gen "$db" "$n" >/dev/null
  fi
  assess_once assess "$bin" "$n"
  if [ -n "${BASE_BIN:-}" ]; then assess_once base "$BASE_BIN" "$n"; fi
done

echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPU(s)"
printf '%-8s %14s %14s %12s %12s %10s\n' mode "evals/s@$small" "evals/s@$large" "RSS@$small" "RSS@$large" "RSS ratio"
for m in $modes; do
  printf '%-8s %14s %14s %10sK %10sK %10s\n' "$m" "${EVPS[${m}_$small]}" "${EVPS[${m}_$large]}" \
    "${RSS[${m}_$small]}" "${RSS[${m}_$large]}" \
    "$(awk -v a="${RSS[${m}_$small]}" -v b="${RSS[${m}_$large]}" 'BEGIN { printf "%.2f", b / a }')"
done
echo "target: >= 1000000 evals/s per core; assess/base evals/s are per CPU-second (user + system)"
echo "ratio to target (eval, n=$large): $(awk -v e="${EVPS[eval_$large]}" 'BEGIN { printf "%.2fx", e / 1000000 }')"
echo "ratio to target (assess end to end, n=$large): $(awk -v e="${EVPS[assess_$large]}" 'BEGIN { printf "%.2fx", e / 1000000 }')"
if [ -n "${BASE_BIN:-}" ]; then
  echo "assess / base (n=$large): $(awk -v a="${EVPS[assess_$large]}" -v b="${EVPS[base_$large]}" 'BEGIN { printf "%.2fx evals per CPU-second", a / b }')"
fi
