#!/usr/bin/env bash
# The main job, from a clean clone on Debian 12: installs what it needs, builds, starts the local
# Zabbix sandbox (a real Zabbix 6.0 API on PostgreSQL, scripts/sandbox/zabbix.sh) and the Docker
# sandbox (dockerd with a Compose project and a swarm, scripts/sandbox/docker.sh), lists the
# plugins, backs up the sandbox's source Zabbix, lists and scales the demo Compose service and
# Swarm service (and back), runs the SDK's sample plugin and shows the history. Its history and
# backup live in .sandbox/ so a demo never mixes with your own. Running it twice works: the
# sandboxes are reused, the backup directory replaced whole and the services scaled back.
# Usage: scripts/run.sh      (the sandboxes keep running; scripts/sandbox/{zabbix,docker}.sh down stop them)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
build=build/run  # without the test suite: the main job needs only the product
concierge=$repo/$build/bin/concierge

bash scripts/install-deps.sh build
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCONCIERGE_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)"
bash scripts/sandbox/zabbix.sh up
bash scripts/sandbox/docker.sh compose-up
bash scripts/sandbox/docker.sh swarm-up

export CONCIERGE_HOME=${CONCIERGE_HOME:-$repo/.sandbox/home}
export CONCIERGE_PLUGIN_PATH=$repo/$build/lib/concierge/examples
eval "$(bash scripts/sandbox/zabbix.sh env source)"
backup_dir=$repo/.sandbox/zabbix-backup
step() { printf '\n\033[1m$ concierge %s\033[0m\n' "$*"; "$concierge" "$@"; }

step --version
step plugins
step zabbix-backup --config-dir "$backup_dir"
backup_run=$("$concierge" history --limit 1 --output json | sed -n 's/^\[{"id":\([0-9]*\).*/\1/p')
eval "$(bash scripts/sandbox/docker.sh env tls)"  # mutual TLS to the sandbox's engine on 127.0.0.1
export COMPOSE_PROJECT_NAME=$CONCIERGE_DEMO_PROJECT
step compose-ps
step compose-scale up web 1 2 --max 5
step compose-ps web
step compose-scale down web 3 2 --stop-timeout 2s
step swarm-scale concierge-demo-api --replicas 3
step swarm-scale down concierge-demo-api 3 2
step hello operator --times 2
step history --limit 10
step history show "$backup_run"

printf '\nBackup of %s in %s (run %s; `concierge history export %s --dir DIR` gives it back).\nHistory: %s/history.db\n' \
  "$ZBX_API_HOST" "$backup_dir" "$backup_run" "$backup_run" "$CONCIERGE_HOME"
