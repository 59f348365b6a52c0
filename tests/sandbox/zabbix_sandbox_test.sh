#!/usr/bin/env bash
# Smoke test of the Zabbix API sandbox (scripts/sandbox/zabbix.sh): source and destination answer
# apiinfo.version 6.0.x, v70 and v70dest 7.0.x, they are independent, `reset source` and `reset v70`
# bring one back to pristine, and the system's apt still knows nothing of the suite 7.0 came from.
# The Zabbix server 6.0 on source: a value sent to its trapper (the sender protocol, spoken here in a
# few lines of python3) reaches a trapper item made through the API right after `reload`, and
# history.get returns it; script.execute runs a command with the server's clean environment; it
# runs again on the new database after `reset source`, and after `down` and `up`.
# Brings the sandbox up when it is not; leaves it up (other tests may share it).
# Exit 0 on success, 1 with a one-line "FAIL: ..." message otherwise.
set -euo pipefail

NAME=zabbix_sandbox_test
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SANDBOX=$REPO/scripts/sandbox/zabbix.sh

# One line; inside $(...) it exits 97 so the ERR trap does not report the same failure again.
fail() { echo "$NAME: FAIL: $(tr '\n' ' ' <<<"$*" | cut -c1-400)" >&2; ((BASH_SUBSHELL)) && exit 97; exit 1; }
info() { echo "$NAME: $*" >&2; }
trap 'rc=$?; ((rc == 97)) || echo "$NAME: FAIL: command failed (exit $rc) at line $LINENO: $BASH_COMMAND" >&2; exit 1' ERR

# rpc URL METHOD PARAMS_JSON [AUTH] -> raw JSON answer
rpc() {
  local auth=${4:+,\"auth\":\"$4\"}
  curl -sS --max-time 120 -H 'Content-Type: application/json-rpc' \
    -d "{\"jsonrpc\":\"2.0\",\"method\":\"$2\",\"params\":$3,\"id\":1$auth}" "$1" ||
    fail "no answer from $1 for $2"
}
# result JSON EXPR: evaluates a PHP expression over $r (the decoded "result"); fails on an API error.
result() {
  php -r '
    $j = json_decode(stream_get_contents(STDIN), true);
    if (!is_array($j)) { fwrite(STDERR, "not JSON-RPC\n"); exit(2); }
    if (isset($j["error"])) { fwrite(STDERR, json_encode($j["error"]) . "\n"); exit(3); }
    $r = $j["result"];
    echo eval("return " . $argv[1] . ";"), "\n";
  ' "$2" <<<"$1"
}
instance_url() { (eval "$(bash "$SANDBOX" env "$1")" && echo "$ZBX_API_HOST"); }
login() {
  local out
  out=$(rpc "$1" user.login '{"username":"Admin","password":"zabbix"}')
  result "$out" '$r' 2>/dev/null || fail "user.login as Admin/zabbix failed on $1: $out"
}
# send HOST KEY VALUE -> the "info" of the server's answer, e.g. "processed: 1; failed: 0; ..."
send() {
  python3 - "$ZBX_SANDBOX_TRAPPER_HOST" "$ZBX_SANDBOX_TRAPPER_PORT" "$@" <<'PY' || fail "sending $2=$3 of $1 to the trapper failed"
import json, socket, struct, sys
addr, port, host, key, value = sys.argv[1:]
body = json.dumps({"request": "sender data", "data": [{"host": host, "key": key, "value": value}]}).encode()
with socket.create_connection((addr, int(port)), timeout=30) as s:
    s.sendall(b"ZBXD\x01" + struct.pack("<Q", len(body)) + body)
    answer = b""
    while chunk := s.recv(65536):
        answer += chunk
if answer[:5] != b"ZBXD\x01":
    sys.exit("not a Zabbix answer: %r" % answer[:60])
print(json.loads(answer[13:])["info"])
PY
}
# server_exec AUTH COMMAND -> its output, run by source's Zabbix server (script.create, script.execute
# on the built-in host "Zabbix server", 10084).
server_exec() {
  local out id
  out=$(rpc "$SRC" script.create "{\"name\":\"concierge-smoke-$$-$RANDOM\",\"command\":\"$2\",\"type\":0,\"scope\":2,\"execute_on\":1}" "$1")
  id=$(result "$out" '$r["scriptids"][0]' 2>/dev/null) || fail "script.create on source failed: $out"
  out=$(rpc "$SRC" script.execute "{\"scriptid\":\"$id\",\"hostid\":\"10084\"}" "$1")
  result "$out" '$r["value"]' 2>/dev/null || fail "script.execute of '$2' on source failed: $out"
}
# The status line of the Zabbix server, e.g. "server up 127.0.0.1:18650 pid 123 ... version 6.0.14 ..."
server_status() { bash "$SANDBOX" status 2>/dev/null | awk '$1 == "server"' || true; }
server_field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' <<<"$2"; }
group_count() { # url auth name
  local out
  out=$(rpc "$1" hostgroup.get "{\"filter\":{\"name\":[\"$3\"]},\"output\":[\"groupid\"]}" "$2")
  result "$out" 'count($r)' 2>/dev/null || fail "hostgroup.get failed on $1: $out"
}

if bash "$SANDBOX" status >/dev/null 2>&1; then
  info "sandbox already up; sharing it (it stays up)"
else
  info "bringing the sandbox up"
  bash "$SANDBOX" up || fail "scripts/sandbox/zabbix.sh up failed"
fi

SRC=$(instance_url source)
DST=$(instance_url destination)
V70=$(instance_url v70)
V70DEST=$(instance_url v70dest)
[[ $(printf '%s\n' "$SRC" "$DST" "$V70" "$V70DEST" | sort -u | wc -l) == 4 ]] ||
  fail "instances share a URL: $SRC $DST $V70 $V70DEST"

expect_version() { # url version-prefix
  local out v
  out=$(rpc "$1" apiinfo.version '{}')
  v=$(result "$out" '$r' 2>/dev/null) || fail "apiinfo.version failed on $1: $out"
  [[ $v == "$2".* ]] || fail "apiinfo.version on $1 is '$v', expected $2.x"
  info "$1 answers apiinfo.version $v"
}
expect_version "$SRC" 6.0
expect_version "$DST" 6.0
expect_version "$V70" 7.0
expect_version "$V70DEST" 7.0
if apt-cache madison zabbix-frontend-php 2>/dev/null | grep -q ':7\.0\.'; then
  fail "the system's apt lists Zabbix 7.0: fetching it changed the apt configuration"
fi

SAUTH=$(login "$SRC")
DAUTH=$(login "$DST")

# --- the Zabbix server on source ---
eval "$(bash "$SANDBOX" env source)"
[[ -n ${ZBX_SANDBOX_TRAPPER_HOST:-} && -n ${ZBX_SANDBOX_TRAPPER_PORT:-} ]] || fail "env source prints no trapper address"
line=$(server_status)
[[ $line == *" up "* && $(server_field version "$line") == 6.0.* ]] || fail "the Zabbix server is not up with a 6.0.x version: '$line'"
server_pid=$(server_field pid "$line")
info "Zabbix server $(server_field version "$line") up, pid $server_pid, trapper $ZBX_SANDBOX_TRAPPER_HOST:$ZBX_SANDBOX_TRAPPER_PORT"

TRAP_HOST="concierge-trapper-$$-$RANDOM"
out=$(rpc "$SRC" hostgroup.create "{\"name\":\"$TRAP_HOST\"}" "$SAUTH")
tgid=$(result "$out" '$r["groupids"][0]' 2>/dev/null) || fail "hostgroup.create on source failed: $out"
out=$(rpc "$SRC" host.create "{\"host\":\"$TRAP_HOST\",\"groups\":[{\"groupid\":\"$tgid\"}]}" "$SAUTH")
hostid=$(result "$out" '$r["hostids"][0]' 2>/dev/null) || fail "host.create on source failed: $out"
out=$(rpc "$SRC" item.create "{\"hostid\":\"$hostid\",\"name\":\"trap\",\"key_\":\"concierge.trap\",\"type\":2,\"value_type\":3}" "$SAUTH")
itemid=$(result "$out" '$r["itemids"][0]' 2>/dev/null) || fail "item.create (trapper) on source failed: $out"
bash "$SANDBOX" reload || fail "scripts/sandbox/zabbix.sh reload failed"
# Right after reload the server knows the new item: no waiting for its periodic cache refresh.
value=$((RANDOM + 1000))
answer=$(send "$TRAP_HOST" concierge.trap "$value")
[[ $answer == "processed: 1;"* ]] || fail "the trapper did not take a value for the item just made and reloaded: $answer"
for _ in $(seq 100); do
  out=$(rpc "$SRC" history.get "{\"history\":3,\"itemids\":[\"$itemid\"],\"output\":[\"value\"]}" "$SAUTH")
  got=$(result "$out" 'implode(",", array_column($r, "value"))' 2>/dev/null) || fail "history.get failed: $out"
  [[ -z $got ]] || break
  sleep 0.2
done
[[ $got == "$value" ]] || fail "history.get returns '$got' for the trapper item, expected $value"
info "trapper value $value of $TRAP_HOST reached history"

# A command run by the server itself sees the server's environment, not the caller's.
env_out=$(server_exec "$SAUTH" env)
grep -qx 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' <<<"$env_out" ||
  fail "the server's commands do not get the sandbox's PATH: $env_out"
! grep -q '^ZBX_SANDBOX_\|^CONCIERGE_' <<<"$env_out" || fail "the server's commands see the environment it was started from: $env_out"
info "script.execute ran env on the server"

GROUP="concierge-sandbox-smoke-$$-$RANDOM"
out=$(rpc "$SRC" hostgroup.create "{\"name\":\"$GROUP\"}" "$SAUTH")
gid=$(result "$out" '$r["groupids"][0]' 2>/dev/null) || fail "hostgroup.create on source failed: $out"
info "created host group '$GROUP' (id $gid) on source"
[[ $(group_count "$SRC" "$SAUTH" "$GROUP") == 1 ]] || fail "source does not list the host group '$GROUP' it just created"
[[ $(group_count "$DST" "$DAUTH" "$GROUP") == 0 ]] || fail "destination has host group '$GROUP' created on source: instances are not independent"

bash "$SANDBOX" reset source || fail "scripts/sandbox/zabbix.sh reset source failed"
# The reset also dropped the session; log in again.
SAUTH=$(login "$SRC")
# The server runs again, on the new database: the host it knew is gone from its cache.
line=$(server_status)
[[ $line == *" up "* && $(server_field pid "$line") != "$server_pid" ]] ||
  fail "the Zabbix server was not restarted by reset source: '$line' (pid before $server_pid)"
answer=$(send "$TRAP_HOST" concierge.trap 1)
[[ $answer == "processed: 0;"* ]] || fail "after reset source the server still takes values for a host of the old database: $answer"
[[ $(group_count "$SRC" "$SAUTH" "$GROUP") == 0 ]] || fail "host group '$GROUP' still exists on source after reset"
[[ $(group_count "$DST" "$DAUTH" "$GROUP") == 0 ]] || fail "destination gained host group '$GROUP'"
# The destination was not reset: its session still works.
out=$(rpc "$DST" hostgroup.get '{"countOutput":true}' "$DAUTH")
result "$out" '$r' >/dev/null 2>&1 || fail "destination session broke when source was reset: $out"

VAUTH=$(login "$V70")
out=$(rpc "$V70" hostgroup.create "{\"name\":\"$GROUP\"}" "$VAUTH")
result "$out" '$r["groupids"][0]' >/dev/null 2>&1 || fail "hostgroup.create on v70 failed: $out"
[[ $(group_count "$SRC" "$SAUTH" "$GROUP") == 0 ]] || fail "source has host group '$GROUP' created on v70: instances are not independent"
[[ $(group_count "$V70DEST" "$(login "$V70DEST")" "$GROUP") == 0 ]] || fail "v70dest has host group '$GROUP' created on v70"
bash "$SANDBOX" reset v70 || fail "scripts/sandbox/zabbix.sh reset v70 failed"
VAUTH=$(login "$V70")
[[ $(group_count "$V70" "$VAUTH" "$GROUP") == 0 ]] || fail "host group '$GROUP' still exists on v70 after reset"

bash "$SANDBOX" down || fail "scripts/sandbox/zabbix.sh down failed"
[[ $(server_status) == *" down"* ]] || fail "the Zabbix server still runs after down: '$(server_status)'"
bash "$SANDBOX" up || fail "scripts/sandbox/zabbix.sh up after down failed"
[[ $(server_status) == *" up "* ]] || fail "the Zabbix server is not up after down and up: '$(server_status)'"
[[ $(server_exec "$(login "$SRC")" 'echo ok') == ok ]] || fail "script.execute on source gives no 'ok' after down and up"

info "PASS"
