#!/usr/bin/env bash
# Any input size is handled in linear time: a 120 kB argument (near the kernel's 128 KiB limit for
# one argument) given to EVERY command path (found from --help, so a new command is covered without
# touching this script) as the --database-url value, as an unknown option and as a positional
# exits with the usage status of the command's convention (2, or 3 UNKNOWN for a monitoring plugin)
# within 1 s, with one short line on stderr that echoes the argument cut short and no password.
#
# Usage: hostile_arguments.sh AGENTDB_BINARY [REPOSITORY_ROOT]
# The 1 s bound is the Release build's (CI runs this script there). A sanitizer build starts in
# ~0.45 s before it parses anything and runs 3-5x slower, so ctest gives it AGENTDB_TIME_LIMIT_MS=4000:
# there the script still checks every status, message and leak, and that nothing is quadratic.
set -euo pipefail
time_limit_ms=${AGENTDB_TIME_LIMIT_MS:-1000}

if [[ $# -lt 1 ]]; then
  echo "usage: $0 AGENTDB_BINARY [REPOSITORY_ROOT]" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")

# pass, fail, finish, run, expect_rc, expect_in
source "$(dirname "${BASH_SOURCE[0]}")/../support/checks.sh"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/migrations" "$WORK/seeds"
cd "$WORK"
unset AGENTDB_MIGRATIONS_DIR AGENTDB_SEEDS_DIR AGENTDB_BACKUP_DIR
# Nothing listens on port 1: a command that connects fails at once instead of starting a cluster.
export DATABASE_URL=postgresql://u:secretpw@127.0.0.1:1/x AGENTDB_HOME=$WORK/agentdb-home NO_COLOR=1

BIG=$(head -c 120000 /dev/zero | tr '\0' x)
LONGEST_MESSAGE=300

# Every command path (the top level too, and families such as `seed` that are commands of their
# own besides holding subcommands), from --help.
leaves=("")
queue=("")
while [[ ${#queue[@]} -gt 0 ]]; do
  path=${queue[0]}
  queue=("${queue[@]:1}")
  # shellcheck disable=SC2086 # the path's words are separate arguments
  help=$("$BIN" $path --help)
  subs=$(awk '$0 == "Subcommands:" { on = 1; next } on && (/^$/ || /^[^ ]/) { on = 0 }
              on && /^  [^ ]/ { print $1 }' <<<"$help")
  if [[ -n $path ]]; then leaves+=("$path"); fi
  for sub in $subs; do queue+=("${path:+$path }$sub"); done
done
if [[ ${#leaves[@]} -ge 20 ]]; then pass; else fail "found only ${#leaves[@]} command paths in --help"; fi

# The commands whose usage errors are 3 (UNKNOWN), from the --help footer.
plugin_commands=$("$BIN" --help | tr '\n' ' ' | grep -o 'Monitoring-plugin exit codes[^.]*' |
  grep -o '[a-z][a-z ]* (a usage error is 3)' | sed 's/ (a usage error is 3)//' || true)
if [[ -n $plugin_commands ]]; then pass; else fail "--help names no command whose usage error is 3"; fi

# try LEAF ARGS...: runs `agentdb LEAF ARGS...` and checks status, time and message.
try() {
  local leaf=$1 expected=2 rc=0 started elapsed problems=""
  shift
  if grep -qx "$leaf" <<<"$plugin_commands"; then expected=3; fi
  started=$(date +%s%N)
  # shellcheck disable=SC2086 # the leaf's words are separate arguments
  "$BIN" $leaf "$@" >"$WORK/stdout" 2>"$WORK/stderr" </dev/null || rc=$?
  elapsed=$((($(date +%s%N) - started) / 1000000))
  local what="agentdb $leaf" argument
  for argument in "$@"; do what+=" ${argument:0:30}..."; done
  if [[ $rc -ne $expected ]]; then problems+=" exit status $rc, expected $expected;"; fi
  if [[ $elapsed -gt $time_limit_ms ]]; then problems+=" took ${elapsed} ms (limit ${time_limit_ms});"; fi
  if [[ $(wc -l <"$WORK/stderr") -ne 1 || $(head -c 9 "$WORK/stderr") != "agentdb: " ]]; then
    problems+=" stderr is not one line starting with 'agentdb: ';"
  fi
  if [[ $(wc -c <"$WORK/stderr") -gt $LONGEST_MESSAGE ]]; then
    problems+=" stderr is $(wc -c <"$WORK/stderr") bytes: $(head -c 200 "$WORK/stderr")...;"
  fi
  if [[ $(wc -c <"$WORK/stdout") -gt $LONGEST_MESSAGE ]]; then
    problems+=" stdout is $(wc -c <"$WORK/stdout") bytes;"
  fi
  if grep -q secretpw "$WORK/stdout" "$WORK/stderr"; then problems+=" printed the password;"; fi
  if [[ -z $problems ]]; then pass; else fail "'$what':$problems $(head -c 200 "$WORK/stderr")"; fi
}

# Commands that still check a positional only after connecting (issue 15, to close in their own
# folder): listed here so the gap stays visible; remove a line once its command is fixed.
positional_checked_late=("qdrant snapshot")

for leaf in "${leaves[@]}"; do
  try "$leaf" --database-url "postgresql://u:secretpw@[$BIG"
  try "$leaf" --database-url "$BIG"
  try "$leaf" "--$BIG"
  try "$leaf" "--$BIG=1"
  if printf '%s\n' "${positional_checked_late[@]}" | grep -qx "$leaf"; then
    echo "SKIP: 'agentdb $leaf <120 kB positional>' is checked only after connecting" >&2
  else
    try "$leaf" "$BIG"
  fi
done

echo "$passed passed, $failed failed"
if [[ $failed -eq 0 ]]; then exit 0; else exit 1; fi
