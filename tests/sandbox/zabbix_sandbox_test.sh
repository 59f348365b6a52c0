#!/usr/bin/env bash
# Smoke test of the Zabbix API sandbox (scripts/sandbox/zabbix.sh): source and destination answer
# apiinfo.version 6.0.x, v70 and v70dest 7.0.x, they are independent, `reset source` and `reset v70`
# bring one back to pristine, and the system's apt still knows nothing of the suite 7.0 came from.
# Brings the sandbox up when it is not; never brings it down (other tests may share it).
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

GROUP="concierge-sandbox-smoke-$$-$RANDOM"
out=$(rpc "$SRC" hostgroup.create "{\"name\":\"$GROUP\"}" "$SAUTH")
gid=$(result "$out" '$r["groupids"][0]' 2>/dev/null) || fail "hostgroup.create on source failed: $out"
info "created host group '$GROUP' (id $gid) on source"
[[ $(group_count "$SRC" "$SAUTH" "$GROUP") == 1 ]] || fail "source does not list the host group '$GROUP' it just created"
[[ $(group_count "$DST" "$DAUTH" "$GROUP") == 0 ]] || fail "destination has host group '$GROUP' created on source: instances are not independent"

bash "$SANDBOX" reset source || fail "scripts/sandbox/zabbix.sh reset source failed"
# The reset also dropped the session; log in again.
SAUTH=$(login "$SRC")
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

info "PASS"
