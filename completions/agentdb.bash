# bash completion for agentdb(1)
#
# Install: copy to /usr/share/bash-completion/completions/agentdb, or source it from ~/.bashrc.
# Checked against `agentdb --help` by tests/cli/docs_cover_every_command.sh; when a command or an
# option is added, add it to the tables below.
# shellcheck disable=SC2207 # COMPREPLY=($(compgen ...)) is the idiom; IFS is set to a newline
# wherever candidates may contain spaces (file names).

# Subcommands of a command path ("" is the top level).
_agentdb_subcommands() {
  case "$1" in
    "") echo "migrate seed backup qdrant health pool wait cost serve keys cluster version local" ;;
    migrate) echo "up down status history new verify redo baseline repair lint" ;;
    backup) echo "create list verify restore prune" ;;
    qdrant) echo "plan apply status snapshot drop sync-check" ;;
    pool) echo "status probe" ;;
    cost) echo "report top budget prices recompute rollup" ;;
    keys) echo "create list revoke" ;;
    cluster) echo "status" ;;
    local) echo "status start stop destroy" ;;
    seed) echo "synth" ;;
  esac
}

# Options of a command path itself; global and group options are added by _agentdb_all_options.
_agentdb_options() {
  case "$1" in
    "") echo "--help -h --database-url --config --json --quiet -q --verbose -v --no-color --version" ;;
    migrate) echo "--dir --lock-timeout" ;;
    "migrate up") echo "--to --dry-run --allow-out-of-order --strict --backup --retry-failover" ;;
    "migrate down") echo "--to --dry-run --backup" ;;
    "migrate status") echo "--check" ;;
    "migrate history") echo "--limit" ;;
    "migrate verify") echo "--roundtrip --strict" ;;
    "migrate redo") echo "--dry-run" ;;
    "migrate repair") echo "--mark-applied" ;;
    "migrate lint") echo "--all" ;;
    seed) echo "--dir --list --dry-run" ;;
    "seed synth") echo "--scale --users --conversations --messages --executions --random-seed --days --end" ;;
    backup) echo "--backup-dir" ;;
    "backup create") echo "--format --jobs --compress --schema-only --exclude-table-data --label --from-replica" ;;
    "backup verify") echo "--restore --jobs" ;;
    "backup restore") echo "--target --jobs --clean --force" ;;
    "backup prune") echo "--keep-last --keep-daily --keep-weekly --dry-run" ;;
    qdrant) echo "--url --file --timeout" ;;
    "qdrant plan") echo "--check" ;;
    "qdrant apply") echo "--allow-recreate --yes" ;;
    "qdrant drop") echo "--yes" ;;
    health) echo "--check --warning --critical --timeout --nagios --watch --qdrant-url --redis-url --migrations-dir" ;;
    "pool status") echo "--pgbouncer" ;;
    wait) echo "--timeout --migrated --migrations-dir" ;;
    "pool probe") echo "--connections --threads --duration --query --acquire-timeout --min-idle --stale-after --max-lifetime" ;;
    "cost report") echo "--since --from --to --tz --group-by --user --model --format --html" ;;
    "cost top") echo "--since --from --to --tz --by --limit" ;;
    "cost budget") echo "--limit-usd --period --user --per-user" ;;
    "cost prices") echo "--at" ;;
    "cost recompute") echo "--since --from --to --tz --dry-run" ;;
    "cost rollup") echo "--compact --rebuild --check" ;;
    serve) echo "--listen --pool-size --threads --drain-timeout --statement-timeout --migrations-dir --rate-limits --log-level --idle-timeout --max-connections --read-url --redis-url --pgbouncer --openapi --allow-pending --no-access-log" ;;
    "keys create") echo "--user --scope --tier --name" ;;
    "keys list") echo "--user" ;;
    "cluster status") echo "--patroni-url --timeout --lag-warning" ;;
    "local destroy") echo "--yes" ;;
  esac
}

# Options that take a value in the next word (or after "=").
_agentdb_takes_value() {
  case "$1" in
    --database-url | --config | --dir | --lock-timeout | --to | --limit) return 0 ;;
    --scale | --users | --conversations | --messages | --executions | --random-seed) return 0 ;;
    --days | --end) return 0 ;;
    --backup-dir | --format | --jobs | --compress | --exclude-table-data | --label) return 0 ;;
    --target | --keep-last | --keep-daily | --keep-weekly) return 0 ;;
    --url | --file | --timeout) return 0 ;;
    --warning | --critical | --watch | --qdrant-url | --redis-url | --migrations-dir) return 0 ;;
    --since | --from | --tz | --group-by | --user | --model | --html | --by | --limit-usd) return 0 ;;
    --period | --at) return 0 ;;
    # health --check takes the checks; migrate status, qdrant plan and cost rollup --check are flags.
    --check) [[ " ${COMP_WORDS[*]} " == *" health "* ]] && return 0 ;;
    --pgbouncer | --connections | --threads | --duration | --query | --acquire-timeout) return 0 ;;
    --min-idle | --stale-after | --max-lifetime) return 0 ;;
    --listen | --pool-size | --drain-timeout | --statement-timeout) return 0 ;;
    --scope | --tier | --name) return 0 ;;
    --patroni-url | --lag-warning | --retry-failover) return 0 ;;
  esac
  return 1
}

# Commands that only group subcommands: their options apply to, and are accepted after, each of
# their subcommands. (seed runs by itself; its options are not synth's.)
_agentdb_groups=" migrate backup qdrant pool cost keys cluster local "

# A path's options: its own, the global ones, and those of the groups above it.
_agentdb_all_options() {
  local path="$1" prefix="" word opts
  opts="$(_agentdb_options "")"
  for word in $path; do
    prefix="${prefix:+$prefix }$word"
    if [[ "$prefix" == "$path" || "$_agentdb_groups" == *" $prefix "* ]]; then
      opts+=" $(_agentdb_options "$prefix")"
    fi
  done
  echo "$opts"
}

# The seed sets: the directories in the seeds directory (seed --dir, AGENTDB_SEEDS_DIR or ./seeds).
_agentdb_seed_sets() {
  local dir="${AGENTDB_SEEDS_DIR:-seeds}" i set
  for ((i = 1; i < COMP_CWORD; i++)); do
    if [[ "${COMP_WORDS[i]}" == --dir ]]; then
      if [[ "${COMP_WORDS[i + 1]}" == "=" ]]; then
        dir="${COMP_WORDS[i + 2]}"
      else
        dir="${COMP_WORDS[i + 1]}"
      fi
    fi
  done
  for set in "$dir"/*/; do
    [[ -d "$set" ]] && set="${set%/}" && echo "${set##*/}"
  done
}

# The backup ids: the folders with a manifest in the backup folder (--backup-dir,
# AGENTDB_BACKUP_DIR or ./backups).
_agentdb_backup_ids() {
  local dir="${AGENTDB_BACKUP_DIR:-backups}" i backup
  for ((i = 1; i < COMP_CWORD; i++)); do
    if [[ "${COMP_WORDS[i]}" == --backup-dir ]]; then
      if [[ "${COMP_WORDS[i + 1]}" == "=" ]]; then
        dir="${COMP_WORDS[i + 2]}"
      else
        dir="${COMP_WORDS[i + 1]}"
      fi
    fi
  done
  for backup in "$dir"/*/manifest.json; do
    [[ -f "$backup" ]] && backup="${backup%/manifest.json}" && echo "${backup##*/}"
  done
}

# The collection names declared in the collections file (qdrant --file, QDRANT_COLLECTIONS_FILE or
# ./qdrant/collections.json): the keys of its "collections" object, found by following the JSON's
# nesting (the keys two levels deep).
_agentdb_qdrant_collections() {
  local file="${QDRANT_COLLECTIONS_FILE:-qdrant/collections.json}" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    if [[ "${COMP_WORDS[i]}" == --file ]]; then
      if [[ "${COMP_WORDS[i + 1]}" == "=" ]]; then
        file="${COMP_WORDS[i + 2]}"
      else
        file="${COMP_WORDS[i + 1]}"
      fi
    fi
  done
  [[ -f "$file" && -r "$file" ]] || return 0
  awk '{
    for (i = 1; i <= length($0); i++) {
      c = substr($0, i, 1)
      if (quoted) {
        if (c == "\\") { text = text c substr($0, ++i, 1); continue }
        if (c == "\"") { quoted = 0; key = (depth == 2) ? text : ""; continue }
        text = text c
        continue
      }
      if (c == "\"") { quoted = 1; text = ""; continue }
      if (c == ":" && key != "") print key
      if (c != " " && c != "\t") key = ""
      if (c == "{" || c == "[") depth++
      if (c == "}" || c == "]") depth--
    }
  }' "$file" 2>/dev/null
}

# The checks of `agentdb health`, in the order they run.
_agentdb_health_checks="connection server_version migrations connections long_query idle_in_transaction lock_waits wraparound cache_hit database_size replication qdrant redis redis_memory"

# Completes the value of option $1 from the word $2.
_agentdb_complete_value() {
  local IFS=$' \t\n'
  case "$1" in
    --dir | --backup-dir | --migrations-dir)
      compopt -o filenames 2>/dev/null
      IFS=$'\n'
      COMPREPLY=($(compgen -d -- "$2"))
      ;;
    --config | --file | --html)
      compopt -o filenames 2>/dev/null
      IFS=$'\n'
      COMPREPLY=($(compgen -f -- "$2"))
      ;;
    --lock-timeout)
      COMPREPLY=($(compgen -W "10s 30s 60s 2m 5m 10m" -- "$2"))
      ;;
    --format)
      # backup create --format is the archive's; cost report --format the output's.
      if [[ " ${COMP_WORDS[*]} " == *" cost "* ]]; then
        COMPREPLY=($(compgen -W "table csv json" -- "$2"))
      else
        COMPREPLY=($(compgen -W "custom directory" -- "$2"))
      fi
      ;;
    --group-by)
      COMPREPLY=($(compgen -W "day week month model provider user agent category" -- "$2"))
      ;;
    --by)
      COMPREPLY=($(compgen -W "user model agent" -- "$2"))
      ;;
    --period)
      COMPREPLY=($(compgen -W "day month" -- "$2"))
      ;;
    --since)
      COMPREPLY=($(compgen -W "7d 30d 90d 365d 4w 12w" -- "$2"))
      ;;
    --timeout)
      COMPREPLY=($(compgen -W "500ms 1s 5s 10s 30s 1m" -- "$2"))
      ;;
    --url | --qdrant-url)
      COMPREPLY=($(compgen -W "http://localhost:6333" -- "$2"))
      ;;
    --check)
      # A comma-separated list: complete the last name, keeping the ones before it.
      local given=""
      [[ "$2" == *,* ]] && given="${2%,*},"
      COMPREPLY=($(compgen -P "$given" -W "$_agentdb_health_checks" -- "${2##*,}"))
      ;;
    --warning | --critical)
      # CHECK=VALUE: the check's name, then the value is the user's.
      COMPREPLY=($(compgen -S "=" -W "$_agentdb_health_checks" -- "$2"))
      compopt -o nospace 2>/dev/null
      ;;
    --watch)
      COMPREPLY=($(compgen -W "1 2 5 10 30" -- "$2"))
      ;;
    --duration | --acquire-timeout | --stale-after)
      COMPREPLY=($(compgen -W "500ms 1s 5s 10s 30s 1m 5m" -- "$2"))
      ;;
    --max-lifetime)
      COMPREPLY=($(compgen -W "0 5m 30m 1h" -- "$2"))
      ;;
    *) COMPREPLY=() ;;
  esac
}

_agentdb() {
  local cur="${COMP_WORDS[COMP_CWORD]}"
  local prev=""
  ((COMP_CWORD > 0)) && prev="${COMP_WORDS[COMP_CWORD - 1]}"
  COMPREPLY=()

  # Option values: "--dir DIR", and "--dir=DIR", which bash splits into "--dir" "=" "DIR".
  if [[ "$cur" == "=" ]] && _agentdb_takes_value "$prev"; then
    _agentdb_complete_value "$prev" ""
    return 0
  fi
  if [[ "$prev" == "=" ]] && ((COMP_CWORD > 1)) &&
    _agentdb_takes_value "${COMP_WORDS[COMP_CWORD - 2]}"; then
    _agentdb_complete_value "${COMP_WORDS[COMP_CWORD - 2]}" "$cur"
    return 0
  fi
  if _agentdb_takes_value "$prev"; then
    _agentdb_complete_value "$prev" "$cur"
    return 0
  fi

  # The command path so far: words that name a subcommand of the path before them.
  local path="" word i=1
  while ((i < COMP_CWORD)); do
    word="${COMP_WORDS[i]}"
    if _agentdb_takes_value "$word"; then
      ((i += 2))
      [[ "${COMP_WORDS[i - 1]}" == "=" ]] && ((i += 1))
      continue
    fi
    if [[ "$word" != -* ]] && [[ " $(_agentdb_subcommands "$path") " == *" $word "* ]]; then
      path="${path:+$path }$word"
    fi
    ((i += 1))
  done

  local subcommands
  subcommands="$(_agentdb_subcommands "$path")"
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_agentdb_all_options "$path")" -- "$cur"))
  elif [[ "$path" == "seed" ]]; then
    # Seed sets, or the synth subcommand.
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "${subcommands// /$'\n'}"$'\n'"$(_agentdb_seed_sets)" -- "$cur"))
  elif [[ -n "$subcommands" ]]; then
    COMPREPLY=($(compgen -W "$subcommands" -- "$cur"))
  elif [[ "$path" == "backup verify" || "$path" == "backup restore" ]] && [[ "$cur" != -* ]]; then
    COMPREPLY=($(compgen -W "latest $(_agentdb_backup_ids)" -- "$cur"))
  elif [[ "$path" == "qdrant snapshot" || "$path" == "qdrant drop" ]]; then
    COMPREPLY=($(compgen -W "$(_agentdb_qdrant_collections)" -- "$cur"))
  elif [[ "$path" == "migrate lint" ]]; then
    local IFS=$'\n'
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$cur"))
  elif [[ -z "$cur" ]]; then
    # A leaf that takes no file: offer its options.
    COMPREPLY=($(compgen -W "$(_agentdb_all_options "$path")" -- "$cur"))
  fi
  return 0
}

complete -F _agentdb agentdb
