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
# Built against the installed SDK, it carries the installed core's ABI.
abi=$("$work/prefix/bin/concierge" --version | sed -n 's/.*plugin SDK ABI \([0-9.]*\).*/\1/p')
grep -q "\"name\":\"hello\",\"version\":\"1.0.0\",\"abi\":\"$abi\",\"status\":\"ok\"" <<<"$listed" ||
  fail "plugins does not list it as ok with ABI $abi: $listed"
"$work/prefix/bin/concierge" history show 1 | grep -q "greetings.json" || fail "its artifact is not in history"
# A plugin linking the shared Zabbix client finds libconcierge_zabbix.so from the install tree's
# plugin folder (RPATH $ORIGIN/../..), and the client's errors become exit codes.
libdir=$(dirname "$(ls "$work"/prefix/lib*/libconcierge_zabbix.so "$work"/prefix/lib/*/libconcierge_zabbix.so 2>/dev/null | head -1)")
[[ -f $libdir/libconcierge_zabbix.so ]] || fail "install lacks libconcierge_zabbix.so"
cmake -S "$source/tests/install/zabbix_probe" -B "$work/probe" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_PREFIX="$work/prefix" >/dev/null || fail "a plugin linking Concierge::zabbix does not configure"
cmake --build "$work/probe" >/dev/null || fail "a plugin linking Concierge::zabbix does not build"
# probe CONCIERGE_PLUGIN_PATH: runs the plugin against a closed port; expects exit 7 and no password.
probe() {
  local out rc
  set +e
  out=$(CONCIERGE_PLUGIN_PATH=$1 ZBX_API_HOST=http://127.0.0.1:1 ZBX_USER=probe ZBX_PASS=probe-secret \
    "$work/prefix/bin/concierge" zabbix-probe 2>&1)
  rc=$?
  set -e
  [[ $rc == 7 ]] || fail "zabbix-probe from ${1:-the plugin folder} against a closed port exited $rc, expected 7 (unreachable): $out"
  grep -q "cannot reach Zabbix at http://127.0.0.1:1/api_jsonrpc.php" <<<"$out" || fail "unexpected message: $out"
  if grep -q "probe-secret" <<<"$out"; then fail "the password shows: $out"; fi
}
probe "$work/probe"  # from its own build tree (CMake's build RPATH)
cmake --install "$work/probe" >/dev/null || fail "the plugin linking Concierge::zabbix does not install"
installed=$libdir/concierge/plugins/concierge-zabbix-probe.so
[[ -f $installed ]] || fail "the plugin did not install into $libdir/concierge/plugins"
readelf -d "$installed" | grep -q 'R.*PATH.*\[\$ORIGIN/\.\./\.\.\]' || fail "the installed plugin's RPATH is not \$ORIGIN/../..: $(readelf -d "$installed" | grep PATH)"
probe ""  # from the install tree's plugin folder ($ORIGIN/../.. is lib/)
echo "out_of_tree_plugin_test: ok"
