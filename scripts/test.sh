#!/usr/bin/env bash
# The whole test suite, from a clean clone on Debian 12: installs the packages it needs, builds a
# Release tree and an ASan+UBSan tree, and runs ctest in both. Real-service sandboxes it starts
# are stopped again on exit. Usage: scripts/test.sh   (as root, or with sudo available)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
jobs=$(nproc)
export CONCIERGE_SANDBOX_DIR=${CONCIERGE_SANDBOX_DIR:-$repo/.sandbox}

bash scripts/install-deps.sh build

zabbix_was_up=0 docker_was_up=0
bash scripts/sandbox/zabbix.sh status >/dev/null 2>&1 && zabbix_was_up=1
bash scripts/sandbox/docker.sh status >/dev/null 2>&1 && docker_was_up=1
cleanup() {
  ((zabbix_was_up)) || bash scripts/sandbox/zabbix.sh down >/dev/null 2>&1 || true
  ((docker_was_up)) || bash scripts/sandbox/docker.sh down >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== Release build and tests"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$jobs"
ctest --test-dir build/release --output-on-failure -j "$jobs"

echo "== ASan+UBSan build and tests"
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONCIERGE_SANITIZE=ON -DCONCIERGE_SANDBOX_TESTS=OFF >/dev/null
cmake --build build/asan -j "$jobs"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  ctest --test-dir build/asan --output-on-failure -j "$jobs" -LE install
