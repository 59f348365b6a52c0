#!/usr/bin/env bash
# zabbix-backup and zabbix-import side by side with their floors (the same Zabbix API calls made
# in-process, or by curl), against the real sandbox (scripts/sandbox/zabbix.sh), in one run; prints
# figures, ratios and each row's verdict against its target, never gates.
#   bash bench/zabbix.sh [BUILD_DIR]      (default build/release)
# Parts (BENCH_ZBX_PARTS, default all of them, in this order):
#   backup             full backup of 6.0 (source) and of 7.0 (v70), each vs the same calls made
#                      in-process (bench/zabbix_backup_floor.cpp), alternating (BENCH_ZBX_RUNS, default 3)
#   history            history storage of 10 backups of an unchanged server
#   restore            restores vs one raw configuration.import, once each (a raw import takes minutes)
#   restore-empty      restore into a destination without templates vs one raw configuration.import,
#                      alternating A B A B from the same database snapshot (BENCH_ZBX_RESTORE_RUNS,
#                      default 3: each pair takes minutes)
#   restore-unchanged  zabbix-import of a backup into its origin vs one zabbix-backup of it, alternating
#                      (BENCH_ZBX_RUNS)
#   backup-previous    backup with every kind (format 2) vs the previous version's backup
#                      (BENCH_ZBX_PREVIOUS, default 846b151, built in a temporary git worktree),
#                      alternating (BENCH_ZBX_RUNS)
# Also the sandbox's own ZBX_SANDBOX_* / CONCIERGE_SANDBOX_DIR. It resets the sandbox's instances
# (both end pristine). The earlier Python tool is not available here: its figures are the issue's
# (14.1 s backup; restore fails on 6.0) and are printed as quoted, not measured.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
build="${1:-build/release}"
runs="${BENCH_ZBX_RUNS:-3}"
restore_runs="${BENCH_ZBX_RESTORE_RUNS:-3}"
previous_rev="${BENCH_ZBX_PREVIOUS:-846b151}"
all_parts="backup history restore restore-empty restore-unchanged backup-previous"
parts=" ${BENCH_ZBX_PARTS:-$all_parts} "
for part in $parts; do
  [[ " $all_parts " == *" $part "* ]] || { echo "bench: unknown part '$part' in BENCH_ZBX_PARTS (any of: $all_parts)" >&2; exit 2; }
done
want() { [[ $parts == *" $1 "* ]]; }
sandbox=(bash "$repo/scripts/sandbox/zabbix.sh")

tmp="$(mktemp -d "${TMPDIR:-/tmp}/concierge-zbx-bench.XXXXXX")"
previous_dir="$tmp/previous"
cleanup() {  # every step runs, whatever fails before it
  set +e
  [[ -n ${snapshot_made:-} ]] && drop_snapshot 2>/dev/null
  [[ -d $previous_dir ]] && git -C "$repo" worktree remove --force "$previous_dir" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target concierge concierge-plugin-zabbix-backup concierge-plugin-zabbix-import zabbix-backup-floor -j 2 >/dev/null
exe="$(cd "$build" && pwd)/bin/concierge"
floor="$(cd "$build" && pwd)/bin/zabbix-backup-floor"
if want backup-previous; then  # the previous version's concierge and zabbix-backup, from a worktree
  { git -C "$repo" worktree add --detach "$previous_dir" "$previous_rev" &&
    cmake -S "$previous_dir" -B "$previous_dir/build" -DCMAKE_BUILD_TYPE=Release &&
    cmake --build "$previous_dir/build" --target concierge concierge-plugin-zabbix-backup -j 2; } >"$tmp/previous-build.log" 2>&1 ||
    { tail -n 30 "$tmp/previous-build.log" >&2; echo "bench: building $previous_rev failed" >&2; exit 1; }
  previous_exe="$previous_dir/build/bin/concierge"
fi
"${sandbox[@]}" up >/dev/null 2>&1 || "${sandbox[@]}" up
instance_url() { "${sandbox[@]}" env "$1" | sed -n 's/.*ZBX_API_HOST=\([^ ]*\).*/\1/p'; }
source_url=$(instance_url source)
dest_url=$(instance_url destination)
v70_url=$(instance_url v70)

export CONCIERGE_HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" ZBX_USER=Admin ZBX_PASS=zabbix
unset CONCIERGE_CONFIG CONCIERGE_PLUGIN_PATH
results="$tmp/results.txt"
: >"$results"
source "$repo/bench/lib.sh"  # record, now, elapsed, timed, clocked, machine_line

machine_line
echo "concierge: $("$exe" --version | head -n1); Zabbix sandbox: $source_url, $dest_url, $v70_url"
want backup-previous && echo "previous: $(git -C "$previous_dir" log -1 --format='%h %cs') ($("$previous_exe" --version | head -n1))"

# ---- raw API calls with curl ---------------------------------------------------------------------
rpc() {  # rpc URL METHOD PARAMS_JSON [TOKEN] -> the response
  local body
  body="{\"jsonrpc\":\"2.0\",\"method\":\"$2\",\"params\":$3,${4:+\"auth\":\"$4\",}\"id\":1}"
  curl -sS -H 'Content-Type: application/json-rpc' --data-binary @- "$1" <<<"$body"
}
login() { rpc "$1" user.login '{"username":"Admin","password":"zabbix"}' | sed -n 's/.*"result":"\([^"]*\)".*/\1/p'; }
logout() { rpc "$1" user.logout '[]' "$2" >/dev/null; }
rpc_file() {  # rpc_file URL PAYLOAD_FILE -> response on stdout
  curl -sS --max-time 3600 -H 'Content-Type: application/json-rpc' --data-binary @"$2" "$1"
}

# A raw configuration.import of a backup's templates.json, with the rules zabbix-import sends to 6.0.
rules='{"groups":{"createMissing":true,"updateExisting":true},"templates":{"createMissing":true,"updateExisting":true},"hosts":{"createMissing":true,"updateExisting":true},"templateLinkage":{"createMissing":true},"items":{"createMissing":true,"updateExisting":true},"triggers":{"createMissing":true,"updateExisting":true},"graphs":{"createMissing":true,"updateExisting":true},"discoveryRules":{"createMissing":true,"updateExisting":true},"httptests":{"createMissing":true,"updateExisting":true},"templateDashboards":{"createMissing":true,"updateExisting":true},"valueMaps":{"createMissing":true,"updateExisting":true}}'
import_payload() {  # import_payload TEMPLATES_JSON TOKEN OUT
  python3 - "$1" "$2" "$rules" >"$3" <<'PY'
import json, sys
source = open(sys.argv[1]).read()
print(json.dumps({"jsonrpc": "2.0", "method": "configuration.import", "id": 1, "auth": sys.argv[2],
                  "params": {"format": "json", "rules": json.loads(sys.argv[3]), "source": source}}))
PY
}
raw_import() {  # raw_import URL TEMPLATES_JSON -> seconds on stdout
  local token start answer
  token=$(login "$1")
  import_payload "$2" "$token" "$tmp/payload.json"
  start=$(now)
  answer=$(rpc_file "$1" "$tmp/payload.json")
  elapsed "$start"
  [[ $answer == *'"result":true'* ]] || echo "bench: raw import failed: ${answer:0:300}" >&2
  logout "$1" "$token"
}
delete_all_templates() {
  local token ids
  token=$(login "$1")
  ids=$(rpc "$1" template.get '{"output":["templateid"]}' "$token" | python3 -c 'import json,sys; print(json.dumps([t["templateid"] for t in json.load(sys.stdin)["result"]]))')
  rpc "$1" template.delete "$ids" "$token" >/dev/null
  logout "$1" "$token"
}

# The destination's database, snapshotted and put back as scripts/sandbox/zabbix.sh's reset does from
# its pristine template: CREATE DATABASE ... TEMPLATE (a file copy, about a second).
pg_port="${ZBX_SANDBOX_PG_PORT:-55432}"
dest_db=zabbix_destination      # the sandbox's database of the destination instance
snapshot_db=zabbix_bench_snapshot
sql() {
  PGOPTIONS="-c client_min_messages=warning" "${ZBX_SANDBOX_PG_BIN:+$ZBX_SANDBOX_PG_BIN/}psql" -X -q -At \
    -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c "$1"
}
copy_db() {  # copy_db FROM TO: TO becomes a copy of FROM (nobody may be connected to FROM)
  sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '$1' AND pid <> pg_backend_pid()" >/dev/null
  sql "DROP DATABASE IF EXISTS $2 WITH (FORCE)"
  sql "CREATE DATABASE $2 TEMPLATE $1 STRATEGY FILE_COPY"
}
snapshot_destination() { copy_db "$dest_db" "$snapshot_db"; snapshot_made=1; }
restore_snapshot() { copy_db "$snapshot_db" "$dest_db"; }
drop_snapshot() { sql "DROP DATABASE IF EXISTS $snapshot_db WITH (FORCE)"; snapshot_made=; }
template_count() {
  local token count
  token=$(login "$1")
  count=$(rpc "$1" template.get '{"countOutput":true}' "$token" | sed -n 's/.*"result":"\([0-9]*\)".*/\1/p')
  logout "$1" "$token"
  echo "$count"
}

# ---- 1. full backup of a pristine server ---------------------------------------------------------
"${sandbox[@]}" reset all >/dev/null 2>&1
ZBX_API_HOST=$source_url "$exe" zabbix-backup -d "$tmp/backup" --quiet >/dev/null  # the restores' backup
if want backup; then
for version in 60 70; do  # the key's version; 6.0 is the source instance, 7.0 the v70 one
  if [[ $version == 60 ]]; then name=source url=$source_url; else name=v70 url=$v70_url; fi
  echo
  echo "== full backup of the pristine $name (Zabbix ${version:0:1}.${version:1}) vs its in-process floor ($runs runs each," \
    "alternating, after one untimed each: the backups after the first store deltas in history)"
  backup=(env ZBX_API_HOST="$url" "$exe" zabbix-backup -d "$tmp/backup-$version" --quiet)
  timed "${backup[@]}" >/dev/null
  timed "$floor" "$url" >/dev/null
  for run in $(seq "$runs"); do
    read -r seconds kb < <(timed "${backup[@]}")
    record "backup_${version}_s" "$seconds"
    record "backup_${version}_rss_bytes" "$((kb * 1024))"
    read -r floor_seconds floor_kb < <(timed "$floor" "$url")
    record "floor_${version}_s" "$floor_seconds"
    echo "  run $run: concierge $seconds s (peak RSS $((kb * 1024 / 1000000)) MB)," \
      "floor $floor_seconds s (peak RSS $((floor_kb * 1024 / 1000000)) MB; $(cat "$tmp/last.log"))"
  done
  record "export_${version}_bytes" "$(stat -c %s "$tmp/backup-$version/templates.json")"
done
fi
record backup_bytes "$(du -cb "$tmp/backup"/*.json | tail -n1 | cut -f1)"

# ---- 2. history storage of backups of an unchanged server ----------------------------------------
if want history; then
echo "== history: 10 backups of the unchanged source into a fresh history"
db_bytes() {
  sqlite3 "$1" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
  du -cb "$1"* | tail -n1 | cut -f1
}
export CONCIERGE_HOME="$tmp/home-storage"
for i in $(seq 10); do
  ZBX_API_HOST=$source_url "$exe" zabbix-backup -d "$tmp/storage-backup" --quiet >/dev/null
  if [[ $i == 1 ]]; then
    record history_one_bytes "$(db_bytes "$CONCIERGE_HOME/history.db")"
    record blob_bytes_one "$(sqlite3 "$CONCIERGE_HOME/history.db" 'SELECT sum(length(data)) FROM blobs')"
  fi
done
record history_ten_bytes "$(db_bytes "$CONCIERGE_HOME/history.db")"
record blobs_ten "$(sqlite3 "$CONCIERGE_HOME/history.db" 'SELECT count(*) || "/" || sum(length(data)) FROM blobs')"
export CONCIERGE_HOME="$tmp/home"
fi

# ---- 3. restore an unchanged backup into the server it came from ---------------------------------
if want restore; then
echo "== restore the unchanged backup into its origin (the source)"
read -r seconds kb < <(ZBX_API_HOST=$source_url timed "$exe" zabbix-import -d "$tmp/backup")
record restore_origin_s "$seconds"
record restore_origin_rss_kb "$kb"
sed 's/^/  /' "$tmp/last.log"
record raw_origin_s "$(raw_import "$source_url" "$tmp/backup/templates.json")"

# ---- 4. restore into a pristine destination, and into one without templates ---------------------
echo "== restore into the pristine destination"
"${sandbox[@]}" reset destination >/dev/null 2>&1
read -r seconds kb < <(ZBX_API_HOST=$dest_url timed "$exe" zabbix-import -d "$tmp/backup")
record restore_pristine_s "$seconds"
sed 's/^/  /' "$tmp/last.log"
"${sandbox[@]}" reset destination >/dev/null 2>&1
record raw_pristine_s "$(raw_import "$dest_url" "$tmp/backup/templates.json")"

echo "== restore into a destination whose templates were all deleted (every template created)"
"${sandbox[@]}" reset destination >/dev/null 2>&1
delete_all_templates "$dest_url"
read -r seconds kb < <(ZBX_API_HOST=$dest_url timed "$exe" zabbix-import -d "$tmp/backup")
record restore_empty_s "$seconds"
record restore_empty_rss_kb "$kb"
sed 's/^/  /' "$tmp/last.log"
"${sandbox[@]}" reset destination >/dev/null 2>&1
delete_all_templates "$dest_url"
record raw_empty_s "$(raw_import "$dest_url" "$tmp/backup/templates.json")"
"${sandbox[@]}" reset all >/dev/null 2>&1
fi

# ---- 5. restore into a destination without templates, A B A B from one snapshot -----------------
if want restore-empty; then
echo "== restore into a destination without templates, from one snapshot ($restore_runs runs each, alternating:" \
  "restores take minutes, $restore_runs runs are enough)"
"${sandbox[@]}" reset destination >/dev/null 2>&1
delete_all_templates "$dest_url"
left=$(template_count "$dest_url")
[[ $left == 0 ]] || { echo "bench: template.delete left ${left:-?} templates at the destination" >&2; exit 1; }
snapshot_destination
for run in $(seq "$restore_runs"); do
  restore_snapshot
  read -r seconds kb < <(ZBX_API_HOST=$dest_url timed "$exe" zabbix-import --config-dir "$tmp/backup")
  record empty_restore_s "$seconds"
  record empty_restore_rss_kb "$kb"
  if [[ $run == 1 ]]; then sed 's/^/    /' "$tmp/last.log"; fi
  restore_snapshot
  raw=$(raw_import "$dest_url" "$tmp/backup/templates.json")
  record empty_raw_s "$raw"
  echo "  run $run: concierge $seconds s, raw configuration.import $raw s"
done
drop_snapshot
"${sandbox[@]}" reset destination >/dev/null 2>&1
fi

# ---- 6. an unchanged restore (nothing to write) vs one backup of the same server -----------------
if want restore-unchanged; then
echo "== unchanged restore into its origin vs one backup of it ($runs runs each, alternating)"
for run in $(seq "$runs"); do
  read -r seconds kb < <(ZBX_API_HOST=$source_url timed "$exe" zabbix-import --config-dir "$tmp/backup")
  record unchanged_restore_s "$seconds"
  if [[ $run == 1 ]]; then sed 's/^/    /' "$tmp/last.log"; fi
  read -r backup_seconds kb < <(ZBX_API_HOST=$source_url timed "$exe" zabbix-backup -d "$tmp/backup-again" --quiet)
  record unchanged_backup_s "$backup_seconds"
  echo "  run $run: zabbix-import $seconds s, zabbix-backup $backup_seconds s"
done
fi

# ---- 7. backup with every kind (format 2) vs the previous version's backup ------------------------
if want backup-previous; then
echo "== backup of the pristine source, every kind vs $previous_rev's ($runs runs each, alternating, after one untimed each)"
"${sandbox[@]}" reset all >/dev/null 2>&1
# Each version keeps its own history; after the untimed first backup both store deltas.
new_backup=(env CONCIERGE_HOME="$tmp/home-format2" ZBX_API_HOST="$source_url" "$exe" zabbix-backup -d "$tmp/backup-format2" --quiet)
old_backup=(env CONCIERGE_HOME="$tmp/home-previous" ZBX_API_HOST="$source_url" "$previous_exe" zabbix-backup -d "$tmp/backup-previous" --quiet)
timed "${new_backup[@]}" >/dev/null
timed "${old_backup[@]}" >/dev/null
for run in $(seq "$runs"); do
  read -r seconds kb < <(timed "${new_backup[@]}")
  record format2_backup_s "$seconds"
  record format2_backup_rss_kb "$kb"
  read -r old_seconds old_kb < <(timed "${old_backup[@]}")
  record previous_backup_s "$old_seconds"
  record previous_backup_rss_kb "$old_kb"
  echo "  run $run: every kind $seconds s, $previous_rev $old_seconds s"
done
for dir in format2 previous; do
  echo "  $dir: $(ls "$tmp/backup-$dir" | wc -l) files, $(du -cb "$tmp/backup-$dir"/* | tail -n1 | cut -f1) bytes"
done
fi

python3 - "$results" "$repo/bench" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from hyperfine_results import Records, print_verdicts
values = Records(sys.argv[1])
num = values.median
def row(label, mine, mine_unit, ref, ref_label, target, scale=1.0):
    """A table row, or None when its part did not run."""
    if mine not in values or ref not in values:
        return None
    m, r = num(mine) / scale, num(ref) / scale
    return (label, f"{m:.2f} {mine_unit}", ref_label.format(r), m / r, target)
def quoted(label, mine, figure, target):
    return None if mine not in values else (label, f"{num(mine):.2f} s", f"{figure} s (quoted)", num(mine) / figure, target)
rows = [r for version in ("60", "70") for r in [
    row(f"full backup, Zabbix {version[0]}.{version[1]} (median, alternating)", f"backup_{version}_s", "s",
        f"floor_{version}_s", "in-process floor: {:.2f} s", "<= 1.1x"),
    quoted("  vs the earlier tool (issue's figure, 6.0, not measured here)", "backup_60_s", 14.1, "~0.4x")
    if version == "60" else None,
    row(f"backup peak RSS, Zabbix {version[0]}.{version[1]}", f"backup_{version}_rss_bytes", "MB",
        f"export_{version}_bytes", "templates.json {:.1f} MB", "<= 3x", 1e6),
] if r] + [r for r in [
    row("history, 10 backups of an unchanged server", "history_ten_bytes", "MB", "history_one_bytes", "one backup: {:.2f} MB", "<= 1.2x", 1e6),
    row("history, one backup's compressed blobs", "blob_bytes_one", "MB", "backup_bytes", "its raw JSON: {:.2f} MB", "<= 0.12x", 1e6),
    row("restore unchanged backup into its origin", "restore_origin_s", "s", "raw_origin_s", "raw configuration.import: {:.2f} s", "<= 0.10x"),
    row("restore into a pristine destination", "restore_pristine_s", "s", "raw_pristine_s", "raw configuration.import: {:.2f} s", "<= 1.1x"),
    row("restore into a destination without templates", "restore_empty_s", "s", "raw_empty_s", "raw configuration.import: {:.2f} s", "<= 1.1x"),
    row("restore, destination without templates (median, alternating)", "empty_restore_s", "s", "empty_raw_s",
        "one raw configuration.import: {:.2f} s", "<= 0.7x"),
    row("unchanged restore into its origin (median, alternating)", "unchanged_restore_s", "s", "unchanged_backup_s",
        "one zabbix-backup of it: {:.2f} s", "<= 1.3x"),
    row("backup, every kind (median, alternating)", "format2_backup_s", "s", "previous_backup_s",
        "previous version's backup: {:.2f} s", "<= 1.1x"),
] if r]
print_verdicts(rows)
for key, label in (("restore_origin_rss_kb", "into its origin"), ("restore_empty_rss_kb", "into a destination without templates"),
                   ("empty_restore_rss_kb", "into a destination without templates, median")):
    if key in values:
        print(f"(zabbix-import peak RSS, {label}: {num(key) / 1024:.1f} MB)")
if "format2_backup_rss_kb" in values and "previous_backup_rss_kb" in values:
    print(f"(zabbix-backup peak RSS, median: every kind {num('format2_backup_rss_kb') / 1024:.1f} MB, "
          f"previous version {num('previous_backup_rss_kb') / 1024:.1f} MB)")
if "blobs_ten" in values:
    print(f"\n(history blobs after 10 backups: {values['blobs_ten'][0]} count/bytes)")
if any(k in values for k in ("restore_origin_s", "empty_restore_s", "unchanged_restore_s")):
    print("(the earlier tool's restore fails on 6.0 (issue, domain.md): no restore figure to compare)")
PY
echo "(load at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
