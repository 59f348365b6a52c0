#!/usr/bin/env bash
# A real Zabbix frontend API sandbox on loopback, for tests, the README's "run the main job" and
# benchmarks. Four independent instances share one private PostgreSQL cluster:
#   source       6.0  http://127.0.0.1:$ZBX_SANDBOX_SOURCE_PORT/api_jsonrpc.php   (database zabbix_source)
#   destination  6.0  http://127.0.0.1:$ZBX_SANDBOX_DEST_PORT/api_jsonrpc.php     (database zabbix_destination)
#   v70          7.0  http://127.0.0.1:$ZBX_SANDBOX_V70_PORT/api_jsonrpc.php      (database zabbix_v70)
#   v70dest      7.0  http://127.0.0.1:$ZBX_SANDBOX_V70DEST_PORT/api_jsonrpc.php  (database zabbix_v70dest)
# Login Admin / zabbix on all. 6.0 is Debian 12's own zabbix-frontend-php. 7.0's frontend and schema
# come from the archive's trixie suite: downloaded through a private apt configuration (the system's
# is never changed), unpacked into the state directory, never installed; it runs on bookworm's PHP
# and PostgreSQL. A real Zabbix server daemon (Debian 12's zabbix-server-pgsql 6.0) runs on the
# source database only, its trapper on 127.0.0.1:$ZBX_SANDBOX_TRAPPER_PORT, so values sent there fire
# triggers and actions, and script.execute works on source. It runs as root (AllowRoot) with a clean
# environment (PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin, HOME=<state>/server/home,
# LANG=C.UTF-8): commands its actions run see only that. Its configuration cache refreshes every 5 s.
#
# Usage: scripts/sandbox/zabbix.sh up | down | status | reset [INSTANCE|all] | reload | env [INSTANCE]
#   up      installs packages if needed (scripts/install-deps.sh zabbix), fetches 7.0, creates the
#           cluster, loads each version's schema once into a pristine template database, starts
#           PostgreSQL, one PHP built-in server per instance and the Zabbix server, and waits until
#           every API answers apiinfo.version and the trapper listens. Idempotent: when already up it only reports.
#   down    stops the Zabbix server (SIGTERM to the PID of its pid file), the PHP servers (by their
#           recorded process groups) and PostgreSQL (pg_ctl on our data dir).
#   reset   drops and recreates the instance database(s) from the pristine template (~0.2 s each); PHP
#           servers keep running; the Zabbix server is stopped before source's database goes and started
#           again on the new one (~2 s more).
#   reload  makes the Zabbix server reload its configuration cache now (zabbix_server -R
#           config_cache_reload) and returns once it has: hosts, items, triggers and actions just made
#           through the API are then known to the server, without waiting for the periodic refresh.
#   status  prints what runs; exit 0 when everything is up, 3 otherwise.
#   env     prints `export ZBX_API_HOST=... ZBX_USER=... ZBX_PASS=...` for eval (default: source); for
#           source also `export ZBX_SANDBOX_TRAPPER_HOST=127.0.0.1 ZBX_SANDBOX_TRAPPER_PORT=...`.
#
# Environment:
#   CONCIERGE_SANDBOX_DIR     state root (default <repo>/.sandbox); zabbix state in $CONCIERGE_SANDBOX_DIR/zabbix
#   ZBX_SANDBOX_PG_PORT       PostgreSQL port on 127.0.0.1 (default 55432)
#   ZBX_SANDBOX_SOURCE_PORT   source API port (default 18601)
#   ZBX_SANDBOX_DEST_PORT     destination API port (default 18602)
#   ZBX_SANDBOX_V70_PORT      7.0 API port (default 18603)
#   ZBX_SANDBOX_V70DEST_PORT  the second 7.0 API port (default 18604)
#   ZBX_SANDBOX_TRAPPER_PORT  the Zabbix server's trapper port (ListenPort) on 127.0.0.1 (default 18650)
#   ZBX_SANDBOX_V70_SUITE     the archive suite 7.0 comes from (default trixie)
#   ZBX_SANDBOX_WORKERS       PHP_CLI_SERVER_WORKERS per instance (default 4)
#   ZBX_SANDBOX_TIMEOUT       seconds to wait for each API to answer (default 90)
# Must run as root (runuser to the postgres user, writes /etc/zabbix/zabbix.conf.php).
set -Eeuo pipefail
umask 022

PROG=zabbix-sandbox
# One line; inside $(...) it exits 97 so the ERR trap does not report the same failure again.
die() { echo "$PROG: error: $*" >&2; ((BASH_SUBSHELL)) && exit 97; exit 1; }
log() { echo "$PROG: $*" >&2; }
trap 'rc=$?; ((rc == 97)) || echo "$PROG: error: command failed (exit $rc) at line $LINENO: $BASH_COMMAND" >&2; exit 1' ERR

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Absolute and without symbolic links: the Zabbix server's files are named so in /proc/PID/fd.
SANDBOX_DIR=$(realpath -m -- "${CONCIERGE_SANDBOX_DIR:-$REPO/.sandbox}")
STATE=$SANDBOX_DIR/zabbix
PGDATA=$STATE/pgdata
PGSOCK=$STATE/pgsock
RUNDIR=$STATE/run
LOGDIR=$STATE/log
CACHE=$STATE/cache
SCHEMA_DIR=$STATE/schema
PHP_INI_DIR=$STATE/php.d
ZBX_CONF=/etc/zabbix/zabbix.conf.php
FRONTEND_DIR=/usr/share/zabbix
V70_DIR=$STATE/v70
V70_SUITE=${ZBX_SANDBOX_V70_SUITE:-trixie}
SRV_BIN=/usr/sbin/zabbix_server
SRV_DIR=$STATE/server
SRV_CONF=$SRV_DIR/zabbix_server.conf
SRV_SOCK=$SRV_DIR/sock
SRV_PIDFILE=$RUNDIR/zabbix_server.pid
SRV_LOG=$LOGDIR/zabbix_server.log
SRV_INST=source
SRV_LOG_START=0
# What the server, and every command its actions run, gets as its environment: nothing of ours.
SRV_ENV=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "HOME=$SRV_DIR/home" LANG=C.UTF-8)

PG_PORT=${ZBX_SANDBOX_PG_PORT:-55432}
SOURCE_PORT=${ZBX_SANDBOX_SOURCE_PORT:-18601}
DEST_PORT=${ZBX_SANDBOX_DEST_PORT:-18602}
V70_PORT=${ZBX_SANDBOX_V70_PORT:-18603}
V70DEST_PORT=${ZBX_SANDBOX_V70DEST_PORT:-18604}
TRAPPER_PORT=${ZBX_SANDBOX_TRAPPER_PORT:-18650}
WORKERS=${ZBX_SANDBOX_WORKERS:-4}
API_TIMEOUT=${ZBX_SANDBOX_TIMEOUT:-90}
INSTANCES=(source destination v70 v70dest)
MARKER='concierge zabbix sandbox (scripts/sandbox/zabbix.sh)'

for v in PG_PORT SOURCE_PORT DEST_PORT V70_PORT V70DEST_PORT TRAPPER_PORT WORKERS API_TIMEOUT; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number, got '${!v}'"
done
[[ $(printf '%s\n' "$PG_PORT" "$SOURCE_PORT" "$DEST_PORT" "$V70_PORT" "$V70DEST_PORT" "$TRAPPER_PORT" | sort -u | wc -l) == 6 ]] ||
  die "ports must differ: pg $PG_PORT, source $SOURCE_PORT, destination $DEST_PORT, v70 $V70_PORT, v70dest $V70DEST_PORT, trapper $TRAPPER_PORT"

unknown_inst() { die "unknown instance '$1' (${INSTANCES[*]})"; }
inst_port() {
  case $1 in
    source) echo "$SOURCE_PORT" ;; destination) echo "$DEST_PORT" ;; v70) echo "$V70_PORT" ;; v70dest) echo "$V70DEST_PORT" ;;
    *) unknown_inst "$1" ;;
  esac
}
inst_db() { inst_port "$1" >/dev/null && echo "zabbix_$1"; }
# The Zabbix major version an instance runs: its pristine database, schema and frontend.
inst_version() { case $1 in source | destination) echo 60 ;; v70 | v70dest) echo 70 ;; *) unknown_inst "$1" ;; esac; }
pristine_db() { case $1 in 60) echo zabbix_pristine ;; *) echo "zabbix_pristine$1" ;; esac; }
schema_dir() { case $1 in 60) echo "$SCHEMA_DIR" ;; *) echo "$V70_DIR/schema" ;; esac; }
frontend_dir() { case $1 in 60) echo "$FRONTEND_DIR" ;; *) echo "$V70_DIR/frontend" ;; esac; }
api_url() { echo "http://127.0.0.1:$(inst_port "$1")/api_jsonrpc.php"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

pg_bin() {
  local d
  if [[ -n ${ZBX_SANDBOX_PG_BIN:-} ]]; then echo "$ZBX_SANDBOX_PG_BIN"; return; fi
  for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV || true); do
    [[ -x $d/initdb && -x $d/pg_ctl ]] && { echo "$d"; return; }
  done
  return 1
}

# --- processes -------------------------------------------------------------------------------------------

# A live (not zombie) process.
alive() { local s; [[ -r /proc/$1/stat ]] && s=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [[ $s != Z ]]; }
# Live members of process group $1.
group_members() { ps -eo pid=,pgid=,stat= | awk -v g="$1" '$2 == g && $3 !~ /^Z/ { print $1 }'; }
pgid_of() { ps -o pgid= -p "$1" 2>/dev/null | tr -d ' ' || true; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Whether process $1 is (already) the PHP server of instance $2.
is_php_of() {
  local cmd
  [[ $1 =~ ^[0-9]+$ ]] && alive "$1" || return 1
  cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true)
  [[ $cmd == php*"-S 127.0.0.1:$(inst_port "$2")"* ]]
}

# PID of our PHP server for an instance, or nothing (stale pid files are removed).
php_pid() {
  local inst=$1 f pid
  f=$RUNDIR/php-$inst.pid
  [[ -s $f ]] || return 0
  pid=$(<"$f")
  if is_php_of "$pid" "$inst"; then echo "$pid"; return 0; fi
  rm -f "$f"
}

# The trapper port a PHP server's frontend points at (its environment; empty: none).
php_server_port() { tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | sed -n 's/^ZBX_SANDBOX_SERVER_PORT=//p'; }
# The trapper port instance $1's frontend must point at: only source has a server.
inst_server_port() { if [[ $1 == "$SRV_INST" ]]; then echo "$TRAPPER_PORT"; fi; }
# Whether something listens on 127.0.0.1:$1, without connecting (a trapper logs every empty connection).
listening() { awk -v a="$(printf '0100007F:%04X' "$1")" '$2 == a && $4 == "0A" { f = 1 } END { exit !f }' /proc/net/tcp; }

# Those of the PIDs $@ that belong to our Zabbix server: its binary, holding our pid file open (the
# main process and the children it forks do), so neither a reused PID nor another Zabbix server passes.
our_server_pids() {
  local p
  for p in "$@"; do
    [[ $p =~ ^[0-9]+$ ]] && alive "$p" && [[ $(readlink "/proc/$p/exe" 2>/dev/null) == "$SRV_BIN" ]] || continue
    [[ -z $(find "/proc/$p/fd" -maxdepth 1 -lname "$SRV_PIDFILE*" -print -quit 2>/dev/null) ]] || echo "$p"
  done
}

# PID of our Zabbix server's main process, or nothing. It never removes the pid file: the daemon
# writes it after its launcher returned, and a fresh file taken for a stale one would be lost.
server_pid() { [[ -s $SRV_PIDFILE ]] && our_server_pids "$(<"$SRV_PIDFILE")" || true; }

# Every live process of our server, children left behind by a main process that died included
# (their titles change; their command name stays zabbix_server).
server_procs() {
  local pids
  mapfile -t pids < <(pgrep -x zabbix_server || true)
  ((${#pids[@]} == 0)) || our_server_pids "${pids[@]}"
}

# The trapper port of the server's configuration file (what runs, even when the environment differs).
srv_conf_port() { sed -n 's/^ListenPort=//p' "$SRV_CONF" 2>/dev/null || true; }
srv_log_size() { stat -c %s "$SRV_LOG" 2>/dev/null || echo 0; }

# The title of the server's configuration syncer: "... [synced configuration in 0.094634 sec, idle 5 sec]"
# when idle, "... syncing configuration]" while it syncs.
syncer_title() { ps -o args= --ppid "$1" 2>/dev/null | grep -m1 'configuration syncer' || true; }

# The server's log since SRV_LOG_START (all of it when it rotated since).
srv_log_since() {
  local from=$SRV_LOG_START
  (($(srv_log_size) >= from)) || from=0
  tail -c +"$((from + 1))" "$SRV_LOG" 2>/dev/null || true
}

pg_ctl_() { (cd "$STATE" && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" "$@") 9>&-; }
pg_running() { [[ -s $PGDATA/PG_VERSION ]] && pg_ctl_ status >/dev/null 2>&1; }
pg_pid() { [[ -s $PGDATA/postmaster.pid ]] && head -n1 "$PGDATA/postmaster.pid" || true; }
psql_() { PGCONNECT_TIMEOUT=5 PGOPTIONS="-c client_min_messages=warning" "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }
pg_ready() { PGCONNECT_TIMEOUT=3 "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres; }
db_exists() { [[ $(psql_ -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$1'") == 1 ]]; }

# apiinfo.version of an instance, or nothing.
api_version() {
  local out
  out=$(curl -sS --max-time "${2:-5}" -H 'Content-Type: application/json-rpc' \
    -d '{"jsonrpc":"2.0","method":"apiinfo.version","params":{},"id":1}' "$(api_url "$1")" 2>/dev/null) || return 0
  sed -n 's/.*"result":"\([^"]*\)".*/\1/p' <<<"$out"
}

need_root() { [[ $(id -u) -eq 0 ]] || die "must run as root (it runs initdb/pg_ctl as postgres and writes $ZBX_CONF); try: sudo $0 $*"; }

lock() {
  mkdir -p "$STATE"
  exec 9>"$STATE/.lock"
  flock -w 900 9 || die "another zabbix.sh holds $STATE/.lock for more than 900 s"
}

# --- setup -----------------------------------------------------------------------------------------------

install_packages() {
  local t0; t0=$(now)
  bash "$REPO/scripts/install-deps.sh" zabbix 9>&- || die "package install failed: scripts/install-deps.sh zabbix"
  PGBIN=$(pg_bin) || die "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin after install"
  [[ -f $FRONTEND_DIR/api_jsonrpc.php ]] || die "Zabbix frontend missing: $FRONTEND_DIR/api_jsonrpc.php"
  command -v php >/dev/null || die "php not found after install"
  [[ -x $SRV_BIN ]] || die "Zabbix server missing after install: $SRV_BIN (zabbix-server-pgsql)"
  getent passwd postgres >/dev/null || die "user postgres does not exist (postgresql-common should create it)"
  log "packages ready ($(since "$t0") s)"
}

ensure_dirs() {
  mkdir -p "$STATE" "$RUNDIR" "$LOGDIR" "$CACHE" "$SCHEMA_DIR" "$PHP_INI_DIR" "$PGSOCK"
  chown postgres: "$PGSOCK"
  chmod 0755 "$PGSOCK"
  touch "$LOGDIR/postgres.log"
  chown postgres: "$LOGDIR/postgres.log"
  runuser -u postgres -- test -w "$PGSOCK" ||
    die "user postgres cannot reach $PGSOCK (a parent directory is not traversable); chmod o+x the parents or set CONCIERGE_SANDBOX_DIR"
}

ensure_cluster() {
  if [[ ! -s $PGDATA/PG_VERSION ]]; then
    log "initdb $PGDATA"
    rm -rf "$PGDATA"
    mkdir -p "$PGDATA"
    chown postgres: "$PGDATA"
    chmod 0700 "$PGDATA"
    (cd "$STATE" && runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 --no-instructions >"$LOGDIR/initdb.log" 2>&1) 9>&- ||
      die "initdb failed: $(tail -n 3 "$LOGDIR/initdb.log" | tr '\n' ' ')"
    cat >>"$PGDATA/postgresql.conf" <<EOF

# --- $MARKER: a throw-away test cluster ---
fsync = off
synchronous_commit = off
full_page_writes = off
listen_addresses = '127.0.0.1'
max_connections = 100
include_if_exists = 'sandbox-runtime.conf'
EOF
  fi
  # Port and socket directory follow the environment at every start.
  local sockdir=$PGSOCK
  if ((${#PGSOCK} + 20 > 107)); then
    log "socket path too long for a unix socket, TCP only: $PGSOCK"
    sockdir=
  fi
  printf "# written by %s at each start\nport = %s\nunix_socket_directories = '%s'\n" \
    "$MARKER" "$PG_PORT" "${sockdir//\'/\'\'}" >"$PGDATA/sandbox-runtime.conf"
  chown postgres: "$PGDATA/sandbox-runtime.conf"
}

start_pg() {
  if pg_running; then
    pg_ready || die "PostgreSQL of $PGDATA runs (pid $(pg_pid)) but does not answer on 127.0.0.1:$PG_PORT; was it started with another ZBX_SANDBOX_PG_PORT? run: $0 down"
    return 0
  fi
  port_open "$PG_PORT" && die "port $PG_PORT is already in use by another process; set ZBX_SANDBOX_PG_PORT"
  local t0; t0=$(now)
  pg_ctl_ -l "$LOGDIR/postgres.log" -w -t 60 start >/dev/null 2>&1 ||
    die "PostgreSQL did not start; $LOGDIR/postgres.log ends with: $(tail -n 5 "$LOGDIR/postgres.log" | tr '\n' ' ')"
  pg_pid >"$RUNDIR/postgres.pid"
  log "PostgreSQL up on 127.0.0.1:$PG_PORT, pid $(pg_pid) ($(since "$t0") s)"
}

# The zabbix-server-pgsql version built from the same source as the frontend $1: the frontend refuses a
# database of another version. The server package may carry a binNMU suffix (Debian 12: frontend
# 1:6.0.14+dfsg-1, server 1:6.0.14+dfsg-1+b1).
server_pgsql_version() {
  apt-cache madison zabbix-server-pgsql 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
    awk -v v="$1" '$0 == v || index($0, v "+b") == 1' | sort -rV | head -n1 || true
}

ensure_schema() {
  local f ok=1
  for f in schema images data; do [[ -s $SCHEMA_DIR/$f.sql.gz ]] || ok=0; done
  ((ok)) && return 0
  local ver deb tmp t0
  t0=$(now)
  ver=$(dpkg-query -W -f='${Version}' zabbix-frontend-php 2>/dev/null) || die "zabbix-frontend-php is not installed"
  deb=$(ls "$CACHE"/zabbix-server-pgsql_*.deb 2>/dev/null | head -n1 || true)
  if [[ -z $deb ]]; then
    local want
    want=$(server_pgsql_version "$ver")
    if [[ -z $want ]]; then
      apt-get -o DPkg::Lock::Timeout=600 update -qq >"$LOGDIR/apt-update.log" 2>&1 || true
      want=$(server_pgsql_version "$ver")
    fi
    [[ -n $want ]] || die "no zabbix-server-pgsql matching the frontend's version $ver in the apt archive (apt-cache madison zabbix-server-pgsql)"
    log "downloading zabbix-server-pgsql=$want (schema only; not installed)"
    (cd "$CACHE" && apt-get -q -o APT::Sandbox::User=root download "zabbix-server-pgsql=$want" >"$LOGDIR/apt-download.log" 2>&1) ||
      die "apt-get download zabbix-server-pgsql=$want failed: $(tail -n 2 "$LOGDIR/apt-download.log" | tr '\n' ' ')"
    deb=$(ls "$CACHE"/zabbix-server-pgsql_*.deb | head -n1)
  fi
  rm -rf "$CACHE"/extract.* # what an up killed mid-way left (we hold the lock: no other is extracting)
  tmp=$(mktemp -d "$CACHE/extract.XXXXXX")
  dpkg-deb -x "$deb" "$tmp" || die "dpkg-deb -x $deb failed"
  for f in schema images data; do
    [[ -s $tmp/usr/share/zabbix-server-pgsql/$f.sql.gz ]] || { rm -rf "$tmp"; die "$deb has no usr/share/zabbix-server-pgsql/$f.sql.gz"; }
    mv "$tmp/usr/share/zabbix-server-pgsql/$f.sql.gz" "$SCHEMA_DIR/$f.sql.gz"
  done
  rm -rf "$tmp"
  log "schema extracted to $SCHEMA_DIR ($(since "$t0") s)"
}

# The Debian archive this machine's apt uses (7.0 comes from another suite of the same archive).
archive_uri() {
  [[ -n ${ZBX_SANDBOX_V70_MIRROR:-} ]] && { echo "$ZBX_SANDBOX_V70_MIRROR"; return; }
  {
    awk '$1 == "URIs:" { for (i = 2; i <= NF; i++) print $i }' /etc/apt/sources.list.d/*.sources 2>/dev/null
    awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
  } | grep -v -- '-security' | head -n1 || true
}

# 7.0's frontend and schema, fetched once. A private sources file, lists and package cache leave the
# system's apt configuration and state as they were; the packages are unpacked, never installed.
ensure_v70_files() {
  [[ -f $V70_DIR/frontend/api_jsonrpc.php && -s $V70_DIR/schema/data.sql.gz ]] && return 0
  local t0 apt uri tmp deb f conf o; t0=$(now)
  apt=$CACHE/apt-$V70_SUITE
  o=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o Dir::Etc::sourceparts=/dev/null
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs"
  if ! ls "$apt/debs"/zabbix-frontend-php_*.deb "$apt/debs"/zabbix-server-pgsql_*.deb >/dev/null 2>&1; then
    uri=$(archive_uri)
    [[ -n $uri ]] || die "no Debian archive URI in /etc/apt/sources.list*; set ZBX_SANDBOX_V70_MIRROR"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $V70_SUITE main" >"$apt/sources.list"
    log "downloading zabbix-frontend-php and zabbix-server-pgsql from $uri $V70_SUITE (unpacked, not installed)"
    apt-get -q "${o[@]}" update >"$LOGDIR/apt-v70.log" 2>&1 ||
      die "apt-get update of $V70_SUITE failed: $(tail -n 2 "$LOGDIR/apt-v70.log" | tr '\n' ' ')"
    (cd "$apt/debs" && apt-get -q "${o[@]}" download zabbix-frontend-php zabbix-server-pgsql >>"$LOGDIR/apt-v70.log" 2>&1) ||
      die "apt-get download from $V70_SUITE failed: $(tail -n 2 "$LOGDIR/apt-v70.log" | tr '\n' ' ')"
  fi
  rm -rf "$STATE"/v70.extract.* # as for 6.0's schema above
  tmp=$(mktemp -d "$STATE/v70.extract.XXXXXX")
  for deb in "$apt/debs"/*.deb; do
    [[ $(dpkg-deb -f "$deb" Version) == *:7.0.* ]] || { rm -rf "$tmp"; die "$deb is not Zabbix 7.0 ($(dpkg-deb -f "$deb" Version))"; }
    dpkg-deb -x "$deb" "$tmp/x" || { rm -rf "$tmp"; die "dpkg-deb -x $deb failed"; }
  done
  mkdir -p "$tmp/v70/schema"
  mv "$tmp/x/usr/share/zabbix" "$tmp/v70/frontend"
  for f in schema images data; do
    [[ -s $tmp/x/usr/share/zabbix-server-pgsql/$f.sql.gz ]] || { rm -rf "$tmp"; die "the 7.0 server package has no $f.sql.gz"; }
    mv "$tmp/x/usr/share/zabbix-server-pgsql/$f.sql.gz" "$tmp/v70/schema/"
  done
  # Debian's frontend reads /etc/zabbix/zabbix.conf.php, which 6.0 owns here: this copy reads its own.
  conf=$V70_DIR/zabbix.conf.php
  f=$tmp/v70/frontend/include/classes/core/CConfigFile.php
  CONF=$conf perl -pi -e "s{const CONFIG_FILE_PATH = '[^']*';}{const CONFIG_FILE_PATH = '\$ENV{CONF}';}" "$f"
  grep -qF "const CONFIG_FILE_PATH = '$conf';" "$f" || { rm -rf "$tmp"; die "could not point $f at $conf"; }
  rm -rf "$V70_DIR"
  mv "$tmp/v70" "$V70_DIR"
  rm -rf "$tmp"
  log "7.0 frontend and schema unpacked into $V70_DIR ($(since "$t0") s)"
}

# Loads version $1's schema once into its pristine database (under a temporary name, renamed only
# when complete, so an interrupted load is redone instead of being used).
ensure_pristine() {
  local ver=$1 db loading dir t0 f
  db=$(pristine_db "$ver")
  loading=${db}_loading
  dir=$(schema_dir "$ver")
  if db_exists "$db"; then return 0; fi
  [[ $ver == 60 ]] && ensure_schema
  t0=$(now)
  log "loading the Zabbix $ver schema into $db (once; ~30 s)"
  psql_ -d postgres -c "DROP DATABASE IF EXISTS $loading WITH (FORCE)"
  psql_ -d postgres -c "CREATE DATABASE $loading TEMPLATE template0 ENCODING 'UTF8'"
  for f in schema images data; do
    gzip -dc "$dir/$f.sql.gz" | psql_ -d "$loading" >>"$LOGDIR/schema-load.log" 2>&1 ||
      die "loading $dir/$f.sql.gz failed: $(tail -n 3 "$LOGDIR/schema-load.log" | tr '\n' ' ')"
  done
  # Statistics make configuration.export ~4x faster; frozen tuples keep each copy's first reads write-free.
  psql_ -d "$loading" -c "VACUUM (FREEZE, ANALYZE)"
  psql_ -d postgres -c "ALTER DATABASE $loading RENAME TO $db"
  # Nobody may connect to the template: a connection would make CREATE DATABASE ... TEMPLATE fail.
  psql_ -d postgres -c "ALTER DATABASE $db WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"
  log "schema loaded and analyzed ($(since "$t0") s)"
}

create_instance_db() { # instance; drops its database first when $2 = force
  local db; db=$(inst_db "$1")
  [[ ${2:-} == force ]] && psql_ -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
  # FILE_COPY: a checkpoint plus a file copy (fsync is off), instead of writing the 54 MB copy into the WAL.
  psql_ -d postgres -c "CREATE DATABASE $db TEMPLATE $(pristine_db "$(inst_version "$1")") STRATEGY FILE_COPY"
}

ensure_instance_dbs() {
  local inst
  for inst in "${INSTANCES[@]}"; do
    db_exists "$(inst_db "$inst")" || { create_instance_db "$inst" && log "created database $(inst_db "$inst")"; }
  done
}

# One configuration for every instance's frontend (6.0 reads $ZBX_CONF, the 7.0 copy its own file).
write_frontend_conf() {
  local tmp
  mkdir -p "$(dirname "$ZBX_CONF")"
  tmp=$(mktemp)
  cat >"$tmp" <<EOF
<?php
// Written by the $MARKER. It is overwritten by "up".
// The database comes from the environment of the PHP server, so two servers started with different
// ZBX_SANDBOX_DB serve two independent Zabbix instances.
global \$DB, \$HISTORY;

\$DB['TYPE']     = 'POSTGRESQL';
\$DB['SERVER']   = getenv('ZBX_SANDBOX_DB_HOST') ?: '127.0.0.1';
\$DB['PORT']     = getenv('ZBX_SANDBOX_DB_PORT') ?: '$PG_PORT';
\$DB['DATABASE'] = getenv('ZBX_SANDBOX_DB') ?: 'zabbix_source';
\$DB['USER']     = getenv('ZBX_SANDBOX_DB_USER') ?: 'postgres';
\$DB['PASSWORD'] = '';
\$DB['SCHEMA']   = '';

\$DB['ENCRYPTION']              = false;
\$DB['KEY_FILE']                = '';
\$DB['CERT_FILE']               = '';
\$DB['CA_FILE']                 = '';
\$DB['VERIFY_HOST']             = false;
\$DB['CIPHER_LIST']             = '';
\$DB['VAULT']                   = '';
\$DB['VAULT_URL']               = '';
\$DB['VAULT_PREFIX']            = '';
\$DB['VAULT_DB_PATH']           = '';
\$DB['VAULT_TOKEN']             = '';
\$DB['VAULT_CERT_FILE']         = '';
\$DB['VAULT_KEY_FILE']          = '';
\$DB['DOUBLE_IEEE754']          = true;

// Only source's PHP server is given the port of a Zabbix server (script.execute, "server is running").
\$ZBX_SERVER      = '127.0.0.1';
\$ZBX_SERVER_PORT = getenv('ZBX_SANDBOX_SERVER_PORT') ?: '10051';
\$ZBX_SERVER_NAME = 'concierge sandbox ' . (getenv('ZBX_SANDBOX_INSTANCE') ?: '');

\$IMAGE_FORMAT_DEFAULT = IMAGE_FORMAT_PNG;
EOF
  if [[ -f $ZBX_CONF ]] && ! cmp -s "$tmp" "$ZBX_CONF"; then
    if ! grep -q "$MARKER" "$ZBX_CONF" && [[ ! -e $ZBX_CONF.before-concierge ]]; then
      cp -p "$ZBX_CONF" "$ZBX_CONF.before-concierge"
      log "saved the existing $ZBX_CONF as $ZBX_CONF.before-concierge"
    fi
  fi
  cmp -s "$tmp" "$ZBX_CONF" 2>/dev/null || install -m 0644 "$tmp" "$ZBX_CONF"
  install -m 0644 "$tmp" "$V70_DIR/zabbix.conf.php"
  rm -f "$tmp"
  # Debian's frontend reads conf/zabbix.conf.php, a link to /etc/zabbix/zabbix.conf.php.
  [[ -e $FRONTEND_DIR/conf/zabbix.conf.php ]] || ln -sfn "$ZBX_CONF" "$FRONTEND_DIR/conf/zabbix.conf.php"

  cat >"$PHP_INI_DIR/99-concierge-sandbox.ini" <<EOF
; $MARKER: loaded via PHP_INI_SCAN_DIR by the sandbox PHP servers only.
; A full template export is ~14.5 MB of JSON and importing it back takes ~2 min.
memory_limit = 1G
post_max_size = 256M
upload_max_filesize = 256M
max_execution_time = 600
max_input_time = 600
max_input_vars = 10000
date.timezone = UTC
session.auto_start = 0
mbstring.func_overload = 0
display_errors = Off
display_startup_errors = Off
log_errors = On
error_reporting = E_ALL & ~E_DEPRECATED & ~E_STRICT
opcache.enable = 1
opcache.memory_consumption = 128
opcache.max_accelerated_files = 20000
opcache.validate_timestamps = 0
EOF
}

# The Zabbix server's configuration; write_server_conf stops a running server whose one changed.
server_conf() {
  cat <<EOF
# Written by the $MARKER at each up.
DBHost=127.0.0.1
DBPort=$PG_PORT
DBName=$(inst_db "$SRV_INST")
DBUser=postgres
ListenIP=127.0.0.1
ListenPort=$TRAPPER_PORT
LogType=file
LogFile=$SRV_LOG
LogFileSize=16
PidFile=$SRV_PIDFILE
SocketDir=$SRV_SOCK
TmpDir=$SRV_DIR/tmp
AlertScriptsPath=$SRV_DIR/alertscripts
ExternalScripts=$SRV_DIR/externalscripts
AllowRoot=1
# New hosts, items and actions are seen within 5 s (the default is 60); "reload" forces it at once.
CacheUpdateFrequency=5
CacheSize=32M
# A light server: two cores are shared with the tests. The built-in "Zabbix server" host's agent
# items fail (no agent runs): log noise only.
StartPollers=1
StartPollersUnreachable=1
StartPingers=0
StartDiscoverers=0
StartHTTPPollers=0
StartPreprocessors=1
StartHistoryPollers=1
StartTrappers=2
StartDBSyncers=1
StartAlerters=1
StartLLDProcessors=1
StartODBCPollers=0
StartProxyPollers=0
Timeout=4
StatsAllowedIP=127.0.0.1
EOF
}

write_server_conf() {
  local want
  ((${#SRV_SOCK} + 34 <= 107)) || die "$SRV_SOCK is too long for the Zabbix server's unix sockets; set CONCIERGE_SANDBOX_DIR to a shorter path"
  mkdir -p "$SRV_DIR/home" "$SRV_DIR/tmp" "$SRV_DIR/alertscripts" "$SRV_DIR/externalscripts" "$SRV_SOCK"
  want=$(server_conf)
  [[ -f $SRV_CONF && $(<"$SRV_CONF") == "$want" ]] && return 0
  if [[ -n $(server_procs) ]]; then
    log "the Zabbix server's configuration changed; restarting it"
    stop_server
  fi
  printf '%s\n' "$want" >"$SRV_CONF.tmp"
  mv -f "$SRV_CONF.tmp" "$SRV_CONF"
}

start_php() {
  local inst=$1 port db pid log i dir
  port=$(inst_port "$inst")
  db=$(inst_db "$inst")
  dir=$(frontend_dir "$(inst_version "$inst")")
  pid=$(php_pid "$inst")
  if [[ -n $pid ]]; then
    [[ $(php_server_port "$pid") == "$(inst_server_port "$inst")" ]] && return 0
    # Started by an older script or for another trapper port; opcache would keep the old config anyway.
    log "restarting PHP server $inst: its frontend must point at the Zabbix server on port $(inst_server_port "$inst")"
    stop_php "$inst"
  fi
  port_open "$port" && die "port $port ($inst) is already in use by another process; set ZBX_SANDBOX_$( [[ $inst == destination ]] && echo DEST || echo "${inst^^}")_PORT"
  log=$LOGDIR/php-$inst.log
  echo "=== $(date -u +%FT%TZ) start $inst on 127.0.0.1:$port (db $db)" >>"$log"
  # setsid makes the PHP server the leader of its own process group (its workers join it), so down
  # can stop the group by the recorded PID. fd 9 (our lock) must not leak into it.
  (
    cd "$dir"
    exec env ZBX_SANDBOX_INSTANCE="$inst" ZBX_SANDBOX_DB="$db" ZBX_SANDBOX_DB_HOST=127.0.0.1 \
      ZBX_SANDBOX_DB_PORT="$PG_PORT" ZBX_SANDBOX_DB_USER=postgres ZBX_SANDBOX_SERVER_PORT="$(inst_server_port "$inst")" \
      PHP_CLI_SERVER_WORKERS="$WORKERS" PHP_INI_SCAN_DIR=":$PHP_INI_DIR" \
      setsid php -S "127.0.0.1:$port" -t "$dir"
  ) </dev/null >>"$log" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$RUNDIR/php-$inst.pid"
  # Until the subshell has exec-ed php its command line is bash's: asking php_pid then would
  # take the fresh pid file for a stale one and remove it.
  for i in $(seq 100); do
    is_php_of "$pid" "$inst" && [[ $(pgid_of "$pid") == "$pid" ]] && break
    alive "$pid" || break
    sleep 0.1
  done
  [[ -n $(php_pid "$inst") ]] || die "PHP server for $inst did not start; $log ends with: $(tail -n 5 "$log" | tr '\n' ' ')"
  [[ $(pgid_of "$pid") == "$pid" ]] || log "warning: PHP server $pid is not its own process group leader"
  log "PHP server $inst on 127.0.0.1:$port, pid $pid, db $db"
}

# Sets API_VERSION once the instance answers apiinfo.version.
wait_api() {
  local inst=$1 deadline v pid
  deadline=$((SECONDS + API_TIMEOUT))
  while :; do
    v=$(api_version "$inst" 10)
    [[ -n $v ]] && { API_VERSION=$v; return 0; }
    pid=$(php_pid "$inst")
    [[ -n $pid ]] || die "PHP server for $inst exited; $LOGDIR/php-$inst.log ends with: $(tail -n 5 "$LOGDIR/php-$inst.log" | tr '\n' ' ')"
    ((SECONDS < deadline)) || die "$inst API $(api_url "$inst") did not answer apiinfo.version within $API_TIMEOUT s; last answer: $(curl -sS --max-time 10 -H 'Content-Type: application/json-rpc' -d '{"jsonrpc":"2.0","method":"apiinfo.version","params":{},"id":1}' "$(api_url "$inst")" 2>&1 | head -c 300 | tr '\n' ' '); log: $(tail -n 3 "$LOGDIR/php-$inst.log" | tr '\n' ' ')"
    sleep 0.3
  done
}

# Starts our Zabbix server unless it runs; wait_server waits until its trapper listens.
launch_server() {
  local port; port=$(srv_conf_port)
  SRV_LOG_START=$(srv_log_size)
  SRV_LAUNCHED=$(now)
  [[ -n $(server_pid) ]] && return 0
  # Children of a main process that died hold the trapper port and database connections.
  [[ -z $(server_procs) ]] || stop_server
  port_open "$port" && die "port $port (the Zabbix server's trapper) is already in use by another process; set ZBX_SANDBOX_TRAPPER_PORT"
  rm -f "$SRV_PIDFILE"
  # It daemonizes (a session of its own, so a caller's Ctrl-C never reaches it) and writes its pid
  # file itself. fd 9, our lock, must not leak into it.
  (cd "$SRV_DIR" && exec env -i "${SRV_ENV[@]}" "$SRV_BIN" -c "$SRV_CONF") </dev/null >>"$LOGDIR/zabbix_server.launch.log" 2>&1 9>&- ||
    die "$SRV_BIN -c $SRV_CONF failed: $(tail -n 3 "$LOGDIR/zabbix_server.launch.log" | tr '\n' ' ')"
}

srv_log_tail() { srv_log_since | tail -n 5 | tr '\n' ' '; }

wait_server() {
  local port pid seen='' deadline
  port=$(srv_conf_port)
  deadline=$((SECONDS + API_TIMEOUT))
  while :; do
    pid=$(server_pid)
    [[ -n $pid ]] && listening "$port" && break
    [[ -n $pid ]] && seen=$pid
    [[ -n $seen && -z $pid ]] && die "the Zabbix server (pid $seen) exited; $SRV_LOG: $(srv_log_tail)"
    # It writes its pid file within a second of its launch.
    [[ -n $seen ]] || (($(since "$SRV_LAUNCHED" | cut -d. -f1) < 10)) || die "the Zabbix server wrote no pid file ($SRV_PIDFILE); $SRV_LOG: $(srv_log_tail)"
    ((SECONDS < deadline)) || die "the Zabbix server (pid $pid) does not listen on 127.0.0.1:$port after $API_TIMEOUT s; $SRV_LOG: $(srv_log_tail)"
    sleep 0.1
  done
  log "Zabbix server on 127.0.0.1:$port, pid $pid, db $(inst_db "$SRV_INST") ($(since "$SRV_LAUNCHED") s)"
}

# Asks our server to stop: SIGTERM to the PID of its pid file. stop_server waits for it.
term_server() {
  SRV_STOPPING=$(server_pid)
  [[ -z $SRV_STOPPING ]] || kill -TERM "$SRV_STOPPING" 2>/dev/null || true
}

stop_server() {
  local pid procs i
  [[ -v SRV_STOPPING ]] || term_server
  pid=$SRV_STOPPING
  unset SRV_STOPPING
  # It stops its children and flushes its history cache before it exits (~1 s).
  for i in $(seq 300); do
    [[ -n $pid ]] && alive "$pid" || break
    sleep 0.1
  done
  mapfile -t procs < <(server_procs)
  if ((${#procs[@]})); then
    log "killing what is left of the Zabbix server: ${procs[*]}"
    kill -KILL "${procs[@]}" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$SRV_PIDFILE"
  if [[ -n $pid ]]; then log "stopped the Zabbix server (pid $pid)"; fi
}

# --- subcommands -----------------------------------------------------------------------------------------

all_up() {
  local inst pid
  pg_running && pg_ready || return 1
  for inst in "${INSTANCES[@]}"; do
    pid=$(php_pid "$inst")
    [[ -n $pid && $(php_server_port "$pid") == "$(inst_server_port "$inst")" && -n $(api_version "$inst") ]] || return 1
  done
  [[ -f $SRV_CONF && $(<"$SRV_CONF") == "$(server_conf)" && -n $(server_pid) ]] && listening "$TRAPPER_PORT"
}

cmd_up() {
  need_root up
  lock
  local t0 inst; t0=$(now)
  if PGBIN=$(pg_bin) && all_up; then
    log "already up"
    cmd_status
    return 0
  fi
  install_packages
  ensure_dirs
  ensure_cluster
  start_pg
  ensure_v70_files
  ensure_pristine 60
  ensure_pristine 70
  ensure_instance_dbs
  write_frontend_conf
  write_server_conf
  for inst in "${INSTANCES[@]}"; do start_php "$inst"; done
  launch_server
  for inst in "${INSTANCES[@]}"; do
    wait_api "$inst"
    log "$inst API $(api_url "$inst") answers apiinfo.version $API_VERSION"
  done
  wait_server
  log "up in $(since "$t0") s"
}

stop_php() {
  local inst=$1 pid i
  pid=$(php_pid "$inst")
  if [[ -z $pid ]]; then rm -f "$RUNDIR/php-$inst.pid"; return 0; fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 50); do
    [[ -z $(group_members "$pid") ]] && break
    sleep 0.1
  done
  if [[ -n $(group_members "$pid") ]]; then
    kill -KILL -- "-$pid" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$RUNDIR/php-$inst.pid"
  log "stopped PHP server $inst (process group $pid)"
}

cmd_down() {
  need_root down
  [[ -d $STATE ]] || { log "nothing to stop ($STATE does not exist)"; return 0; }
  lock
  local inst pid
  # The server first: it is a client of the database.
  stop_server
  for inst in "${INSTANCES[@]}"; do stop_php "$inst"; done
  PGBIN=$(pg_bin) || { log "PostgreSQL binaries not installed; nothing else to stop"; return 0; }
  if pg_running; then
    pid=$(pg_pid)
    pg_ctl_ -m fast -w -t 60 stop >/dev/null 2>&1 || {
      log "pg_ctl stop failed; sending SIGQUIT to postmaster $pid"
      [[ -n $pid ]] && kill -QUIT "$pid" 2>/dev/null || true
    }
    log "stopped PostgreSQL (pid $pid)"
  fi
  rm -f "$RUNDIR/postgres.pid"
}

cmd_reset() {
  need_root reset
  local which=${1:-all} insts=() inst t0
  case $which in
    all) insts=("${INSTANCES[@]}") ;;
    *) inst_port "$which" >/dev/null; insts=("$which") ;;
  esac
  lock
  PGBIN=$(pg_bin) || die "sandbox not installed; run: $0 up"
  pg_running && pg_ready || die "PostgreSQL of the sandbox is not running; run: $0 up"
  for inst in "${insts[@]}"; do
    db_exists "$(pristine_db "$(inst_version "$inst")")" || die "pristine database of $inst missing; run: $0 up"
  done
  # The server must not outlive source's database. It stops while the other databases are
  # recreated, source's last, and starts again on the new one.
  local server=0 rest=()
  if [[ " ${insts[*]} " == *" $SRV_INST "* && -f $SRV_CONF ]]; then
    server=1
    term_server
    for inst in "${insts[@]}"; do [[ $inst == "$SRV_INST" ]] || rest+=("$inst"); done
    insts=("${rest[@]}" "$SRV_INST")
  fi
  for inst in "${insts[@]}"; do
    [[ $inst != "$SRV_INST" ]] || ((server == 0)) || stop_server
    t0=$(now)
    create_instance_db "$inst" force
    log "reset $inst ($(inst_db "$inst")) in $(since "$t0") s"
    [[ $inst != "$SRV_INST" ]] || ((server == 0)) || launch_server
  done
  ((server == 0)) || wait_server
}

cmd_reload() {
  need_root reload
  lock
  local pid t0 out before title deadline
  t0=$(now)
  pid=$(server_pid)
  [[ -n $pid ]] || die "the Zabbix server is not running; run: $0 up"
  SRV_LOG_START=$(srv_log_size)
  deadline=$((SECONDS + 30))
  # The title of its last sync before ours (a periodic sync may be running).
  until before=$(syncer_title "$pid"); [[ $before == *idle* ]]; do
    ((SECONDS < deadline)) || die "the Zabbix server's configuration syncer is not idle within 30 s: $before"
    sleep 0.05
  done
  out=$(env -i "${SRV_ENV[@]}" "$SRV_BIN" -c "$SRV_CONF" -R config_cache_reload 2>&1 9>&-) ||
    die "zabbix_server -R config_cache_reload failed: $out"
  # The syncer logs that it was asked, then syncs: done once its title is idle again, with the
  # duration of this sync (a new number) in it.
  until srv_log_since | grep -q 'forced reloading of the configuration cache\|configuration cache reloading is already in progress'; do
    ((SECONDS < deadline)) || die "the Zabbix server did not log a configuration cache reload within 30 s; $SRV_LOG: $(srv_log_tail)"
    sleep 0.05
  done
  while title=$(syncer_title "$pid"); [[ $title != *idle* || $title == "$before" ]]; do
    ((SECONDS < deadline)) || die "the Zabbix server's configuration syncer did not finish within 30 s: $title"
    sleep 0.05
  done
  log "configuration cache reloaded ($(since "$t0") s)"
}

cmd_status() {
  local inst pid v rc=0
  echo "zabbix sandbox: state $STATE"
  if PGBIN=$(pg_bin) && pg_running && pg_ready; then
    printf '  %-12s up    127.0.0.1:%s  pid %s  data %s\n' postgresql "$PG_PORT" "$(pg_pid)" "$PGDATA"
  else
    printf '  %-12s down\n' postgresql
    rc=3
  fi
  for inst in "${INSTANCES[@]}"; do
    pid=$( [[ -d $RUNDIR ]] && php_pid "$inst" || true)
    v=$( [[ -n $pid ]] && api_version "$inst" || true)
    if [[ -n $v ]]; then
      printf '  %-12s up    %s  pid %s  db %s  api %s\n' "$inst" "$(api_url "$inst")" "$pid" "$(inst_db "$inst")" "$v"
    elif [[ -n $pid ]]; then
      printf '  %-12s not answering  %s  pid %s (log %s)\n' "$inst" "$(api_url "$inst")" "$pid" "$LOGDIR/php-$inst.log"
      rc=3
    else
      printf '  %-12s down\n' "$inst"
      rc=3
    fi
  done
  pid=$(server_pid)
  if [[ -n $pid ]] && listening "$(srv_conf_port)"; then
    # The version of the binary that runs (a package upgrade leaves the old one running).
    v=$("/proc/$pid/exe" -V 2>/dev/null | sed -n '1s/.*(Zabbix) //p' || true)
    printf '  %-12s up    127.0.0.1:%s  pid %s  db %s  version %s  log %s\n' server "$(srv_conf_port)" "$pid" \
      "$(inst_db "$SRV_INST")" "$v" "$SRV_LOG"
  elif [[ -n $pid ]]; then
    printf '  %-12s not listening  127.0.0.1:%s  pid %s (log %s)\n' server "$(srv_conf_port)" "$pid" "$SRV_LOG"
    rc=3
  else
    printf '  %-12s down\n' server
    rc=3
  fi
  return $rc
}

cmd_env() {
  local inst=${1:-source}
  inst_port "$inst" >/dev/null
  printf 'export ZBX_API_HOST=%q\nexport ZBX_USER=Admin\nexport ZBX_PASS=zabbix\n' "$(api_url "$inst")"
  [[ $inst != "$SRV_INST" ]] || printf 'export ZBX_SANDBOX_TRAPPER_HOST=127.0.0.1\nexport ZBX_SANDBOX_TRAPPER_PORT=%q\n' "$TRAPPER_PORT"
}

# The header comment, up to the first line that is not a comment.
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  reset) cmd_reset "${2:-all}" ;;
  status) rc=0; cmd_status || rc=$?; exit $rc ;;
  reload) cmd_reload ;;
  env) cmd_env "${2:-source}" ;;
  -h | --help | help) usage ;;
  *) usage >&2; die "unknown or missing subcommand '${1:-}' (up, down, reset, reload, status, env)" ;;
esac
