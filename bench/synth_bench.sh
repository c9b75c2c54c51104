#!/usr/bin/env bash
# Benchmark for `agentdb seed synth` (issue 3). Reproduce with:
#   bench/synth_bench.sh [scale]        (default 50: 10 million messages; 1 is a quick check)
# In a throwaway cluster it applies the schema and the reference prices to two databases, runs
# `seed synth --scale N` into the first, exports exactly the rows it wrote, and loads the same
# rows into the second with plain COPY (psql \copy, one transaction): the physical limit. Then it
# records EXPLAIN (ANALYZE, BUFFERS) of the main access paths on the synthetic data.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-50}
binary=build-release/agentdb
if [ ! -x "$binary" ]; then
  scripts/install-deps.sh
  cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DAGENTDB_TESTS=OFF >/dev/null
  cmake --build build-release -j"$(nproc)" >/dev/null
fi
binary=$(readlink -f "$binary")
psql="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql -X -q -v ON_ERROR_STOP=1"

work=$(mktemp -d /tmp/agentdb-synth-bench.XXXXXX)
chmod 755 "$work"
# SYNTH_KEEP_HOME=DIR keeps the cluster (stopped) in DIR, so bench/backup_bench.sh can reuse the
# data set instead of generating it again.
export AGENTDB_HOME=${SYNTH_KEEP_HOME:-$work/home}
cleanup() {
  if [ -n "${SYNTH_KEEP_HOME:-}" ]; then
    "$binary" --quiet local stop >/dev/null 2>&1 || true
  else
    "$binary" --quiet local destroy --yes >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
"$binary" --quiet local start
conninfo=$("$binary" --json local start | sed -n 's/.*"conninfo": "\(.*\)".*/\1/p' | sed 's/\\"/"/g')
url_for() { echo "${conninfo/dbname=\'agentdb\'/dbname=\'$1\'}"; }
$psql -d "$conninfo" -c "CREATE DATABASE synth_agentdb" -c "CREATE DATABASE synth_copy"
a=$(url_for synth_agentdb)
b=$(url_for synth_copy)
for url in "$a" "$b"; do
  "$binary" --quiet --database-url "$url" migrate up
  "$binary" --quiet --database-url "$url" seed reference
done

end=2026-11-23
"$binary" --json --database-url "$a" seed synth --scale "$scale" --end "$end" --random-seed 1 >"$work/synth.json"
synth_seconds=$(sed -n 's/.*"seconds": \([0-9.e+-]*\).*/\1/p' "$work/synth.json")
rows=$(sed -n 's/^  "rows": \([0-9]*\).*/\1/p' "$work/synth.json")

# The tables and columns seed synth writes, in its order.
tables=(
  "users:id,email,name,roles,created_at,updated_at"
  "travel_plans:id,user_id,title,destination,start_date,end_date,budget,status,created_at,updated_at,deleted_at"
  "agents:id,name,agent_type,description"
  "conversations:id,user_id,agent_id,title,created_at,updated_at"
  "messages:id,conversation_id,role,content,message_type,tool_name,tool_args,created_at"
  "agent_executions:id,conversation_id,user_id,agent_id,agent_type,agent_version,model_provider,model_name,status,error,execution_time_ms,prompt_tokens,completion_tokens,total_tokens,created_at,completed_at"
  "cost_tracking:id,user_id,agent_execution_id,model_provider,model_name,prompt_tokens,completion_tokens,total_tokens,total_cost_usd,usage_category,created_at"
)
load="$work/load.sql"
echo "SELECT ensure_all_monthly_partitions(5, timestamptz '$end' - interval '90 days');" >"$load"
for entry in "${tables[@]}"; do
  table=${entry%%:*}
  columns=${entry#*:}
  $psql -d "$a" -c "\\copy (SELECT $columns FROM $table) TO '$work/$table.tsv'"
  echo "\\copy $table ($columns) FROM '$work/$table.tsv'" >>"$load"
done
start=$(date +%s.%N)
$psql -1 -d "$b" -f "$load" >/dev/null
copy_seconds=$(echo "$(date +%s.%N) - $start" | bc)

explain() {
  echo
  echo "#### $1"
  echo '```'
  $psql -d "$a" -c "EXPLAIN (ANALYZE, BUFFERS) $2" | sed 's/^ *QUERY PLAN//; /^-*$/d'
  echo '```'
}
$psql -d "$a" -c "VACUUM ANALYZE"  # settled, as autovacuum leaves a table
user=$($psql -At -d "$a" -c "SELECT user_id FROM travel_plans GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
conversation=$($psql -At -d "$a" -c "SELECT id FROM conversations ORDER BY message_count DESC LIMIT 1")
payer=$($psql -At -d "$a" -c "SELECT user_id FROM cost_tracking GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")

cat <<REPORT
| seed synth --scale $scale ($rows rows) | seconds | rows/s |
|---|---|---|
| agentdb seed synth | $synth_seconds | $(echo "$rows / $synth_seconds" | bc) |
| plain COPY of the same rows (psql \\copy, one transaction) | $copy_seconds | $(echo "$rows / $copy_seconds" | bc) |
| ratio (target ≤ 1.5) | $(echo "scale=3; $synth_seconds / $copy_seconds" | bc) | |
REPORT
explain "A user's active plans, newest first" \
  "SELECT id, title, status, created_at FROM travel_plans WHERE user_id = '$user' AND deleted_at IS NULL ORDER BY created_at DESC LIMIT 20"
explain "A conversation's messages in order" \
  "SELECT id, role, content, created_at FROM messages WHERE conversation_id = '$conversation' ORDER BY created_at, id LIMIT 100"
explain "A user's costs by day (last 30 days)" \
  "SELECT date_trunc('day', created_at) AS day, sum(total_cost_usd) FROM cost_tracking WHERE user_id = '$payer' AND created_at >= timestamptz '$end' - interval '30 days' GROUP BY 1 ORDER BY 1"
explain "Executions in the last hour" \
  "SELECT count(*), sum(total_tokens) FROM agent_executions WHERE created_at >= timestamptz '$end' - interval '1 hour' AND created_at < timestamptz '$end'"
