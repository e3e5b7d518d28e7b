# bash completion for sonoria; install to /usr/share/bash-completion/completions/sonoria
_sonoria() {
  local cur prev words cword
  _init_completion 2>/dev/null || { cur="${COMP_WORDS[COMP_CWORD]}"; prev="${COMP_WORDS[COMP_CWORD-1]}"; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
  local commands="init config migrate org prompt serve"
  local global="--config --db --log-level --log-format --help --version"
  case "$prev" in
    --config|--db|-o|--out) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --log-level) COMPREPLY=($(compgen -W "debug info warn error" -- "$cur")); return ;;
    --log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
  esac
  local cmd="" sub="" i
  for ((i = 1; i < cword; i++)); do
    case "${words[i]}" in
      --config|--db|--log-level|--log-format|-o|--out|--org|--at|--listen) ((i++)) ;;
      -*) ;;
      *) if [ -z "$cmd" ]; then cmd="${words[i]}"; elif [ -z "$sub" ]; then sub="${words[i]}"; fi ;;
    esac
  done
  case "$cmd" in
    "") COMPREPLY=($(compgen -W "$commands $global" -- "$cur")) ;;
    init) COMPREPLY=($(compgen -W "--no-example --help" -- "$cur")) ;;
    config) [ -z "$sub" ] && COMPREPLY=($(compgen -W "show path" -- "$cur")) ;;
    migrate) COMPREPLY=($(compgen -W "--status --help" -- "$cur")) ;;
    org)
      case "$sub" in
        "") COMPREPLY=($(compgen -W "import export list" -- "$cur")) ;;
        import) COMPREPLY=($(compgen -W "--dry-run" -- "$cur") $(compgen -f -X '!*.toml' -- "$cur")) ;;
        export) COMPREPLY=($(compgen -W "--out" -- "$cur")) ;;
        list) COMPREPLY=($(compgen -W "--json" -- "$cur")) ;;
      esac ;;
    prompt) COMPREPLY=($(compgen -W "--org --at --help" -- "$cur")) ;;
    serve) COMPREPLY=($(compgen -W "--listen --help" -- "$cur")) ;;
  esac
}
complete -F _sonoria sonoria
