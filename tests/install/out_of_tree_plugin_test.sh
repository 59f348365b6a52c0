#!/usr/bin/env bash
# The installed SDK is enough to build a plugin elsewhere: installs this build into a temporary
# prefix, builds sdk/examples/hello as a separate CMake project against it with find_package,
# and runs it through the installed concierge via CONCIERGE_PLUGIN_PATH.
# Usage: out_of_tree_plugin_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "out_of_tree_plugin_test: FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/prefix" >/dev/null
for f in bin/concierge include/concierge/sdk/sdk.hpp; do [[ -e $work/prefix/$f ]] || fail "install lacks $f"; done
ls "$work"/prefix/lib*/cmake/Concierge/ConciergeConfig.cmake >/dev/null 2>&1 || ls "$work"/prefix/lib/*/cmake/Concierge/ConciergeConfig.cmake >/dev/null || fail "install lacks the CMake package config"

cmake -S "$source/sdk/examples/hello" -B "$work/hello" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null ||
  fail "the example does not configure against the installed SDK"
cmake --build "$work/hello" >/dev/null || fail "the example does not build against the installed SDK"

export CONCIERGE_HOME=$work/home CONCIERGE_PLUGIN_PATH=$work/hello XDG_CONFIG_HOME=$work/config
out=$("$work/prefix/bin/concierge" hello installer --times 2) || fail "the out-of-tree plugin did not run: $out"
grep -q "hello, installer!" <<<"$out" || fail "unexpected output: $out"
listed=$("$work/prefix/bin/concierge" plugins --output json)
grep -q '"name":"hello","version":"1.0.0","abi":"1.0","status":"ok"' <<<"$listed" || fail "plugins does not list it as ok: $listed"
"$work/prefix/bin/concierge" history show 1 | grep -q "greetings.json" || fail "its artifact is not in history"
echo "out_of_tree_plugin_test: ok"
