#!/usr/bin/env bash
# agentdb.toml is TOML 1.0: tables, dotted keys and inline tables name the same setting, and a
# file that is not TOML, or is hostile (deep tables, escapes in keys), is exit 2 with one stderr
# line naming the file, line and column. Needs no database server.
#
# Usage: config_file_toml.sh AGENTDB_BINARY [REPOSITORY_ROOT]
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 AGENTDB_BINARY [REPOSITORY_ROOT]" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")

# pass, fail, finish, run, expect_rc, expect_in
source "$(dirname "${BASH_SOURCE[0]}")/../support/checks.sh"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# Runs agentdb with a config file holding $1; sets STATUS and ERR.
run_with_config() {
  printf '%s' "$1" >"$WORK/agentdb.toml"
  shift
  STATUS=0
  ERR=$("$BIN" --config "$WORK/agentdb.toml" "$@" 2>&1 >/dev/null) || STATUS=$?
}

# $1: what; $2: the pattern the one stderr line must match.
expect_usage_error() {
  if [[ $STATUS -ne 2 ]]; then
    fail "$1: exit $STATUS, expected 2 ($ERR)"
  elif [[ $(printf '%s\n' "$ERR" | wc -l) -ne 1 || ! $ERR =~ $2 ]]; then
    fail "$1: stderr is not one line matching '$2': $ERR"
  else
    pass
  fi
}

run_with_config $'[migrate]\ndir = "db"\nretries = 2x\n' migrate new add_notes
expect_usage_error "a malformed value" "^agentdb: $WORK/agentdb.toml:3:12: .*decimal integer"

run_with_config $'[migrate]\ndir = "db"\n[[servers]]\nhost = "x"\n' migrate new add_notes
expect_usage_error "an array of tables" "^agentdb: $WORK/agentdb.toml:3:1: arrays of tables"

run_with_config $'migrate.dri = "typo"\n' migrate new add_notes
expect_usage_error "a typo in a dotted key" "unknown setting 'migrate.dri'"

run_with_config $'"\\u001b]0;owned\\u0007" = 1\n' migrate new add_notes
expect_usage_error "a key holding escapes" "unknown setting"
if [[ $ERR == *$'\033'* || $ERR == *$'\a'* ]]; then
  fail "control characters of a key reached the terminal: $ERR"
else
  pass
fi

# 120 kB of dotted key parts overflowed toml++'s recursion (SIGSEGV) before the bound.
deep=$(printf 'a.%.0s' $(seq 60000))
start=$(date +%s%N)
run_with_config "${deep}b = 1" migrate new add_notes
expect_usage_error "60000 dotted key parts" "agentdb.toml:1:[0-9]+: more than 4096 dotted key parts"
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
if [[ $elapsed_ms -lt 1000 ]]; then pass; else fail "the deep file took $elapsed_ms ms"; fi

run_with_config $'[migrate]\ndir = "db"\nx\xcf\x91 = 1\n' migrate new add_notes
expect_usage_error "a non-ASCII bare key" "agentdb.toml:3:2: a non-ASCII character"

# The same setting three ways, each used by `migrate new` (which needs no database).
mkdir -p "$WORK/one" "$WORK/two" "$WORK/three"
for form in $'[migrate]\ndir = "one"\n' $'migrate.dir = "two" # comment\n' \
  $'migrate = { dir = "three", lock_timeout = "30s" }\n'; do
  run_with_config "$form" migrate new add_notes
  dir=$(sed -n 's/.*"\(.*\)".*/\1/p' <<<"${form%%,*}" | head -1)
  if [[ $STATUS -eq 0 && -n $(ls "$WORK/$dir"/*add_notes* 2>/dev/null) ]]; then
    pass
  else
    fail "'$form' did not set migrate.dir (exit $STATUS): $ERR"
  fi
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
