#!/usr/bin/env bash
# Passive-discovery benchmark: ciiscope scan --pcap vs tshark vs p0f on one
# synthetic capture (generated here by gen_capture.py; nothing is sent).
#
#   bench/passive/run.sh [BUILD_DIR] [PACKETS]
#
# In one run: generates a PACKETS capture (default 3M) and one a third of its
# size, runs ciiscope on both (peak memory must not grow with the file), and
# tshark (-T fields, the same facts) and p0f -r on the large one. Prints
# packets/s, peak RSS and the ratios, and checks that ciiscope found the same
# TCP services as tshark (SYN-ACK senders) and as the generator wrote. Each
# tool reads a page-cache-warm file; CPU seconds (user+sys) are printed too,
# as packets per CPU second are steadier than wall time on a loaded machine.
# Exit status 1 on a service mismatch, 3 when a target is missed.
#
# Needs: python3, tshark, p0f, capinfos, sqlite3, /usr/bin/time. Install with
#   echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
#   DEBIAN_FRONTEND=noninteractive apt-get install -y tshark p0f sqlite3 time
# Not part of ctest. Scratch files go to $BENCH_DIR (default /tmp/ciiscope-bench-passive).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
packets=${2:-3000000}
small=$((packets / 3))
bin=$build/bin/ciiscope
work=${BENCH_DIR:-/tmp/ciiscope-bench-passive}
mkdir -p "$work"
[ -x "$bin" ] || { echo "no ciiscope binary at $bin (build first)" >&2; exit 2; }
for t in python3 tshark p0f capinfos sqlite3 /usr/bin/time bc; do
  command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 2; }
done

# make_capture N → path of a capture with N packets (reused when up to date)
make_capture() {
  local cap=$work/mix-$1.pcap
  if [ ! -s "$cap" ] || [ ! -s "$cap.services" ] || [ "$here/gen_capture.py" -nt "$cap" ]; then
    echo "generating $cap ($1 packets)…" >&2
    python3 "$here/gen_capture.py" "$cap" --packets "$1" >/dev/null
  fi
  echo "$cap"
}
cap=$(make_capture "$packets")
cap_small=$(make_capture "$small")
count() { capinfos -c -M "$1" | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}'; }
n=$(count "$cap"); n_small=$(count "$cap_small")
echo "capture: $cap, $n packets, $(($(stat -c %s "$cap") / 1048576)) MiB; small: $n_small packets"

# warm FILE: read it once so every tool reads its input from the page cache
# (otherwise the first tool pays for the disk and the later ones do not).
warm() { cat "$1" > /dev/null; }

# time_run NAME CMD... → SECS_<NAME> (wall seconds), CPU_<NAME> (user+sys
# seconds: on a loaded machine the fairer figure) and RSS_<NAME> (peak KiB)
time_run() {
  local name=$1; shift
  local tf=$work/$name.time
  /usr/bin/time -v -o "$tf" "$@"
  local wall rss secs cpu
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tf")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tf")
  cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$tf")
  secs=$(echo "$wall" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  eval "SECS_$name=$secs; CPU_$name=$cpu; RSS_$name=$rss"
}

run_ciiscope() {  # NAME CAPTURE
  local db=$work/$1.db
  rm -f "$db" "$db-wal" "$db-shm"
  warm "$2"
  time_run "$1" "$bin" --db "$db" scan --pcap "$2" > "$work/$1.out" 2> "$work/$1.err"
  grep -E "^passive|warning|error" "$work/$1.err" || true
}
run_ciiscope ciiscope_small "$cap_small"
run_ciiscope ciiscope "$cap"
warm "$cap"
time_run tshark tshark -r "$cap" -n -T fields -e ip.src -e tcp.srcport -e tcp.flags.syn \
  -e tcp.flags.ack -e tls.handshake.extensions_server_name -e tls.handshake.ciphersuite \
  -e http.host -e http.user_agent -e http.server -e dns.qry.name -e dns.a \
  > "$work/tshark.tsv" 2> "$work/tshark.err"
warm "$cap"
time_run p0f p0f -r "$cap" -o "$work/p0f.log" > /dev/null

# Services: tshark's SYN-ACK senders vs ciiscope's open tcp services vs the generator.
awk -F'\t' '($3=="1"||$3=="True") && ($4=="1"||$4=="True") {print $1":"$2}' "$work/tshark.tsv" |
  sort -u > "$work/services.tshark"
sqlite3 "$work/ciiscope.db" "SELECT a.address || ':' || s.port FROM services s
  JOIN assets a ON a.id = s.asset_id WHERE s.transport = 'tcp' AND s.state = 'open';" |
  sort -u > "$work/services.ciiscope"
sort -u "$cap.services" | sed '/^$/d' > "$work/services.generated"

rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "inf" }'; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPU(s)"
printf '%-15s %10s %9s %12s %8s %13s %12s %13s\n' tool packets seconds packets/s cpu_s \
  packets/cpu_s peak_RSS_MiB RSS_B/packet
row() {  # NAME PACKETS
  local s c m
  eval "s=\$SECS_$1; c=\$CPU_$1; m=\$RSS_$1"
  printf '%-15s %10s %9.2f %12s %8.2f %13s %12.1f %13.1f\n' "$1" "$2" "$s" "$(rate "$2" "$s")" \
    "$c" "$(rate "$2" "$c")" "$(echo "$m/1024" | bc -l)" "$(echo "$m*1024/$2" | bc -l)"
}
row ciiscope_small "$n_small"
row ciiscope "$n"
row tshark "$n"
row p0f "$n"
r_c=$(rate "$n" "$SECS_ciiscope"); r_t=$(rate "$n" "$SECS_tshark"); r_p=$(rate "$n" "$SECS_p0f")
c_c=$(rate "$n" "$CPU_ciiscope"); c_t=$(rate "$n" "$CPU_tshark"); c_p=$(rate "$n" "$CPU_p0f")
awk -v c="$c_c" -v t="$c_t" -v p="$c_p" 'BEGIN {
  printf "cpu ratio (packets per CPU second): ciiscope/tshark = %.1fx, ciiscope/p0f = %.1fx\n", c/t, c/p }'
status=0
awk -v c="$r_c" -v t="$r_t" -v p="$r_p" -v big="$RSS_ciiscope" -v sm="$RSS_ciiscope_small" \
    -v n="$n" -v ns="$n_small" 'BEGIN {
  printf "ratio: ciiscope/tshark = %.1fx (target >= 20x), ciiscope/p0f = %.1fx (target >= 7x)\n", c/t, c/p
  printf "memory: ciiscope peak RSS %.1f MiB at %d packets, %.1f MiB at %d packets (x%.2f for x%.1f the packets)\n",
         big/1024, n, sm/1024, ns, big/sm, n/ns
  exit (c/t >= 20 && c/p >= 7 && big/sm < 1.5) ? 0 : 3 }' || status=3
nt=$(wc -l < "$work/services.tshark"); nc=$(wc -l < "$work/services.ciiscope")
ng=$(wc -l < "$work/services.generated")
if cmp -s "$work/services.tshark" "$work/services.ciiscope" &&
   cmp -s "$work/services.generated" "$work/services.ciiscope"; then
  echo "services: ciiscope == tshark == generator ($nc tcp services)"
else
  echo "services: MISMATCH (generator $ng, tshark $nt, ciiscope $nc); diff tshark ciiscope:"
  diff "$work/services.tshark" "$work/services.ciiscope" | head -20
  exit 1
fi
[ "$status" -eq 0 ] || echo "target missed (see above)"
exit "$status"
