#!/usr/bin/env bash
# A real Docker engine sandbox (dockerd 20.10 from Debian's docker.io, docker-compose v1, Swarm,
# mutual TLS on 127.0.0.1) for concierge's tests, the README's main job and the benchmarks.
#
#   scripts/sandbox/docker.sh up           install packages if needed, make TLS certs (once),
#                                          start dockerd (or reuse one already on the socket),
#                                          build the local image localbusybox:latest (no registry)
#   scripts/sandbox/docker.sh down         remove the demo project/services, leave the swarm if we
#                                          initialised it, stop dockerd if (and only if) we started it
#   scripts/sandbox/docker.sh status       what is running; exit 0 when the engine answers, 3 when not
#   scripts/sandbox/docker.sh env [tls]    export lines: eval "$(scripts/sandbox/docker.sh env)"
#   scripts/sandbox/docker.sh compose-up   bring up the demo Compose project concierge-demo (web, worker)
#   scripts/sandbox/docker.sh swarm-up     single-node swarm + services concierge-demo-api (replicated,
#                                          1 replica) and concierge-demo-agent (global)
#   scripts/sandbox/docker.sh reset [compose|swarm]
#                                          remove the demo containers/services and re-create them in
#                                          their initial state (both by default)
#
# Environment:
#   CONCIERGE_SANDBOX_DIR        state root (default <repo>/.sandbox); docker state in $DIR/docker/
#   CONCIERGE_DOCKER_SOCKET      unix socket (default /var/run/docker.sock)
#   CONCIERGE_DOCKER_TLS_PORT    mutual-TLS TCP port on 127.0.0.1 (default 2376)
#   CONCIERGE_DOCKER_DATA_ROOT   pass --data-root/--exec-root to dockerd (only needed to run a second
#                                engine next to another one; default: dockerd's own defaults)
#   CONCIERGE_DOCKERD_EXTRA_ARGS extra dockerd flags (word-split)
#   CONCIERGE_DOCKER_START_TIMEOUT seconds to wait for _ping per start attempt (default 60)
#
# Never pulls images and never talks to anything but the local socket and 127.0.0.1.
set -Eeuo pipefail

readonly PROG="docker-sandbox"
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)
SANDBOX_DIR=${CONCIERGE_SANDBOX_DIR:-$REPO_DIR/.sandbox}
STATE_DIR=$SANDBOX_DIR/docker
SOCKET=${CONCIERGE_DOCKER_SOCKET:-/var/run/docker.sock}
TLS_PORT=${CONCIERGE_DOCKER_TLS_PORT:-2376}
START_TIMEOUT=${CONCIERGE_DOCKER_START_TIMEOUT:-60}
DATA_ROOT=${CONCIERGE_DOCKER_DATA_ROOT:-}

PIDFILE=$STATE_DIR/dockerd.pid
LOG=$STATE_DIR/dockerd.log
MODE_FILE=$STATE_DIR/dockerd.mode          # the start mode that worked last time (default|vfs|nonet)
SWARM_MARK=$STATE_DIR/swarm-initialised-by-sandbox
CERT_DIR=$STATE_DIR/certs                  # CA + server cert/key (server side)
CLIENT_CERT_DIR=$CERT_DIR/client           # ca.pem cert.pem key.pem (DOCKER_CERT_PATH)
COMPOSE_DIR=$STATE_DIR/compose
DEMO_COMPOSE_FILE=$COMPOSE_DIR/docker-compose.yml
LOCK_FILE=$STATE_DIR/.lock

readonly PROJECT=concierge-demo
readonly IMAGE=localbusybox:latest
readonly SVC_API=concierge-demo-api
readonly SVC_AGENT=concierge-demo-agent
readonly DEMO_LABEL=io.concierge.sandbox=demo

# Talk to our socket only, whatever the caller's environment says.
export DOCKER_HOST="unix://$SOCKET"
unset DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_CONTEXT COMPOSE_FILE COMPOSE_PROJECT_NAME || true

# Prefer Debian's client (same version as the daemon); a newer /usr/local/bin/docker also works.
if [[ -x /usr/bin/docker ]]; then DOCKER=/usr/bin/docker; else DOCKER=$(command -v docker || echo docker); fi
if [[ -x /usr/bin/docker-compose ]]; then COMPOSE=/usr/bin/docker-compose; else COMPOSE=$(command -v docker-compose || echo docker-compose); fi

trap 'rc=$?; echo "$PROG: command failed (exit $rc, line $LINENO): $BASH_COMMAND" >&2' ERR

# ---------------------------------------------------------------------------------------------- utils
log() { echo "$PROG: $*" >&2; }
die() { echo "$PROG: error: $*" >&2; trap - ERR; exit 1; }
# die with the tail of a log file, indented below the one-line message
die_log() {
  local file=$1; shift
  echo "$PROG: error: $* (log: $file)" >&2
  if [[ -s $file ]]; then tail -n "${TAIL_LINES:-15}" "$file" | sed 's/^/    | /' >&2; fi
  trap - ERR; exit 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

ping_ok() { [[ -S $SOCKET ]] && [[ $(curl -s --max-time 2 --unix-socket "$SOCKET" http://localhost/_ping 2>/dev/null) == OK ]]; }
tls_ok() {
  [[ -f $CLIENT_CERT_DIR/cert.pem ]] || return 1
  curl -s --max-time 3 --cacert "$CLIENT_CERT_DIR/ca.pem" --cert "$CLIENT_CERT_DIR/cert.pem" \
    --key "$CLIENT_CERT_DIR/key.pem" "https://127.0.0.1:$TLS_PORT/_ping" 2>/dev/null | grep -qx OK
}

# PID of the dockerd this script started, if it is still alive; empty otherwise.
our_pid() {
  local pid
  [[ -f $PIDFILE ]] || return 0
  pid=$(tr -dc 0-9 <"$PIDFILE")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  # guard against PID reuse: it must be a dockerd serving our socket
  if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "dockerd.*unix://$SOCKET"; then echo "$pid"; fi
}

# State of the engine on $SOCKET: owned (we started it), external (someone else's), starting, down.
engine_state() {
  local pid; pid=$(our_pid)
  if ping_ok; then
    if [[ -n $pid ]]; then echo owned; else echo external; fi
  elif [[ -n $pid ]]; then echo starting
  else echo down
  fi
}

with_lock() {
  mkdir -p "$STATE_DIR"
  exec 9>"$LOCK_FILE"
  flock -w 600 9 || die "another docker.sh holds $LOCK_FILE for more than 600 s"
}

require_engine() {
  ping_ok || die "no Docker engine answers on $SOCKET; run: scripts/sandbox/docker.sh up"
}

# ------------------------------------------------------------------------------------------- packages
install_packages() {
  local missing=()
  for bin in /usr/sbin/dockerd /usr/bin/docker /usr/bin/docker-compose /bin/busybox /usr/bin/openssl /usr/bin/curl; do
    [[ -x $bin ]] || missing+=("$bin")
  done
  command -v iptables >/dev/null 2>&1 || missing+=(iptables)
  ((${#missing[@]})) || return 0
  log "installing packages (missing: ${missing[*]})"
  local t0; t0=$(now)
  bash "$REPO_DIR/scripts/install-deps.sh" docker || die "scripts/install-deps.sh docker failed"
  log "packages installed in $(elapsed "$t0") s"
  [[ -x /usr/bin/docker ]] && DOCKER=/usr/bin/docker
  [[ -x /usr/bin/docker-compose ]] && COMPOSE=/usr/bin/docker-compose
  [[ -x /usr/sbin/dockerd ]] || die "/usr/sbin/dockerd is still missing after installing docker.io"
}

# ---------------------------------------------------------------------------------------------- certs
certs_valid() {
  local f
  for f in ca.pem ca-key.pem server-cert.pem server-key.pem client/ca.pem client/cert.pem client/key.pem; do
    [[ -s $CERT_DIR/$f ]] || return 1
  done
  for f in ca.pem server-cert.pem client/cert.pem; do
    openssl x509 -noout -checkend 604800 -in "$CERT_DIR/$f" >/dev/null 2>&1 || return 1
  done
  openssl verify -CAfile "$CERT_DIR/ca.pem" "$CERT_DIR/server-cert.pem" "$CERT_DIR/client/cert.pem" >/dev/null 2>&1
}

make_certs() {
  certs_valid && return 0
  local tmp err t0; t0=$(now)
  mkdir -p "$STATE_DIR"
  tmp=$(mktemp -d "$STATE_DIR/.certs.XXXXXX")
  err=$tmp/openssl.err
  (
    umask 077
    cd "$tmp"
    cat >openssl.cnf <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = concierge-sandbox
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
EOF
    set -e
    openssl req -config openssl.cnf -x509 -new -nodes -newkey rsa:2048 -sha256 -days 3650 \
      -subj "/CN=concierge sandbox CA" -extensions v3_ca -keyout ca-key.pem -out ca.pem
    openssl req -config openssl.cnf -new -nodes -newkey rsa:2048 -sha256 \
      -subj "/CN=localhost" -keyout server-key.pem -out server.csr
    openssl x509 -req -sha256 -days 3650 -in server.csr -CA ca.pem -CAkey ca-key.pem \
      -set_serial "0x$(openssl rand -hex 12)" -extfile openssl.cnf -extensions server -out server-cert.pem
    openssl req -config openssl.cnf -new -nodes -newkey rsa:2048 -sha256 \
      -subj "/CN=concierge-sandbox-client" -keyout key.pem -out client.csr
    openssl x509 -req -sha256 -days 3650 -in client.csr -CA ca.pem -CAkey ca-key.pem \
      -set_serial "0x$(openssl rand -hex 12)" -extfile openssl.cnf -extensions client -out cert.pem
    mkdir client
    cp ca.pem client/ca.pem
    mv cert.pem key.pem client/
    rm -f server.csr client.csr openssl.cnf
    chmod 0600 ca-key.pem server-key.pem client/key.pem
    chmod 0644 ca.pem server-cert.pem client/ca.pem client/cert.pem
    chmod 0700 client
  ) >"$err" 2>&1 || { cp "$err" "$STATE_DIR/openssl.err"; rm -rf "$tmp"; die_log "$STATE_DIR/openssl.err" "certificate generation with openssl failed"; }
  rm -f "$err"
  rm -rf "$CERT_DIR"
  mv "$tmp" "$CERT_DIR"
  chmod 0700 "$CERT_DIR"
  certs_valid || die "generated certificates do not verify (see $CERT_DIR)"
  log "generated CA, server and client certificates in $CERT_DIR ($(elapsed "$t0") s)"
}

# -------------------------------------------------------------------------------------------- dockerd
tcp_port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start dockerd with the given mode; returns 0 when it answers _ping, 1 when it died or timed out
start_dockerd() {
  local mode=$1 pid i args
  args=(-H "unix://$SOCKET" -H "tcp://127.0.0.1:$TLS_PORT" --tlsverify
        --tlscacert="$CERT_DIR/ca.pem" --tlscert="$CERT_DIR/server-cert.pem" --tlskey="$CERT_DIR/server-key.pem"
        --pidfile "$PIDFILE")
  if [[ -n $DATA_ROOT ]]; then args+=(--data-root "$DATA_ROOT" --exec-root "$DATA_ROOT/exec"); fi
  case $mode in
    default) ;;
    vfs) args+=(--storage-driver=vfs) ;;
    nonet) args+=(--storage-driver=vfs --iptables=false --bridge=none) ;;
  esac
  # shellcheck disable=SC2206
  if [[ -n ${CONCIERGE_DOCKERD_EXTRA_ARGS:-} ]]; then args+=($CONCIERGE_DOCKERD_EXTRA_ARGS); fi
  mkdir -p "$(dirname "$SOCKET")"
  rm -f "$PIDFILE"
  LOG_OFFSET=$(stat -c %s "$LOG" 2>/dev/null || echo 0)
  echo "=== $(date -Is) $PROG: starting dockerd (mode $mode): /usr/sbin/dockerd ${args[*]}" >>"$LOG"
  DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 setsid /usr/sbin/dockerd "${args[@]}" </dev/null >>"$LOG" 2>&1 9>&- &
  pid=$!
  for ((i = 0; i < START_TIMEOUT * 10; i++)); do
    if ping_ok; then
      [[ -s $PIDFILE ]] || echo "$pid" >"$PIDFILE"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 1; }
    sleep 0.1
  done
  log "dockerd (mode $mode) did not answer _ping within ${START_TIMEOUT} s; stopping it"
  stop_pid "$pid" 20 || true
  return 1
}

# the most telling line this start attempt wrote to the log
attempt_error() {
  local lines
  lines=$(tail -c +"$((${LOG_OFFSET:-0} + 1))" "$LOG" 2>/dev/null | grep -v "^=== ")
  { grep -E 'level=fatal|failed to start daemon|Status: ' <<<"$lines" || grep -E 'level=error' <<<"$lines" || tail -n 1 <<<"$lines"; } \
    | tail -n 1 | cut -c1-300
}

# TERM a pid and wait (bounded) for it to go away; KILL as a last resort.
stop_pid() {
  local pid=$1 secs=${2:-30} i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < secs * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "pid $pid still running after ${secs} s of SIGTERM; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  sleep 0.5
  return 1
}

# ---------------------------------------------------------------------------------------------- image
ensure_image() {
  "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1 && return 0
  local t0 root applet; t0=$(now)
  [[ -x /bin/busybox ]] || die "/bin/busybox is missing (package busybox-static)"
  if [[ $(LC_ALL=C ldd /bin/busybox 2>&1 || true) != *"not a dynamic executable"* ]]; then
    die "/bin/busybox is dynamically linked; install busybox-static (it replaces busybox)"
  fi
  root=$(mktemp -d "$STATE_DIR/.rootfs.XXXXXX")
  mkdir -p "$root/bin" "$root/tmp" "$root/www" "$root/etc"
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [[ $applet == busybox ]] || ln -sf busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  echo "concierge sandbox" >"$root/www/index.html"
  if ! tar -C "$root" -c . | "$DOCKER" import -c 'ENV PATH=/bin' -c 'CMD ["sleep","3600"]' - "$IMAGE" >"$STATE_DIR/import.log" 2>&1; then
    rm -rf "$root"
    die_log "$STATE_DIR/import.log" "docker import of $IMAGE failed"
  fi
  rm -rf "$root"
  log "built $IMAGE from /bin/busybox ($(elapsed "$t0") s)"
}

# ------------------------------------------------------------------------------------------- commands
cmd_up() {
  local t0 state mode modes pid; t0=$(now)
  with_lock
  state=$(engine_state)
  case $state in
    owned|external)
      [[ $state == external ]] && log "reusing the Docker engine already running on $SOCKET (not started by this script; down will not stop it)"
      ensure_image
      log "already up ($state) on unix://$SOCKET$([[ $state == owned ]] && echo ", tls tcp://127.0.0.1:$TLS_PORT, pid $(our_pid)")"
      return 0 ;;
    starting)
      pid=$(our_pid)
      log "our dockerd (pid $pid) is running but not answering yet; waiting"
      local i
      for ((i = 0; i < START_TIMEOUT * 10; i++)); do ping_ok && break; sleep 0.1; done
      ping_ok || die_log "$LOG" "our dockerd (pid $pid) does not answer _ping on $SOCKET; try: scripts/sandbox/docker.sh down"
      ensure_image
      log "up (pid $pid)"
      return 0 ;;
  esac

  install_packages
  make_certs
  if tcp_port_busy "$TLS_PORT"; then
    die "127.0.0.1:$TLS_PORT is already in use by another process; set CONCIERGE_DOCKER_TLS_PORT"
  fi
  if [[ -e $SOCKET && ! -S $SOCKET ]]; then die "$SOCKET exists and is not a socket"; fi

  # Try the mode that worked last time first, then the documented fallbacks.
  modes=(default vfs nonet)
  if [[ -s $MODE_FILE ]]; then
    local last; last=$(<"$MODE_FILE")
    case $last in vfs) modes=(vfs nonet) ;; nonet) modes=(nonet) ;; esac
  fi
  local started=
  for mode in "${modes[@]}"; do
    if start_dockerd "$mode"; then started=$mode; break; fi
    log "dockerd failed to start in mode '$mode': $(attempt_error)"
  done
  [[ -n $started ]] || die_log "$LOG" "dockerd could not start on $SOCKET (tried modes: ${modes[*]})"
  echo "$started" >"$MODE_FILE"

  # The TLS listener comes up with the API; confirm the mutual-TLS endpoint (bounded).
  local i
  for ((i = 0; i < 50; i++)); do tls_ok && break; sleep 0.1; done
  tls_ok || die_log "$LOG" "dockerd answers on $SOCKET but not on https://127.0.0.1:$TLS_PORT with the client certificate"

  ensure_image
  log "up in $(elapsed "$t0") s: dockerd pid $(our_pid) (mode $started), unix://$SOCKET, tcp://127.0.0.1:$TLS_PORT (mutual TLS, DOCKER_CERT_PATH=$CLIENT_CERT_DIR), log $LOG"
}

write_compose_file() {
  mkdir -p "$COMPOSE_DIR"
  local tmp; tmp=$(mktemp "$COMPOSE_DIR/.compose.XXXXXX")
  cat >"$tmp" <<EOF
# Generated by scripts/sandbox/docker.sh: the concierge demo Compose project ($PROJECT).
# Compose v1 (docker-compose 1.29.2) names containers ${PROJECT}_<service>_<n>.
# init: true makes stop take ~1 s (busybox as PID 1 ignores SIGTERM).
# No published ports, so services can be scaled freely.
version: "2.4"
services:
  web:
    image: $IMAGE
    init: true
    command: ["httpd", "-f", "-p", "8000", "-h", "/www"]
    labels:
      io.concierge.sandbox: "demo"
  worker:
    image: $IMAGE
    init: true
    command: ["sleep", "3600"]
    labels:
      io.concierge.sandbox: "demo"
EOF
  if cmp -s "$tmp" "$DEMO_COMPOSE_FILE"; then rm -f "$tmp"; else mv "$tmp" "$DEMO_COMPOSE_FILE"; fi
}

compose() { (cd "$COMPOSE_DIR" && "$COMPOSE" -p "$PROJECT" -f "$DEMO_COMPOSE_FILE" "$@"); }

compose_up() {
  local t0; t0=$(now)
  write_compose_file
  compose up -d >"$STATE_DIR/compose.log" 2>&1 || die_log "$STATE_DIR/compose.log" "docker-compose -p $PROJECT up -d failed"
  log "compose project $PROJECT up in $(elapsed "$t0") s ($DEMO_COMPOSE_FILE)"
}

compose_down() {
  local ids
  if [[ -f $DEMO_COMPOSE_FILE ]]; then
    compose down -t 1 --remove-orphans >"$STATE_DIR/compose.log" 2>&1 \
      || die_log "$STATE_DIR/compose.log" "docker-compose -p $PROJECT down failed"
  fi
  # one-off or stray containers of the project (e.g. made by tests)
  ids=$("$DOCKER" ps -aq --filter "label=com.docker.compose.project=$PROJECT")
  if [[ -n $ids ]]; then
    # shellcheck disable=SC2086
    "$DOCKER" rm -f $ids >/dev/null
  fi
}

swarm_state() { "$DOCKER" info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}' 2>/dev/null || echo "unknown false"; }
service_exists() { "$DOCKER" service inspect "$1" >/dev/null 2>&1; }

swarm_init() {
  local st; st=$(swarm_state)
  case $st in
    "active true") return 0 ;;
    "active false") die "this engine is a swarm worker, not a manager; cannot create the demo services" ;;
    inactive*)
      "$DOCKER" swarm init --advertise-addr 127.0.0.1 >"$STATE_DIR/swarm.log" 2>&1 \
        || die_log "$STATE_DIR/swarm.log" "docker swarm init --advertise-addr 127.0.0.1 failed"
      touch "$SWARM_MARK"
      log "initialised a single-node swarm (advertise 127.0.0.1)" ;;
    *) die "unexpected swarm state '$st' (pending/error?): see docker info" ;;
  esac
}

create_services() {
  local common=(--detach --no-resolve-image --stop-grace-period 1s --endpoint-mode dnsrr --init
                --label "$DEMO_LABEL" --container-label "$DEMO_LABEL")
  if ! service_exists "$SVC_API"; then
    "$DOCKER" service create "${common[@]}" --name "$SVC_API" --replicas 1 "$IMAGE" sleep 3600 \
      >"$STATE_DIR/swarm.log" 2>&1 || die_log "$STATE_DIR/swarm.log" "docker service create $SVC_API failed"
  fi
  if ! service_exists "$SVC_AGENT"; then
    "$DOCKER" service create "${common[@]}" --name "$SVC_AGENT" --mode global "$IMAGE" sleep 3600 \
      >"$STATE_DIR/swarm.log" 2>&1 || die_log "$STATE_DIR/swarm.log" "docker service create $SVC_AGENT failed"
  fi
  # wait (bounded) for the replicated service to have 1 running task
  local i running=0
  for ((i = 0; i < 600; i++)); do
    running=$("$DOCKER" service ps "$SVC_API" --filter desired-state=running --format '{{.CurrentState}}' 2>/dev/null | grep -c '^Running' || true)
    [[ $running == 1 ]] && return 0
    sleep 0.1
  done
  "$DOCKER" service ps --no-trunc "$SVC_API" >"$STATE_DIR/swarm.log" 2>&1 || true
  die_log "$STATE_DIR/swarm.log" "$SVC_API has $running running tasks after 60 s (wanted 1)"
}

remove_services() {
  local s removed=()
  [[ $(swarm_state) == "active true" ]] || return 0
  for s in "$SVC_API" "$SVC_AGENT"; do
    if service_exists "$s"; then "$DOCKER" service rm "$s" >/dev/null; removed+=("$s"); fi
  done
  ((${#removed[@]})) || return 0
  # wait (bounded) for their task containers to go, so a re-create starts from a clean slate
  local i
  for ((i = 0; i < 200; i++)); do
    [[ -z $("$DOCKER" ps -aq --filter "label=com.docker.swarm.service.name=$SVC_API") && \
       -z $("$DOCKER" ps -aq --filter "label=com.docker.swarm.service.name=$SVC_AGENT") ]] && break
    sleep 0.1
  done
}

swarm_up() {
  local t0; t0=$(now)
  swarm_init
  create_services
  log "swarm services $SVC_API (1/1) and $SVC_AGENT (global) up in $(elapsed "$t0") s"
}

cmd_compose_up() { cmd_up; require_engine; compose_up; }
cmd_swarm_up() { cmd_up; require_engine; swarm_up; }

cmd_reset() {
  local what=${1:-all} t0; t0=$(now)
  case $what in all|compose|swarm) ;; *) die "usage: docker.sh reset [compose|swarm]" ;; esac
  cmd_up
  require_engine
  if [[ $what != swarm ]]; then compose_down; compose_up; fi
  if [[ $what != compose ]]; then remove_services; swarm_up; fi
  log "reset ($what) in $(elapsed "$t0") s"
}

cmd_down() {
  local t0 state pid; t0=$(now)
  with_lock
  state=$(engine_state)
  pid=$(our_pid)
  if [[ $state == owned || $state == external ]]; then
    remove_services
    compose_down
    if [[ -f $SWARM_MARK ]]; then
      if [[ $(swarm_state) == active* ]]; then "$DOCKER" swarm leave --force >/dev/null 2>&1 || log "swarm leave --force failed"; fi
      rm -f "$SWARM_MARK"
    fi
  fi
  if [[ -n $pid ]]; then
    if stop_pid "$pid" 60; then
      log "down in $(elapsed "$t0") s (stopped dockerd pid $pid)"
    else
      die_log "$LOG" "dockerd pid $pid did not exit within 60 s of SIGTERM (sent SIGKILL)"
    fi
    rm -f "$PIDFILE"
  elif [[ $state == external ]]; then
    log "removed the demo project/services; left the external Docker engine on $SOCKET running ($(elapsed "$t0") s)"
  else
    rm -f "$PIDFILE"
    log "already down"
  fi
}

cmd_status() {
  trap - ERR   # exit 3 when down is an answer, not a failure
  local state pid rc=0
  state=$(engine_state)
  pid=$(our_pid)
  case $state in
    owned) echo "engine:   up (started by this script, pid $pid, mode $(cat "$MODE_FILE" 2>/dev/null || echo '?'))" ;;
    external) echo "engine:   up (external dockerd, reused; not started by this script)" ;;
    starting) echo "engine:   starting or unhealthy (our pid $pid does not answer _ping)"; rc=3 ;;
    down) echo "engine:   down"; rc=3 ;;
  esac
  echo "socket:   unix://$SOCKET"
  if tls_ok; then echo "tls:      tcp://127.0.0.1:$TLS_PORT ok (DOCKER_CERT_PATH=$CLIENT_CERT_DIR)"
  else echo "tls:      tcp://127.0.0.1:$TLS_PORT not answering"; fi
  echo "state:    $STATE_DIR"
  ((rc == 0)) || return $rc
  echo "version:  $("$DOCKER" version --format '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null), storage $("$DOCKER" info --format '{{.Driver}}' 2>/dev/null)"
  echo "image:    $IMAGE $("$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1 && echo present || echo missing)"
  local sw; sw=$(swarm_state)
  echo "swarm:    $sw$([[ -f $SWARM_MARK ]] && echo ' (initialised by this script)')"
  echo "compose:  $PROJECT: $("$DOCKER" ps -q --filter "label=com.docker.compose.project=$PROJECT" | wc -l) running container(s)"
  if [[ $sw == "active true" ]]; then
    echo "services: $("$DOCKER" service ls --filter "label=$DEMO_LABEL" --format '{{.Name}} {{.Mode}} {{.Replicas}}' | paste -sd, | sed 's/,/, /g')"
  fi
  return 0
}

cmd_env() {
  local kind=${1:-unix}
  case $kind in
    unix)
      echo "export DOCKER_HOST=unix://$SOCKET"
      echo "unset DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_CONTEXT" ;;
    tls)
      [[ -f $CLIENT_CERT_DIR/cert.pem ]] || log "warning: no client certificate yet in $CLIENT_CERT_DIR (run up)"
      [[ $(engine_state) == external ]] && log "warning: the engine on $SOCKET was not started by this script; it may not serve TLS on port $TLS_PORT"
      echo "export DOCKER_HOST=tcp://127.0.0.1:$TLS_PORT"
      echo "export DOCKER_TLS_VERIFY=1"
      echo "export DOCKER_CERT_PATH=$CLIENT_CERT_DIR"
      echo "unset DOCKER_CONTEXT" ;;
    *) die "usage: docker.sh env [tls]" ;;
  esac
  echo "export CONCIERGE_DOCKER_SOCKET=$SOCKET"
  echo "export CONCIERGE_DOCKER_TLS_PORT=$TLS_PORT"
  echo "export CONCIERGE_DOCKER_CERT_PATH=$CLIENT_CERT_DIR"
  echo "export CONCIERGE_DEMO_PROJECT=$PROJECT"
  echo "export CONCIERGE_DEMO_COMPOSE_FILE=$DEMO_COMPOSE_FILE"
}

usage() {
  trap - ERR
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

main() {
  local cmd=${1:-}
  [[ $# -gt 0 ]] && shift
  [[ $cmd == -h || $cmd == --help || $cmd == help || -z $cmd ]] && { usage; [[ -n $cmd ]]; exit $?; }
  case $cmd in
    up|down|reset|compose-up|swarm-up)
      [[ $(id -u) -eq 0 ]] || die "'$cmd' needs root (dockerd and apt-get); run it with sudo" ;;
  esac
  case $cmd in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cmd_env "$@" ;;
    compose-up) cmd_compose_up ;;
    swarm-up) cmd_swarm_up ;;
    reset) cmd_reset "$@" ;;
    *) usage >&2; die "unknown command '$cmd'" ;;
  esac
}

main "$@"
