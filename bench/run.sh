#!/usr/bin/env bash
# Side-by-side benchmarks for the foundation targets; see bench/README.md.
#   bash bench/run.sh [BUILD_DIR]      (default build/release)
# Builds `concierge` and the five no-op plugins in Release, times them with hyperfine next to a
# reference command, and prints a table. Exits non-zero only when something fails to build or run:
# a missed target is reported as "over target", never as an error.
# Env knobs: BENCH_RUNS (default 50), BENCH_WARMUP (default 5), BENCH_ROWS (default 100000).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
build="${1:-build/release}"
runs="${BENCH_RUNS:-50}"
warmup="${BENCH_WARMUP:-5}"
rows="${BENCH_ROWS:-100000}"

bash scripts/install-deps.sh build
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target concierge bench-plugins -j "$(nproc)" >/dev/null

build="$(cd "$build" && pwd)"
exe="$build/bin/concierge"
plugins="$build/bench/plugins"
[[ -x "$exe" ]] || { echo "bench: $exe was not built" >&2; exit 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/concierge-bench.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
results="$tmp/results"
mkdir -p "$results" "$tmp/config" "$tmp/home-start" "$tmp/home-record" "$tmp/home-history"

# Nothing from the user's environment: a fresh history, no config file, only our plugins.
export XDG_CONFIG_HOME="$tmp/config"
export XDG_STATE_HOME="$tmp/state"
unset CONCIERGE_CONFIG CONCIERGE_PLUGIN_PATH
cpu="$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
load="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(nproc) CPU(s), ${cpu:-unknown CPU}, $(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ), load average $load"
if python3 -c "import os, sys; sys.exit(0 if os.getloadavg()[0] > os.cpu_count() / 2 else 1)"; then
  echo "note: the machine is busy (load $load on $(nproc) CPUs): wall-clock medians include waiting for a CPU;"
  echo "      the cpu column (user+system) is the steadier figure"
fi
echo "concierge: $("$exe" --version)"
echo "hyperfine: $(hyperfine --version), sqlite3 $(sqlite3 --version | cut -d' ' -f1), $(python3 --version)"
echo

hf() {  # hf NAME COMMAND... : hyperfine, no shell in between, results in $results/NAME.json
  local name="$1"; shift
  echo "== $name"
  hyperfine -N --style basic --warmup "$warmup" --runs "$runs" --export-json "$results/$name.json" "$@"
  echo
}

# 1. Cold start: --version, and `plugins` listing (loading) five plugins; python3 as a reference.
count="$(CONCIERGE_HOME="$tmp/home-start" CONCIERGE_PLUGIN_PATH="$plugins" "$exe" plugins --output json |
  python3 -c 'import json, sys; print(len(json.load(sys.stdin)))' 2>/dev/null || echo "?")"
echo "plugins listed by 'concierge plugins': $count"
CONCIERGE_HOME="$tmp/home-start" CONCIERGE_PLUGIN_PATH="$plugins" hf startup \
  -n "concierge --version" "$exe --version" \
  -n "concierge plugins" "$exe plugins" \
  -n "python3 -c pass" "python3 -c pass"

# 2. Recording overhead: a no-op plugin's full run minus --version, in one hyperfine invocation.
CONCIERGE_HOME="$tmp/home-record" CONCIERGE_PLUGIN_PATH="$plugins" "$exe" noop-1 >/dev/null
CONCIERGE_HOME="$tmp/home-record" CONCIERGE_PLUGIN_PATH="$plugins" hf record \
  -n "concierge noop-1" "$exe noop-1" \
  -n "concierge --version" "$exe --version"

# 3. History listing on $rows runs, beside the sqlite3 CLI running the store's query raw.
db="$tmp/home-history/history.db"
CONCIERGE_HOME="$tmp/home-history" CONCIERGE_PLUGIN_PATH="$plugins" "$exe" noop-1 >/dev/null  # creates the schema
start=$(date +%s)
sqlite3 "$db" <<SQL
DELETE FROM runs;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < $rows)
INSERT INTO runs (plugin, plugin_version, arguments, started_at, ended_at, status, exit_code, summary, error,
                  host, user, pid, pid_start)
SELECT 'noop-' || (x % 5 + 1), '1.0.' || (x % 3),
       CASE WHEN x % 4 = 0 THEN '["--target","host-' || (x % 17) || '"]' ELSE '[]' END,
       1767225600000 + x * 60000 + (x * 7919) % 30000,
       1767225600000 + x * 60000 + (x * 7919) % 30000 + (x * 104729) % 5000,
       CASE WHEN x % 50 = 0 THEN 'failed' WHEN x % 333 = 0 THEN 'interrupted' ELSE 'succeeded' END,
       CASE WHEN x % 50 = 0 THEN 1 WHEN x % 333 = 0 THEN 130 ELSE 0 END,
       'run ' || x || ' did nothing',
       CASE WHEN x % 50 = 0 THEN 'failed on purpose' ELSE '' END,
       'bench-host', 'bench', 1000 + x % 30000, 'start-' || x
FROM n;
SQL
echo "history database: $(sqlite3 "$db" 'SELECT count(*) FROM runs') runs, $(du -h "$db" | cut -f1), filled in $(( $(date +%s) - start )) s"
query="SELECT id, plugin, plugin_version, arguments, started_at, ended_at, status, exit_code, summary, error, host, user, pid, pid_start FROM runs WHERE 1 ORDER BY started_at DESC, id DESC LIMIT 50"
[[ "$(CONCIERGE_HOME="$tmp/home-history" "$exe" history --limit 50 | wc -l)" -eq 51 ]] ||
  { echo "bench: 'concierge history --limit 50' did not list 50 runs" >&2; exit 1; }
CONCIERGE_HOME="$tmp/home-history" hf history \
  -n "concierge history --limit 50" "$exe history --limit 50" \
  -n "sqlite3 (raw query)" "sqlite3 -readonly $db '$query'"

# The table: only parsing hyperfine's JSON and printing.
python3 - "$results" "$repo/bench" <<'PY'
import sys

sys.path.insert(0, sys.argv[2])
from hyperfine_results import print_table, result as result_in

d = sys.argv[1]
def result(file, name):
    return result_in(d, file, name)

def med(file, name):  # wall-clock median, ms
    return result(file, name)["median"] * 1000.0

def cpu(file, name):  # mean user + system time, ms
    r = result(file, name)
    return (r["user"] + r["system"]) * 1000.0

version = med("startup", "concierge --version")
plugins = med("startup", "concierge plugins")
python = med("startup", "python3 -c pass")
history = med("history", "concierge history --limit 50")
raw = med("history", "sqlite3 (raw query)")
noop = med("record", "concierge noop-1")
version_rec = med("record", "concierge --version")
overhead = noop - version_rec

rows = [
    # benchmark, median ms, cpu ms, target ms, reference name, reference ms
    ("concierge --version (cold start)", version, cpu("startup", "concierge --version"), 10, "python3 -c pass", python),
    ("concierge plugins (5 plugins)", plugins, cpu("startup", "concierge plugins"), 10, "python3 -c pass", python),
    ("concierge history --limit 50 (100k runs)", history, cpu("history", "concierge history --limit 50"), 30,
     "sqlite3 raw query", raw),
    ("recording overhead (noop-1 - --version)", overhead,
     cpu("record", "concierge noop-1") - cpu("record", "concierge --version"), 2, "concierge --version", version_rec),
]
print()
header = ("benchmark", "median", "cpu", "target", "reference", "ref median", "ratio", "verdict")
lines = [(b, f"{m:.2f} ms", f"{c:.2f} ms", f"<= {t} ms", rn, f"{rm:.2f} ms", f"{m / rm:.2f}x",
          "within target" if m <= t else "over target")
         for b, m, c, t, rn, rm in rows]
print_table(header, lines)
print(f"\n(recording overhead: median noop-1 {noop:.2f} ms - median --version {version_rec:.2f} ms, same hyperfine run;"
      f" ratio = median / reference median; cpu = mean user+system time, the verdict uses the wall-clock median)")
PY
