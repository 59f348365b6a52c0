#!/usr/bin/env bash
# Side-by-side benchmarks of compose-ps, compose-scale and swarm-scale against the real Docker
# sandbox (scripts/sandbox/docker.sh), each beside its peer tool and the Engine API floor done with
# curl, in one hyperfine invocation per case; prints medians and ratios. See bench/README.md.
#   bash bench/docker.sh [BUILD_DIR]      (default build/release)
# Env knobs: BENCH_DOCKER_RUNS (default 5), BENCH_DOCKER_WARMUP (default 1), BENCH_PS_RUNS (default 20).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
build="${1:-build/release}"
runs="${BENCH_DOCKER_RUNS:-5}"
warmup="${BENCH_DOCKER_WARMUP:-1}"
ps_runs="${BENCH_PS_RUNS:-20}"

bash scripts/install-deps.sh build docker
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target concierge concierge-plugin-compose-ps concierge-plugin-compose-scale \
  concierge-plugin-swarm-scale -j "$(nproc)" >/dev/null
build="$(cd "$build" && pwd)"
exe="$build/bin/concierge"

bash scripts/sandbox/docker.sh compose-up
bash scripts/sandbox/docker.sh swarm-up
eval "$(bash scripts/sandbox/docker.sh env)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/concierge-docker-bench.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
results="$tmp/results"
mkdir -p "$results" "$tmp/config" "$tmp/bodies"
export XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state" CONCIERGE_HOME="$tmp/home" CONCIERGE_LOCK_DIR="$tmp/locks"
unset CONCIERGE_CONFIG CONCIERGE_PLUGIN_PATH COMPOSE_PROJECT_NAME
export SOCK="$CONCIERGE_DOCKER_SOCKET" PROJECT="$CONCIERGE_DEMO_PROJECT" SERVICE=concierge-demo-api CONCIERGE="$exe"
compose_file="$CONCIERGE_DEMO_COMPOSE_FILE"
compose="docker-compose -p $PROJECT -f $compose_file --project-directory $(dirname "$compose_file")"
ops="bash $repo/bench/docker/ops.sh"

echo "machine: $(nproc) CPU(s), $(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "engine: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})'), $(docker-compose version --short 2>/dev/null | head -1 | sed 's/^/docker-compose /'), hyperfine $(hyperfine --version | cut -d' ' -f2)"
echo

hf() {  # hf NAME RUNS PREPARE COMMAND-PAIRS... : hyperfine, results in $results/NAME.json
  local name=$1 n=$2 prepare=$3; shift 3
  echo "== $name"
  local args=()
  [[ -n $prepare ]] && args+=(--prepare "$prepare")
  hyperfine -N --style basic --warmup "$warmup" --runs "$n" "${args[@]}" --export-json "$results/$name.json" "$@"
  echo
}

# Every scale case starts from the same state, set before each run (not timed).
$ops compose-web 1
$ops bodies "$tmp/bodies"
hf compose-up "$runs" "$ops compose-web 1" \
  -n "concierge compose-scale 1->10" "$exe compose-scale web --replicas 10 --project $PROJECT" \
  -n "API floor (curl, parallel)" "$ops floor-up $tmp/bodies" \
  -n "docker-compose up --scale web=10" "$compose up -d --no-recreate --scale web=10"

hf compose-down "$runs" "$ops compose-web 10" \
  -n "concierge compose-scale 10->1" "$exe compose-scale web --replicas 1 --project $PROJECT" \
  -n "API floor (curl, parallel)" "$ops floor-down" \
  -n "docker-compose up --scale web=1" "$compose up -d --no-recreate --scale web=1"
$ops compose-web 1

hf swarm-up "$runs" "$ops swarm-reset 1" \
  -n "concierge swarm-scale 1->10 (wait)" "$exe swarm-scale $SERVICE --replicas 10" \
  -n "API floor (update + poll tasks)" "$ops swarm-floor 10" \
  -n "docker service scale =10" "docker service scale $SERVICE=10"
$ops swarm-reset 1

hf compose-ps "$ps_runs" "" \
  -n "concierge compose-ps" "$exe compose-ps --project $PROJECT" \
  -n "docker-compose ps" "$compose ps"

python3 - "$results" "$repo/bench" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from hyperfine_results import print_table, result

def med(file, name):
    return result(sys.argv[1], file, name)["median"]

rows = [
    # case, ours, reference, target ratio (None: printed only)
    ("compose-scale 1->10", ("compose-up", "concierge compose-scale 1->10"), ("compose-up", "API floor (curl, parallel)"), 1.15),
    ("compose-scale 1->10", ("compose-up", "concierge compose-scale 1->10"), ("compose-up", "docker-compose up --scale web=10"), None),
    ("compose-scale 10->1", ("compose-down", "concierge compose-scale 10->1"), ("compose-down", "docker-compose up --scale web=1"), 0.75),
    ("compose-scale 10->1", ("compose-down", "concierge compose-scale 10->1"), ("compose-down", "API floor (curl, parallel)"), None),
    ("swarm-scale 1->10 (wait)", ("swarm-up", "concierge swarm-scale 1->10 (wait)"), ("swarm-up", "API floor (update + poll tasks)"), 1.10),
    ("swarm-scale 1->10 (wait)", ("swarm-up", "concierge swarm-scale 1->10 (wait)"), ("swarm-up", "docker service scale =10"), None),
    ("compose-ps", ("compose-ps", "concierge compose-ps"), ("compose-ps", "docker-compose ps"), 0.10),
]
header = ("case", "ours", "reference", "ref median", "ratio", "target", "verdict")
lines = []
for case, ours, ref, target in rows:
    o, r = med(*ours), med(*ref)
    ratio = o / r
    lines.append((case, f"{o:.3f} s", ref[1], f"{r:.3f} s", f"{ratio:.2f}x",
                  f"<= {target:.2f}x" if target else "-",
                  ("within target" if ratio <= target else "over target") if target else "-"))
print()
print_table(header, lines)
print("\n(medians of hyperfine runs; ratio = ours / reference, both timed in the same hyperfine invocation)")
PY
