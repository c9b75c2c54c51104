#!/usr/bin/env bash
# Benchmark for `agentdb serve` (issue 16), in one run on this machine with server, PostgreSQL and
# load generator sharing it:
#   (a) GET a conversation with its latest 20 messages   (b) POST a message   (c) GET /health
# each with wrk (64 connections, 2 threads) against agentdb serve, beside pgbench running the same
# statements serve runs per request (the physical limit: BEGIN, role, app_authenticate, the query,
# COMMIT, at serve's pool size) and beside FastAPI + uvicorn + asyncpg (bench/fastapi_peer.py,
# 2 workers, the same statements). Prints requests/s, latency percentiles, errors and serve's memory.
#   bench/serve_bench.sh [SECONDS]     seconds per run, default 20
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
binary=build-release/agentdb
if [ ! -x "$binary" ]; then
  scripts/install-deps.sh
  cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DAGENTDB_TESTS=OFF >/dev/null
  cmake --build build-release -j"$(nproc)" >/dev/null
fi
missing=()
for package in wrk python3-fastapi python3-uvicorn python3-asyncpg; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
binary=$(readlink -f "$binary")
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

work=$(mktemp -d /tmp/agentdb-serve-bench.XXXXXX)
chmod 755 "$work"
export AGENTDB_HOME=$work/home
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$binary" --quiet local destroy --yes >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
"$binary" --quiet local start
url=$("$binary" --json local start | sed -n 's/.*"url": "\([^"]*\)".*/\1/p')
"$binary" --quiet migrate up
"$binary" --quiet seed reference demo
key=$("$binary" keys create --user bench@example.com --scope read,write --tier unlimited 2>/dev/null)
hash=$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)

"$binary" serve --listen 127.0.0.1:18080 --pool-size 10 --threads 2 --no-access-log 2>"$work/serve.err" &
serve_pid=$!
pids+=("$serve_pid")
for _ in $(seq 100); do curl -sf http://127.0.0.1:18080/health >/dev/null && break; sleep 0.1; done
auth="Authorization: Bearer $key"
conversation=$(curl -sf -H "$auth" -H 'Content-Type: application/json' -d '{"title":"bench"}' \
  http://127.0.0.1:18080/api/v1/conversations | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
batch=$(python3 -c 'import json; print(json.dumps({"messages": [{"role": "user", "content": "message %d about flights to Lisbon" % i} for i in range(100)]}))')
for _ in 1 2; do
  curl -sf -o /dev/null -H "$auth" -H 'Content-Type: application/json' -d "$batch" \
    "http://127.0.0.1:18080/api/v1/conversations/$conversation/messages"
done

cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"role": "user", "content": "one more message about the hotel"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
LUA
run_wrk() {  # NAME URL [SCRIPT]
  local name=$1 target=$2 script=${3:-}
  local args=(-t2 -c64 -d"${seconds}s" --latency -H "$auth")
  [ -n "$script" ] && args+=(-s "$script")
  # The name holds '/' and spaces: the output file gets a plain one.
  local out
  out="$work/$(printf '%s' "$name" | tr -c 'A-Za-z0-9' _).wrk"
  wrk "${args[@]}" "$target" >"$out" 2>&1
  local rps p50 p99 errors
  rps=$(sed -n 's/^Requests\/sec: *//p' "$out")
  p50=$(awk '$1 == "50%" {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  errors=$(grep -E 'Non-2xx|Socket errors' "$out" | tr '\n' ' ' || true)
  printf '%-34s %10s req/s   p50 %8s   p99 %8s   %s\n' "$name" "$rps" "$p50" "$p99" "${errors:-0 errors}"
}
run_pgbench() {  # NAME SQL-FILE
  local name=$1 file=$2
  local out
  out="$work/$(printf '%s' "$name" | tr -c 'A-Za-z0-9' _).pgbench"
  "$bindir/pgbench" -n -c 10 -j 2 -T "$seconds" -M extended -f "$file" "$url" >"$out" 2>&1
  printf '%-34s %10s tx/s    latency avg %s ms\n' "$name" \
    "$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$out")" \
    "$(sed -n 's/^latency average = \([0-9.]*\).*/\1/p' "$out")"
}

cat >"$work/latest.sql" <<SQL
BEGIN READ ONLY;
SET LOCAL ROLE agentdb_service;
SELECT usable FROM app_authenticate('$hash');
SELECT to_jsonb(c) || jsonb_build_object('messages', coalesce((SELECT jsonb_agg(to_jsonb(m) ORDER BY m.created_at, m.id) FROM (SELECT * FROM messages WHERE conversation_id = c.id ORDER BY created_at DESC, id DESC LIMIT 20) m), '[]')) FROM conversations c WHERE c.id = '$conversation' AND c.status <> 'deleted';
COMMIT;
SQL
cat >"$work/append.sql" <<SQL
BEGIN;
SET LOCAL ROLE agentdb_service;
SELECT usable FROM app_authenticate('$hash');
INSERT INTO messages (conversation_id, role, content) SELECT '$conversation', 'user', 'one more message about the hotel' WHERE EXISTS (SELECT 1 FROM conversations c WHERE c.id = '$conversation' AND c.status <> 'deleted') RETURNING id;
INSERT INTO audit_logs (user_id, action, resource_type, resource_id, details) VALUES (app_current_user_id(), 'create', 'messages', '$conversation', '{}');
COMMIT;
SQL

echo "serve_bench: $(nproc) cores, $(date -u +%FT%TZ), ${seconds}s per run, wrk -t2 -c64, pgbench -c10 -j2"
base=http://127.0.0.1:18080
run_wrk "(a) serve GET latest 20" "$base/api/v1/conversations/$conversation"
run_pgbench "(a) pgbench same statements" "$work/latest.sql"
run_wrk "(b) serve POST message" "$base/api/v1/conversations/$conversation/messages" "$work/post.lua"
run_pgbench "(b) pgbench same statements" "$work/append.sql"
run_wrk "(c) serve GET /health" "$base/health"
echo "serve memory: $(awk '/^VmHWM|^VmRSS/ {printf "%s %.1f MiB  ", $1, $2/1024}' "/proc/$serve_pid/status")(peak and now)"

# Debian's python3 (with python3-fastapi and friends), not whichever python3 comes first in PATH.
(cd bench && exec env DATABASE_URL="$url" POOL_SIZE=5 /usr/bin/python3 -m uvicorn --workers 2 --port 18090 \
  --log-level warning fastapi_peer:app >"$work/fastapi.log" 2>&1) &
pids+=("$!")
for _ in $(seq 100); do curl -sf http://127.0.0.1:18090/health >/dev/null && break; sleep 0.2; done
curl -sf -o /dev/null http://127.0.0.1:18090/health || { echo "the FastAPI peer did not start:" >&2; cat "$work/fastapi.log" >&2; exit 1; }
peer=http://127.0.0.1:18090
run_wrk "(a) FastAPI GET latest 20" "$peer/api/v1/conversations/$conversation"
run_wrk "(b) FastAPI POST message" "$peer/api/v1/conversations/$conversation/messages" "$work/post.lua"
run_wrk "(c) FastAPI GET /health" "$peer/health"
