#!/usr/bin/env bash
# Benchmark for `agentdb migrate` (issue 2). Reproduce with:
#   bench/migrate_bench.sh [path/to/agentdb]      (default: build-release/agentdb, built if missing)
# It starts a throwaway PostgreSQL cluster (default settings, fsync on), generates 500 revisions
# (each: a table with a bigserial key, an index on a timestamptz column, a table comment; the down
# drops the table), and measures, over ROUNDS rounds (default 5, median reported):
#   - agentdb migrate up / down of all 500, against the same SQL sent by one psql process as 500
#     plain transactions (BEGIN; ...; COMMIT;), the physical limit;
#   - `agentdb migrate status` latency with 500 applied (hyperfine), beside `psql -c 'SELECT 1'`
#     on the same database: the cost of starting any libpq client and one server backend;
#   - `agentdb --version` start-up time (hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build-release/agentdb}
rounds=${ROUNDS:-5}
count=${REVISIONS:-500}

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
if [ ! -x "$binary" ]; then
  scripts/install-deps.sh
  cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DAGENTDB_TESTS=OFF >/dev/null
  cmake --build build-release -j"$(nproc)" >/dev/null
fi
binary=$(readlink -f "$binary")
psql=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql

work=$(mktemp -d /tmp/agentdb-bench.XXXXXX)
chmod 755 "$work"
export AGENTDB_HOME=$work/home
cleanup() { "$binary" --quiet local destroy --yes >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
"$binary" --quiet local start
conninfo=$("$binary" --json local start | sed -n 's/.*"conninfo": "\(.*\)".*/\1/p' | sed 's/\\"/"/g')
url_for() { echo "${conninfo/dbname=\'agentdb\'/dbname=\'$1\'}"; }

mkdir -p "$work/migrations"
: >"$work/up.sql"
: >"$work/down.sql"
for i in $(seq 1 "$count"); do
  version=$((1000 + i))
  up="CREATE TABLE bench_t_$i (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), payload text);
CREATE INDEX bench_t_${i}_created_at ON bench_t_$i (created_at);
COMMENT ON TABLE bench_t_$i IS 'benchmark table $i';"
  down="DROP TABLE bench_t_$i;"
  printf '%s\n' "$up" >"$work/migrations/${version}_bench_table_$i.up.sql"
  printf '%s\n' "$down" >"$work/migrations/${version}_bench_table_$i.down.sql"
  printf 'BEGIN;\n%s\nCOMMIT;\n' "$up" >>"$work/up.sql"
  printf 'BEGIN;\n%s\nCOMMIT;\n' "$down" >"$work/down.$i.sql"
done
for i in $(seq "$count" -1 1); do cat "$work/down.$i.sql" >>"$work/down.sql"; done
rm -f "$work"/down.*.sql

"$psql" -X -q -d "$conninfo" -c "CREATE DATABASE bench_psql" -c "CREATE DATABASE bench_agentdb"
psql_url=$(url_for bench_psql)
agentdb_url=$(url_for bench_agentdb)

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

psql_up=(); psql_down=(); agentdb_up=(); agentdb_down=()
for round in $(seq 1 "$rounds"); do
  t0=$(now); "$psql" -X -q -v ON_ERROR_STOP=1 -d "$psql_url" -f "$work/up.sql" >/dev/null; t1=$(now)
  psql_up+=("$(elapsed "$t0" "$t1")")
  t0=$(now); "$binary" --quiet --database-url "$agentdb_url" migrate --dir "$work/migrations" up; t1=$(now)
  agentdb_up+=("$(elapsed "$t0" "$t1")")
  t0=$(now); "$psql" -X -q -v ON_ERROR_STOP=1 -d "$psql_url" -f "$work/down.sql" >/dev/null; t1=$(now)
  psql_down+=("$(elapsed "$t0" "$t1")")
  t0=$(now); "$binary" --quiet --database-url "$agentdb_url" migrate --dir "$work/migrations" down "$count"; t1=$(now)
  agentdb_down+=("$(elapsed "$t0" "$t1")")
  echo "round $round: psql up ${psql_up[-1]} s, agentdb up ${agentdb_up[-1]} s, psql down ${psql_down[-1]} s, agentdb down ${agentdb_down[-1]} s" >&2
done
"$binary" --quiet --database-url "$agentdb_url" migrate --dir "$work/migrations" up
hyperfine -N --warmup 5 --runs 40 --export-json "$work/status.json" \
  "$binary --database-url \"$agentdb_url\" migrate --dir $work/migrations status" >/dev/null
hyperfine -N --warmup 5 --runs 40 --export-json "$work/psql.json" \
  "$psql -X -q -d \"$agentdb_url\" -c \"SELECT 1\"" >/dev/null
hyperfine -N --warmup 20 --runs 200 --export-json "$work/version.json" "$binary --version" >/dev/null

mean_ms() { sed -n 's/.*"mean": \([0-9.e-]*\),.*/\1/p' "$1" | head -1 | awk '{printf "%.1f", $1 * 1000}'; }
p_up=$(median "${psql_up[@]}"); a_up=$(median "${agentdb_up[@]}")
p_down=$(median "${psql_down[@]}"); a_down=$(median "${agentdb_down[@]}")
cat <<REPORT
| measurement ($count revisions, median of $rounds) | psql (plain transactions) | agentdb | ratio | target |
|---|---|---|---|---|
| migrate up | ${p_up} s | ${a_up} s | $(echo "scale=3; $a_up / $p_up" | bc) | ≤ 1.15 |
| migrate down | ${p_down} s | ${a_down} s | $(echo "scale=3; $a_down / $p_down" | bc) | ≤ 1.15 |
| migrate status, $count applied (hyperfine mean; psql column: \`psql -c 'SELECT 1'\`) | $(mean_ms "$work/psql.json") ms | $(mean_ms "$work/status.json") ms | | < 30 ms |
| agentdb --version (hyperfine mean) | | $(mean_ms "$work/version.json") ms | | < 5 ms |
REPORT
