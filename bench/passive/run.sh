#!/usr/bin/env bash
# Passive-discovery benchmark: ciiscope scan --pcap vs tshark vs p0f on one
# synthetic capture (≥ 3M packets, generated here; nothing is sent).
#
#   bench/passive/run.sh [BUILD_DIR] [PACKETS]
#
# Needs: python3, tshark, p0f, sqlite3, /usr/bin/time. Install the peers with
#   DEBIAN_FRONTEND=noninteractive; echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
#   apt-get install -y tshark p0f
# Not part of ctest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
packets=${2:-3000000}
bin=$build/bin/ciiscope
work=${BENCH_DIR:-/tmp/ciiscope-bench-passive}
mkdir -p "$work"
cap=$work/mix-$packets.pcap
[ -x "$bin" ] || { echo "no ciiscope binary at $bin (build first)" >&2; exit 2; }
for t in tshark p0f sqlite3 /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 2; }
done

if [ ! -s "$cap" ]; then
  echo "generating $cap ($packets packets)…"
  python3 "$here/gen_capture.py" "$cap" --packets "$packets" >/dev/null
fi
n=$(capinfos -c -M "$cap" 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')
n=${n:-$packets}
size=$(stat -c %s "$cap")
echo "capture: $cap, $n packets, $((size / 1048576)) MiB"

# time_run NAME CMD... → sets SECS_<NAME> and RSS_<NAME> (KiB)
time_run() {
  local name=$1; shift
  local tf=$work/$name.time
  /usr/bin/time -v -o "$tf" "$@"
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tf")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tf")
  # h:mm:ss or m:ss.cc → seconds
  local secs
  secs=$(echo "$wall" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  eval "SECS_$name=$secs; RSS_$name=$rss"
}

db=$work/bench.db
rm -f "$db" "$db-wal" "$db-shm"
time_run ciiscope "$bin" --db "$db" scan --pcap "$cap" > "$work/ciiscope.out" 2> "$work/ciiscope.err"
cat "$work/ciiscope.out" "$work/ciiscope.err" | grep -E "^scan|^passive|warning|error" || true
time_run tshark tshark -r "$cap" -n -T fields -e ip.src -e tcp.srcport -e tcp.flags.syn \
  -e tcp.flags.ack -e tls.handshake.extensions_server_name -e http.host -e dns.a > "$work/tshark.tsv"
time_run p0f p0f -r "$cap" -o "$work/p0f.log" > /dev/null

# Services: tshark's SYN-ACK senders vs ciiscope's passive tcp port_state evidence.
awk -F'\t' '($3=="1"||$3=="True") && ($4=="1"||$4=="True") {print $1":"$2}' "$work/tshark.tsv" |
  sort -u > "$work/services.tshark"
sqlite3 "$db" "SELECT a.address || ':' || s.port FROM services s JOIN assets a ON a.id = s.asset_id
               WHERE s.transport = 'tcp' AND s.state = 'open';" | sort -u > "$work/services.ciiscope"

rate() { awk -v n="$n" -v s="$1" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "inf" }'; }
r_c=$(rate "$SECS_ciiscope"); r_t=$(rate "$SECS_tshark"); r_p=$(rate "$SECS_p0f")
printf '%-10s %10s %14s %12s %14s\n' tool seconds packets/s peak_RSS_MiB bytes_RSS/pkt
for t in ciiscope tshark p0f; do
  eval "s=\$SECS_$t; m=\$RSS_$t"
  printf '%-10s %10.2f %14s %12.1f %14.1f\n' "$t" "$s" "$(rate "$s")" "$(echo "$m/1024" | bc -l)" \
    "$(echo "$m*1024/$n" | bc -l)"
done
awk -v c="$r_c" -v t="$r_t" -v p="$r_p" 'BEGIN {
  printf "ratio: ciiscope/tshark = %.1fx (target >= 20x), ciiscope/p0f = %.1fx (target >= 7x)\n", c/t, c/p }'
nt=$(wc -l < "$work/services.tshark"); nc=$(wc -l < "$work/services.ciiscope")
if diff -q "$work/services.tshark" "$work/services.ciiscope" >/dev/null; then
  echo "services: ciiscope == tshark ($nc tcp services from SYN-ACKs)"
else
  echo "services: MISMATCH (tshark $nt, ciiscope $nc); diff:"
  diff "$work/services.tshark" "$work/services.ciiscope" | head -20
  exit 1
fi
