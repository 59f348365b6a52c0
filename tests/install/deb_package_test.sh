#!/usr/bin/env bash
# The Debian packages as an operations team installs them: builds concierge and concierge-dev with
# CPack from a built tree, requires lintian to find no error, installs both with apt-get, then from
# /usr/bin: --version, the product plugins found in the installed plugin folder, the manual page,
# the systemd example units (present, not enabled), and the example plugin built against the
# installed concierge-dev and run. Then purges both and checks nothing of theirs is left.
# Usage (as root): deb_package_test.sh BUILD_DIR
set -euo pipefail
test_name=deb_package_test
fail() { echo "$test_name: FAIL: $*" >&2; exit 1; }
build=$(cd "$1" && pwd)
[[ $(id -u) -eq 0 ]] || fail "needs root: it installs the packages with apt-get"
! dpkg-query -W concierge >/dev/null 2>&1 || fail "a concierge package is already installed here; remove it first"

work=$(mktemp -d)
installed=0
cleanup() {
  ((installed)) && DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq concierge-dev concierge >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

(cd "$build" && rm -f ./*.deb && cpack -G DEB >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log" >&2; fail "cpack failed"; }
runtime=$(ls "$build"/concierge_*.deb) dev=$(ls "$build"/concierge-dev_*.deb)

# Errors fail; the warnings we accept are listed, with why, in the README ("Install from the .deb").
lintian --tag-display-limit 0 --fail-on error "$runtime" "$dev" >"$work/lintian.log" 2>&1 ||
  { cat "$work/lintian.log" >&2; fail "lintian reports errors"; }
grep '^W: ' "$work/lintian.log" || true

installed=1
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$runtime" "$dev" >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log" >&2; fail "apt-get install of the packages failed"; }

export HOME=$work/home CONCIERGE_HOME=$work/home/state XDG_CONFIG_HOME=$work/home/config
unset CONCIERGE_PLUGIN_PATH CONCIERGE_CONFIG CONCIERGE_OUTPUT
[[ $(command -v concierge) == /usr/bin/concierge ]] || fail "concierge is not /usr/bin/concierge but '$(command -v concierge)'"
version=$(concierge --version) || fail "concierge --version failed"
grep -q "$(dpkg-query -W -f='${Version}' concierge | cut -d- -f1)" <<<"$version" || fail "--version says '$version'"
listed=$(concierge plugins --output json) || fail "concierge plugins failed: $listed"
for plugin in zabbix-backup zabbix-import compose-ps compose-scale swarm-scale zabbix-report zabbix-autoscale; do
  grep -q "\"name\":\"$plugin\",[^}]*\"status\":\"ok\"" <<<"$listed" || fail "concierge plugins does not list $plugin as ok: $listed"
  grep -q "/usr/lib/concierge/plugins/concierge-$plugin.so" <<<"$listed" || fail "$plugin is not loaded from /usr/lib/concierge/plugins"
done
MANWIDTH=80 man concierge 2>/dev/null | grep -q "^   zabbix-backup" || fail "man concierge does not document zabbix-backup"
MANWIDTH=80 man concierge_scheduler 2>/dev/null | grep -q "^   zabbix-backup" || fail "man concierge_scheduler does not show concierge's page"
[[ -L /usr/bin/concierge_scheduler ]] || fail "/usr/bin/concierge_scheduler is missing"
for unit in concierge-backup.service concierge-backup.timer; do
  [[ -f /lib/systemd/system/$unit || -f /usr/lib/systemd/system/$unit ]] || fail "$unit is not installed"
done
[[ ! -e /etc/systemd/system/timers.target.wants/concierge-backup.timer ]] || fail "the backup timer was enabled by the install"
[[ -f /usr/share/bash-completion/completions/concierge ]] || fail "the bash completion script is not installed"

# A third party's plugin, built with CMake against the installed concierge-dev, and run.
examples=/usr/share/doc/concierge-dev/examples
cmake -S "$examples/hello" -B "$work/hello" -DCMAKE_BUILD_TYPE=Release >"$work/hello.log" 2>&1 &&
  cmake --build "$work/hello" >>"$work/hello.log" 2>&1 || { cat "$work/hello.log" >&2; fail "the example plugin does not build against concierge-dev"; }
out=$(CONCIERGE_PLUGIN_PATH=$work/hello concierge hello packager) || fail "the example plugin did not run: $out"
grep -q "hello, packager!" <<<"$out" || fail "unexpected output of the example plugin: $out"

DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 purge -y -qq concierge-dev concierge >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log" >&2; fail "apt-get purge failed"; }
installed=0
! dpkg-query -W -f='${Status}' concierge 2>/dev/null | grep -q installed || fail "concierge is still installed"
for path in /usr/bin/concierge /usr/bin/concierge_scheduler /usr/lib/concierge /usr/include/concierge /usr/lib/cmake/Concierge \
  /usr/share/doc/concierge /usr/share/doc/concierge-dev /usr/share/concierge; do
  [[ ! -e $path ]] || fail "$path is left after the purge"
done
ls /usr/lib/libconcierge_* >/dev/null 2>&1 && fail "client libraries are left after the purge: $(ls /usr/lib/libconcierge_*)"
echo "$test_name: ok"
