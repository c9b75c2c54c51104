#!/usr/bin/env bash
# Benchmark for agentdb on a Patroni cluster (issue 18): the time from a killed leader to the first
# acknowledged `serve` write, and the writes that failed in between, over ROUNDS runs of
# tests/cluster/failover.sh (three Patroni 3.0 members + one etcd on this machine; one writer
# posting messages back to back through serve over the multi-host URL, each write timed by curl).
# Patroni's settings are the harness's (tests/support/patroni_cluster.sh): ttl 20 s, loop_wait 2 s,
# retry_timeout 5 s, synchronous_mode on; the leader's Patroni and PostgreSQL are killed with -9.
#   ROUNDS=3 bench/cluster_failover.sh [AGENTDB_BINARY]     default build-release/agentdb
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
binary=${1:-build-release/agentdb}
if [ ! -x "$binary" ]; then
  scripts/install-deps.sh
  cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DAGENTDB_TESTS=OFF >/dev/null
  cmake --build build-release -j"$(nproc)" >/dev/null
fi
echo "machine: $(nproc) cores, $(free -g | awk '/^Mem/ {print $2}') GiB; $(patroni --version 2>&1 | head -1);" \
  "etcd $(etcd --version 2>/dev/null | sed -n 's/^etcd Version: //p'); $(date -u +%Y-%m-%d)"
echo "Patroni: ttl 20 s, loop_wait 2 s, retry_timeout 5 s, synchronous_mode on"
printf '%-6s %-26s %-22s %-20s %-22s %s\n' ROUND "KILL -> FIRST ACKED WRITE" "FAILED WRITES IN GAP" "ACKED / STORED / LOST" "REPLICA READS IN GAP" "WRITES THROUGH PGBOUNCER KILL"
for round in $(seq "$rounds"); do
  log=$(mktemp)
  if ! AGENTDB_FAILOVER_TEST_PORT=$((27300 + round * 100)) tests/cluster/failover.sh "$binary" . >"$log" 2>&1; then
    echo "round $round: the failover test failed:" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  gap=$(sed -n 's/^killed leader -> first acknowledged write: \([0-9.]*\) s, \([0-9]*\) failed writes in the gap$/\1 s|\2/p' "$log")
  counts=$(sed -n 's/^acknowledged writes: \([0-9]*\); on the new primary: \([0-9]*\); lost: \([0-9]*\)$/\1 \/ \2 \/ \3/p' "$log")
  bouncer=$(sed -n 's/^behind PgBouncer: .*statuses: \(.*\)$/\1/p' "$log")
  reads=$(sed -n 's/^reads from the standbys in the gap: \([0-9]*\) answered, \([0-9]*\) failed$/\1 ok, \2 failed/p' "$log")
  printf '%-6s %-26s %-22s %-20s %-22s %s\n' "$round" "${gap%%|*}" "${gap##*|}" "$counts" "$reads" "$bouncer"
  rm -f "$log"
done
