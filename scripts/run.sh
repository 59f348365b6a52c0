#!/usr/bin/env bash
# The main job, from a clean clone on Debian 12, the whole story against the local sandbox:
#   1. install what it needs, build, and bring up a real Zabbix 6.0 source and destination
#      (scripts/sandbox/zabbix.sh) and a real dockerd with a Compose project and a swarm service
#      (scripts/sandbox/docker.sh, reached over mutual TLS);
#   2. back up the source Zabbix;  3. restore that backup, read back from history, into the
#   destination;  4. list the Compose project;  5. scale its web service up and down;
#   6. scale the swarm service up and down;  7. show the history and a short summary.
# History and backup live in .sandbox/ so a demo never mixes with your own. Running it twice works:
# the sandboxes are reused, the backup directory is replaced whole, the restore finds nothing to
# change, and the services end where they started.
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
backup_dir=$repo/.sandbox/zabbix-backup
step() { printf '\n\033[1m$ concierge %s\033[0m\n' "$*"; "$concierge" "$@"; }
last_run() { "$concierge" history --limit 1 --output json | sed -n 's/^\[{"id":\([0-9]*\).*/\1/p'; }
first_run=$(( $(last_run || echo 0) + 1 ))

step --version
step plugins

eval "$(bash scripts/sandbox/zabbix.sh env source)"
source_api=$ZBX_API_HOST
step zabbix-backup --config-dir "$backup_dir"
backup_run=$(last_run)

# The restore reads the backup back from history; a second main job finds nothing to change.
eval "$(bash scripts/sandbox/zabbix.sh env destination)"
destination_api=$ZBX_API_HOST
step zabbix-import --from-run "$backup_run"
import_run=$(last_run)

eval "$(bash scripts/sandbox/docker.sh env tls)"  # mutual TLS to the sandbox's engine on 127.0.0.1
export COMPOSE_PROJECT_NAME=$CONCIERGE_DEMO_PROJECT
step compose-ps
step compose-scale web --replicas 3 --max 5
step compose-ps web
step compose-scale down web 3 2 --stop-timeout 2s   # the earlier tool's shape: checked against the engine
step swarm-scale concierge-demo-api --replicas 3
step swarm-scale down concierge-demo-api 3 2
step hello operator --times 1

step history --since 1h --limit 12
runs=$(( $(last_run) - first_run + 1 ))
failed=$("$concierge" history --limit "$runs" --output json | grep -o '"status":"failed"' | wc -l || true)

printf '\n\033[1mSummary\033[0m\n'
printf '  backup    %s -> %s (run %s; `concierge history export %s --dir DIR` gives it back)\n' \
  "$source_api" "$backup_dir" "$backup_run" "$backup_run"
printf '  restore   run %s -> %s (`concierge history show %s` lists each step)\n' "$backup_run" "$destination_api" "$import_run"
printf '  compose   %s/web scaled 1 -> 3 -> 1; swarm concierge-demo-api 1 -> 3 -> 1, over mutual TLS to %s\n' \
  "$CONCIERGE_DEMO_PROJECT" "$DOCKER_HOST"
printf '  history   %s runs recorded by this job, %s failed; database %s/history.db\n' "$runs" "$failed" "$CONCIERGE_HOME"
