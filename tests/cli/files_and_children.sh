#!/usr/bin/env bash
# Files agentdb writes and programs it runs, against a hostile neighbour and a kill -9:
# `cost report --html` never writes through a planted symlink and calls a folder a folder (exit 2),
# `migrate new` with a name too long for the file system creates nothing (exit 2, the limit named),
# and pg_dump does not outlive an agentdb killed with SIGKILL during `backup create`.
#
# Usage: files_and_children.sh AGENTDB_BINARY REPOSITORY_ROOT   (needs the ctest cluster:
# AGENTDB_TEST_HOME)
set -euo pipefail

if [[ $# -lt 2 || -z ${AGENTDB_TEST_HOME:-} ]]; then
  echo "usage: AGENTDB_TEST_HOME=... $0 AGENTDB_BINARY REPOSITORY_ROOT" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)

# pass, fail, finish, run, expect_rc, expect_in
source "$(dirname "${BASH_SOURCE[0]}")/../support/checks.sh"

WORK=$(mktemp -d)
DB=files_children_$$
HOLDER=""
ADMIN=""
cleanup() {
  if [[ -n $HOLDER ]]; then kill "$HOLDER" 2>/dev/null || true; fi
  if [[ -n $ADMIN ]]; then
    psql "$ADMIN" -qAtc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"
unset DATABASE_URL AGENTDB_MIGRATIONS_DIR AGENTDB_SEEDS_DIR AGENTDB_BACKUP_DIR
export NO_COLOR=1

# A database of our own on the shared test cluster, reached through its socket.
SOCKET=$(AGENTDB_HOME=$AGENTDB_TEST_HOME "$BIN" --json local status |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["socket_dir"])')
ADMIN="host=$SOCKET user=agentdb dbname=postgres"
URL="host=$SOCKET user=agentdb dbname=$DB"
psql "$ADMIN" -qAtc "CREATE DATABASE $DB" >/dev/null
export AGENTDB_HOME=$WORK/no-cluster DATABASE_URL=$URL

expect_usage_error() {
  local what=$1 word
  shift
  if [[ $RC -ne 2 || $ERR_LINES -ne 1 || $ERR != "agentdb: "* || $ERR == *"unexpected error"* ]]; then
    fail "$what: exit $RC, stderr '$ERR' (expected exit 2 and one 'agentdb: ' line)"
    return
  fi
  for word in "$@"; do
    if [[ $ERR != *"$word"* ]]; then
      fail "$what: stderr '$ERR' does not say '$word'"
      return
    fi
  done
  pass
}

# --- cost report --html ---------------------------------------------------------------------
run "$BIN" --quiet migrate up --dir "$SRC/migrations"
[[ $RC -eq 0 ]] || fail "migrate up of the scratch database: $ERR"

mkdir "$WORK/reports"
run "$BIN" cost report --html "$WORK/reports"
expect_usage_error "--html naming a folder" "--html" "$WORK/reports" "folder"

run "$BIN" cost report --html "$WORK/reports/"
expect_usage_error "--html naming a folder with a slash" "--html" "folder"

echo precious >"$WORK/victim"
ln -s "$WORK/victim" "$WORK/r.html"
ln -s "$WORK/victim" "$WORK/r.html.tmp.1234"
run "$BIN" --quiet cost report --html "$WORK/r.html"
if [[ $RC -eq 0 && $(cat "$WORK/victim") == precious && ! -L $WORK/r.html ]] &&
  grep -q '<html' "$WORK/r.html"; then
  pass
else
  fail "--html over a symlink: exit $RC, victim now '$(head -c 40 "$WORK/victim")', stderr '$ERR'"
fi
leftovers=$(find "$WORK" -maxdepth 1 -name '.agentdb-tmp-*' | wc -l)
if [[ $leftovers -eq 0 ]]; then pass; else fail "--html left $leftovers temporary files"; fi

if [[ $(id -u) -ne 0 ]]; then
  mkdir "$WORK/locked" && chmod 0500 "$WORK/locked"
  run "$BIN" cost report --html "$WORK/locked/r.html"
  expect_usage_error "--html in a read-only folder" "--html" "$WORK/locked/r.html"
fi

# --- migrate new ----------------------------------------------------------------------------
mkdir "$WORK/migrations"
LONG=$(printf 'n%.0s' {1..250})
run "$BIN" migrate new --dir "$WORK/migrations" "$LONG"
expect_usage_error "migrate new with a name too long for the file system" "too long" "255"
if [[ -z $(ls -A "$WORK/migrations") ]]; then
  pass
else
  fail "migrate new with a too long name left files: $(ls -A "$WORK/migrations")"
fi
run "$BIN" --quiet migrate new --dir "$WORK/migrations" after_the_long_one
if [[ $RC -eq 0 && $(ls "$WORK/migrations" | wc -l) -eq 2 ]]; then
  pass
else
  fail "migrate new after the refused one: exit $RC, $ERR, files: $(ls -A "$WORK/migrations")"
fi

# --- a child of a killed agentdb ------------------------------------------------------------
# pg_dump waits for a table that another session holds locked, for as long as it is held.
psql "$URL" -qAtc "CREATE TABLE held (id int)" >/dev/null
psql "$URL" -qAt >/dev/null 2>&1 <<<"BEGIN; LOCK TABLE held IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120);" &
HOLDER=$!
sleep 0.5
"$BIN" --quiet backup create --backup-dir "$WORK/backups" >/dev/null 2>&1 &
AGENTDB=$!
DUMP=""
for _ in $(seq 1 100); do
  DUMP=$(pgrep -P "$AGENTDB" -x pg_dump || true)
  [[ -n $DUMP ]] && break
  sleep 0.1
done
if [[ -z $DUMP ]]; then
  fail "backup create did not start pg_dump within 10 s"
  kill -9 "$AGENTDB" 2>/dev/null || true
else
  kill -9 "$AGENTDB"
  wait "$AGENTDB" 2>/dev/null || true
  gone=no
  for _ in $(seq 1 20); do
    # Gone, or a zombie waiting for its new parent to reap it.
    state=$(awk '{print $3}' "/proc/$DUMP/stat" 2>/dev/null || echo gone)
    if [[ $state == gone || $state == Z ]]; then
      gone=yes
      break
    fi
    sleep 0.1
  done
  if [[ $gone == yes ]]; then
    pass
  else
    fail "pg_dump ($DUMP) still runs 2 s after agentdb was killed with SIGKILL"
    kill -9 "$DUMP" 2>/dev/null || true
  fi
fi

echo "$passed passed, $failed failed"
if [[ $failed -eq 0 ]]; then exit 0; else exit 1; fi
