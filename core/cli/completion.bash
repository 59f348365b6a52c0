# bash completion for concierge: commands, plugin names and each plugin's options.
# Installed as share/bash-completion/completions/concierge; or load it by hand with
#   source <(concierge completion bash)
# The candidates come from `concierge __complete`, which reads the options the built-in commands
# and the plugins on the search path declare, so a new plugin completes without a new script.
# An option's value (a path, a name) falls back to bash's file completion.
_concierge() {
    local IFS=$'\n'
    local -a words=("${COMP_WORDS[@]:1:COMP_CWORD}")
    COMPREPLY=($(command "${COMP_WORDS[0]}" __complete "${words[@]}" 2>/dev/null))
}
complete -o default -F _concierge concierge
