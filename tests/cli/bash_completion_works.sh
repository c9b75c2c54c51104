#!/usr/bin/env bash
# completions/agentdb.bash completes for real: it is sourced in a child bash (no user settings) and
# its completion function is run with COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT set as bash
# sets them, and COMPREPLY is checked. Then the zsh and fish completions are syntax-checked when
# those shells are installed (skipped with a message when not).
#
# Usage: bash_completion_works.sh AGENTDB_BINARY REPOSITORY_ROOT
# (the binary is not needed: completion is static; it is accepted for symmetry with the others)
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 AGENTDB_BINARY REPOSITORY_ROOT" >&2
  exit 2
fi
ROOT=$(cd "$2" && pwd)
COMPLETION=$ROOT/completions/agentdb.bash

# pass, fail, finish, run, expect_rc, expect_in
source "$(dirname "${BASH_SOURCE[0]}")/../support/checks.sh"

if [[ ! -f $COMPLETION ]]; then
  fail "$COMPLETION does not exist"
  finish
fi

# A scratch directory with a migrations folder, an SQL file, a config file and two seed sets.
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/db/migrations" "$WORK/seeds/reference" "$WORK/seeds/demo" "$WORK/other/extra"
touch "$WORK/20261123000100_users.up.sql" "$WORK/agentdb.toml"
unset AGENTDB_SEEDS_DIR AGENTDB_MIGRATIONS_DIR

# candidates [--nounset] WORD...: runs the completion function, in $WORK, on the command line made
# of the words, the last of which is the word being completed (may be empty); prints COMPREPLY
# sorted, one per line.
candidates() {
  local nounset=""
  if [[ $1 == --nounset ]]; then
    nounset=1
    shift
  fi
  (cd "$WORK" && bash --norc --noprofile -c '
    completion=$1 nounset=$2
    shift 2
    source "$completion" || exit 1
    spec=$(complete -p agentdb) || exit 1
    fn=$(sed -nE "s/.*-F ([^ ]+).*/\1/p" <<<"$spec")
    [[ -n $fn ]] || exit 1
    [[ -n $nounset ]] && set -u
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    "$fn" agentdb "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" || exit 1
    if [[ ${#COMPREPLY[@]} -gt 0 ]]; then printf "%s\n" "${COMPREPLY[@]}" | sort; fi
  ' bash "$COMPLETION" "$nounset" "$@")
}

show() { tr '\n' ' ' <<<"$1" | sed 's/ *$//'; }

# expect_exactly "EXPECTED WORDS" WORD...: the candidates are exactly those words.
expect_exactly() {
  local expected offered
  expected=$(tr ' ' '\n' <<<"$1" | sort)
  shift
  if ! offered=$(candidates "$@"); then
    fail "'$*<TAB>': the completion function failed"
  elif [[ $offered == "$expected" ]]; then
    pass
  else
    fail "'$*<TAB>' offered [$(show "$offered")], expected exactly [$(show "$expected")]"
  fi
}

# expect "INCLUDED WORDS" "EXCLUDED WORDS" WORD...: the candidates include and exclude those.
expect() {
  local included=$1 excluded=$2 offered word missing="" extra=""
  shift 2
  if ! offered=$(candidates "$@"); then
    fail "'$*<TAB>': the completion function failed"
    return
  fi
  for word in $included; do
    if ! grep -qxF -- "$word" <<<"$offered"; then missing+=" $word"; fi
  done
  for word in $excluded; do
    if grep -qxF -- "$word" <<<"$offered"; then extra+=" $word"; fi
  done
  if [[ -z $missing && -z $extra ]]; then
    pass
  else
    fail "'$*<TAB>' offered [$(show "$offered")]${missing:+; missing:$missing}${extra:+; should not offer:$extra}"
  fi
}

# Registration.
if spec=$(bash --norc --noprofile -c 'source "$1" && complete -p agentdb' bash "$COMPLETION") &&
  [[ $spec == "complete -F "*" agentdb" ]]; then
  pass
else
  fail "sourcing completions/agentdb.bash does not register 'complete -F <function> agentdb' (got: ${spec:-nothing})"
fi

# Commands and subcommands.
expect_exactly "migrate" agentdb mi
expect_exactly "status" agentdb migrate st
expect_exactly "status start stop destroy" agentdb local ""
expect "migrate local seed" "" agentdb ""
expect_exactly "up down status history new verify redo baseline repair lint" agentdb migrate ""
expect_exactly "status" agentdb --json migrate st
expect_exactly "status" agentdb --database-url postgresql://u@h/db migrate st
expect_exactly "status" agentdb --database-url = postgresql://u@h/db migrate st

# Options: the leaf's own, the group's (migrate --dir) and the global ones.
expect "--dry-run --to --allow-out-of-order --strict --json --quiet --database-url --dir --lock-timeout" \
  "--check --yes --roundtrip" agentdb migrate up --
expect_exactly "--dry-run" agentdb migrate up --dr
expect_exactly "--dry-run" agentdb migrate --dir db/migrations up --dr
expect_exactly "--dry-run" agentdb migrate --dir = db/migrations up --dr
expect_exactly "--yes" agentdb local destroy --y
expect "--check --json --dir" "--dry-run" agentdb migrate status --
expect "--json --database-url --config --version --no-color --verbose --quiet" "--dir --dry-run" agentdb --
expect "--scale --users --random-seed --days --end --json" "--dry-run --list --dir" agentdb seed synth --
expect "--list --dry-run --dir --json" "--scale" agentdb seed --

# Values of options.
expect_exactly "db" agentdb migrate --dir d
expect "db other seeds" "20261123000100_users.up.sql agentdb.toml" agentdb migrate --dir ""
expect_exactly "db" agentdb migrate --dir = d
expect "agentdb.toml" "" agentdb --config a
expect "60s 5m" "" agentdb migrate --lock-timeout ""
expect_exactly "" agentdb migrate up --to ""

# Positional arguments.
expect_exactly "20261123000100_users.up.sql" agentdb migrate lint 2026
expect "reference demo synth" "" agentdb seed ""
expect "extra synth" "reference demo" agentdb seed --dir other ""

# Under `set -u`, as some users run their shells.
if offered=$(candidates --nounset agentdb migrate --dir db up --dr) && [[ $offered == --dry-run ]] &&
  offered=$(candidates --nounset agentdb seed "") && [[ -n $offered ]] &&
  offered=$(candidates --nounset agentdb "") && [[ -n $offered ]]; then
  pass
else
  fail "the completion function fails or offers nothing under 'set -u'"
fi

# The other shells' files parse.
if command -v zsh >/dev/null 2>&1; then
  if zsh -n "$ROOT/completions/_agentdb"; then pass; else fail "zsh -n completions/_agentdb reports a syntax error"; fi
else
  echo "skip: zsh is not installed; completions/_agentdb not syntax-checked"
fi
if command -v fish >/dev/null 2>&1; then
  if fish --no-config -n "$ROOT/completions/agentdb.fish"; then pass; else fail "fish -n completions/agentdb.fish reports a syntax error"; fi
else
  echo "skip: fish is not installed; completions/agentdb.fish not syntax-checked"
fi

finish
