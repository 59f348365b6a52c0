# Sourced by the install tests. install_relocated BUILD_DIR installs that build into a temporary
# prefix and then moves the whole tree elsewhere, so every test runs against an install that
# cannot lean on the path it was installed to. Sets work (removed on exit), prefix, libdir and
# concierge; exports PKG_CONFIG_PATH and a private CONCIERGE_HOME and XDG_CONFIG_HOME.
# fail MESSAGE prints "$test_name: FAIL: MESSAGE" and exits 1.
fail() { echo "$test_name: FAIL: $*" >&2; exit 1; }

install_relocated() {
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cmake --install "$1" --prefix "$work/installed" >/dev/null || fail "cmake --install $1 failed"
  mv "$work/installed" "$work/prefix"
  prefix=$work/prefix
  libdir=$(dirname "$(find "$prefix" -name libconcierge_zabbix.so -print -quit)")
  [[ -f $libdir/libconcierge_zabbix.so ]] || fail "install lacks libconcierge_zabbix.so"
  concierge=$prefix/bin/concierge
  export PKG_CONFIG_PATH=$libdir/pkgconfig CONCIERGE_HOME=$work/home XDG_CONFIG_HOME=$work/config
  unset CONCIERGE_PLUGIN_PATH CONCIERGE_CONFIG CONCIERGE_OUTPUT
}

# build_with_cmake SOURCE_DIR BUILD_DIR: a separate CMake project against the relocated install.
build_with_cmake() {
  cmake -S "$1" -B "$2" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null ||
    fail "$1 does not configure against the installed SDK"
  cmake --build "$2" >/dev/null || fail "$1 does not build against the installed SDK"
}

# build_with_pkg_config OUT_DIR NAME PACKAGE SOURCE...: plain g++ with the flags pkg-config gives.
build_with_pkg_config() {
  local out=$1 name=$2 package=$3
  shift 3
  mkdir -p "$out"
  # shellcheck disable=SC2046  # pkg-config's flags are meant to split
  g++ -shared -fPIC -fvisibility=hidden -Wl,--no-undefined -O2 "$@" -o "$out/concierge-$name.so" \
    $(pkg-config --cflags --libs "$package") || fail "$name does not build with g++ and pkg-config $package"
}
