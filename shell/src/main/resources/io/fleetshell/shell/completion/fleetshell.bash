# bash completion for fleetshell. Load it with:  . <(fleetshell completion bash)
# or save it (fleetshell completion bash > ~/.fleetshell-completion.bash) and source that file from ~/.bashrc.
# Candidates come from `fleetshell __complete -- WORDS... CURRENT`, which prints one per line (value, a tab,
# a description): commands, options, agent names, patterns, deployment ids, paths.
_fleetshell_complete() {
    local line="${COMP_LINE:0:COMP_POINT}"
    local -a words
    read -ra words <<< "$line"
    local cur=""
    if [[ "$line" != *[[:space:]] && ${#words[@]} -gt 1 ]]; then
        cur="${words[${#words[@]}-1]}"
        unset 'words[${#words[@]}-1]'
    fi
    local output
    output=$("${words[0]}" __complete -- "${words[@]:1}" "$cur" 2>/dev/null) || return 0
    COMPREPLY=()
    local IFS=$'\n' candidate
    for candidate in $output; do
        COMPREPLY+=("${candidate%%$'\t'*}")
    done
    # bash replaces only the part of the word after its last : or =; give it just that part
    if [[ "$cur" == *[:=]* ]]; then
        local prefix="${cur%"${cur##*[:=]}"}"
        COMPREPLY=("${COMPREPLY[@]#"$prefix"}")
    fi
    if [[ ${#COMPREPLY[@]} -eq 1 && "${COMPREPLY[0]}" == */ ]]; then
        compopt -o nospace
    fi
}
# -o nosort keeps fleetshell's order (rollback --deployment lists deployments with changes first)
complete -o nosort -F _fleetshell_complete fleetshell ./fleetshell 2>/dev/null \
    || complete -F _fleetshell_complete fleetshell ./fleetshell
