#!/usr/bin/env bash
# The man page and the bash, zsh and fish completions cover every command and option that
# `agentdb --help` shows, and the man page documents no command or option that --help does not.
#
# Usage: docs_cover_every_command.sh AGENTDB_BINARY REPOSITORY_ROOT
#
# The command tree is read from the real --help output, recursively: the "Subcommands:",
# "Options:" and "Positionals:" sections that CLI11 prints (long option names only; -h/--help is
# ignored). A command whose usage line ends in SUBCOMMAND (not [SUBCOMMAND]) only groups its
# subcommands, and its options are accepted after them too (the global options, migrate's --dir).
# Then:
#   man/agentdb.1      each command path has a subsection `.SS "<path>"` under COMMANDS whose .TP
#                      tags name its options and positionals; the top level's options are .TP tags
#                      under GLOBAL OPTIONS; every .SS under COMMANDS is a real command and every
#                      --option in its .TP tags a real option of it. Also, from the sources when
#                      present: the exit codes of `agentdb --help` are under EXIT STATUS, the lint
#                      rules of src/migrate/lint.cpp under LINT RULES with their severity; the
#                      settings `agentdb --help` lists (the table the modules declare): each key
#                      under CONFIGURATION (and no other key), each environment variable under
#                      ENVIRONMENT, as are the AGENTDB_* variables read in src/.
#   completions/agentdb.bash  sourced in a child bash and run for real, in an empty directory:
#                      `agentdb PATH <TAB>` offers exactly PATH's subcommands, and
#                      `agentdb PATH --<TAB>` every option PATH accepts and no other.
#   completions/agentdb.fish  the same through `complete --do-complete` when fish is installed;
#                      otherwise a textual check that every name appears in the file.
#   completions/_agentdb  textual: each command path has a function _agentdb_<path with _> that
#                      lists its subcommands ('name:description') and its options; the top level's
#                      options are in _agentdb_global_options.
# Every failure is printed with what is missing and where; the last line counts the checks.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 AGENTDB_BINARY REPOSITORY_ROOT" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$2" && pwd)
MAN=$ROOT/man/agentdb.1
BASH_COMPLETION=$ROOT/completions/agentdb.bash
ZSH_COMPLETION=$ROOT/completions/_agentdb
FISH_COMPLETION=$ROOT/completions/agentdb.fish
LINT_SOURCE=$ROOT/src/migrate/lint.cpp

# pass, fail, finish, run, expect_rc, expect_in
source "$(dirname "${BASH_SOURCE[0]}")/../support/checks.sh"
check() { # check DESCRIPTION COMMAND...: passes when COMMAND succeeds, else prints DESCRIPTION
  local description=$1
  shift
  if "$@"; then pass; else fail "$description"; fi
}
finish() {
  echo "$passed passed, $failed failed"
  if [[ $failed -eq 0 ]]; then exit 0; else exit 1; fi
}

# has_word WORD TEXT: WORD occurs in TEXT delimited by anything but [-A-Za-z0-9_].
has_word() { [[ $2 =~ (^|[^-A-Za-z0-9_])"$1"([^-A-Za-z0-9_]|$) ]]; }
# has_line LINE TEXT: LINE is one of TEXT's lines.
has_line() { [[ $'\n'$2$'\n' == *$'\n'"$1"$'\n'* ]]; }
# contains STRING TEXT; matches REGEX TEXT
contains() { [[ $2 == *"$1"* ]]; }
matches() { [[ $2 =~ $1 ]]; }

# ---------------------------------------------------------------------------------------------
# The command tree, from --help.

# parse_help TEXT: sets H_SUBS, H_OPTS, H_POS (space-separated), H_GROUP (0/1), H_EXIT and
# H_SETTINGS (lines "KEY ENV", ENV "-" when none).
parse_help() {
  H_SUBS="" H_OPTS="" H_POS="" H_GROUP=0 H_EXIT="" H_SETTINGS=""
  local line section="" first item items
  while IFS= read -r line; do
    if [[ -z $line ]]; then
      section=""
    elif [[ $line != " "* ]]; then
      section=""
      case $line in
        "Subcommands:" | "Options:" | "Positionals:" | "Exit codes:") section=$line ;;
        "Settings ("*) section="Settings:" ;;
        "Usage: "*" SUBCOMMAND") H_GROUP=1 ;;
      esac
    elif [[ $line =~ ^\ \ ([^ ]+) ]]; then # an entry; wrapped descriptions are indented deeper
      first=${BASH_REMATCH[1]}
      case $section in
        "Subcommands:") H_SUBS+=" $first" ;;
        "Positionals:") H_POS+=" $first" ;;
        "Options:")
          IFS=, read -ra items <<<"$first"
          for item in "${items[@]}"; do
            if [[ $item == --* && $item != --help ]]; then H_OPTS+=" $item"; fi
          done
          ;;
        "Exit codes:")
          if [[ $first =~ ^[0-9]+$ ]]; then H_EXIT+=" $first"; fi
          ;;
        "Settings:")
          read -r -a items <<<"$line"
          H_SETTINGS+="${items[0]} ${items[1]}"$'\n'
          ;;
      esac
    fi
  done <<<"$1"
  return 0
}

# Keyed by ":" + path, because bash associative arrays cannot have an empty key ("" is the top).
declare -A SUBS=()  # its subcommands
declare -A OPTS=()  # its own long options, without --help
declare -A POS=()   # its positionals
declare -A GROUP=() # 1 when it only groups subcommands
declare -A LABEL=() # "agentdb PATH", for messages
PATHS=()
EXIT_CODES=""
SETTINGS=""
queue=("")
while [[ ${#queue[@]} -gt 0 ]]; do
  path=${queue[0]}
  queue=("${queue[@]:1}")
  PATHS+=("$path")
  LABEL[:$path]="agentdb${path:+ $path}"
  # shellcheck disable=SC2086 # the path's words are separate arguments
  if ! help=$("$BIN" $path --help 2>&1); then
    fail "'${LABEL[:$path]} --help' did not exit 0"
    SUBS[:$path]="" OPTS[:$path]="" POS[:$path]="" GROUP[:$path]=0
    continue
  fi
  parse_help "$help"
  SUBS[:$path]=$H_SUBS OPTS[:$path]=$H_OPTS POS[:$path]=$H_POS GROUP[:$path]=$H_GROUP
  if [[ -z $path ]]; then EXIT_CODES=$H_EXIT SETTINGS=$H_SETTINGS; fi
  for sub in $H_SUBS; do
    queue+=("${path:+$path }$sub")
  done
done

# If the help format changed, say so rather than pass vacuously.
if [[ -z ${SUBS[:]} ]] || ! has_word --json "${OPTS[:]}" || [[ ${#PATHS[@]} -lt 3 ]]; then
  fail "could not read the command tree from '$BIN --help' (format changed?)"
  finish
fi
echo "commands from --help:$(for p in "${PATHS[@]}"; do if [[ -n $p ]]; then printf ' [%s]' "$p"; fi; done)"

# The options PATH accepts: its own, and those of the grouping commands above it.
declare -A ACCEPTED=()
for path in "${PATHS[@]}"; do
  prefix="" accepted=${OPTS[:]}
  for word in $path; do
    prefix="${prefix:+$prefix }$word"
    if [[ $prefix == "$path" || ${GROUP[:$prefix]} == 1 ]]; then accepted+=" ${OPTS[:$prefix]}"; fi
  done
  ACCEPTED[:$path]=$accepted
done

# ---------------------------------------------------------------------------------------------
# man/agentdb.1

# Each text line of the page as: SECTION, SUBSECTION, 1 if a .TP tag, plain text; separated by
# \037 (tabs would not do: `read` merges consecutive tabs).
# Font macros (.B, .BR, ...) are turned into the text they print.
man_lines() {
  awk '
    function plain(s) {
      gsub(/\\f(\[[^]]*\]|\(..|.)/, "", s)
      gsub(/\\-/, "-", s); gsub(/\\%/, "", s); gsub(/\\&/, "", s); gsub(/\\\(aq/, "\047", s)
      gsub(/\\ /, " ", s); gsub(/\\e/, "\\", s); gsub(/\t/, " ", s)
      return s
    }
    # The arguments of a macro line, split the way roff does (double quotes group words).
    function macro_args(s, list,   n, c, word) {
      n = 0
      sub(/^\.[A-Za-z]+/, "", s)
      while (length(s) > 0) {
        sub(/^[ \t]+/, "", s)
        if (s == "") break
        if (substr(s, 1, 1) == "\"") {
          s = substr(s, 2); c = index(s, "\"")
          if (c == 0) { word = s; s = "" } else { word = substr(s, 1, c - 1); s = substr(s, c + 1) }
        } else {
          c = match(s, /[ \t]/)
          if (c == 0) { word = s; s = "" } else { word = substr(s, 1, c - 1); s = substr(s, c) }
        }
        list[++n] = word
      }
      return n
    }
    function macro_text(s,   list, n, i, out, name, sep) {
      name = s; sub(/[ \t].*/, "", name)
      n = macro_args(s, list)
      sep = (name ~ /^\.(BR|RB|IR|RI|BI|IB)$/) ? "" : " "
      out = ""
      for (i = 1; i <= n; i++) out = out (i > 1 ? sep : "") list[i]
      return out
    }
    function heading(s) {
      s = plain(macro_text(s)); gsub(/[ \t]+/, " ", s)
      return s
    }
    /^\.SH/ { sh = heading($0); ss = ""; tag = 0; next }
    /^\.SS/ { ss = heading($0); tag = 0; next }
    /^\.TP/ { tag = 1; next }
    /^\.\\"/ { next }
    {
      line = $0
      if (line ~ /^\.(B|I|BR|RB|IR|RI|BI|IB|SM|SB)([ \t]|$)/) line = macro_text(line)
      printf "%s\037%s\037%d\037%s\n", sh, ss, tag, plain(line)
      tag = 0
    }
  ' "$MAN"
}

if [[ ! -f $MAN ]]; then
  fail "$MAN does not exist"
else
  # TAGS["SECTION|SUBSECTION"]: its .TP tags, one per line.
  declare -A TAGS=()
  man_sections="" command_subsections=""
  while IFS=$'\037' read -r section subsection is_tag text; do
    key="$section|$subsection"
    if [[ -z ${TAGS[$key]+set} ]]; then
      TAGS[$key]=""
      if ! has_line "$section" "$man_sections"; then man_sections+="$section"$'\n'; fi
      if [[ $section == COMMANDS && -n $subsection ]]; then command_subsections+="$subsection"$'\n'; fi
    fi
    if [[ $is_tag == 1 ]]; then TAGS[$key]+="$text"$'\n'; fi
  done < <(man_lines)
  tags_of() { printf '%s' "${TAGS["$1|$2"]-}"; }

  for section in "GLOBAL OPTIONS" "COMMANDS" "EXIT STATUS" "LINT RULES" "CONFIGURATION" "ENVIRONMENT"; do
    check "man/agentdb.1: no section .SH \"$section\"" has_line "$section" "$man_sections"
  done

  for path in "${PATHS[@]}"; do
    if [[ -z $path ]]; then
      where="section GLOBAL OPTIONS"
      tags=$(tags_of "GLOBAL OPTIONS" "")
    else
      where=".SS \"$path\" under COMMANDS"
      if ! has_line "$path" "$command_subsections"; then
        fail "man/agentdb.1: command '${LABEL[:$path]}' is not documented (no $where)"
        continue
      fi
      pass
      tags=$(tags_of COMMANDS "$path")
    fi
    for opt in ${OPTS[:$path]}; do
      check "man/agentdb.1: option $opt of '${LABEL[:$path]}' is not documented (a .TP tag in $where)" \
        has_word "$opt" "$tags"
    done
    for positional in ${POS[:$path]}; do
      check "man/agentdb.1: argument $positional of '${LABEL[:$path]}' is not documented (a .TP tag in $where)" \
        has_word "$positional" "$tags"
    done
    # No option documented that --help does not show.
    rest=$tags seen=" "
    while [[ $rest =~ (^|[^-A-Za-z0-9])(--[a-z][-a-z0-9]*)(.*)$ ]]; do
      documented=${BASH_REMATCH[2]} rest=${BASH_REMATCH[3]}
      if [[ $documented == --help || $seen == *" $documented "* ]]; then continue; fi
      seen+="$documented "
      check "man/agentdb.1: $where documents option $documented, which '${LABEL[:$path]} --help' does not show" \
        has_word "$documented" "${OPTS[:$path]}"
    done
  done

  # No command documented that --help does not show.
  all_paths=$(printf '%s\n' "${PATHS[@]}")
  while IFS= read -r documented; do
    if [[ -z $documented ]]; then continue; fi
    check "man/agentdb.1: documents command 'agentdb $documented' (.SS under COMMANDS), which --help does not show" \
      has_line "$documented" "$all_paths"
  done <<<"$command_subsections"

  # Exit codes, as `agentdb --help` lists them.
  if [[ -z $EXIT_CODES ]]; then fail "'agentdb --help' lists no exit codes (format changed?)"; fi
  for code in $EXIT_CODES; do
    check "man/agentdb.1: exit code $code of 'agentdb --help' is not a .TP tag under EXIT STATUS" \
      has_line "$code" "$(tags_of "EXIT STATUS" "")"
  done

  # Lint rules, from the source: "rule-id (severity)" tags.
  if [[ -f $LINT_SOURCE ]]; then
    rules=$(grep -oE '\{"[a-z0-9-]+", *Severity::(error|warning)' "$LINT_SOURCE" |
      sed -E 's/\{"([a-z0-9-]+)", *Severity::([a-z]+)/\1 (\2)/' || true)
    if [[ -z $rules ]]; then fail "found no lint rules in $LINT_SOURCE (format changed?)"; fi
    rule_tags=$(tags_of "LINT RULES" "")
    while IFS= read -r rule; do
      if [[ -z $rule ]]; then continue; fi
      check "man/agentdb.1: lint rule '$rule' is not a .TP tag under LINT RULES" has_line "$rule" "$rule_tags"
    done <<<"$rules"
    while IFS= read -r rule; do
      if [[ -z $rule ]]; then continue; fi
      check "man/agentdb.1: LINT RULES documents '$rule', which $LINT_SOURCE does not define" \
        has_line "$rule" "$rules"
    done <<<"$rule_tags"
  else
    echo "note: $LINT_SOURCE not found; lint rules not checked"
  fi

  # agentdb.toml keys and environment variables, from the settings table `agentdb --help` prints.
  # A key "x.*" declares a table whose keys its module checks; the man page describes it in prose.
  keys=$(awk '$1 != "-" && $1 !~ /\.\*$/ { print $1 }' <<<"$SETTINGS")
  if [[ -z $keys ]]; then fail "'agentdb --help' lists no settings (format changed?)"; fi
  key_tags=$(tags_of CONFIGURATION "")
  for key in $keys; do
    check "man/agentdb.1: agentdb.toml key '$key' is not a .TP tag under CONFIGURATION" has_line "$key" "$key_tags"
  done
  while IFS= read -r key; do
    if [[ -z $key ]]; then continue; fi
    check "man/agentdb.1: CONFIGURATION documents key '$key', which 'agentdb --help' does not list" \
      has_line "$key" "$keys"
  done <<<"$key_tags"

  # Environment variables: the settings' own, and those read in src/ beside them.
  variables=$(awk '$2 != "-" && $2 != "" { print $2 }' <<<"$SETTINGS")
  if [[ -d $ROOT/src ]]; then
    variables+=$'\n'$(grep -rhoE '"(AGENTDB_[A-Z0-9_]+|DATABASE_URL|NO_COLOR)"' "$ROOT/src" | tr -d '"')
  fi
  for variable in $(sort -u <<<"$variables"); do
    check "man/agentdb.1: environment variable $variable is not a .TP tag under ENVIRONMENT" \
      has_line "$variable" "$(tags_of ENVIRONMENT "")"
  done
fi

# ---------------------------------------------------------------------------------------------
# Completions, by what they offer.

# They run in an empty directory, so that no seed sets or files of the current one show.
EMPTY_DIR=$(mktemp -d)
trap 'rm -rf "$EMPTY_DIR"' EXIT
unset AGENTDB_SEEDS_DIR AGENTDB_MIGRATIONS_DIR

# The command lines to complete: `agentdb PATH ` for each path with subcommands, `agentdb PATH --`.
QUERIES=()
for path in "${PATHS[@]}"; do
  if [[ -n ${SUBS[:$path]} ]]; then QUERIES+=("agentdb ${path:+$path }"); fi
  QUERIES+=("agentdb ${path:+$path }--")
done

# check_offers NAME RESULTS: RESULTS holds an "@@ <query>" line before each query's candidates.
check_offers() {
  local name=$1 line query="" path offered word
  local -A offers=()
  while IFS= read -r line; do
    if [[ $line == "@@ "* ]]; then
      query=${line#@@ }
      offers[$query]=""
    elif [[ -n $query && -n $line ]]; then
      offers[$query]+="$line"$'\n'
    fi
  done <<<"$2"
  for path in "${PATHS[@]}"; do
    if [[ -n ${SUBS[:$path]} ]]; then
      offered=${offers["agentdb ${path:+$path }"]-}
      for word in ${SUBS[:$path]}; do
        check "$name: '${LABEL[:$path]} <TAB>' does not offer subcommand $word" has_line "$word" "$offered"
      done
      while IFS= read -r word; do
        if [[ $word != [a-z]* ]]; then continue; fi
        check "$name: '${LABEL[:$path]} <TAB>' offers $word, which is not a subcommand of it" \
          has_word "$word" "${SUBS[:$path]}"
      done <<<"$offered"
    fi
    offered=${offers["agentdb ${path:+$path }--"]-}
    for word in ${ACCEPTED[:$path]}; do
      check "$name: '${LABEL[:$path]} --<TAB>' does not offer $word" has_line "$word" "$offered"
    done
    while IFS= read -r word; do
      if [[ $word != --* ]]; then continue; fi
      check "$name: '${LABEL[:$path]} --<TAB>' offers $word, which it does not accept" \
        has_word "$word" "${ACCEPTED[:$path]} --help --version"
    done <<<"$offered"
  done
}

# bash: the completion function itself, in a child bash without user settings.
bash_candidates() {
  bash --norc --noprofile -c '
    source "$1" || exit 1
    shift
    spec=$(complete -p agentdb 2>/dev/null) || { echo "no complete spec for agentdb" >&2; exit 1; }
    fn=$(sed -nE "s/.*-F ([^ ]+).*/\1/p" <<<"$spec")
    [[ -n $fn ]] || { echo "the complete spec for agentdb uses no function (-F)" >&2; exit 1; }
    for line in "$@"; do
      read -ra COMP_WORDS <<<"$line"
      [[ $line == *" " ]] && COMP_WORDS+=("")
      COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
      COMP_LINE=$line
      COMP_POINT=${#line}
      COMPREPLY=()
      "$fn" agentdb "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
      echo "@@ $line"
      [[ ${#COMPREPLY[@]} -gt 0 ]] && printf "%s\n" "${COMPREPLY[@]}"
    done
    exit 0
  ' bash "$BASH_COMPLETION" "$@"
}

if [[ ! -f $BASH_COMPLETION ]]; then
  fail "$BASH_COMPLETION does not exist"
elif ! results=$(cd "$EMPTY_DIR" && bash_candidates "${QUERIES[@]}"); then
  fail "completions/agentdb.bash: sourcing it or running its completion function failed"
else
  pass
  check_offers "completions/agentdb.bash" "$results"
fi

# fish: `complete --do-complete` when fish is installed, else the names must appear in the file.
if [[ ! -f $FISH_COMPLETION ]]; then
  fail "$FISH_COMPLETION does not exist"
elif command -v fish >/dev/null 2>&1; then
  if ! fish --no-config -n "$FISH_COMPLETION"; then
    fail "completions/agentdb.fish: fish -n reports a syntax error"
  elif ! results=$(cd "$EMPTY_DIR" && fish --no-config -c '
      source $argv[1]; or exit 1
      for q in $argv[2..-1]
        echo "@@ $q"
        complete --do-complete=$q | string replace -r "\t.*" ""
      end' "$FISH_COMPLETION" "${QUERIES[@]}"); then
    fail "completions/agentdb.fish: sourcing it or completing with it failed"
  else
    pass
    check_offers "completions/agentdb.fish" "$results"
  fi
else
  echo "note: fish is not installed; checking completions/agentdb.fish textually"
  fish_text=$(grep -E '^[[:space:]]*complete -c agentdb' "$FISH_COMPLETION" || true)
  for path in "${PATHS[@]}"; do
    for sub in ${SUBS[:$path]}; do
      re="-a ['\"]?([^'\"]* )?${sub}([ '\"]|\$)"
      check "completions/agentdb.fish: subcommand '$sub' of '${LABEL[:$path]}' is never completed (-a $sub)" \
        matches "$re" "$fish_text"
    done
    for opt in ${OPTS[:$path]}; do
      check "completions/agentdb.fish: option $opt of '${LABEL[:$path]}' is never completed (-l ${opt#--})" \
        has_word "-l ${opt#--}" "$fish_text"
    done
  done
fi

# zsh: one function per command path; FN_BODY[name] is the text of function name.
if [[ ! -f $ZSH_COMPLETION ]]; then
  fail "$ZSH_COMPLETION does not exist"
else
  declare -A FN_BODY=()
  current=""
  while IFS= read -r line; do
    if [[ $line =~ ^(_agentdb[-A-Za-z0-9_]*)\(\)\ *\{ ]]; then
      current=${BASH_REMATCH[1]}
      FN_BODY[$current]=""
    elif [[ $line == "}" ]]; then
      current=""
    elif [[ -n $current ]]; then
      FN_BODY[$current]+="$line"$'\n'
    fi
  done <"$ZSH_COMPLETION"
  first_line=$(head -n 1 "$ZSH_COMPLETION")
  check "completions/_agentdb: the first line is not '#compdef agentdb'" has_line "#compdef agentdb" "$first_line"
  for path in "${PATHS[@]}"; do
    fn="_agentdb${path:+_${path// /_}}"
    if [[ -z ${FN_BODY[$fn]+set} ]]; then
      fail "completions/_agentdb: no function $fn() for '${LABEL[:$path]}'"
      continue
    fi
    pass
    body=${FN_BODY[$fn]}
    for sub in ${SUBS[:$path]}; do
      check "completions/_agentdb: $fn() does not list subcommand '$sub' ('$sub:description')" \
        contains "'$sub:" "$body"
    done
    options_fn=$fn
    if [[ -z $path ]]; then
      options_fn=_agentdb_global_options
      body=${FN_BODY[$options_fn]-}
    fi
    for opt in ${OPTS[:$path]}; do
      check "completions/_agentdb: option $opt of '${LABEL[:$path]}' is not in $options_fn()" \
        has_word "$opt" "$body"
    done
  done
  if command -v zsh >/dev/null 2>&1; then
    check "completions/_agentdb: zsh -n reports a syntax error" zsh -n "$ZSH_COMPLETION"
  fi
fi

finish
