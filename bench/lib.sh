# What the sandbox bench scripts (zabbix.sh, autoscale.sh) share; sourced, not run. The caller sets
# $tmp (a scratch directory) and $results (the "KEY VALUE" lines its table reads with
# hyperfine_results.Records). Sets $repo, the checkout this file is in.
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
record() { echo "$1 $2" >>"$results"; }  # record KEY VALUE
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$(now)"; }

timed() {  # timed CMD... -> "seconds peak_kb" on stdout, the command's output in $tmp/last.log
  /usr/bin/time -f "%e %M" -o "$tmp/time.txt" "$@" >"$tmp/last.log" 2>&1 || { echo "bench: failed: $*" >&2; cat "$tmp/last.log" >&2; exit 1; }
  cat "$tmp/time.txt"
}

clocked() {  # clocked CMD... -> wall-clock seconds to the millisecond (date +%N on both sides), the output in $tmp/last.log
  local start
  start=$(now)
  "$@" >"$tmp/last.log" 2>&1 || { echo "bench: failed: $*" >&2; cat "$tmp/last.log" >&2; exit 1; }
  elapsed "$start"
}

machine_line() {
  echo "machine: $(nproc) CPU(s), $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
}
