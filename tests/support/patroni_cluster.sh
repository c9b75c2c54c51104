#!/usr/bin/env bash
# A three-node Patroni cluster with one etcd on this machine, for the cluster tests: Debian's
# patroni (3.0) and etcd-server (3.4, v3 API), PostgreSQL 15, all on 127.0.0.1 with ports from a
# base port and data under one directory.
#   patroni_cluster.sh start DIR [BASE_PORT]   starts etcd and node1..node3; returns when one leader,
#                                             its synchronous standby and one more replica are up
#                                             (bounded: 120 s)
#   patroni_cluster.sh stop DIR                stops everything started from DIR and removes DIR
#   patroni_cluster.sh kill NODE DIR           kill -9 of a node's Patroni and PostgreSQL (a crash)
#   patroni_cluster.sh restart NODE DIR        starts a killed node again
#   patroni_cluster.sh healthy DIR [SECONDS]   waits until healthy again, as start does
# Ports, from BASE_PORT (default 27000): etcd client +0, peer +1; node N: PostgreSQL +10+N,
# Patroni REST +20+N. DIR/env holds them as shell variables for the tests to source. The superuser
# is postgres with password in DIR/env; the DCS timings (ttl 20, loop_wait 2, retry_timeout 5) are
# Patroni's lowest sensible ones, so a failover takes seconds rather than the default 30 s;
# synchronous_mode is on (one synchronous standby).
# As root, PostgreSQL and Patroni run as the postgres user (PostgreSQL refuses root).
set -euo pipefail

command=${1:?usage: patroni_cluster.sh start|stop|kill|restart ...}
shift
bin_dir=/usr/lib/postgresql/15/bin
superuser_password=cluster-test-su
replication_password=cluster-test-rep

as_server() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

die() {
  echo "patroni_cluster: $*" >&2
  exit 1
}

node_config() { # node number, dir, base port
  local n=$1 dir=$2 base=$3
  cat <<EOF
scope: agentdb-test
name: node$n
log:
  level: WARNING
  dir: $dir/node$n
restapi:
  listen: 127.0.0.1:$((base + 20 + n))
  connect_address: 127.0.0.1:$((base + 20 + n))
etcd3:
  hosts: 127.0.0.1:$base
bootstrap:
  dcs:
    ttl: 20
    loop_wait: 2
    retry_timeout: 5
    maximum_lag_on_failover: 16777216
    # A commit is acknowledged once a synchronous standby has it, and only that standby is
    # promoted: what "no acknowledged write lost across a failover" takes.
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        wal_log_hints: "on"
        max_connections: 100
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host all all 127.0.0.1/32 scram-sha-256
postgresql:
  listen: 127.0.0.1:$((base + 10 + n))
  connect_address: 127.0.0.1:$((base + 10 + n))
  data_dir: $dir/node$n/data
  bin_dir: $bin_dir
  pgpass: $dir/node$n/pgpass
  authentication:
    superuser:
      username: postgres
      password: $superuser_password
    replication:
      username: replicator
      password: $replication_password
  parameters:
    unix_socket_directories: $dir/node$n
    shared_buffers: 32MB
    fsync: "off"
EOF
}

start_node() { # node number, dir
  local n=$1 dir=$2
  as_server bash -c "exec setsid patroni '$dir/node$n/patroni.yml' >>'$dir/node$n/patroni.out' 2>&1 & echo \$! >'$dir/node$n/patroni.pid'"
}

# One line per member, "name role state", from the /cluster of the first node that answers.
members() { # dir
  local dir=$1 port doc
  # shellcheck source=/dev/null
  . "$dir/env"
  for port in "$PATRONI_PORT1" "$PATRONI_PORT2" "$PATRONI_PORT3"; do
    doc=$(curl -sf --max-time 2 "http://127.0.0.1:$port/cluster" 2>/dev/null) || continue
    /usr/bin/python3 -c '
import json, sys
for m in json.loads(sys.argv[1]).get("members", []):
    print(m["name"], m["role"], m["state"])
' "$doc"
    return 0
  done
}

wait_healthy() { # dir, seconds
  local dir=$1 limit=$2 start=$SECONDS
  while ((SECONDS - start < limit)); do
    local view
    view=$(members "$dir")
    if [ "$(grep -c ' leader running' <<<"$view")" -eq 1 ] &&
      [ "$(grep -c ' replica streaming\| replica running' <<<"$view")" -eq 1 ] &&
      [ "$(grep -c ' sync_standby streaming\| sync_standby running' <<<"$view")" -eq 1 ]; then
      return 0
    fi
    sleep 1
  done
  echo "patroni_cluster: not healthy after $limit s; members: $(members "$dir" | tr '\n' ';')" >&2
  for n in 1 2 3; do tail -5 "$dir/node$n/patroni.out" >&2 || true; done
  return 1
}

case $command in
start)
  dir=${1:?start needs a directory}
  base=${2:-27000}
  for tool in patroni etcd curl; do
    command -v $tool >/dev/null || die "$tool is not installed (apt-get install patroni etcd-server curl)"
  done
  mkdir -p "$dir"
  dir=$(realpath "$dir")
  chmod 755 "$dir"
  cat >"$dir/env" <<EOF
ETCD_PORT=$base
PG_PORT1=$((base + 11))
PG_PORT2=$((base + 12))
PG_PORT3=$((base + 13))
PATRONI_PORT1=$((base + 21))
PATRONI_PORT2=$((base + 22))
PATRONI_PORT3=$((base + 23))
PG_SUPERUSER_PASSWORD=$superuser_password
EOF
  etcd --name etcd1 --data-dir "$dir/etcd" --listen-client-urls "http://127.0.0.1:$base" \
    --advertise-client-urls "http://127.0.0.1:$base" --listen-peer-urls "http://127.0.0.1:$((base + 1))" \
    --initial-advertise-peer-urls "http://127.0.0.1:$((base + 1))" \
    --initial-cluster "etcd1=http://127.0.0.1:$((base + 1))" >"$dir/etcd.out" 2>&1 &
  echo $! >"$dir/etcd.pid"
  for _ in $(seq 50); do
    curl -sf --max-time 1 "http://127.0.0.1:$base/health" >/dev/null && break
    sleep 0.2
  done
  curl -sf --max-time 1 "http://127.0.0.1:$base/health" >/dev/null || die "etcd did not start: $(tail -3 "$dir/etcd.out")"
  for n in 1 2 3; do
    mkdir -p "$dir/node$n"
    node_config "$n" "$dir" "$base" >"$dir/node$n/patroni.yml"
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir/node$n"
    start_node "$n" "$dir"
    # node1 bootstraps first, so it is the first leader and the others clone it.
    if [ "$n" -eq 1 ]; then
      for _ in $(seq 60); do
        members "$dir" | grep -q '^node1 leader running' && break
        sleep 1
      done
    fi
  done
  wait_healthy "$dir" 120
  ;;
stop)
  dir=${1:?stop needs a directory}
  [ -d "$dir" ] || exit 0
  for n in 1 2 3; do
    pid=$(cat "$dir/node$n/patroni.pid" 2>/dev/null || true)
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
    if [ -f "$dir/node$n/data/postmaster.pid" ]; then
      kill -9 "$(head -1 "$dir/node$n/data/postmaster.pid")" 2>/dev/null || true
    fi
  done
  pid=$(cat "$dir/etcd.pid" 2>/dev/null || true)
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  # The children of a killed postmaster leave on their own once it is gone.
  sleep 0.5
  rm -rf "$dir"
  ;;
kill)
  n=${1:?kill needs a node number}
  dir=${2:?kill needs a directory}
  kill -9 "$(cat "$dir/node$n/patroni.pid")" 2>/dev/null || true
  if [ -f "$dir/node$n/data/postmaster.pid" ]; then
    kill -9 "$(head -1 "$dir/node$n/data/postmaster.pid")" 2>/dev/null || true
  fi
  ;;
restart)
  n=${1:?restart needs a node number}
  dir=${2:?restart needs a directory}
  # A second Patroni on a running node's configuration would fight the first over its data.
  if kill -0 "$(cat "$dir/node$n/patroni.pid")" 2>/dev/null; then
    die "node$n is running; kill it first"
  fi
  start_node "$n" "$dir"
  ;;
healthy)
  wait_healthy "${1:?healthy needs a directory}" "${2:-60}"
  ;;
*)
  die "unknown command '$command' (start, stop, kill, restart, healthy)"
  ;;
esac
