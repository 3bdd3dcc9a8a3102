#!/usr/bin/env bash
# Assessment benchmark: rule × service evaluations per second with all packs
# loaded, and peak RSS, on generated inventories (realistic banners, HTTP
# pages, TLS facts; data only — nothing is sent).
#
#   [BASE_BIN=older/ciiscope] bench/assess/run.sh [BUILD_DIR] [N ...]
#
# Two measurements, each at every N (default 100000 200000 400000 services),
# so throughput and memory can be seen to stay flat as the inventory grows:
#   eval   — the evaluator alone (assess_bench eval): facts decoding + all
#            rules per service, one thread, streamed
#   assess — `ciiscope assess` end to end on a generated SQLite inventory
#            (read evidence, evaluate, upsert findings, identities), timed
#            with /usr/bin/time; evaluations per CPU-second (user + system)
#            and per wall second, and CPU seconds per phase (read, evaluate,
#            write, commit, ledger, stale; from --log-level debug)
# EVAL=0 skips the evaluator-only measurement (assess end to end only).
# No peer tool evaluates these rule packs, so figures are printed against the
# target (≥ 1M evaluations/s per core) and as large/small ratios.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 200000 400000)
small=${sizes[0]}
large=${sizes[-1]}
bin=$build/bin/ciiscope
bench=$build/bin/assess_bench
work=${BENCH_DIR:-/tmp/ciiscope-bench-assess}
mkdir -p "$work"
for b in "$bin" "$bench"; do
  [ -x "$b" ] || { echo "missing $b (cmake --build $build --target ciiscope assess_bench)" >&2; exit 2; }
done
command -v /usr/bin/time >/dev/null || { echo "missing /usr/bin/time (apt-get install time)" >&2; exit 2; }

# Generated inventories are kept in $work between runs, named after the
# generator's source, so a changed generator never reuses an old file.
gen_tag=$(cat "$here/service_gen.cpp" "$here/service_gen.h" | sha256sum | cut -c1-12)

field() { sed -n "s|.*$1: \([0-9.]*\).*|\1|p"; }

declare -A EVPS WALL RSS
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPU(s)"
for n in "${sizes[@]}"; do
  [ "${EVAL:-1}" != 0 ] || break
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
  local db=$work/inv-$gen_tag-$n.db run=$work/run-$tag-$n.db tf=$work/assess-$tag-$n.time
  rm -f "$run" "$run-wal" "$run-shm"
  cp "$db" "$run"
  local out
  local load
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  out=$(/usr/bin/time -v -o "$tf" "$b" --log-level debug --db "$run" --rules "$root/rules" \
          --actor bench assess --scan 1 2>"$tf.log")
  local wall user sys rss evals
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tf" |
         awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  user=$(awk -F': ' '/User time/ {print $2}' "$tf")
  sys=$(awk -F': ' '/System time/ {print $2}' "$tf")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tf")
  evals=$(echo "$out" | sed -n 's/.*(\([0-9]*\) rule evaluations).*/\1/p')
  echo "$tag n=$n: $(echo "$out" | head -1) | wall ${wall}s user ${user}s sys ${sys}s | peak RSS ${rss} KiB | load $load"
  # Older binaries log no phases.
  sed -n 's/.*assess CPU seconds: /  CPU seconds per phase: /p' "$tf.log"
  # Per CPU-second (user + system): the assess process is single-threaded.
  EVPS[${tag}_$n]=$(awk -v e="$evals" -v u="$user" -v s="$sys" 'BEGIN { printf "%.0f", (u + s > 0 ? e / (u + s) : 0) }')
  WALL[${tag}_$n]=$(awk -v e="$evals" -v w="$wall" 'BEGIN { printf "%.0f", (w > 0 ? e / w : 0) }')
  RSS[${tag}_$n]=$rss
  rm -f "$run" "$run-wal" "$run-shm" "$run.trail-head" "$tf.log"
}

modes="assess"
if [ "${EVAL:-1}" != 0 ]; then modes="eval $modes"; fi
if [ -n "${BASE_BIN:-}" ]; then modes="$modes base"; fi
for n in "${sizes[@]}"; do
  db=$work/inv-$gen_tag-$n.db
  if [ ! -s "$db" ]; then
    rm -f "$db" "$db-wal" "$db-shm"
    "$bench" gen "$db" "$n" >/dev/null
  fi
  assess_once assess "$bin" "$n"
  if [ -n "${BASE_BIN:-}" ]; then assess_once base "$BASE_BIN" "$n"; fi
done

echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPU(s)"
printf '%-8s %10s %14s %14s %12s\n' mode services "evals/CPU-s" "evals/wall-s" "peak RSS"
for m in $modes; do
  for n in "${sizes[@]}"; do
    wall=-
    [ "$m" = eval ] || wall=${WALL[${m}_$n]}
    printf '%-8s %10s %14s %14s %11sK\n' "$m" "$n" "${EVPS[${m}_$n]}" "$wall" "${RSS[${m}_$n]}"
  done
done
echo "target: >= 1000000 evals/s per core; eval is the evaluator alone (timed region), assess/base"
echo "are end to end per CPU-second (user + system) and per wall second (one thread)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
for n in "${sizes[@]}"; do
  ev=-
  [ -z "${EVPS[eval_$n]:-}" ] || ev="$(ratio "${EVPS[eval_$n]}" 1000000)x"
  echo "ratio to target at n=$n: eval $ev, assess $(ratio "${EVPS[assess_$n]}" 1000000)x"
done
echo "assess evals/CPU-s n=$large / n=$small: $(ratio "${EVPS[assess_$large]}" "${EVPS[assess_$small]}") (1.00 = flat)"
echo "assess peak RSS n=$large / n=$small: $(ratio "${RSS[assess_$large]}" "${RSS[assess_$small]}") (1.00 = flat)"
if [ -n "${BASE_BIN:-}" ]; then
  echo "assess / base (n=$large): $(ratio "${EVPS[assess_$large]}" "${EVPS[base_$large]}")x evals per CPU-second"
fi
