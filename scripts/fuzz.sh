#!/usr/bin/env bash
# Runs libFuzzer targets (tests/fuzz/README.md) in the clang tree build/fuzz, building what they need.
#   scripts/fuzz.sh TARGET [SECONDS]   one target, 300 s by default
#   scripts/fuzz.sh all [SECONDS]      every target, as many at once as there are cores (CI: 30 s each)
# Each run works on a fresh copy of tests/fuzz/corpus/TARGET (the checked-in corpus is never
# modified) and keeps what it found in build/fuzz/work/TARGET/; a crash, leak, UB report or
# timeout keeps its input as build/fuzz/crashes/TARGET-crash-* and fails the script (exit 1).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
targets=(json_scan backup_dir config_file blob_codec docker_answers zabbix_answers)
usage() { echo "usage: scripts/fuzz.sh TARGET|all [SECONDS]   (targets: ${targets[*]})" >&2; exit 2; }
(($# >= 1 && $# <= 2)) || usage
seconds=${2:-300}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || usage
if [[ $1 == all ]]; then
  chosen=("${targets[@]}")
elif [[ " ${targets[*]} " == *" $1 "* ]]; then
  chosen=("$1")
else
  usage
fi

build=build/fuzz
CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONCIERGE_FUZZ=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${chosen[@]/#/fuzz_}"

mkdir -p "$build/crashes"
run() {
  local target=$1 work=$build/work/$1
  rm -rf "$work" "$build/$target.failed"
  mkdir -p "$work"
  cp -r "tests/fuzz/corpus/$target/." "$work/"
  # Regression inputs run first, as seeds: each is a bug that must stay fixed.
  if "$build/bin/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$build/crashes/$target-" "$work" "tests/fuzz/regressions/$target" >"$build/$target.log" 2>&1; then
    echo "fuzz: $target: no crash in ${seconds} s ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$build/$target.log" | grep -o '[0-9]*$') runs)"
  else
    echo "fuzz: $target FAILED: $build/$target.log; the input is kept in $build/crashes/" >&2
    tail -n 40 "$build/$target.log" >&2
    touch "$build/$target.failed"
  fi
}

for target in "${chosen[@]}"; do
  # As many at once as there are cores; each target still gets its seconds of one core.
  while (($(jobs -rp | wc -l) >= $(nproc))); do wait -n || true; done
  run "$target" &
done
wait
for target in "${chosen[@]}"; do [[ ! -e $build/$target.failed ]] || exit 1; done
