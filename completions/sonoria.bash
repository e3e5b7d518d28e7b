# bash completion for sonoria; install to /usr/share/bash-completion/completions/sonoria
# Organization slugs and call SIDs come from the database the command line names (--config, --db).
_sonoria_words() {
  local args=() j
  for ((j = 1; j < ${#words[@]} - 1; j++)); do
    case "${words[j]}" in --config|--db) args+=("${words[j]}" "${words[j+1]}") ;; esac
  done
  sonoria "${args[@]}" complete "$1" 2>/dev/null
}
_sonoria() {
  local cur prev words cword
  _init_completion 2>/dev/null || { cur="${COMP_WORDS[COMP_CWORD]}"; prev="${COMP_WORDS[COMP_CWORD-1]}"; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
  local commands="init config migrate org prompt kb webhooks appointments user serve doctor chat sms call export-transcripts analytics calls backup db cleanup simulate"
  local global="--config --db --log-level --log-format --help --version"
  case "$prev" in
    --config|--db|-o|--out|--record|--audio) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --log-level) COMPREPLY=($(compgen -W "debug info warn error" -- "$cur")); return ;;
    --log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
    --org) COMPREPLY=($(compgen -W "$(_sonoria_words orgs)" -- "$cur")); return ;;
    --call) COMPREPLY=($(compgen -W "$(_sonoria_words calls)" -- "$cur")); return ;;
  esac
  local cmd="" sub="" i
  for ((i = 1; i < cword; i++)); do
    case "${words[i]}" in
      --config|--db|--log-level|--log-format|-o|--out|--org|--engine|--at|--listen|--to|--body|--since|--until|--call|--format|--incremental|--status|--limit|--before-cursor|--older-than|--batch|--url|--connect|--status-url|--from|--say|--audio|--dtmf|--pause|--record|--hangup-after|--greeting-timeout|--voice|--wpm|--calls|--duration|--ramp|--threads|--member|--phone) ((i++)) ;;
      -*) ;;
      *) if [ -z "$cmd" ]; then cmd="${words[i]}"; elif [ -z "$sub" ]; then sub="${words[i]}"; fi ;;
    esac
  done
  case "$cmd" in
    "") COMPREPLY=($(compgen -W "$commands $global" -- "$cur")) ;;
    init) COMPREPLY=($(compgen -W "--no-example --help" -- "$cur")) ;;
    config) [ -z "$sub" ] && COMPREPLY=($(compgen -W "show path" -- "$cur")) ;;
    migrate) COMPREPLY=($(compgen -W "--status --help" -- "$cur")) ;;
    doctor) COMPREPLY=($(compgen -W "--fix --json --ca-file --timeout --help" -- "$cur")) ;;
    chat) COMPREPLY=($(compgen -W "--org --to --from --url --connect --live --reply-timeout --help" -- "$cur")) ;;
    org)
      case "$sub" in
        "") COMPREPLY=($(compgen -W "import export list edit delete move-number secret" -- "$cur")) ;;
        edit) COMPREPLY=($(compgen -W "$(_sonoria_words orgs)" -- "$cur")) ;;
        delete) COMPREPLY=($(compgen -W "--yes --purge $(_sonoria_words orgs)" -- "$cur")) ;;
        move-number) COMPREPLY=($(compgen -W "--to" -- "$cur")) ;;
        secret) COMPREPLY=($(compgen -W "--rotate" -- "$cur")) ;;
        import) COMPREPLY=($(compgen -W "--dry-run" -- "$cur") $(compgen -f -X '!*.toml' -- "$cur")) ;;
        export) COMPREPLY=($(compgen -W "--out $(_sonoria_words orgs)" -- "$cur")) ;;
        list) COMPREPLY=($(compgen -W "--json" -- "$cur")) ;;
      esac ;;
    prompt) COMPREPLY=($(compgen -W "--org --at --outbound --stage --help" -- "$cur")) ;;
    webhooks)
      case "$sub" in
        "") COMPREPLY=($(compgen -W "list retry" -- "$cur")) ;;
        list) COMPREPLY=($(compgen -W "--org --status --limit --json" -- "$cur")) ;;
        retry) COMPREPLY=($(compgen -W "--failed" -- "$cur")) ;;
      esac ;;
    appointments)
      case "$sub" in
        "") COMPREPLY=($(compgen -W "list show cancel feed" -- "$cur")) ;;
        list) COMPREPLY=($(compgen -W "--org --from --to --status --member --phone --limit --json" -- "$cur")) ;;
        show) COMPREPLY=($(compgen -W "--json" -- "$cur")) ;;
        cancel) COMPREPLY=($(compgen -W "--no-text" -- "$cur")) ;;
        feed) COMPREPLY=($(compgen -W "--org --member" -- "$cur")) ;;
      esac ;;
    user)
      case "$sub" in
        "") COMPREPLY=($(compgen -W "add list remove reset-password" -- "$cur")) ;;
        add) COMPREPLY=($(compgen -W "--role --org --password-stdin" -- "$cur")) ;;
        list) COMPREPLY=($(compgen -W "--org --json" -- "$cur")) ;;
        reset-password) COMPREPLY=($(compgen -W "--password-stdin" -- "$cur")) ;;
      esac ;;
    kb)
      case "$sub" in
        "") COMPREPLY=($(compgen -W "add list remove search" -- "$cur")) ;;
        add) COMPREPLY=($(compgen -W "--org" -- "$cur") $(compgen -f -- "$cur")) ;;
        list) COMPREPLY=($(compgen -W "--org --json" -- "$cur")) ;;
        remove) COMPREPLY=($(compgen -W "--org" -- "$cur")) ;;
        search) COMPREPLY=($(compgen -W "--org --limit --json" -- "$cur")) ;;
      esac ;;
    export-transcripts) COMPREPLY=($(compgen -W "--since --until --org --engine --call --format --out --incremental --utc --help" -- "$cur")) ;;
    analytics) COMPREPLY=($(compgen -W "--since --until --org --engine --json --help" -- "$cur")) ;;
    calls)
      case "$sub" in
        "") COMPREPLY=($(compgen -W "list show" -- "$cur")) ;;
        list) COMPREPLY=($(compgen -W "--since --until --org --engine --status --limit --before-cursor --json --utc" -- "$cur")) ;;
        show) COMPREPLY=($(compgen -W "--json --utc $(_sonoria_words calls)" -- "$cur")) ;;
      esac ;;
    backup) COMPREPLY=($(compgen -f -- "$cur")) ;;
    db)
      case "$sub" in
        "") COMPREPLY=($(compgen -W "copy" -- "$cur")) ;;
        copy) COMPREPLY=($(compgen -W "--from --to --help" -- "$cur")) ;;
      esac ;;
    cleanup) COMPREPLY=($(compgen -W "--older-than --dry-run --batch --help" -- "$cur")) ;;
    serve) COMPREPLY=($(compgen -W "--listen --help" -- "$cur")) ;;
    sms) COMPREPLY=($(compgen -W "--to --body --org --dry-run --help" -- "$cur")) ;;
    call) COMPREPLY=($(compgen -W "--org --wait --machine-detection --dry-run --help" -- "$cur")) ;;
    simulate) COMPREPLY=($(compgen -W "--url --connect --status-url --to --from --org --say --audio --dtmf --pause --record --json --hangup-after --greeting-timeout --voice --wpm --unsigned --calls --duration --ramp --probe --threads --help" -- "$cur")) ;;
  esac
}
complete -F _sonoria sonoria
