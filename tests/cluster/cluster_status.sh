#!/usr/bin/env bash
# agentdb on a real three-node Patroni cluster (tests/support/patroni_cluster.sh): `cluster status`
# in each state (healthy OK, leader killed CRITICAL, after the failover WARNING, rejoined OK) with
# its plugin exit codes; a multi-host URL takes `migrate up`, `seed` and `backup create` to the
# primary and says which host that was, before and after the failover; a standby named alone is
# refused with exit 3; `backup create --from-replica` dumps a standby and records which and its WAL
# position; `health` and `pool status` show each member's role, timeline and lag, and health's
# plugin status follows the failover (no primary CRITICAL, a member down WARNING).
#
# Usage: cluster_status.sh AGENTDB_BINARY REPOSITORY_ROOT
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 AGENTDB_BINARY REPOSITORY_ROOT" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$2" && pwd)
HARNESS=$ROOT/tests/support/patroni_cluster.sh
BASE=${AGENTDB_CLUSTER_TEST_PORT:-27100}

# pass, fail, finish, run, expect_rc, expect_in
source "$(dirname "${BASH_SOURCE[0]}")/../support/checks.sh"

WORK=$(mktemp -d)
chmod 755 "$WORK"
trap '"$HARNESS" stop "$WORK/cluster"; rm -rf "$WORK"' EXIT
cd "$WORK"
cp -r "$ROOT/migrations" "$ROOT/seeds" .
unset DATABASE_URL AGENTDB_BACKUP_DIR AGENTDB_PATRONI_URLS
export AGENTDB_HOME=$WORK/agentdb-home NO_COLOR=1

started=$SECONDS
"$HARNESS" start "$WORK/cluster" "$BASE"
echo "cluster of three up in $((SECONDS - started)) s"
# shellcheck source=/dev/null
. "$WORK/cluster/env"
PATRONI=(--patroni-url "http://127.0.0.1:$PATRONI_PORT1" --patroni-url "http://127.0.0.1:$PATRONI_PORT2"
  --patroni-url "http://127.0.0.1:$PATRONI_PORT3")
CREDENTIALS=postgresql://postgres:$PG_SUPERUSER_PASSWORD@127.0.0.1/postgres
EVERY_MEMBER="postgresql://postgres:$PG_SUPERUSER_PASSWORD@127.0.0.1:$PG_PORT1,127.0.0.1:$PG_PORT2,127.0.0.1:$PG_PORT3/postgres"
member_port() { # node name -> its PostgreSQL port
  local n=${1#node}
  eval "echo \$PG_PORT$n"
}
leader_of() { # the JSON of cluster status -> the leader's name
  /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print([m["name"] for m in d["members"] if m["patroni"]["role"]=="leader"][0])'
}

# Healthy: OK, three members, each PostgreSQL asked; the leader is the one primary.
run "$BIN" cluster status "${PATRONI[@]}" --database-url "$CREDENTIALS"
expect_rc 0 "cluster status on a healthy cluster"
expect_in "OK: 3 member(s)" "$OUT" "healthy summary"
run "$BIN" --json cluster status "${PATRONI[@]}" --database-url "$CREDENTIALS"
expect_rc 0 "cluster status --json"
leader=$(leader_of <<<"$OUT")
primaries=$(/usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for m in d["members"] if m["postgres"]["reached"] and not m["postgres"]["in_recovery"]))' <<<"$OUT")
[[ $primaries == 1 ]] && pass || fail "one primary among the members, saw $primaries"
if [[ $OUT == *"$PG_SUPERUSER_PASSWORD"* || $ERR == *"$PG_SUPERUSER_PASSWORD"* ]]; then
  fail "the password appears in the output"
else
  pass
fi

# Changes go to the primary, named on stderr.
run "$BIN" migrate up --database-url "$EVERY_MEMBER"
expect_rc 0 "migrate up over every member"
expect_in "on the primary 127.0.0.1:$(member_port "$leader")" "$ERR" "migrate up names the primary"
run "$BIN" seed --database-url "$EVERY_MEMBER"
expect_rc 0 "seed over every member"
expect_in "on the primary 127.0.0.1:$(member_port "$leader")" "$ERR" "seed names the primary"
run "$BIN" backup create --backup-dir "$WORK/backups" --database-url "$EVERY_MEMBER"
expect_rc 0 "backup create over every member"
expect_in "on the primary" "$ERR" "backup create names the primary"
rows_in() { # catalogue folder -> the rows its one backup's manifest counts
  /usr/bin/python3 -c 'import json,glob,sys; print(sum(t["rows"] for t in json.load(open(glob.glob(sys.argv[1] + "/*/manifest.json")[0]))["tables"]))' "$1"
}
primary_rows=$(rows_in "$WORK/backups")

# --from-replica: the dump is read off a standby, and the manifest says which and at what WAL
# position; it holds what the primary's holds (nothing was written in between).
run "$BIN" --json backup create --from-replica --backup-dir "$WORK/replica-backups" --database-url "$EVERY_MEMBER"
expect_rc 0 "backup create --from-replica over every member"
expect_in "from the standby 127.0.0.1:" "$ERR" "the standby is named"
[[ $ERR != *"127.0.0.1:$(member_port "$leader")"* ]] && pass || fail "--from-replica dumped the primary: $ERR"
read -r taken_role taken_member taken_lsn < <(/usr/bin/python3 -c 'import json,sys; t=json.load(sys.stdin)["taken_from"]; print(t["role"], t["member"], t["wal_lsn"])' <<<"$OUT")
[[ $taken_role == standby && $taken_member != "127.0.0.1:$(member_port "$leader")" && $taken_lsn =~ ^[0-9A-F]+/[0-9A-F]+$ ]] && pass ||
  fail "taken_from: role $taken_role, member $taken_member, WAL $taken_lsn"
replica_rows=$(rows_in "$WORK/replica-backups")
[[ $replica_rows == "$primary_rows" && $replica_rows -gt 0 ]] && pass ||
  fail "rows in the replica's dump $replica_rows, in the primary's $primary_rows"
run "$BIN" backup verify latest --backup-dir "$WORK/replica-backups" --database-url "$EVERY_MEMBER"
expect_rc 0 "the replica's backup verifies"
run "$BIN" backup create --from-replica --backup-dir "$WORK/replica-backups" \
  --database-url "postgresql://postgres:$PG_SUPERUSER_PASSWORD@127.0.0.1:$(member_port "$leader")/postgres"
expect_rc 3 "--from-replica with the primary named alone"
expect_in "is the primary, not a replica" "$ERR" "the primary is named as such"

# health and pool status: each member's role, timeline and lag.
members_of() { # JSON with a members array -> "address role timeline" lines
  /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
members = d["members"] if "members" in d else [c for c in d["checks"] if c["name"] == "replication"][0]["detail"]["members"]
for m in members:
    print(m["address"], m["role"], m["timeline"], m["lag_bytes"])'
}
run "$BIN" --json health --check replication --database-url "$EVERY_MEMBER"
expect_rc 0 "health --check replication over every member"
view=$(members_of <<<"$OUT")
[[ $(grep -c . <<<"$view") == 3 && $(grep -c " standby 1 0$" <<<"$view") == 2 &&
  $(grep -c "^127.0.0.1:$(member_port "$leader") primary 1 None$" <<<"$view") == 1 ]] && pass ||
  fail "health's members: $view"
run "$BIN" --json pool status --database-url "$EVERY_MEMBER"
expect_rc 0 "pool status over every member"
view=$(members_of <<<"$OUT")
[[ $(grep -c " standby " <<<"$view") == 2 && $(grep -c " primary " <<<"$view") == 1 ]] && pass ||
  fail "pool status's members: $view"
run "$BIN" pool status --database-url "$EVERY_MEMBER"
expect_in "127.0.0.1:$(member_port "$leader")  primary" "$OUT" "pool status's members table"

# A standby named alone: refused, exit 3, with what to do.
standby=node1
[[ $leader == node1 ]] && standby=node2
run "$BIN" migrate up --database-url "postgresql://postgres:$PG_SUPERUSER_PASSWORD@127.0.0.1:$(member_port $standby)/postgres"
expect_rc 3 "migrate up on a standby alone"
expect_in "is a standby" "$ERR" "the standby is named as such"
# Reads may go to a standby: migrate status there sees the replicated history.
run "$BIN" migrate status --database-url "postgresql://postgres:$PG_SUPERUSER_PASSWORD@127.0.0.1:$(member_port $standby)/postgres"
expect_rc 0 "migrate status on a standby"

# The leader crashes: until Patroni's leader key expires (ttl 20 s), Patroni still names it and
# its PostgreSQL does not answer: CRITICAL.
"$HARNESS" kill "${leader#node}" "$WORK/cluster"
killed_at=$SECONDS
run "$BIN" cluster status "${PATRONI[@]}" --database-url "$CREDENTIALS" --timeout 2s
expect_rc 2 "cluster status with the leader killed"
expect_in "leader $leader: PostgreSQL does not answer" "$OUT" "the dead leader is the finding"
run "$BIN" health --check replication --database-url "$EVERY_MEMBER"
expect_rc 2 "health with the leader killed and none promoted yet"
expect_in "no member is a primary" "$OUT" "health says there is no primary"

# A new leader within ttl + a few loops; then WARNING, since the old leader's API stays silent.
new_leader=""
for _ in $(seq 60); do
  "$BIN" --json cluster status "${PATRONI[@]}" --database-url "$CREDENTIALS" --timeout 2s \
    >"$WORK/view.json" 2>/dev/null || true
  candidate=$(leader_of <"$WORK/view.json" 2>/dev/null || true)
  if [[ -n $candidate && $candidate != "$leader" ]]; then
    new_leader=$candidate
    break
  fi
  sleep 1
done
echo "new leader $new_leader $((SECONDS - killed_at)) s after the kill"
[[ -n $new_leader ]] && pass || fail "no new leader within 60 s of killing $leader"
run "$BIN" cluster status "${PATRONI[@]}" --database-url "$CREDENTIALS" --timeout 2s
expect_rc 1 "cluster status after the failover, one member down"
expect_in "gives no view" "$OUT" "the silent Patroni API is named"

# The same URL now reaches the new primary, and the history is all there.
run "$BIN" migrate up --database-url "$EVERY_MEMBER"
expect_rc 0 "migrate up after the failover"
expect_in "on the primary 127.0.0.1:$(member_port "$new_leader")" "$ERR" "the new primary is named"
expect_in "nothing to do" "$OUT" "every revision survived the failover"
run "$BIN" --json health --check replication --database-url "$EVERY_MEMBER"
expect_rc 1 "health after the failover, the old leader down"
view=$(members_of <<<"$OUT")
[[ $(grep -c "^127.0.0.1:$(member_port "$new_leader") primary 2 " <<<"$view") == 1 &&
  $(grep -c "^127.0.0.1:$(member_port "$leader") unreachable " <<<"$view") == 1 ]] && pass ||
  fail "health's members after the failover (new primary on timeline 2, old leader unreachable): $view"

# The old leader rejoins as a replica (pg_rewind): OK again.
"$HARNESS" restart "${leader#node}" "$WORK/cluster"
"$HARNESS" healthy "$WORK/cluster" 90 || fail "the old leader did not rejoin within 90 s"
for _ in $(seq 30); do
  run "$BIN" cluster status "${PATRONI[@]}" --database-url "$CREDENTIALS"
  [[ $RC -eq 0 ]] && break
  sleep 1
done
expect_rc 0 "cluster status after the old leader rejoined"

# Usage errors are UNKNOWN (3) under the plugin convention, with a hint.
run "$BIN" cluster status
expect_rc 3 "cluster status without a Patroni URL"
expect_in "AGENTDB_PATRONI_URLS" "$ERR" "the hint names the setting"
run "$BIN" cluster status --patroni-url ftp://x
expect_rc 3 "cluster status with a URL of another scheme"

finish
