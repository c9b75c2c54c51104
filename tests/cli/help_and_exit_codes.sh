#!/usr/bin/env bash
# Help, version, and the documented exit codes of usage and connection errors, each reported as
# one line on stderr that starts with "agentdb: ". Needs no database server: connections go to
# 127.0.0.1:1, where nothing listens.
#
# Usage: help_and_exit_codes.sh AGENTDB_BINARY [REPOSITORY_ROOT]
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 AGENTDB_BINARY [REPOSITORY_ROOT]" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
UNREACHABLE=postgresql://u:secret@127.0.0.1:1/x

# pass, fail, finish, run, expect_rc, expect_in
source "$(dirname "${BASH_SOURCE[0]}")/../support/checks.sh"

# Everything runs in a scratch directory (with an empty migrations/), never near a real cluster.
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/migrations" "$WORK/empty"
cd "$WORK"
unset DATABASE_URL AGENTDB_MIGRATIONS_DIR AGENTDB_SEEDS_DIR
export AGENTDB_HOME=$WORK/agentdb-home NO_COLOR=1

# run CMD...: as checks.sh's, and keeps the command line for messages.
run() {
  capture "$@"
  CMD="agentdb ${*:2}"
}

# expect_error CODE: the last run exited CODE, printed nothing on stdout and one line on stderr
# starting with "agentdb: ".
expect_error() {
  local code=$1 problems=""
  if [[ $RC -ne $code ]]; then problems+=" exit status $RC, expected $code;"; fi
  if [[ $ERR_LINES -ne 1 || $ERR != "agentdb: "* ]]; then
    problems+=" stderr is not one line starting with 'agentdb: ' (it is: '$ERR');"
  fi
  if [[ -n $OUT ]]; then problems+=" stdout is not empty (it is: '$OUT');"; fi
  if [[ -z $problems ]]; then pass; else fail "'$CMD':$problems"; fi
}

# --help, with the exit codes.
run "$BIN" --help
if [[ $RC -eq 0 ]]; then pass; else fail "'agentdb --help' exited $RC, expected 0"; fi
codes=$(awk '$0 == "Exit codes:" { on = 1; next } on && /^$/ { on = 0 } on && /^  [0-9] / { print $1 }' \
  <<<"$OUT" | tr '\n' ' ')
if [[ $codes == "0 1 2 3 4 " ]]; then pass; else
  fail "'agentdb --help' does not list the exit codes 0 to 4 under 'Exit codes:' (found: '$codes')"
fi
if [[ -z $ERR ]]; then pass; else fail "'agentdb --help' wrote to stderr: $ERR"; fi

# Every command path's --help exits 0 and prints its usage.
queue=("")
paths=0
while [[ ${#queue[@]} -gt 0 ]]; do
  path=${queue[0]}
  queue=("${queue[@]:1}")
  # shellcheck disable=SC2086 # the path's words are separate arguments
  run "$BIN" $path --help
  paths=$((paths + 1))
  if [[ $RC -eq 0 && $OUT == *"Usage: agentdb${path:+ $path}"* ]]; then pass; else
    fail "'agentdb${path:+ $path} --help' exited $RC (expected 0) or printed no 'Usage: agentdb${path:+ $path}' line"
  fi
  for sub in $(awk '$0 == "Subcommands:" { on = 1; next } on && (/^$/ || /^[^ ]/) { on = 0 }
                    on && /^  [^ ]/ { print $1 }' <<<"$OUT"); do
    queue+=("${path:+$path }$sub")
  done
done
if [[ $paths -ge 5 ]]; then pass; else fail "found only $paths command paths in --help (format changed?)"; fi

# --version: the fast path (alone) and the full parser (with other options) agree.
run "$BIN" --version
if [[ $RC -eq 0 && $OUT =~ ^agentdb\ [0-9]+\.[0-9]+\.[0-9]+[^[:space:]]*$ ]]; then pass; else
  fail "'agentdb --version' exited $RC and printed '$OUT', expected 'agentdb <version>'"
fi
version=$OUT
run "$BIN" --no-color --version
if [[ $RC -eq 0 && $OUT == "$version" ]]; then pass; else
  fail "'agentdb --no-color --version' exited $RC and printed '$OUT', expected '$version'"
fi

# Unknown commands: exit 2, one line, a "did you mean" for a near miss.
run "$BIN" frobnicate
expect_error 2
run "$BIN" migrat
expect_error 2
if [[ $ERR == *"did you mean 'migrate'"* ]]; then pass; else
  fail "'agentdb migrat' does not suggest 'migrate': $ERR"
fi
run "$BIN" migrate stauts
expect_error 2
if [[ $ERR == *"did you mean 'status'"* ]]; then pass; else
  fail "'agentdb migrate stauts' does not suggest 'status': $ERR"
fi
run "$BIN"
expect_error 2
run "$BIN" migrate up --bogus
expect_error 2

# Usage errors are reported before connecting to anything.
run "$BIN" migrate new Bad-Name --dir "$WORK/new-revisions"
expect_error 2
if [[ -z $(ls -A "$WORK/new-revisions" 2>/dev/null) ]]; then pass; else
  fail "'agentdb migrate new Bad-Name' created files: $(ls "$WORK/new-revisions")"
fi
run "$BIN" migrate status --dir /nonexistent --database-url "$UNREACHABLE"
expect_error 2
if [[ $ERR == *"/nonexistent"* ]]; then pass; else fail "'$CMD' does not name the directory: $ERR"; fi
run "$BIN" --config "$WORK/none.toml" migrate status
expect_error 2
printf 'databse_url = "postgresql://u@h/db"\n' >"$WORK/typo.toml"
run "$BIN" --config "$WORK/typo.toml" migrate status
expect_error 2
if [[ $ERR == *databse_url* ]]; then pass; else fail "'$CMD' does not name the unknown key: $ERR"; fi
run "$BIN" local destroy
expect_error 2

# Integer values are decimal in every command (CLI11 alone reads 010 as octal 8 and 0x10 as 16):
# anything but digits is a usage error naming the option, before connecting.
for spec in "migrate history --limit" "migrate up --to" "migrate down --to" "migrate down" \
  "migrate repair" "migrate baseline" "backup create --jobs" "backup prune --keep-last" \
  "seed synth --users" "seed synth --random-seed" "pool probe --threads" \
  "pool probe --connections" "cost top --limit"; do
  read -ra words <<<"$spec"
  run "$BIN" --database-url "$UNREACHABLE" "${words[@]}" 0x10
  expect_error 2
  if [[ $ERR == *"'0x10' is not a decimal whole number"* && $ERR != *"unknown command"* ]]; then pass; else
    fail "'$CMD' does not reject 0x10 as a non-decimal value: $ERR"
  fi
done

# Messages name the option, what was wrong and what is accepted (a mechanism per kind: every
# unknown option, every integer option's range, every folder option, every URL scheme).
run "$BIN" --frob
expect_error 2
if [[ $ERR == *"unknown option '--frob'"*"agentdb --help"* ]]; then pass; else
  fail "'$CMD' does not name the unknown option and --help: $ERR"
fi
run "$BIN" migrate history --lmit 5
expect_error 2
if [[ $ERR == *"unknown option '--lmit'"*"did you mean '--limit'"* ]]; then pass; else
  fail "'$CMD' does not suggest --limit: $ERR"
fi
for spec in "migrate status --dir" "seed --dir" "backup list --backup-dir" "health --migrations-dir"; do
  read -ra words <<<"$spec"
  run "$BIN" --database-url "$UNREACHABLE" "${words[@]}" /etc/passwd
  if [[ $RC -ne 0 && $ERR == *"${words[-1]}"*"'/etc/passwd' is not a directory"* ]]; then pass; else
    fail "'$CMD' does not say that /etc/passwd is not a directory (exit $RC): $ERR"
  fi
done
for spec in "migrate history --limit 999999999999:from 1 to 2147483647" \
  "migrate down 99999999999999999999:from 1 to" "seed synth --random-seed -1:from 0 to" \
  "backup create --jobs 65:from 1 to 64" "migrate up --to 0x10:not a decimal whole number"; do
  read -ra words <<<"${spec%%:*}"
  run "$BIN" --database-url "$UNREACHABLE" "${words[@]}"
  expect_error 2
  if [[ $ERR == *"'${words[-1]}'"*"${spec#*:}"* ]]; then pass; else
    fail "'$CMD' does not name the option, the value and the accepted range: $ERR"
  fi
done
run "$BIN" --database-url "mysql://u:secret@h/x" migrate status
expect_error 2
if [[ $ERR == *"unsupported database URL scheme 'mysql://'"*"postgresql://"* && $ERR != *secret* ]]; then
  pass
else fail "'$CMD' does not name the unsupported scheme (or printed the password): $ERR"; fi
for command in "migrate status" "local status"; do
  # shellcheck disable=SC2086 # the command's words are separate arguments
  run "$BIN" --database-url '' $command
  expect_error 2
  if [[ $ERR == *"--database-url is empty"* ]]; then pass; else
    fail "'$CMD' does not refuse the empty URL: $ERR"
  fi
done
run env DATABASE_URL= "$BIN" local status
CMD="DATABASE_URL= agentdb local status"
if [[ $RC -eq 0 ]]; then pass; else fail "'$CMD' (empty means not set) exited $RC: $ERR"; fi

# Every error line is printable: a terminal escape or newline in an echoed word (or a server's
# message) is shown as an escape, not sent to the terminal.
run "$BIN" $'frob\e]0;pwned\a\nsecond line'
expect_error 2
if [[ $ERR != *$'\e'* && $ERR != *$'\a'* && $ERR == *'\x1B]0;pwned'* ]]; then pass; else
  fail "'agentdb frob<ESC>...' printed a raw control character: $(printf '%q' "$ERR")"
fi

# health is a monitoring plugin: a usage error is 3 with "AGENTDB UNKNOWN - reason" on stdout, so
# Nagios shows why, and the one error line on stderr.
expect_unknown() {
  if [[ $RC -eq 3 && $OUT == "AGENTDB UNKNOWN - "?* && $OUT != *$'\n'* && $ERR_LINES -eq 1 &&
    $ERR == "agentdb: "* ]]; then pass; else
    fail "'$CMD' exited $RC (expected 3) with stdout '$OUT' and stderr '$ERR'"
  fi
}
run "$BIN" health --frob
expect_unknown
run "$BIN" health --warning connections=lots --database-url "$UNREACHABLE"
expect_unknown
run "$BIN" --config "$WORK/typo.toml" health
expect_unknown
run "$BIN" --database-url '' health
expect_unknown

# Cannot connect: exit 3, and the password is never printed.
run "$BIN" --database-url "$UNREACHABLE" migrate status
expect_error 3
if [[ $ERR != *secret* ]]; then pass; else fail "'$CMD' printed the password: $ERR"; fi
run "$BIN" migrate status --dir "$WORK/empty" --json --database-url "$UNREACHABLE"
expect_error 3
if [[ $ERR != *secret* ]]; then pass; else fail "'$CMD' printed the password: $ERR"; fi
run "$BIN" --database-url "host=127.0.0.1 port=1 user=u password=secret dbname=x" migrate status
expect_error 3
if [[ $ERR != *secret* ]]; then pass; else fail "'$CMD' printed the password: $ERR"; fi
run env DATABASE_URL="$UNREACHABLE" "$BIN" migrate history
CMD="DATABASE_URL=$UNREACHABLE agentdb migrate history"
expect_error 3
if [[ $ERR != *secret* ]]; then pass; else fail "'$CMD' printed the password: $ERR"; fi

# Passwords with spaces, quotes, '@' and the like, in URL form (percent-encoded) and key=value form
# (quoted, with \' escapes), are never printed by any error path: cannot connect, invalid URL.
# ("p w" alone is too short to look for in a table: the checks look for "s3cr" and the encoded form.)
for url in 'postgresql://u:p%20w@127.0.0.1:1/x' 'postgresql://u:s3cr%20t%27%40%2Fpw@127.0.0.1:1/x' \
  "host=127.0.0.1 port=1 user=u password='s3cr t\\' @pw' dbname=x" \
  'postgresql://u:s3cr%20t%zz@127.0.0.1:1/x' 'postgresql://u:s3cr t@[127.0.0.1:1/x' \
  "host=127.0.0.1 password='s3cr t\\' @pw' bogus"; do
  for command in health "migrate status"; do
    # shellcheck disable=SC2086 # the command's words are separate arguments
    run "$BIN" --database-url "$url" $command
    if [[ $RC -ne 0 && -n "$OUT$ERR" && "$OUT$ERR" != *":p w"* && "$OUT$ERR" != *"p%20w"* &&
      "$OUT$ERR" != *"s3cr"* && "$OUT$ERR" != *"%27"* ]]; then pass; else
      fail "'agentdb --database-url $url $command' printed the password (exit $RC): $OUT $ERR"
    fi
  done
done

finish
