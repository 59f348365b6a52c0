#!/usr/bin/env bash
# Installs the Debian 12 packages a group of tasks needs; idempotent and non-interactive.
#   scripts/install-deps.sh build     compilers (g++, and clang for the fuzz targets), libraries and test tools (the default)
#   scripts/install-deps.sh zabbix    a Zabbix 6.0 frontend API and server on PostgreSQL (scripts/sandbox/zabbix.sh)
#   scripts/install-deps.sh package   what builds and checks the Debian packages (cpack's dpkg-shlibdeps, lintian)
#   scripts/install-deps.sh docker    dockerd, docker-compose v1 and TLS tooling (scripts/sandbox/docker.sh),
#                                     jq for the API floors of bench/docker.sh
# Does nothing when every package is already installed, so it costs ~0.1 s on a ready machine.
set -euo pipefail

declare -A groups=(
  [build]="cmake g++ make pkg-config libboost-dev libboost-program-options-dev libpoco-dev
           libsqlite3-dev libzstd-dev libssl-dev libfmt-dev libgtest-dev libgmock-dev sqlite3 hyperfine
           python3 curl ca-certificates man-db groff-base
           clang libclang-rt-14-dev"
  [zabbix]="zabbix-frontend-php zabbix-server-pgsql php8.2-cli php8.2-cgi php8.2-pgsql postgresql-15
            postgresql-client-15 curl socat openssl"
  [package]="dpkg-dev lintian"
  [docker]="docker.io docker-compose busybox-static iptables openssl curl jq"
)

wanted=()
for group in "${@:-build}"; do
  [[ -n "${groups[$group]:-}" ]] || { echo "install-deps: unknown group '$group' (build, zabbix, package, docker)" >&2; exit 2; }
  read -r -a pkgs <<<"$(echo ${groups[$group]})"
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || wanted+=("$p")
  done
done
((${#wanted[@]})) || exit 0

if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
echo "install-deps: installing ${wanted[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Several scripts may install at once (a test run and a sandbox); wait for dpkg's lock instead of failing.
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null
