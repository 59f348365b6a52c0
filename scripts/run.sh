#!/usr/bin/env bash
# The main job, from a clean clone on Debian 12: installs what it needs, builds, lists the plugins,
# runs the SDK's sample plugin and shows the history. The Zabbix and Docker plugins will run here
# against the local sandbox. Its history lives in .sandbox/home so a demo never mixes with yours.
# Usage: scripts/run.sh
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
build=build/run  # without the test suite: the main job needs only the product
concierge=$build/bin/concierge

bash scripts/install-deps.sh build
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCONCIERGE_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)"

export CONCIERGE_HOME=${CONCIERGE_HOME:-$repo/.sandbox/home}
export CONCIERGE_PLUGIN_PATH=$repo/$build/examples/plugins
step() { printf '\n\033[1m$ concierge %s\033[0m\n' "$*"; "$concierge" "$@"; }

step --version
step plugins
step hello operator --times 2
step history --limit 5
run_id=$("$concierge" history --limit 1 --output json | sed -n 's/^\[{"id":\([0-9]*\).*/\1/p')
step history show "$run_id"

printf '\nHistory: %s/history.db (run %s kept greetings.json; `concierge history export %s --dir DIR` writes it back)\n' \
  "$CONCIERGE_HOME" "$run_id" "$run_id"
