#!/usr/bin/env bash
# zabbix-autoscale side by side with its in-process floor (bench/zabbix_autoscale_floor.cpp),
# against the real Zabbix sandbox (scripts/sandbox/zabbix.sh, its 6.0 source instance and trapper)
# and the real Docker engine, in one run; prints the figures, the ratios and each row's verdict
# against issue 11's targets, never gates. See bench/README.md.
#   bash bench/autoscale.sh [BUILD_DIR]      (default build/release)
# Env knobs: BENCH_AS_RUNS (one evaluation, pairs, default 20), BENCH_AS_REPLAY_RUNS (the replay,
# pairs, default 5); the sandbox's own ZBX_SANDBOX_* / CONCIERGE_SANDBOX_DIR; DOCKER_HOST (default
# the Docker sandbox's socket). It makes its own Zabbix host (two trapper items) and its own Compose
# container, and removes both at exit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # $repo; record, now, elapsed, timed, clocked, machine_line
cd "$repo"
build="${1:-build/release}" runs="${BENCH_AS_RUNS:-20}" replay_runs="${BENCH_AS_REPLAY_RUNS:-5}"
sandbox=(bash "$repo/scripts/sandbox/zabbix.sh")
name="concierge-autoscale-bench-$$"  # the Zabbix host and group, and the Compose project
steps=10080                          # 7 days at 1-minute steps

tmp="$(mktemp -d "${TMPDIR:-/tmp}/concierge-autoscale-bench.XXXXXX")"
cleanup() {  # every step runs, whatever fails before it
  set +e
  [[ -n ${container:-} ]] && docker rm -f "$container" >/dev/null 2>&1
  [[ -n ${host_made:-} ]] && "$floor" cleanup "$source_url" "$name"
  rm -rf "$tmp"
}
trap cleanup EXIT

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target concierge concierge-plugin-zabbix-autoscale zabbix-autoscale-floor -j 2 >/dev/null
exe="$(cd "$build" && pwd)/bin/concierge"
floor="$(cd "$build" && pwd)/bin/zabbix-autoscale-floor"
"${sandbox[@]}" up >/dev/null 2>&1 || "${sandbox[@]}" up
sandbox_env=$("${sandbox[@]}" env source)
source_url=$(sed -n 's/.*ZBX_API_HOST=\([^ ]*\).*/\1/p' <<<"$sandbox_env")
trapper_port=$(sed -n 's/.*ZBX_SANDBOX_TRAPPER_PORT=\([^ ]*\).*/\1/p' <<<"$sandbox_env")
php_log="$(realpath -m "${CONCIERGE_SANDBOX_DIR:-$repo/.sandbox}")/zabbix/log/php-source.log"
export DOCKER_HOST="${DOCKER_HOST:-unix://$(bash scripts/sandbox/docker.sh env | sed -n 's/^export CONCIERGE_DOCKER_SOCKET=//p')}"
export CONCIERGE_HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" CONCIERGE_LOCK_DIR="$tmp/locks" ZBX_API_HOST="$source_url"
export ZBX_USER=Admin ZBX_PASS=zabbix
unset CONCIERGE_CONFIG CONCIERGE_PLUGIN_PATH COMPOSE_PROJECT_NAME ZBX_API_TOKEN
results="$tmp/results.txt"
: >"$results"
machine_line
echo "concierge: $("$exe" --version | head -n1); Zabbix sandbox: $source_url; engine: $DOCKER_HOST," \
  "$(docker version --format 'Docker {{.Server.Version}} (API {{.Server.APIVersion}})')"

# ---- the fixture: a host with two trapper items, 7 days of values, one Compose container ----------
"$floor" setup "$source_url" "$name"
host_made=1
"${sandbox[@]}" reload >/dev/null 2>&1  # the server takes values for the new items at once
last=$(( $(date +%s) / 60 * 60 - 60 ))  # the last whole minute
first=$(( last - (steps - 1) * 60 ))
"$floor" send "$trapper_port" "$name" bench.history "$first" "$steps" curve
utc() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
container="${name}_web_1"
docker run -d --init --name "$container" --label "com.docker.compose.project=$name" --label com.docker.compose.service=web \
  --label com.docker.compose.container-number=1 --label com.docker.compose.oneoff=False localbusybox:latest sleep 86400 >/dev/null
echo "fixture: Zabbix host $name, trapper items bench.load and bench.history ($steps values, one a minute, $(utc "$first")" \
  "to $(utc "$last")); Compose project $name with 1 container of web"

api_posts() { grep -c 'POST /api_jsonrpc.php' "$php_log" || true; }
requests() {  # requests CMD... -> how many API requests the command sent (the PHP server's log)
  local before
  before=$(api_posts)
  "$@" >"$tmp/last.log" 2>&1 || { echo "bench: failed: $*" >&2; cat "$tmp/last.log" >&2; exit 1; }
  sleep 0.2  # the log line of the last request
  echo $(( $(api_posts) - before ))
}

# ---- 1. one evaluation that changes nothing ------------------------------------------------------
# bench.load holds 5 against --target 5 with 1 container: within tolerance, 1 -> 1. A fresh value,
# so it is valid (a trapper item's max age is 5 minutes) for the whole part.
"$floor" send "$trapper_port" "$name" bench.load "$(date +%s)" 1 5
evaluation=("$exe" zabbix-autoscale compose web --project "$name" --item "$name:bench.load" --target 5 --min 1 --max 10)
evaluation_floor=("$floor" evaluate "$source_url" "$DOCKER_HOST" "$name" web "$name:bench.load" 5 1 10)
echo
echo "== one evaluation that changes nothing vs its in-process floor ($runs runs each, alternating, after one untimed each:" \
  "the timed runs read the state the one before recorded, as cron's do)"
echo "  API requests per run (the PHP server's log): concierge $(requests "${evaluation[@]}"), floor $(requests "${evaluation_floor[@]}")"
"${evaluation[@]}" >"$tmp/evaluation.log" 2>&1
"${evaluation_floor[@]}" >"$tmp/floor.log" 2>&1
echo "  concierge: $(tail -n1 "$tmp/evaluation.log"); floor: $(cat "$tmp/floor.log")"
for run in $(seq "$runs"); do
  seconds=$(clocked "${evaluation[@]}")
  record evaluation_s "$seconds"
  floor_seconds=$(clocked "${evaluation_floor[@]}")
  record evaluation_floor_s "$floor_seconds"
  echo "  run $run: concierge $seconds s, floor $floor_seconds s"
done

# ---- 2. a replay of 7 days at 1-minute steps -----------------------------------------------------
# The plugin's --verbose line gives its phases: the read (item.get, history.get, parsed), the
# evaluation (replay()) and the table; the floor times its read and replay() the same way.
replay=("$exe" zabbix-autoscale compose web --project "$name" --item "$name:bench.history" --target-per-replica 100
  --min 1 --max 10 --replay --from "$(utc "$first")" --to "$(utc "$last")" --every 1m --verbose)
replay_floor=("$floor" replay "$source_url" "$name:bench.history" "$first" "$last" 100 1 10)
phase() { sed -n "s/.*replay phases: .*$1 \\([0-9.]*\\) ms.*/\\1/p" "$tmp/last.log"; }  # phase TEXT-BEFORE-THE-FIGURE
echo
echo "== replay of 7 days at 1-minute steps vs its in-process floor ($replay_runs runs each, alternating, after one untimed each)"
"${replay[@]}" >"$tmp/replay.log" 2>&1
"${replay_floor[@]}" >"$tmp/floor.log" 2>&1
echo "  concierge: $(grep -m1 '^replayed' "$tmp/replay.log"); $(grep -c '^20[0-9][0-9]-' "$tmp/replay.log") steps printed"
for run in $(seq "$replay_runs"); do
  seconds=$(clocked "${replay[@]}")
  read_ms=$(phase "history.get) in") evaluated_ms=$(phase "steps in") table_ms=$(phase "table in")
  [[ -n $read_ms && -n $evaluated_ms ]] || { echo "bench: no 'replay phases' line from --verbose:" >&2; cat "$tmp/last.log" >&2; exit 1; }
  record replay_s "$seconds"
  record replay_read_s "$(python3 -c "print($read_ms / 1000)")"
  record replay_without_read_s "$(python3 -c "print($seconds - $read_ms / 1000)")"
  record replay_evaluated_s "$(python3 -c "print($evaluated_ms / 1000)")"
  floor_seconds=$(clocked "${replay_floor[@]}")
  floor_read_ms=$(sed -n 's/^read [0-9]* values in \([0-9.]*\) ms.*/\1/p' "$tmp/last.log")
  floor_evaluated_ms=$(sed -n 's/.*steps in \([0-9.]*\) ms.*/\1/p' "$tmp/last.log")
  record replay_floor_read_s "$(python3 -c "print($floor_read_ms / 1000)")"
  record replay_floor_without_read_s "$(python3 -c "print($floor_seconds - $floor_read_ms / 1000)")"
  record replay_floor_evaluated_s "$(python3 -c "print($floor_evaluated_ms / 1000)")"
  echo "  run $run: concierge $seconds s (read $read_ms ms, evaluated $evaluated_ms ms, table $table_ms ms);" \
    "floor $floor_seconds s ($(cat "$tmp/last.log"))"
done

python3 - "$results" "$repo/bench" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from hyperfine_results import Records, print_verdicts
m = Records(sys.argv[1]).median
print_verdicts([
    # benchmark, concierge, reference, ratio, target[, the figure the target bounds]
    ("one evaluation that changes nothing (median, alternating)", f"{m('evaluation_s'):.3f} s",
     f"in-process floor: {m('evaluation_floor_s'):.3f} s", m("evaluation_s") / m("evaluation_floor_s"), "<= 1.2x"),
    ("replay, 7 days at 1 min, excluding the API read (median)", f"{m('replay_without_read_s'):.3f} s",
     f"in-process floor, excluding its read: {m('replay_floor_without_read_s'):.3f} s",
     m("replay_without_read_s") / m("replay_floor_without_read_s"),
     "<= 2 s", m("replay_without_read_s")),
])
print(f"(replay, medians: whole process {m('replay_s'):.3f} s = its API read {m('replay_read_s'):.3f} s (item.get, history.get, parsed)"
      f" + the rest; of the rest, replay() {m('replay_evaluated_s'):.3f} s. Floor: read {m('replay_floor_read_s'):.3f} s,"
      f" replay() {m('replay_floor_evaluated_s'):.3f} s; the ratio compares the two excluding their reads)")
PY
echo "(load at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
