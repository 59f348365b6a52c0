#!/usr/bin/env bash
# The main job, from a clean clone on Debian 12: installs what it needs, builds, starts the local
# Zabbix sandbox (a real Zabbix 6.0 API on PostgreSQL, scripts/sandbox/zabbix.sh), lists the
# plugins, backs up the sandbox's source Zabbix, restores that backup (from history) into the
# sandbox's destination Zabbix, runs the SDK's sample plugin and shows the history. Its history and backup live in .sandbox/ so a demo never mixes with your own.
# Running it twice works: the sandbox is reused and the backup directory replaced whole.
# Usage: scripts/run.sh      (the sandbox keeps running; scripts/sandbox/zabbix.sh down stops it)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
build=build/run  # without the test suite: the main job needs only the product
concierge=$repo/$build/bin/concierge

bash scripts/install-deps.sh build
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCONCIERGE_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)"
bash scripts/sandbox/zabbix.sh up

export CONCIERGE_HOME=${CONCIERGE_HOME:-$repo/.sandbox/home}
export CONCIERGE_PLUGIN_PATH=$repo/$build/examples/plugins
eval "$(bash scripts/sandbox/zabbix.sh env source)"
backup_dir=$repo/.sandbox/zabbix-backup
step() { printf '\n\033[1m$ concierge %s\033[0m\n' "$*"; "$concierge" "$@"; }

step --version
step plugins
step zabbix-backup --config-dir "$backup_dir"
backup_run=$("$concierge" history --limit 1 --output json | sed -n 's/^\[{"id":\([0-9]*\).*/\1/p')
# The restore: the same backup, read back from history, into the other instance. A second run
# of the main job finds it there already and writes nothing.
eval "$(bash scripts/sandbox/zabbix.sh env destination)"
step zabbix-import --from-run "$backup_run"
step hello operator --times 2
step history --limit 5
step history show "$backup_run"

printf '\nBackup of the source Zabbix in %s (run %s; `concierge history export %s --dir DIR` gives it back), restored into %s.\nHistory: %s/history.db\n' \
  "$backup_dir" "$backup_run" "$backup_run" "$ZBX_API_HOST" "$CONCIERGE_HOME"
