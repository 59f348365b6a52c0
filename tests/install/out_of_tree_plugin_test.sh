#!/usr/bin/env bash
# The installed SDK is relocatable and enough to build plugins elsewhere: installs this build,
# moves the install tree, then builds the SDK's examples against it, each as a separate CMake
# project and with plain g++ and pkg-config, and runs them through the moved concierge via
# CONCIERGE_PLUGIN_PATH and from its plugin folder. The install also carries the manual page and
# the bash completion script.
# Usage: out_of_tree_plugin_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
test_name=out_of_tree_plugin_test
build=$1 source=$2
. "$source/tests/install/install_tree.sh"
install_relocated "$build"

for f in bin/concierge include/concierge/sdk/sdk.hpp include/concierge/zabbix/client.hpp; do
  [[ -e $prefix/$f ]] || fail "install lacks $f"
done
for f in cmake/Concierge/ConciergeConfig.cmake pkgconfig/concierge-sdk.pc pkgconfig/concierge-zabbix.pc pkgconfig/concierge-docker.pc; do
  [[ -f $libdir/$f ]] || fail "install lacks $libdir/$f"
done
# The manual page documents the installed plugins; the completion script completes their names.
[[ -f $prefix/share/man/man1/concierge.1.gz ]] || fail "install lacks share/man/man1/concierge.1.gz"
MANWIDTH=80 man -l "$prefix/share/man/man1/concierge.1.gz" 2>/dev/null | grep -q "^   zabbix-backup" ||
  fail "the installed manual page does not document zabbix-backup"
completion=$prefix/share/bash-completion/completions/concierge
[[ -f $completion ]] || fail "install lacks share/bash-completion/completions/concierge"
words=$(bash -c 'source "$1"; COMP_WORDS=("$2" zabbix-b); COMP_CWORD=1; _concierge; echo "${COMPREPLY[*]}"' _ "$completion" "$concierge")
[[ $words == zabbix-backup ]] || fail "the installed completion script completes 'zabbix-b' as '$words'"
stale=$(grep -rl "$work/installed" "$prefix" || true)
[[ -z $stale ]] || fail "these installed files name the path they were installed to: $stale"
[[ $(pkg-config --variable=plugindir concierge-sdk) -ef $libdir/concierge/plugins ]] ||
  fail "pkg-config's plugindir is not the moved install's: $(pkg-config --variable=plugindir concierge-sdk)"

# hello, with CMake and with pkg-config: runs, is listed as ok, and keeps its artifact in history.
build_with_cmake "$source/sdk/examples/hello" "$work/hello"
build_with_pkg_config "$work/hello-pc" hello concierge-sdk "$source/sdk/examples/hello/hello.cpp"
for dir in "$work/hello" "$work/hello-pc"; do
  out=$(CONCIERGE_PLUGIN_PATH=$dir "$concierge" hello installer --times 2) || fail "hello from $dir did not run: $out"
  grep -q "hello, installer!" <<<"$out" || fail "unexpected output of hello from $dir: $out"
  listed=$(CONCIERGE_PLUGIN_PATH=$dir "$concierge" plugins --output json)
  grep -q '"name":"hello","version":"1.0.0","abi":"[0-9.]*","status":"ok"' <<<"$listed" || fail "plugins does not list hello from $dir as ok: $listed"
  id=$("$concierge" history --limit 1 --output json | sed -n 's/^\[{"id":\([0-9]*\).*/\1/p')
  "$concierge" history show "$id" | grep -q "greetings.json" || fail "the artifact of hello from $dir is not in history"
done

# zabbix-hosts links the shared Zabbix client: against a closed port it fails with exit 7
# (unreachable) and never shows the password, wherever it was built and loaded from.
probe() {
  local out rc
  set +e
  out=$(CONCIERGE_PLUGIN_PATH=$1 ZBX_API_HOST=http://127.0.0.1:1 ZBX_USER=probe ZBX_PASS=probe-secret \
    "$concierge" zabbix-hosts "Linux servers" 2>&1)
  rc=$?
  set -e
  [[ $rc == 7 ]] || fail "zabbix-hosts from ${1:-the plugin folder} against a closed port exited $rc, expected 7 (unreachable): $out"
  grep -q "cannot reach Zabbix at http://127.0.0.1:1/api_jsonrpc.php" <<<"$out" || fail "unexpected message: $out"
  if grep -q "probe-secret" <<<"$out"; then fail "the password shows: $out"; fi
}
build_with_pkg_config "$work/hosts-pc" zabbix-hosts concierge-zabbix "$source/sdk/examples/zabbix-hosts/zabbix_hosts.cpp"
probe "$work/hosts-pc"  # pkg-config's run path to the SDK's lib
build_with_cmake "$source/sdk/examples/zabbix-hosts" "$work/hosts"
probe "$work/hosts"  # CMake's build run path
cmake --install "$work/hosts" >/dev/null || fail "zabbix-hosts does not install"
installed=$libdir/concierge/plugins/concierge-zabbix-hosts.so
[[ -f $installed ]] || fail "zabbix-hosts did not install into $libdir/concierge/plugins"
readelf -d "$installed" | grep -q 'R.*PATH.*\[\$ORIGIN/\.\./\.\.\]' || fail "the installed plugin's RPATH is not \$ORIGIN/../..: $(readelf -d "$installed" | grep PATH)"
probe ""  # from the install tree's plugin folder ($ORIGIN/../.. is lib/)
# The Docker client is installed and exported the same way.
[[ -f $libdir/libconcierge_docker.so && -f $prefix/include/concierge/docker/client.hpp ]] ||
  fail "install lacks libconcierge_docker.so or concierge/docker/client.hpp"
grep -q "Concierge::docker" "$libdir"/cmake/Concierge/ConciergeTargets.cmake || fail "the CMake package does not export Concierge::docker"
echo "$test_name: ok"
