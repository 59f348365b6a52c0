#!/usr/bin/env bash
# The SDK's zabbix-hosts example, built as a separate project against a relocated install and
# found through CONCIERGE_PLUGIN_PATH, lists a host group of each real Zabbix version of the sandbox
# (scripts/sandbox/zabbix.sh, which must be up: this test fails, never skips, without it) as a
# table and as JSON, and its run is in history with the hosts.json artifact holding that list.
# Usage: zabbix_hosts_sandbox_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
test_name=zabbix_hosts_sandbox_test
build=$1 source=$2
. "$source/tests/install/install_tree.sh"
bash "$source/scripts/sandbox/zabbix.sh" status >/dev/null 2>&1 ||
  fail "the Zabbix sandbox is not up; start it with scripts/sandbox/zabbix.sh up"
install_relocated "$build"
build_with_cmake "$source/sdk/examples/zabbix-hosts" "$work/hosts"
export CONCIERGE_PLUGIN_PATH=$work/hosts

# rpc METHOD PARAMS_JSON [PYTHON_EXPR over r, the result]: calls the source API as Admin.
rpc() {
  local answer
  answer=$(curl -sS --max-time 60 -H 'Content-Type: application/json-rpc' \
    -d "{\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"params\":$2,\"id\":1${token:+,\"auth\":\"$token\"}}" "$ZBX_API_HOST") ||
    fail "no answer from $ZBX_API_HOST for $1"
  python3 -c 'import json, sys
a = json.loads(sys.argv[1])
if "error" in a: sys.exit("%s: %s" % (sys.argv[2], a["error"]))
r = a["result"]
print(eval(sys.argv[3]))' "$answer" "$1" "${3:-r}" || fail "$1 failed: $answer"
}
token= groupid= host_ids=()
cleanup_instance() {
  ((${#host_ids[@]} == 0)) || rpc host.delete "[$(IFS=,; echo "${host_ids[*]}")]" >/dev/null || true
  [[ -z $groupid ]] || rpc hostgroup.delete "[\"$groupid\"]" >/dev/null || true
  [[ -z $token ]] || rpc user.logout '[]' >/dev/null || true
  token= groupid= host_ids=()
}
trap 'cleanup_instance; rm -rf "$work"' EXIT
add_host() { # NAME IP STATUS
  host_ids+=("\"$(rpc host.create "{\"host\":\"$1\",\"status\":$3,\"groups\":[{\"groupid\":\"$groupid\"}],
    \"interfaces\":[{\"type\":1,\"main\":1,\"useip\":1,\"ip\":\"$2\",\"dns\":\"\",\"port\":\"10050\"}]}" 'r["hostids"][0]')\"")
}

check_instance() { # INSTANCE of the sandbox
  eval "$(bash "$source/scripts/sandbox/zabbix.sh" env "$1")"
  token=$(rpc user.login "{\"username\":\"$ZBX_USER\",\"password\":\"$ZBX_PASS\"}")
  group="concierge example $$"
  groupid=$(rpc hostgroup.create "{\"name\":\"$group\"}" 'r["groupids"][0]')
  add_host "example-b-$$" 192.0.2.11 1
  add_host "example-a-$$" 192.0.2.10 0

  table=$("$concierge" zabbix-hosts "$group") || fail "zabbix-hosts failed: $table"
  # Sorted by host name; compared with runs of spaces squeezed, since column widths follow the pid.
  expected="HOST NAME MONITORED MAINTENANCE ADDRESS
example-a-$$ example-a-$$ true false 192.0.2.10
example-b-$$ example-b-$$ false false 192.0.2.11
2 host(s) in group '$group'"
  [[ $(tr -s ' ' <<<"$table") == "$expected" ]] || fail "unexpected table:
$table"
  json=$("$concierge" zabbix-hosts "$group" --output json) || fail "zabbix-hosts --output json failed: $json"
  want_json="[{\"host\":\"example-a-$$\",\"name\":\"example-a-$$\",\"monitored\":true,\"maintenance\":false,\"address\":\"192.0.2.10\"},{\"host\":\"example-b-$$\",\"name\":\"example-b-$$\",\"monitored\":false,\"maintenance\":false,\"address\":\"192.0.2.11\"}]"
  [[ $json == "$want_json" ]] || fail "unexpected JSON: $json"

  run=$("$concierge" history --limit 1 --output json)
  grep -q "\"plugin\":\"zabbix-hosts\",\"plugin_version\":\"1.0.0\",\"status\":\"succeeded\",\"exit_code\":0" <<<"$run" ||
    fail "the last run in history is not a successful zabbix-hosts: $run"
  grep -q "\"summary\":\"2 host(s) in group '$group'\"" <<<"$run" || fail "its summary is not in history: $run"
  if grep -q "\"$ZBX_PASS\"" <<<"$run"; then fail "history holds the password: $run"; fi
  id=$(sed -n 's/^\[{"id":\([0-9]*\).*/\1/p' <<<"$run")
  "$concierge" history export "$id" --dir "$work/export-$1" >/dev/null || fail "history export $id failed"
  [[ $(<"$work/export-$1/hosts.json") == "$want_json" ]] || fail "the hosts.json artifact is not the list: $(<"$work/export-$1/hosts.json")"

  set +e
  out=$("$concierge" zabbix-hosts "no such group $$" 2>&1)
  rc=$?
  set -e
  [[ $rc == 11 ]] || fail "an unknown group exited $rc, expected 11 (not found): $out"
  grep -q "no host group named 'no such group $$'" <<<"$out" || fail "unexpected message for an unknown group: $out"
  cleanup_instance
  echo "$test_name: $1 ($ZBX_API_HOST): ok"
}

check_instance source
check_instance v70
