#!/usr/bin/env bash
# On an 80-column terminal (a pseudo-terminal from script(1), COLUMNS=80), `concierge history`,
# `concierge plugins` and a plugin's table fit every line in 80 columns, keep the short columns
# whole and cut only long text with "…". Piped output is never cut.
# Usage: narrow_terminal_test.sh CONCIERGE FIXTURE_PLUGIN_DIR
set -euo pipefail
concierge=$1
export CONCIERGE_PLUGIN_PATH=$2 CONCIERGE_HOME=$(mktemp -d) XDG_CONFIG_HOME=/nonexistent
export XDG_CACHE_HOME=$CONCIERGE_HOME/cache  # the plugin descriptions concierge caches
trap 'rm -rf "$CONCIERGE_HOME"' EXIT
fail() { echo "narrow_terminal_test: FAIL: $*" >&2; exit 1; }

long="a target name long enough that no table of it fits on eighty columns of any terminal"
"$concierge" fixture-good "$long" --count 2 --quiet >/dev/null
"$concierge" fixture-good "$long" --fail-with 11 2>/dev/null && fail "fixture-good --fail-with 11 succeeded"
# on_terminal ARGS...: concierge's output on an 80-column pseudo-terminal.
on_terminal() { COLUMNS=80 script -qec "$(printf '%q ' "$concierge" "$@")" /dev/null | tr -d '\r'; }
# fits NAME TEXT: every line at most 80 characters (code points), and some line cut with "…".
fits() {
  python3 -c 'import sys
lines = sys.argv[2].splitlines()
wide = [l for l in lines if len(l) > 80]
if wide: sys.exit("%s: %d lines wider than 80 columns, e.g. %d: %s" % (sys.argv[1], len(wide), len(wide[0]), wide[0]))
if not any(l.endswith("\u2026") or "\u2026 " in l for l in lines): sys.exit("%s: nothing was cut" % sys.argv[1])' "$1" "$2" || fail "see above:
$2"
}

history=$(on_terminal history)
fits history "$history"
grep -Eq '^2 +fixture-good +failed +11 +[0-9]{2}:[0-9]{2}:[0-9]{2} +[0-9.]+s +failing as asked' <<<"$history" ||
  fail "history's short columns are not whole:
$history"
fits plugins "$(on_terminal plugins)"
# The table only: the summary line after it is one line of text, wrapped like any other.
fits fixture-good "$(on_terminal fixture-good "$long" --quiet | sed '$d')"
piped=$("$concierge" history)
grep -q "a target name long enough that no table of it fits on eighty columns of any terminal" <<<"$("$concierge" fixture-good "$long")" ||
  fail "piped output was cut"
[[ $piped != *…* ]] || fail "piped history was cut: $piped"
echo "narrow_terminal_test: ok"
