#!/usr/bin/env bash
# Benchmark for `agentdb cost report` (issue 7): a year of cost rows from `seed synth`, the report
# by day and by model from the rollup, against the plain GROUP BY over the raw ledger, in one run;
# the numbers of both are compared key by key (cost exactly, requests and tokens).
#   bench/cost_bench.sh [MILLIONS]     cost rows to generate, default 50 (synth writes one cost row
#                                      for 90% of executions, so it generates MILLIONS / 0.9 runs)
#   COST_BENCH_HOME=DIR bench/cost_bench.sh   reuse (and keep) the cluster in DIR
set -euo pipefail
cd "$(dirname "$0")/.."
millions=${1:-50}
binary=build-release/agentdb
if [ ! -x "$binary" ]; then
  scripts/install-deps.sh
  cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DAGENTDB_TESTS=OFF >/dev/null
  cmake --build build-release -j"$(nproc)" >/dev/null
fi
binary=$(readlink -f "$binary")
command -v hyperfine >/dev/null || { echo "cost_bench: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

work=$(mktemp -d /tmp/agentdb-cost-bench.XXXXXX)
chmod 755 "$work"
if [ -n "${COST_BENCH_HOME:-}" ]; then
  export AGENTDB_HOME=$COST_BENCH_HOME
  cleanup() { "$binary" --quiet local stop >/dev/null 2>&1 || true; rm -rf "$work"; }
else
  export AGENTDB_HOME=$work/home
  cleanup() { "$binary" --quiet local destroy --yes >/dev/null 2>&1 || true; rm -rf "$work"; }
fi
trap cleanup EXIT
"$binary" --quiet local start
socket_dir=$("$binary" --json local start | sed -n "s/.*host='\([^']*\)'.*/\1/p")
export PGHOST=$socket_dir PGUSER=agentdb PGDATABASE=agentdb
psql="$bindir/psql -X -q -v ON_ERROR_STOP=1"
end=$(date -u +%Y-%m-%d)

rows=$($psql -At -c "SELECT count(*) FROM cost_tracking" 2>/dev/null || echo 0)
if [ "$rows" -lt $((millions * 900000)) ]; then
  # Settings for a server that takes tens of GB in one load (the defaults are sized for a laptop:
  # 128 MB of buffers and a checkpoint every 1 GB of WAL, which writes each page many times over).
  # They stay for the measurement; both the report and the plain query run under them.
  $psql -c "ALTER SYSTEM SET shared_buffers = '4GB'" -c "ALTER SYSTEM SET max_wal_size = '8GB'" \
    -c "ALTER SYSTEM SET checkpoint_timeout = '30min'" -c "ALTER SYSTEM SET maintenance_work_mem = '1GB'"
  "$binary" --quiet local stop && "$binary" --quiet local start
  "$binary" --quiet migrate up
  "$binary" --quiet seed reference
  executions=$((millions * 1000000 * 10 / 9))
  # One synth per core, each its own transaction with its own users and conversations, as
  # concurrent writers of a live system: one backend is CPU-bound on index maintenance and foreign
  # key checks, so two share the load. The partitions are made first so that they do not race.
  jobs=${COST_BENCH_JOBS:-$(nproc)}
  # As many months ahead of the window's start as synth itself makes (days / 28 + 2).
  $psql -c "SELECT count(*) FROM ensure_all_monthly_partitions($((365 / 28 + 2)), '$end'::timestamptz - interval '365 days')" >/dev/null
  echo "generating $executions executions (about $millions million cost rows) over 365 days in $jobs synth runs..." >&2
  started=$(date +%s)
  pids=()
  for job in $(seq 1 "$jobs"); do
    /usr/bin/time -f "synth $job: %e s, %M kB max RSS" "$binary" seed synth --users $((20000 / jobs)) \
      --conversations $((200000 / jobs)) --messages $((200000 / jobs)) \
      --executions $((executions / jobs)) --days 365 --end "$end" --random-seed "$job" >&2 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  echo "synth: $(($(date +%s) - started)) s in all" >&2
  $psql -c "VACUUM ANALYZE" >/dev/null
fi
rows=$($psql -At -c "SELECT count(*) FROM cost_tracking")
size=$($psql -At -c "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent = 'cost_tracking'::regclass")

plain_day="SELECT to_char((created_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD'), count(*),
  sum(prompt_tokens), sum(completion_tokens), sum(total_tokens), sum(total_cost_usd)
  FROM cost_tracking
  WHERE created_at >= ((now() AT TIME ZONE 'UTC')::date - 364)::timestamp AT TIME ZONE 'UTC'
  GROUP BY 1 ORDER BY 1"
plain_model="SELECT model_name, count(*), sum(prompt_tokens), sum(completion_tokens),
  sum(total_tokens), sum(total_cost_usd) FROM cost_tracking
  WHERE created_at >= ((now() AT TIME ZONE 'UTC')::date - 364)::timestamp AT TIME ZONE 'UTC'
  GROUP BY 1 ORDER BY 1"

# Numbers first: agentdb's groups against the plain query's, key by key.
compare() {  # $1 group-by, $2 plain query
  "$binary" --json cost report --since 365d --group-by "$1" >"$work/agentdb.json"
  $psql -At -F '|' -c "$2" >"$work/plain.txt"
  python3 - "$work/agentdb.json" "$work/plain.txt" "$1" <<'PY'
import json, sys
from decimal import Decimal
report = json.load(open(sys.argv[1]))
ours = {g["key"]: g for g in report["groups"] if g["requests"] > 0}
plain = {}
for line in open(sys.argv[2]):
    key, n, p, c, t, cost = line.rstrip("\n").split("|")
    plain[key] = (int(n), int(p), int(c), int(t), Decimal(cost))
bad = [k for k in set(ours) | set(plain)
       if k not in ours or k not in plain
       or (ours[k]["requests"], ours[k]["prompt_tokens"], ours[k]["completion_tokens"],
           ours[k]["total_tokens"], Decimal(ours[k]["cost_usd"])) != plain[k]]
print(f"{sys.argv[3]}: {len(plain)} groups, identical: {'yes' if not bad else 'NO ' + str(sorted(bad)[:5])}"
      f" (source: {report['source']}, total {report['total']['cost_usd']} USD)")
sys.exit(1 if bad else 0)
PY
}

echo "## agentdb cost report ($(date -u +%Y-%m-%d), $(nproc) vCPU, $(free -g | awk '/Mem:/{print $2}') GiB)"
echo
echo "cost_tracking: $rows rows, $size; rollup: $("$binary" --json cost rollup | tr -d '\n ')"
compare day "$plain_day"
compare model "$plain_model"
echo
hyperfine -N --warmup 2 --runs 10 --export-markdown "$work/fast.md" \
  -n "agentdb cost report --since 365d --group-by day" "$binary --quiet --json cost report --since 365d --group-by day" \
  -n "agentdb cost report --since 365d --group-by model" "$binary --quiet --json cost report --since 365d --group-by model" >/dev/null
hyperfine --warmup 1 --runs 3 --export-markdown "$work/plain.md" \
  -n "plain GROUP BY day (psql)" "$psql -o /dev/null -c \"$(echo "$plain_day" | tr '\n' ' ')\"" \
  -n "plain GROUP BY model (psql)" "$psql -o /dev/null -c \"$(echo "$plain_model" | tr '\n' ' ')\"" >/dev/null
cat "$work/fast.md"
echo
cat "$work/plain.md"
