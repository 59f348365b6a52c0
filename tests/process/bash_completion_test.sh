#!/usr/bin/env bash
# The bash completion script that `concierge completion bash` prints works in bash: sourced, it
# completes a plugin name, a plugin's option and an option's value; and the manual page that
# `concierge man` prints renders with man(1) and groff without warnings.
# Usage: bash_completion_test.sh CONCIERGE FIXTURE_PLUGIN_DIR
set -euo pipefail
concierge=$1
export CONCIERGE_PLUGIN_PATH=$2 CONCIERGE_HOME=$(mktemp -d)
export XDG_CACHE_HOME=$CONCIERGE_HOME/cache  # the plugin descriptions concierge caches
trap 'rm -rf "$CONCIERGE_HOME"' EXIT
fail() { echo "bash_completion_test: FAIL: $*" >&2; exit 1; }

source <("$concierge" completion bash)
[[ $(complete -p concierge) == "complete -o default -F _concierge concierge" ]] || fail "not registered: $(complete -p concierge)"
# completes WORDS...: runs the completion function as bash would with the cursor after the last word.
completes() {
  COMP_WORDS=("$concierge" "$@")
  COMP_CWORD=$#
  COMPREPLY=()
  _concierge
  printf '%s\n' "${COMPREPLY[@]}"
}
[[ $(completes fixture-go) == fixture-good ]] || fail "plugin name: $(completes fixture-go)"
[[ $(completes fixture-good web --cou) == --count ]] || fail "plugin option: $(completes fixture-good web --cou)"
[[ $(completes fixture-good -o j) == json ]] || fail "output format: $(completes fixture-good -o j)"
[[ -z $(completes fixture-good --label "") ]] || fail "an option's value should fall back to files: $(completes fixture-good --label "")"
grep -qx history <<<"$(completes h)" || fail "built-in command: $(completes h)"

page=$("$concierge" man)
warnings=$(groff -man -Tutf8 -ww -z <<<"$page" 2>&1) || fail "groff cannot format the page: $warnings"
[[ -z $warnings ]] || fail "groff warns: $warnings"
rendered=$(MANWIDTH=80 man -l - <<<"$page" 2>&1) || fail "man -l cannot render the page: $rendered"
grep -q "^CONCIERGE(1)" <<<"$rendered" || fail "no man header: $(head -3 <<<"$rendered")"
grep -q -- "--count, -c N" <<<"$rendered" || fail "the rendered page lacks fixture-good's --count"
echo "bash_completion_test: ok"
