#!/usr/bin/env bash
# Benchmark for `agentdb health` and `agentdb pool probe` (issue 6), in one run on one server:
#   1. `agentdb health` wall time against a healthy local database (the shipped schema migrated,
#      reference and demo data seeded), all checks, timed by hyperfine (target: under 100 ms);
#   2. `agentdb pool probe` throughput of SELECT 1 against pgbench running the same statement with
#      the same number of connections and threads (target: at least 80% of pgbench).
#   bench/health_bench.sh [connections...]     default: 4 8
set -euo pipefail
cd "$(dirname "$0")/.."
connections=("$@")
[ ${#connections[@]} -eq 0 ] && connections=(4 8)
duration=10
binary=build-release/agentdb
if [ ! -x "$binary" ]; then
  scripts/install-deps.sh
  cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DAGENTDB_TESTS=OFF >/dev/null
  cmake --build build-release -j"$(nproc)" >/dev/null
fi
binary=$(readlink -f "$binary")
command -v hyperfine >/dev/null || { echo "health_bench: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

work=$(mktemp -d /tmp/agentdb-health-bench.XXXXXX)
chmod 755 "$work"
export AGENTDB_HOME=$work/home
cleanup() { "$binary" --quiet local destroy --yes >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
"$binary" --quiet local start
"$binary" --quiet migrate up
"$binary" --quiet seed reference demo
socket_dir=$("$binary" --json local start | sed -n "s/.*host='\([^']*\)'.*/\1/p")
export PGHOST=$socket_dir PGUSER=agentdb PGDATABASE=agentdb
"$bindir/psql" -X -q -c "VACUUM ANALYZE" >/dev/null

echo "## agentdb health and pool probe ($(date -u +%Y-%m-%d), $(nproc) vCPU, $(free -g | awk '/Mem:/{print $2}') GiB)"
echo
"$binary" health || true
echo
hyperfine -N -i --warmup 5 --runs 50 --export-json "$work/health.json" "$binary health" >"$work/hyperfine.txt"
mean_ms=$(python3 -c "import json;r=json.load(open('$work/health.json'))['results'][0];print(f\"{r['mean']*1000:.1f} ms mean, {r['median']*1000:.1f} ms median, {r['max']*1000:.1f} ms max over {len(r['times'])} runs\")")
echo "agentdb health (all 14 checks; Qdrant and Redis unconfigured): $mean_ms (target < 100 ms)"
echo

echo "SELECT 1;" >"$work/select1.sql"
echo "| connections = threads | pgbench SELECT 1 (q/s) | agentdb pool probe (q/s) | ratio |"
echo "|---:|---:|---:|---:|"
for n in "${connections[@]}"; do
  raw=$("$bindir/pgbench" -n -f "$work/select1.sql" -c "$n" -j "$n" -T "$duration" 2>/dev/null |
    sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
  probe=$("$binary" --quiet --json pool probe --connections "$n" --threads "$n" --duration "${duration}s" |
    python3 -c "import json,sys;print(f\"{json.load(sys.stdin)['throughput_qps']:.0f}\")")
  ratio=$(python3 -c "print(f'{$probe/$raw*100:.1f}%')")
  printf "| %d | %.0f | %s | %s |\n" "$n" "$raw" "$probe" "$ratio"
done
