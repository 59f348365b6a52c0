#!/usr/bin/env bash
# `concierge plugin new` writes a project that builds and loads as generated: scaffolds a plugin
# with the installed (and moved) concierge, builds it against that install as a separate CMake
# project, runs it through CONCIERGE_PLUGIN_PATH and finds its run and artifact in history.
# Usage: plugin_new_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
test_name=plugin_new_test
build=$1 source=$2
. "$source/tests/install/install_tree.sh"
install_relocated "$build"

out=$("$concierge" plugin new disk-report --dir "$work/disk-report") || fail "plugin new failed: $out"
for f in CMakeLists.txt src/disk-report.cpp README.md; do
  [[ -s $work/disk-report/$f ]] || fail "plugin new did not write $f"
  if grep -q "@[A-Z_]*@" "$work/disk-report/$f"; then fail "$f keeps a template placeholder: $(grep "@[A-Z_]*@" "$work/disk-report/$f")"; fi
done
grep -q -- "-DCMAKE_PREFIX_PATH=$prefix" <<<"$out" || fail "plugin new does not say how to build against $prefix: $out"

build_with_cmake "$work/disk-report" "$work/disk-report/build"
export CONCIERGE_PLUGIN_PATH=$work/disk-report/build
help=$("$concierge" disk-report --help) || fail "disk-report --help failed: $help"
grep -q -- "--target" <<<"$help" && grep -q "DISK_REPORT_GREETING" <<<"$help" || fail "its --help lacks the declared option: $help"
table=$("$concierge" disk-report servers) || fail "the generated plugin did not run: $table"
[[ $table == "TARGET    MESSAGE
servers   hello from disk-report
disk-report greeted servers" ]] || fail "unexpected output: $table"
json=$(DISK_REPORT_GREETING=hi "$concierge" disk-report --output json racks) || fail "the generated plugin did not run with --output json: $json"
[[ $json == '[{"target":"racks","message":"hi from disk-report"}]' ]] || fail "unexpected JSON: $json"

runs=$("$concierge" history --plugin disk-report --output json)
[[ $(grep -o '"status":"succeeded"' <<<"$runs" | wc -l) == 2 ]] || fail "history lacks its two successful runs: $runs"
"$concierge" history export 2 --dir "$work/export" >/dev/null || fail "history export of its run failed"
[[ $(<"$work/export/result.json") == "$json" ]] || fail "its artifact is not what it printed: $(<"$work/export/result.json")"
echo "$test_name: ok"
