#compdef fleetshell
# zsh completion for fleetshell. Load it with:  source <(fleetshell completion zsh)
# (after compinit), or save it as _fleetshell in a directory of your $fpath.
# Candidates come from `fleetshell __complete -- WORDS... CURRENT`, one per line: value, a tab, a description.
_fleetshell() {
    local -a lines candidates
    local cur="${words[CURRENT]}" line value description
    lines=("${(@f)$(${words[1]} __complete -- "${(@)words[2,CURRENT-1]}" "$cur" 2>/dev/null)}")
    for line in $lines; do
        value="${line%%$'\t'*}"
        description="${line#*$'\t'}"
        [[ -z "$value" ]] && continue
        candidates+=("${value//:/\\:}${description:+:$description}")
    done
    _describe -V -t values fleetshell candidates
}
compdef _fleetshell fleetshell
