#!/usr/bin/env bash
# agentdb through failovers of a real three-node Patroni cluster (tests/support/patroni_cluster.sh):
#  1. `migrate up` whose leader is killed mid-revision: exit 3, the revision in flight is on none
#     of its rows on the new primary (0 half-applied), and a re-run completes;
#  2. `migrate up --retry-failover`: the same crash, and it goes on by itself on the new primary;
#  3. `serve` under a stream of writes through a Patroni switchover and then a killed leader: writes
#     during the gap fail fast with 503 and Retry-After, succeed after it, and every acknowledged
#     write is on the new primary (0 lost); reads from the --read-url standbys go on in the gap. The time from the kill to the first acknowledged write
#     and the errors in between are printed (bench/cluster_failover.sh records them);
#  4. the same behind PgBouncer in transaction pooling, one in front of each member: a killed
#     leader, then the old leader back as a replica behind its PgBouncer; 0 lost.
#
# Usage: failover.sh AGENTDB_BINARY REPOSITORY_ROOT
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 AGENTDB_BINARY REPOSITORY_ROOT" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$2" && pwd)
HARNESS=$ROOT/tests/support/patroni_cluster.sh
BASE=${AGENTDB_FAILOVER_TEST_PORT:-27200}
SERVE_PORT=$((BASE + 80))

# pass, fail, finish, run, expect_rc, expect_in
source "$(dirname "${BASH_SOURCE[0]}")/../support/checks.sh"

WORK=$(mktemp -d)
chmod 755 "$WORK"
serve_pid=""
writer_pid=""
reader_pid=""
cleanup() {
  # Whatever is already gone: the cluster is stopped all the same.
  [[ -n $writer_pid ]] && kill "$writer_pid" 2>/dev/null || true
  [[ -n $reader_pid ]] && kill "$reader_pid" 2>/dev/null || true
  [[ -n $serve_pid ]] && kill -9 "$serve_pid" 2>/dev/null || true
  if [[ -n ${AGENTDB_KEEP_TEST_DIR:-} ]]; then
    # For a post-mortem: the cluster stopped, its logs (DIR/cluster/nodeN/patroni.out) kept.
    for n in 1 2 3; do "$HARNESS" kill "$n" "$WORK/cluster" || true; done
    kill -9 "$(cat "$WORK/cluster/etcd.pid")" 2>/dev/null || true
    echo "kept $WORK" >&2
    return
  fi
  "$HARNESS" stop "$WORK/cluster"
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"
cp -r "$ROOT/migrations" "$ROOT/seeds" .
unset DATABASE_URL AGENTDB_BACKUP_DIR AGENTDB_PATRONI_URLS
export AGENTDB_HOME=$WORK/agentdb-home NO_COLOR=1

# reap PID NAME: RC, OUT and ERR of a command started in the background into $WORK/NAME.out/.err.
reap() {
  if wait "$1"; then RC=0; else RC=$?; fi
  OUT=$(cat "$WORK/$2.out")
  ERR=$(cat "$WORK/$2.err")
}

"$HARNESS" start "$WORK/cluster" "$BASE"
# shellcheck source=/dev/null
. "$WORK/cluster/env"
export PGPASSWORD=$PG_SUPERUSER_PASSWORD PGUSER=postgres PGCONNECT_TIMEOUT=2
HOSTS="127.0.0.1:$PG_PORT1,127.0.0.1:$PG_PORT2,127.0.0.1:$PG_PORT3"
every_member() { echo "postgresql://postgres@$HOSTS/$1"; }
# SQL on the primary, whichever member that is now.
on_primary() { # database, sql
  psql "postgresql://$HOSTS/$1?target_session_attrs=read-write" -XAtq -v ON_ERROR_STOP=1 -c "$2"
}
leader() { # the member Patroni names leader, waiting for one that is not $1 (bounded: 60 s)
  local not=${1:-} name
  for _ in $(seq 120); do
    name=$(curl -sf --max-time 1 "http://127.0.0.1:$PATRONI_PORT1/cluster" "http://127.0.0.1:$PATRONI_PORT2/cluster" \
      "http://127.0.0.1:$PATRONI_PORT3/cluster" 2>/dev/null | /usr/bin/python3 -c '
import json, sys
for doc in json.JSONDecoder().raw_decode(sys.stdin.read())[:1]:
    print(" ".join(m["name"] for m in doc["members"] if m["role"] == "leader"))' 2>/dev/null || true)
    if [[ -n $name && $name != "$not" && $name != *" "* ]]; then
      # Patroni names it before its PostgreSQL takes writes; wait for that too.
      if on_primary postgres "SELECT 1" >/dev/null 2>&1; then
        echo "$name"
        return 0
      fi
    fi
    sleep 0.5
  done
  echo "no leader but $not within 60 s" >&2
  return 1
}
member_port() { eval "echo \$PG_PORT${1#node}"; }
# Blocks until a statement of the migration is running on the member (bounded: 30 s).
wait_for_running() { # member, pattern
  for _ in $(seq 150); do
    if [[ $(psql "postgresql://127.0.0.1:$(member_port "$1")/drill" -XAtq -c \
      "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%$2%' AND pid <> pg_backend_pid()" 2>/dev/null) == 1 ]]; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}
rejoin() { # member
  "$HARNESS" restart "${1#node}" "$WORK/cluster"
  "$HARNESS" healthy "$WORK/cluster" 90 || fail "$1 did not rejoin within 90 s"
}

# --- 1. migrate up, leader killed mid-revision, no retry ---------------------------------------
on_primary postgres "CREATE DATABASE drill"
mkdir drill
cat >drill/20260101000100_ledger.up.sql <<'EOF'
CREATE TABLE ledger (id int PRIMARY KEY, note text);
EOF
echo "DROP TABLE ledger;" >drill/20260101000100_ledger.down.sql
cat >drill/20260101000200_slow.up.sql <<'EOF'
INSERT INTO ledger VALUES (1, 'in the slow revision');
CREATE TABLE made_by_slow (id int);
SELECT pg_sleep(8) AS failover_drill;
INSERT INTO ledger VALUES (2, 'after the sleep');
EOF
echo "DROP TABLE made_by_slow; DELETE FROM ledger WHERE id IN (1, 2);" >drill/20260101000200_slow.down.sql
cat >drill/20260101000300_last.up.sql <<'EOF'
CREATE TABLE last_one (id int);
EOF
echo "DROP TABLE last_one;" >drill/20260101000300_last.down.sql

first=$(leader)
"$BIN" migrate up --dir drill --database-url "$(every_member drill)" >"$WORK/m1.out" 2>"$WORK/m1.err" &
migrate_pid=$!
wait_for_running "$first" failover_drill || fail "the slow revision never ran on $first"
"$HARNESS" kill "${first#node}" "$WORK/cluster"
reap "$migrate_pid" m1
expect_rc 3 "migrate up whose primary was killed mid-revision"
second=$(leader "$first")
echo "failover 1: $first -> $second"
# The first revision is there; of the slow one, nothing: no table, no row, no history row.
[[ $(on_primary drill "SELECT count(*) FROM ledger") == 0 ]] && pass || fail "rows of the interrupted revision survived"
[[ $(on_primary drill "SELECT to_regclass('made_by_slow') IS NULL") == t ]] && pass || fail "the table of the interrupted revision survived"
[[ $(on_primary drill "SELECT string_agg(version::text, ',' ORDER BY version) FROM agentdb_schema_migrations") == 20260101000100 ]] && pass ||
  fail "history after the interrupted run: $(on_primary drill "SELECT version, status FROM agentdb_schema_migrations")"
run "$BIN" migrate up --dir drill --database-url "$(every_member drill)"
expect_rc 0 "migrate up again on the new primary"
expect_in "on the primary 127.0.0.1:$(member_port "$second")" "$ERR" "the re-run names the new primary"
[[ $(on_primary drill "SELECT string_agg(id::text, ',' ORDER BY id) FROM ledger") == 1,2 ]] && pass || fail "the re-run did not apply the slow revision once"
rejoin "$first"

# --- 2. the same crash with --retry-failover: it goes on by itself ------------------------------
on_primary postgres "DROP DATABASE drill" && on_primary postgres "CREATE DATABASE drill"
started=$SECONDS
"$BIN" migrate up --dir drill --retry-failover 90s --database-url "$(every_member drill)" \
  >"$WORK/m2.out" 2>"$WORK/m2.err" &
migrate_pid=$!
wait_for_running "$second" failover_drill || fail "the slow revision never ran on $second"
"$HARNESS" kill "${second#node}" "$WORK/cluster"
reap "$migrate_pid" m2
expect_rc 0 "migrate up --retry-failover across a killed primary"
expect_in "waiting for a new primary" "$ERR" "it says it waits"
third=$(leader "$second")
echo "failover 2: $second -> $third; migrate up --retry-failover done in $((SECONDS - started)) s"
expect_in "on the primary 127.0.0.1:$(member_port "$third")" "$ERR" "it names the new primary"
[[ $(on_primary drill "SELECT string_agg(id::text, ',' ORDER BY id) FROM ledger") == 1,2 ]] && pass || fail "the slow revision is not applied exactly once"
[[ $(on_primary drill "SELECT count(*) FROM agentdb_schema_migrations WHERE status = 'applied'") == 3 ]] && pass || fail "not every revision is applied"
rejoin "$second"

# --- 3. serve under writes: a switchover, then a killed leader ---------------------------------
run "$BIN" migrate up --database-url "$(every_member postgres)"
expect_rc 0 "the platform's schema"
key=$("$BIN" keys create --user drill@example.com --scope read,write --tier unlimited \
  --database-url "$(every_member postgres)" 2>/dev/null)
"$BIN" serve --listen "127.0.0.1:$SERVE_PORT" --no-access-log --database-url "$(every_member postgres)" \
  --read-url "$(every_member postgres)?target_session_attrs=prefer-standby" \
  >"$WORK/serve.out" 2>"$WORK/serve.err" &
serve_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$SERVE_PORT/health" >/dev/null && break; sleep 0.1; done
auth="Authorization: Bearer $key"
conversation=$(curl -sf -H "$auth" -H 'Content-Type: application/json' -d '{"title":"drill"}' \
  "http://127.0.0.1:$SERVE_PORT/api/v1/conversations" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
[[ -n $conversation ]] && pass || fail "no conversation: $(cat "$WORK/serve.err")"

# One write after another, each line "<n> <status> <end> <Retry-After> <start>" (seconds since the
# epoch).
writer() {
  local n=0 status headers start
  while :; do
    n=$((n + 1))
    start=$(date +%s.%N)
    headers=$(curl -s -o /dev/null -D - --max-time 5 -w '%{http_code}' -H "$auth" \
      -H 'Content-Type: application/json' -d "{\"role\":\"user\",\"content\":\"write-$n\"}" \
      "http://127.0.0.1:$SERVE_PORT/api/v1/conversations/$conversation/messages" || true)
    status=${headers: -3}
    retry=$(tr -d '\r' <<<"$headers" | sed -n 's/^[Rr]etry-[Aa]fter: *//p' | head -1)
    echo "$n $status $(date +%s.%N) ${retry:--} $start"
  done
}
# One read after another (the conversation's latest messages, a read-only route: --read-url's
# standbys), each line "<n> <status> <end> <start>".
reader() {
  local n=0 start status
  while :; do
    n=$((n + 1))
    start=$(date +%s.%N)
    status=$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' -H "$auth" \
      "http://127.0.0.1:$SERVE_PORT/api/v1/conversations/$conversation/messages?limit=5" || true)
    echo "$n $status $(date +%s.%N) $start"
  done
}
writer >"$WORK/writes.log" &
writer_pid=$!
reader >"$WORK/reads.log" &
reader_pid=$!
acked_since() { awk -v t="$1" '$2 ~ /^20[01]$/ && $3 > t' "$WORK/writes.log" | wc -l; }
wait_acked_since() { # time, count (bounded: 90 s)
  for _ in $(seq 450); do
    [[ $(acked_since "$1") -ge $2 ]] && return 0
    sleep 0.2
  done
  return 1
}
wait_acked_since 0 20 || fail "no writes acknowledged before the switchover: $(tail -3 "$WORK/writes.log")"

# A planned switchover through Patroni's REST API, to the synchronous standby (synchronous_mode
# allows no other).
current=$(leader)
candidate=$(curl -sf "http://127.0.0.1:$PATRONI_PORT1/cluster" | /usr/bin/python3 -c '
import json, sys
print([m["name"] for m in json.load(sys.stdin)["members"] if m["role"] == "sync_standby"][0])')
switch_at=$(date +%s.%N)
curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
  -d "{\"leader\":\"$current\",\"candidate\":\"$candidate\"}" "http://127.0.0.1:$PATRONI_PORT1/switchover" ||
  fail "Patroni refused the switchover"
after_switch=$(leader "$current")
wait_acked_since "$switch_at" 20 || fail "writes did not resume after the switchover"
echo "switchover $current -> $after_switch"
# The old leader back as a replica and a synchronous standby chosen: only then may a crash of the
# new leader promote someone (synchronous_mode promotes the synchronous standby alone).
"$HARNESS" healthy "$WORK/cluster" 90 || fail "no synchronous standby after the switchover"

# An unplanned failover: the leader killed.
kill_at=$(date +%s.%N)
"$HARNESS" kill "${after_switch#node}" "$WORK/cluster"
after_kill=$(leader "$after_switch")
wait_acked_since "$kill_at" 20 || fail "writes did not resume after the kill"
kill "$writer_pid" "$reader_pid"
wait "$writer_pid" "$reader_pid" 2>/dev/null || true
writer_pid=""
reader_pid=""
echo "failover $after_switch -> $after_kill"

# What the writer saw: the first write begun after the kill that was acknowledged, and the writes
# that failed between the kill and it.
[[ -n ${AGENTDB_FAILOVER_LOG:-} ]] && cp "$WORK/writes.log" "$AGENTDB_FAILOVER_LOG"
read -r first_ok gap_errors other_errors no_retry_after < <(awk -v t="$kill_at" '
  $5 > t && $2 ~ /^20[01]$/ && first == "" { first = $3 - t }
  $3 > t && first == "" && $2 !~ /^20[01]$/ { errors++ }
  $2 !~ /^20[01]$/ && $2 != "503" { other++ }
  $2 == "503" && $4 == "-" { bare++ }
  END { printf "%.2f %d %d %d\n", first, errors, other, bare }' "$WORK/writes.log")
echo "killed leader -> first acknowledged write: ${first_ok} s, ${gap_errors} failed writes in the gap"
# Reads from the standbys (--read-url) went on in the gap: begun after the kill, ended before the
# first acknowledged write.
read -r gap_reads gap_read_errors < <(awk -v t="$kill_at" -v until="$(awk -v t="$kill_at" '$5 > t && $2 ~ /^20[01]$/ {print $3; exit}' "$WORK/writes.log")" '
  $4 > t && $3 < until { if ($2 == "200") ok++; else bad++ }
  END { printf "%d %d\n", ok, bad }' "$WORK/reads.log")
echo "reads from the standbys in the gap: $gap_reads answered, $gap_read_errors failed"
[[ $gap_reads -gt 0 && $gap_read_errors == 0 ]] && pass ||
  fail "reads in the gap: $gap_reads answered, $gap_read_errors failed ($(awk -v t="$kill_at" '$4 > t && $2 != "200"' "$WORK/reads.log" | head -3))"
[[ $other_errors == 0 ]] && pass || fail "writes failed with other statuses than 503: $(awk '$2 !~ /^20[01]$/ && $2 != "503"' "$WORK/writes.log" | head -5)"
[[ $no_retry_after == 0 ]] && pass || fail "a 503 without Retry-After"
acked=$(awk '$2 ~ /^20[01]$/ {print "write-" $1}' "$WORK/writes.log" | sort)
stored=$(on_primary postgres "SELECT content FROM messages WHERE conversation_id = '$conversation'" | sort)
lost=$(comm -23 <(echo "$acked") <(echo "$stored") | wc -l)
echo "acknowledged writes: $(echo "$acked" | wc -l); on the new primary: $(echo "$stored" | wc -l); lost: $lost"
[[ $lost == 0 ]] && pass || fail "$lost acknowledged writes are not on the new primary"
[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SERVE_PORT/health") == 200 ]] && pass ||
  fail "serve stopped answering"
kill "$serve_pid"
wait "$serve_pid" 2>/dev/null && pass || fail "serve did not stop cleanly on SIGTERM"
serve_pid=""

# --- 4. behind PgBouncer (transaction pooling), one beside each member --------------------------
# serve lists the three PgBouncers and asks each in turn whether its server is in recovery, so it
# finds the one in front of the primary (not libpq's read-write check: PgBouncer replays a stale
# in_hot_standby after a failover). A killed leader's PgBouncer lives on, and when its server
# comes back as a replica, connections through it answer read-only: serve drops those and finds
# the primary.
rejoin "$after_switch"
bouncers=""
for n in 1 2 3; do
  port=$((BASE + 40 + n))
  mkdir -p "$WORK/bouncer$n"
  echo "\"postgres\" \"$PG_SUPERUSER_PASSWORD\"" >"$WORK/bouncer$n/userlist.txt"
  cat >"$WORK/bouncer$n/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$(member_port "node$n")
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $WORK/bouncer$n/userlist.txt
pool_mode = transaction
default_pool_size = 10
; Fail fast and come back fast: a client waits at most 3 s for a server, and a server that
; refused is tried again after 1 s (the defaults, 120 s and 15 s, hold serve's requests and delay
; a rejoined member).
query_wait_timeout = 3
server_login_retry = 1
server_connect_timeout = 2
logfile = $WORK/bouncer$n/pgbouncer.log
pidfile = $WORK/bouncer$n/pgbouncer.pid
EOF
  as_user=()
  if [[ $(id -u) -eq 0 ]]; then
    chown -R postgres: "$WORK/bouncer$n"
    as_user=(-u postgres)
  fi
  pgbouncer -d "${as_user[@]}" "$WORK/bouncer$n/pgbouncer.ini"
  bouncers+="${bouncers:+,}127.0.0.1:$port"
done
stop_bouncers() {
  for n in 1 2 3; do
    [[ -f $WORK/bouncer$n/pgbouncer.pid ]] && kill "$(cat "$WORK/bouncer$n/pgbouncer.pid")" 2>/dev/null
  done
  true
}
trap 'stop_bouncers; cleanup' EXIT
"$BIN" serve --listen "127.0.0.1:$SERVE_PORT" --pgbouncer \
  --database-url "postgresql://postgres@$bouncers/postgres" >"$WORK/serve.out" 2>"$WORK/serve.err" &
serve_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$SERVE_PORT/health" >/dev/null && break; sleep 0.1; done
# A conversation of its own, so the writes counted are these.
conversation=$(curl -sf -H "$auth" -H 'Content-Type: application/json' -d '{"title":"drill 2"}' \
  "http://127.0.0.1:$SERVE_PORT/api/v1/conversations" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
writer >"$WORK/writes.log" &
writer_pid=$!
wait_acked_since 0 20 || fail "no writes through PgBouncer: $(tail -3 "$WORK/writes.log"); $(tail -3 "$WORK/serve.err")"
current=$(leader)
kill_at=$(date +%s.%N)
"$HARNESS" kill "${current#node}" "$WORK/cluster"
next=$(leader "$current")
wait_acked_since "$kill_at" 20 || fail "writes through PgBouncer did not resume after the kill"
# The old leader back, as a replica behind its PgBouncer: writes go on, none refused as read-only.
rejoin "$current"
rejoined_at=$(date +%s.%N)
wait_acked_since "$rejoined_at" 30 || fail "writes stopped once the old leader was back as a replica"
kill "$writer_pid"
wait "$writer_pid" 2>/dev/null || true
writer_pid=""
echo "behind PgBouncer: failover $current -> $next; statuses: $(awk '{print $2}' "$WORK/writes.log" | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
late_failures=$(awk -v t="$rejoined_at" '$5 > t && $2 !~ /^20[01]$/' "$WORK/writes.log")
[[ -z $late_failures ]] && pass || fail "writes failed after the old leader rejoined: $(head -3 <<<"$late_failures")"
[[ $(awk '$2 !~ /^20[01]$/ && $2 != "503"' "$WORK/writes.log" | wc -l) == 0 ]] && pass ||
  fail "writes through PgBouncer failed with other statuses than 503"
acked=$(awk '$2 ~ /^20[01]$/ {print "write-" $1}' "$WORK/writes.log" | sort)
stored=$(on_primary postgres "SELECT content FROM messages WHERE conversation_id = '$conversation'" | sort)
lost=$(comm -23 <(echo "$acked") <(echo "$stored") | wc -l)
[[ $lost == 0 ]] && pass || fail "$lost acknowledged writes through PgBouncer are lost"
kill "$serve_pid"
wait "$serve_pid" 2>/dev/null && pass || fail "serve behind PgBouncer did not stop cleanly"
serve_pid=""

finish
