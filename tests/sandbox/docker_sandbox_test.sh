#!/usr/bin/env bash
# Smoke test of the Docker engine sandbox (scripts/sandbox/docker.sh): brings it up (engine, demo
# Compose project, swarm services) and checks that
#   - the engine answers _ping on the unix socket;
#   - the mutual-TLS endpoint answers /version with the client certificate and refuses a client
#     without a certificate, or with one not signed by the sandbox CA;
#   - docker-compose ps of concierge-demo lists the web container, which carries the Compose v1 labels;
#   - the swarm service concierge-demo-api has exactly 1 running task (and concierge-demo-agent is global).
# If the sandbox was already up it is left up; otherwise it is brought down again at the end
# (set CONCIERGE_SANDBOX_KEEP=1 to keep it). Exit status: 0 all checks passed, 1 otherwise.
set -uo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SANDBOX="$REPO_DIR/scripts/sandbox/docker.sh"
if [[ -x /usr/bin/docker ]]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi
failures=0
tmp=$(mktemp -d)

pass() { echo "ok   - $*"; }
fail() { echo "FAIL - $*" >&2; failures=$((failures + 1)); }
fatal() { echo "FAIL - $*" >&2; exit 1; }

was_up=0
if "$SANDBOX" status >/dev/null 2>&1; then was_up=1; fi

cleanup() {
  local rc=$?
  rm -rf "$tmp"
  if ((was_up == 0)) && [[ ${CONCIERGE_SANDBOX_KEEP:-0} != 1 ]]; then
    "$SANDBOX" down >/dev/null 2>&1 || echo "warning: scripts/sandbox/docker.sh down failed" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT

"$SANDBOX" up || fatal "scripts/sandbox/docker.sh up failed"
"$SANDBOX" compose-up || fatal "scripts/sandbox/docker.sh compose-up failed"
"$SANDBOX" swarm-up || fatal "scripts/sandbox/docker.sh swarm-up failed"
eval "$("$SANDBOX" env)" || fatal "scripts/sandbox/docker.sh env failed"
SOCK=$CONCIERGE_DOCKER_SOCKET
PORT=$CONCIERGE_DOCKER_TLS_PORT
CERTS=$CONCIERGE_DOCKER_CERT_PATH

# 1. _ping on the unix socket
out=$(curl -sS --max-time 5 --unix-socket "$SOCK" http://localhost/_ping 2>&1)
if [[ $out == OK ]]; then pass "_ping on unix://$SOCK"; else fail "_ping on unix://$SOCK answered '$out' (wanted OK)"; fi

# 2. mutual TLS
url="https://127.0.0.1:$PORT/version"
out=$(curl -sS --max-time 5 --cacert "$CERTS/ca.pem" --cert "$CERTS/cert.pem" --key "$CERTS/key.pem" "$url" 2>&1)
if [[ $out == *'"ApiVersion"'* ]]; then pass "TLS $url with the client certificate"
else fail "TLS $url with the client certificate answered: ${out:0:200}"; fi

if out=$(curl -sS --max-time 5 --cacert "$CERTS/ca.pem" "$url" 2>&1); then
  fail "TLS $url answered WITHOUT a client certificate: ${out:0:200}"
else pass "TLS $url refuses a client without a certificate ($(head -n1 <<<"$out"))"; fi

if openssl req -x509 -new -nodes -newkey rsa:2048 -days 1 -subj /CN=rogue \
     -keyout "$tmp/rogue-key.pem" -out "$tmp/rogue.pem" >/dev/null 2>&1; then
  if out=$(curl -sS --max-time 5 --cacert "$CERTS/ca.pem" --cert "$tmp/rogue.pem" --key "$tmp/rogue-key.pem" "$url" 2>&1); then
    fail "TLS $url accepted a self-signed client certificate: ${out:0:200}"
  else pass "TLS $url refuses a client certificate not signed by the sandbox CA"; fi
else fail "could not make a self-signed certificate with openssl"; fi

# 3. the demo Compose project
ps_out=$(docker-compose -p "$CONCIERGE_DEMO_PROJECT" -f "$CONCIERGE_DEMO_COMPOSE_FILE" ps 2>&1)
if grep -Eq "^${CONCIERGE_DEMO_PROJECT}_web_1 .* Up" <<<"$ps_out"; then pass "docker-compose ps lists ${CONCIERGE_DEMO_PROJECT}_web_1 (Up)"
else fail "docker-compose ps does not list ${CONCIERGE_DEMO_PROJECT}_web_1 as Up:"$'\n'"$ps_out"; fi

web_id=$(docker-compose -p "$CONCIERGE_DEMO_PROJECT" -f "$CONCIERGE_DEMO_COMPOSE_FILE" ps -q web 2>/dev/null | head -n1)
if [[ -z $web_id ]]; then
  fail "docker-compose ps -q web returned no container"
else
  labels=$("$DOCKER" inspect --format '{{index .Config.Labels "com.docker.compose.project"}} {{index .Config.Labels "com.docker.compose.service"}} {{index .Config.Labels "com.docker.compose.container-number"}} {{.State.Running}}' "$web_id" 2>&1)
  if [[ $labels == "$CONCIERGE_DEMO_PROJECT web 1 true" ]]; then pass "web container labels: com.docker.compose.project=$CONCIERGE_DEMO_PROJECT service=web number=1, running"
  else fail "web container $web_id: labels/state are '$labels' (wanted '$CONCIERGE_DEMO_PROJECT web 1 true')"; fi
fi

# 4. swarm services
running=$("$DOCKER" service ps concierge-demo-api --filter desired-state=running --format '{{.CurrentState}}' 2>&1 | grep -c '^Running')
if [[ $running == 1 ]]; then pass "swarm service concierge-demo-api has 1 running task"
else fail "swarm service concierge-demo-api has $running running tasks (wanted 1): $("$DOCKER" service ps concierge-demo-api 2>&1 | tail -n +2 | head -n 5)"; fi
mode=$("$DOCKER" service inspect --format '{{if .Spec.Mode.Global}}global{{else}}replicated{{end}}' concierge-demo-agent 2>&1)
if [[ $mode == global ]]; then pass "swarm service concierge-demo-agent is global"
else fail "swarm service concierge-demo-agent: '$mode' (wanted global)"; fi

if ((failures)); then
  echo "docker sandbox smoke test: $failures check(s) FAILED" >&2
  exit 1
fi
echo "docker sandbox smoke test: all checks passed"
