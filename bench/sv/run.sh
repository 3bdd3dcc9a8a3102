#!/usr/bin/env bash
# Service/version identification benchmark: real Debian daemons, each on its
# own 127.77.0.x address at its standard port, scanned in one run by ciiscope
# (scan + assess: probes and fingerprint rules) and by `nmap -sV`. Prints what
# each tool named (service, product, version) against the truth from
# dpkg-query, both wall times and the ratio. Then the same for UDP daemons
# (snmpd, ntpsec, unbound): `ciiscope scan -p U:…` against `nmap -sU -sV`
# (BENCH_UDP=0 skips that part). The UDP daemons are configured so they never
# send off the box: no NTP servers, unbound refuses to query any address and
# answers the root zone locally. BENCH_RECORD=1 records golden-test fixtures
# from the TCP daemons instead of benchmarking (tests/fixtures/tcp/README.md).
#
#   bench/sv/run.sh [BUILD_DIR]
#
# Needs root (daemons drop their own privileges), nmap, sqlite3, python3 and
# the daemons; missing daemons are installed with apt-get when BENCH_INSTALL=1,
# otherwise skipped (the table says so). Every daemon is started here, bound
# only to its loopback address, and stopped on exit (trap). Traffic stays on
# 127.0.0.0/8. Not part of ctest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
bin=$build/bin/ciiscope
work=${BENCH_DIR:-/tmp/ciiscope-bench-sv}
net=127.77.0
[ -x "$bin" ] || { echo "no ciiscope binary at $bin (build first)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "bench/sv needs root (it starts system daemons)" >&2; exit 2; }
for t in nmap sqlite3 python3; do
  command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 2; }
done

# name|package for the truth|address|port|daemon binary|apt packages
services=(
  "nginx|nginx|$net.10|80|/usr/sbin/nginx|nginx"
  "lighttpd|lighttpd|$net.11|80|/usr/sbin/lighttpd|lighttpd"
  "openssh|openssh-server|$net.12|22|/usr/sbin/sshd|openssh-server"
  "vsftpd|vsftpd|$net.13|21|/usr/sbin/vsftpd|vsftpd"
  "exim|exim4-daemon-light|$net.14|25|/usr/sbin/exim4|exim4-daemon-light"
  "dovecot-imap|dovecot-core|$net.15|143|/usr/sbin/dovecot|dovecot-imapd dovecot-pop3d"
  "dovecot-pop3|dovecot-core|$net.15|110|/usr/sbin/dovecot|dovecot-imapd dovecot-pop3d"
  "redis|redis-server|$net.16|6379|/usr/bin/redis-server|redis-server"
  "mariadb|mariadb-server|$net.17|3306|/usr/sbin/mariadbd|mariadb-server"
  "postgresql|postgresql-15|$net.18|5432|/usr/lib/postgresql/15/bin/postgres|postgresql"
  "memcached|memcached|$net.19|11211|/usr/bin/memcached|memcached"
)
udp_services=(
  "snmpd|snmpd|$net.20|161|/usr/sbin/snmpd|snmpd"
  "ntpsec|ntpsec|127.0.0.1|123|/usr/sbin/ntpd|ntpsec"
  "unbound|unbound|$net.22|53|/usr/sbin/unbound|unbound"
)
[ "${BENCH_UDP:-1}" = 1 ] || udp_services=()

if [ "${BENCH_INSTALL:-0}" = 1 ]; then
  pkgs=()
  for s in "${services[@]}" "${udp_services[@]}"; do
    IFS='|' read -r _ _ _ _ daemon apt <<<"$s"
    [ -x "$daemon" ] || pkgs+=($apt)
  done
  if [ ${#pkgs[@]} -gt 0 ]; then
    # policy-rc.d keeps the packages' own init scripts from starting them.
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${pkgs[@]}"
  fi
fi

rm -rf "$work"
mkdir -p "$work/run"
chmod 755 "$work"
chmod 1777 "$work/run"  # pid files of daemons that write them after dropping privileges
pids=()
cleanup() {
  set +e
  for f in "$work"/*.pid "$work"/run/*.pid "$work"/dovecot/run/master.pid; do
    [ -s "$f" ] && kill "$(head -1 "$f")" 2>/dev/null
  done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  [ -x /usr/lib/postgresql/15/bin/pg_ctl ] && [ -d "$work/pg" ] &&
    su postgres -s /bin/sh -c "/usr/lib/postgresql/15/bin/pg_ctl -D $work/pg -m immediate stop" >/dev/null 2>&1
  sleep 0.5
  for f in "$work"/*.pid "$work"/run/*.pid "$work"/dovecot/run/master.pid; do
    [ -s "$f" ] && kill -9 "$(head -1 "$f")" 2>/dev/null
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  true
}
trap cleanup EXIT INT TERM

have() { [ -x "$1" ]; }

start_nginx() {
  mkdir -p "$work/nginx"
  cat >"$work/nginx/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server { listen $net.10:80; location / { return 200 "<html><head><title>bench</title></head></html>"; } }
}
CONF
  /usr/sbin/nginx -c "$work/nginx/nginx.conf"
}

start_lighttpd() {
  mkdir -p "$work/lighttpd/www"
  echo '<html><head><title>bench</title></head></html>' >"$work/lighttpd/www/index.html"
  cat >"$work/lighttpd/lighttpd.conf" <<CONF
server.document-root = "$work/lighttpd/www"
server.bind = "$net.11"
server.port = 80
server.pid-file = "$work/lighttpd.pid"
server.errorlog = "$work/lighttpd/error.log"
index-file.names = ("index.html")
CONF
  /usr/sbin/lighttpd -f "$work/lighttpd/lighttpd.conf"
}

start_openssh() {
  mkdir -p "$work/ssh" /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$work/ssh/host_ed25519"
  cat >"$work/ssh/sshd_config" <<CONF
ListenAddress $net.12:22
HostKey $work/ssh/host_ed25519
PidFile $work/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
CONF
  /usr/sbin/sshd -f "$work/ssh/sshd_config"
}

start_vsftpd() {
  mkdir -p "$work/vsftpd" /var/run/vsftpd/empty
  cat >"$work/vsftpd/vsftpd.conf" <<CONF
listen=YES
listen_address=$net.13
listen_port=21
background=NO
anonymous_enable=YES
anon_root=/var/run/vsftpd/empty
no_anon_password=YES
local_enable=NO
secure_chroot_dir=/var/run/vsftpd/empty
CONF
  /usr/sbin/vsftpd "$work/vsftpd/vsftpd.conf" >"$work/vsftpd/log" 2>&1 &
  pids+=($!)
}

start_exim() {
  /usr/sbin/exim4 -bd -oX "$net.14.25" -oP "$work/exim.pid"
}

start_dovecot() {
  mkdir -p "$work/dovecot/run"
  cat >"$work/dovecot/dovecot.conf" <<CONF
protocols = imap pop3
listen = $net.15
base_dir = $work/dovecot/run
ssl = no
log_path = $work/dovecot/log
mail_location = maildir:$work/dovecot/mail/%u
passdb {
  driver = static
  args = nopassword=n
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$work/dovecot/mail/%u
}
CONF
  /usr/sbin/dovecot -c "$work/dovecot/dovecot.conf"
}

start_redis() {
  mkdir -p "$work/redis"
  /usr/bin/redis-server --bind "$net.16" --port 6379 --daemonize yes --pidfile "$work/redis.pid" \
    --dir "$work/redis" --save '' --logfile "$work/redis/log" --protected-mode yes
}

start_mariadb() {
  mkdir -p "$work/mysql"
  chown mysql:mysql "$work/mysql"
  mariadb-install-db --user=mysql --datadir="$work/mysql/data" --auth-root-authentication-method=socket \
    --skip-test-db >"$work/mysql/install.log" 2>&1
  # A host entry for the loopback clients, so the server greets them (as on a
  # server that admits its application hosts) instead of refusing the host.
  echo "CREATE USER IF NOT EXISTS 'bench'@'127.%' ACCOUNT LOCK;" >"$work/mysql/init.sql"
  chown mysql:mysql "$work/mysql/init.sql"
  /usr/sbin/mariadbd --user=mysql --datadir="$work/mysql/data" --bind-address="$net.17" --port=3306 \
    --socket="$work/mysql/sock" --pid-file="$work/run/mysql.pid" --skip-name-resolve \
    --init-file="$work/mysql/init.sql" --log-error="$work/mysql/error.log" &
  pids+=($!)
}

start_postgresql() {
  local pgbin=/usr/lib/postgresql/15/bin
  mkdir -p "$work/pg" "$work/pgsock"
  chown postgres:postgres "$work/pg" "$work/pgsock"
  su postgres -s /bin/sh -c "$pgbin/initdb -D $work/pg -A reject >/dev/null"
  su postgres -s /bin/sh -c "$pgbin/pg_ctl -D $work/pg -l $work/pgsock/log -w \
    -o \"-c listen_addresses=$net.18 -p 5432 -k $work/pgsock\" start >/dev/null"
}

start_snmpd() {
  mkdir -p "$work/snmpd"
  cat >"$work/snmpd/snmpd.conf" <<CONF
rocommunity public 127.0.0.0/8
sysName bench-snmp
CONF
  # In the foreground (-f) under this script: snmpd writes no pid file once
  # it has dropped privileges, so cleanup kills it by its pid here.
  /usr/sbin/snmpd -f -C -c "$work/snmpd/snmpd.conf" -Lf "$work/snmpd/log" \
    -u Debian-snmp -g Debian-snmp udp:$net.20:161 &
  pids+=($!)
}

start_ntpsec() {
  mkdir -p "$work/ntpsec"
  chown ntpsec:ntpsec "$work/ntpsec"
  # No server/pool lines: it never sends; queries allowed from loopback only.
  # ntpd binds interface addresses only, so it serves 127.0.0.1 (lo), not a 127.77.0.x.
  cat >"$work/ntpsec/ntp.conf" <<CONF
driftfile $work/ntpsec/drift
interface ignore all
interface listen 127.0.0.1
restrict default kod nomodify noquery limited
restrict 127.0.0.0 mask 255.0.0.0 nomodify
disable kernel
CONF
  /usr/sbin/ntpd -c "$work/ntpsec/ntp.conf" -p "$work/run/ntpsec.pid" -u ntpsec:ntpsec -l "$work/ntpsec/log"
}

start_unbound() {
  mkdir -p "$work/unbound"
  cat >"$work/unbound/unbound.conf" <<CONF
server:
  interface: $net.22
  port: 53
  do-ip6: no
  do-daemonize: yes
  chroot: ""
  username: "unbound"
  directory: "$work/unbound"
  pidfile: "$work/run/unbound.pid"
  use-syslog: no
  logfile: "$work/unbound/log"
  access-control: 127.0.0.0/8 allow
  hide-version: no
  # never recurse off the box: the root zone is answered locally and no
  # address may be queried.
  local-zone: "." static
  do-not-query-address: 0.0.0.0/0
  do-not-query-address: ::/0
remote-control:
  control-enable: no
CONF
  chown unbound:unbound "$work/unbound"
  /usr/sbin/unbound -c "$work/unbound/unbound.conf"
}

start_memcached() {
  /usr/bin/memcached -d -l "$net.19" -p 11211 -U 0 -u memcache -P "$work/run/memcached.pid"
}

# wait_port ADDR PORT: up to 30 s
wait_port() {
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

targets=()
ports=()
declare -A started=()
for s in "${services[@]}"; do
  IFS='|' read -r name pkg addr port daemon _ <<<"$s"
  fn=start_${name%%-*}
  if ! have "$daemon"; then
    echo "skip $name: $daemon not installed (BENCH_INSTALL=1 installs it)" >&2
    continue
  fi
  if [ -z "${started[$fn]:-}" ]; then
    # Refuse to start on an address/port someone else already serves.
    if (exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null; then
      echo "skip $name: $addr:$port already answers (not ours)" >&2
      continue
    fi
    # Daemons must not hold this script's stdout/stderr open.
    "$fn" >>"$work/daemons.log" 2>&1 </dev/null || { echo "skip $name: failed to start" >&2; continue; }
    started[$fn]=1
  fi
  if wait_port "$addr" "$port"; then
    targets+=("$addr")
    ports+=("$port")
  else
    echo "skip $name: $addr:$port did not open" >&2
  fi
done
[ ${#ports[@]} -gt 0 ] || { echo "no daemon started" >&2; exit 3; }
tlist=$(printf '%s\n' "${targets[@]}" | sort -u | tr '\n' ' ')
plist=$(printf '%s\n' "${ports[@]}" | sort -un | paste -sd,)
echo "targets: $tlist"
echo "ports:   $plist"

# BENCH_RECORD=1: record each daemon's conversation with the probes as a
# golden-test fixture (tests/fixtures/tcp/, see its README) instead of benchmarking.
if [ "${BENCH_RECORD:-0}" = 1 ]; then
  rec=$build/tests/unit/probes/tcp_golden_test
  [ -x "$rec" ] || { echo "missing $rec (cmake --build $build --target tcp_golden_test)" >&2; exit 2; }
  for s in "${services[@]}"; do
    IFS='|' read -r name pkg addr port _ _ <<<"$s"
    (exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null || continue
    v=$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null || true)
    fixture="$name-$port-$(printf '%s' "$v" | tr -c 'A-Za-z0-9.+~-' '_')"
    RECORD_FROM="$addr:$port" RECORD_NAME="$fixture" \
      RECORD_SOURCE="$pkg $v, Debian $(cat /etc/debian_version), configured by bench/sv/run.sh" \
      "$rec" --gtest_filter=TcpGoldenTest.RecordsAFixtureWhenAsked >"$work/record-$fixture.log" 2>&1 ||
      echo "recording $fixture failed (see $work/record-$fixture.log)" >&2
    echo "recorded tests/fixtures/tcp/$fixture.txt"
  done
  exit 0
fi

now() { date +%s.%N; }

db=$work/ciiscope.db
t0=$(now)
"$bin" --db "$db" scan $tlist -p "$plist" >"$work/ciiscope.scan.out" 2>"$work/ciiscope.scan.err"
"$bin" --db "$db" assess >"$work/ciiscope.assess.out" 2>"$work/ciiscope.assess.err"
t1=$(now)
nmap -sV -Pn -n -p "$plist" -oX "$work/nmap.xml" $tlist >"$work/nmap.out" 2>&1
t2=$(now)

sqlite3 -separator $'\t' "$db" "SELECT a.address, s.port, s.name, s.product, s.version
  FROM services s JOIN assets a ON a.id = s.asset_id WHERE s.state = 'open';" >"$work/ciiscope.tsv"

truth=$work/truth.tsv
: >"$truth"
for s in "${services[@]}"; do
  IFS='|' read -r name pkg addr port _ _ <<<"$s"
  v=$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null || true)
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$pkg" "$addr" "$port" "$v" >>"$truth"
done

python3 "$here/table.py" "$truth" "$work/ciiscope.tsv" "$work/nmap.xml" "$t0" "$t1" "$t2"

# --- UDP: snmpd, ntpsec, unbound vs nmap -sU -sV ---
[ ${#udp_services[@]} -gt 0 ] || exit 0
udp_listening() { ss -Hlun "src $1:$2" 2>/dev/null | grep -q .; }
utargets=()
uports=()
utruth=$work/truth-udp.tsv
: >"$utruth"
for s in "${udp_services[@]}"; do
  IFS='|' read -r name pkg addr port daemon _ <<<"$s"
  if ! have "$daemon"; then
    echo "skip $name: $daemon not installed (BENCH_INSTALL=1 installs it)" >&2
    continue
  fi
  if udp_listening "$addr" "$port"; then
    echo "skip $name: $addr:$port/udp already bound (not ours)" >&2
    continue
  fi
  "start_$name" >>"$work/daemons.log" 2>&1 </dev/null || { echo "skip $name: failed to start" >&2; continue; }
  for _ in $(seq 1 100); do udp_listening "$addr" "$port" && break; sleep 0.1; done
  if udp_listening "$addr" "$port"; then
    utargets+=("$addr")
    uports+=("$port")
    v=$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null || true)
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$pkg" "$addr" "$port" "$v" >>"$utruth"
  else
    echo "skip $name: $addr:$port/udp not bound" >&2
  fi
done
[ ${#uports[@]} -gt 0 ] || { echo "no UDP daemon started" >&2; exit 0; }
sleep 1  # ntpd answers its first client packets once its loop runs
utlist=$(printf '%s\n' "${utargets[@]}" | sort -u | tr '\n' ' ')
uplist=$(printf '%s\n' "${uports[@]}" | sort -un | paste -sd,)
echo
echo "udp targets: $utlist"
echo "udp ports:   $uplist"
udb=$work/ciiscope-udp.db
t0=$(now)
"$bin" --db "$udb" scan $utlist -p "U:$uplist" --no-ping >"$work/ciiscope.udp.out" 2>"$work/ciiscope.udp.err"
"$bin" --db "$udb" assess >"$work/ciiscope.udp.assess.out" 2>"$work/ciiscope.udp.assess.err"
t1=$(now)
nmap -sU -sV -Pn -n -p "U:$uplist" -oX "$work/nmap-udp.xml" $utlist >"$work/nmap-udp.out" 2>&1
t2=$(now)
sqlite3 -separator $'\t' "$udb" "SELECT a.address, s.port, s.name, s.product, s.version
  FROM services s JOIN assets a ON a.id = s.asset_id WHERE s.state = 'open' AND s.transport = 'udp';" \
  >"$work/ciiscope-udp.tsv"
python3 "$here/table.py" "$utruth" "$work/ciiscope-udp.tsv" "$work/nmap-udp.xml" "$t0" "$t1" "$t2"
