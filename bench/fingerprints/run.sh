#!/usr/bin/env bash
# Fingerprint matching benchmark (issue 4 item 4: "many patterns are matched
# in one pass, so cost does not grow linearly with the pack"). Applies the
# shipped fingerprint pack to N generated services (data only, nothing is
# sent) rule by rule and through the RE2::Set index, with the pack as shipped
# and duplicated ×4, in one run; prints µs per service and the ratios.
#
#   bench/fingerprints/run.sh [BUILD_DIR] [N]     (N default 20000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
n=${2:-20000}
bench=$build/bin/fingerprint_bench
[ -x "$bench" ] || { echo "missing $bench (cmake --build $build --target fingerprint_bench)" >&2; exit 2; }
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPU(s)"
"$bench" "$root/rules" "$n"
echo "load average at end:   $(cut -d' ' -f1-3 /proc/loadavg)"
