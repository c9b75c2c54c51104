#!/usr/bin/env bash
# Benchmark for `agentdb backup` (issue 4): backup and restore of the 10-million-message synthetic
# data set, agentdb against the bare pg_dump / pg_restore commands it runs, in one run.
#   bench/backup_bench.sh                    generates the data set (seed synth --scale 50) first
#   BACKUP_BENCH_HOME=DIR bench/backup_bench.sh
#                                            reuses the cluster that
#                                            `SYNTH_KEEP_HOME=DIR bench/synth_bench.sh 50` kept
# Measured, each once, in this order, with the database's files read into the page cache first:
#   pg_dump --format=custom               vs  agentdb backup create --format custom
#   pg_dump --format=directory --jobs=2   vs  agentdb backup create --format directory --jobs 2
#   createdb + pg_restore --jobs=2 (custom)     vs  agentdb backup restore --jobs 2 (custom)
#   createdb + pg_restore --jobs=2 (directory)  vs  agentdb backup restore --jobs 2 (directory)
# agentdb's times include everything it adds: row counts in the dump's snapshot, SHA-256 of every
# file and the manifest on create; checksum verification and `migrate status` on restore.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=build-release/agentdb
if [ ! -x "$binary" ]; then
  scripts/install-deps.sh
  cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DAGENTDB_TESTS=OFF >/dev/null
  cmake --build build-release -j"$(nproc)" >/dev/null
fi
binary=$(readlink -f "$binary")
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
psql="$bindir/psql -X -q -v ON_ERROR_STOP=1"

work=$(mktemp -d /tmp/agentdb-backup-bench.XXXXXX)
chmod 755 "$work"
if [ -n "${BACKUP_BENCH_HOME:-}" ]; then
  export AGENTDB_HOME=$BACKUP_BENCH_HOME
  cleanup() { "$binary" --quiet local stop >/dev/null 2>&1 || true; rm -rf "$work"; }
else
  export AGENTDB_HOME=$work/home
  cleanup() { "$binary" --quiet local destroy --yes >/dev/null 2>&1 || true; rm -rf "$work"; }
fi
trap cleanup EXIT
"$binary" --quiet local start
conninfo=$("$binary" --json local start | sed -n 's/.*"conninfo": "\(.*\)".*/\1/p' | sed 's/\\"/"/g')
url_for() { echo "${conninfo/dbname=\'agentdb\'/dbname=\'$1\'}"; }
db=synth_agentdb
url=$(url_for $db)
if [ -z "${BACKUP_BENCH_HOME:-}" ]; then
  $psql -d "$conninfo" -c "CREATE DATABASE $db"
  "$binary" --quiet --database-url "$url" migrate up
  "$binary" --quiet --database-url "$url" seed reference
  "$binary" --quiet --database-url "$url" seed synth --scale 50 --end 2026-11-23 --random-seed 1
  $psql -d "$url" -c "VACUUM ANALYZE"
fi
messages=$($psql -At -d "$url" -c "SELECT count(*) FROM messages")
db_size=$($psql -At -d "$url" -c "SELECT pg_size_pretty(pg_database_size('$db'))")
datadir=$($psql -At -d "$url" -c "SHOW data_directory")
cat "$datadir"/base/*/* >/dev/null 2>&1 || true  # every run starts from the same warm page cache

seconds() { # seconds COMMAND...: runs it, prints its wall time
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
backups=$work/backups
mkdir -p "$backups" "$work/bare"
export AGENTDB_BACKUP_DIR=$backups

bare_custom=$(seconds "$bindir/pg_dump" --dbname="$url" --format=custom --file="$work/bare/dump.pgdump")
agentdb_custom=$(seconds "$binary" --quiet --database-url "$url" backup create --format custom --label custom)
bare_directory=$(seconds "$bindir/pg_dump" --dbname="$url" --format=directory --jobs=2 --file="$work/bare/dump")
agentdb_directory=$(seconds "$binary" --quiet --database-url "$url" backup create --format directory --jobs 2 --label directory)
custom_id=$("$binary" --json backup list | sed -n 's/.*"id": "\([^"]*\)".*/\1/p' | tail -1)
directory_id=$("$binary" --json backup list | sed -n 's/.*"id": "\([^"]*\)".*/\1/p' | head -1)
custom_size=$(du -sh "$work/bare/dump.pgdump" | cut -f1)
directory_size=$(du -sh "$work/bare/dump" | cut -f1)

bare_restore() { # bare_restore TARGET ARCHIVE
  $psql -d "$url" -c "CREATE DATABASE $1 TEMPLATE template0"
  "$bindir/pg_restore" --dbname="$(url_for "$1")" --exit-on-error --jobs=2 "$2"
}
drop() { $psql -d "$url" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; }
restore_bare_custom=$(seconds bare_restore bare_c "$work/bare/dump.pgdump")
drop bare_c
restore_agentdb_custom=$(seconds "$binary" --quiet --database-url "$url" backup restore "$custom_id" --target agentdb_c --jobs 2)
drop agentdb_c
restore_bare_directory=$(seconds bare_restore bare_d "$work/bare/dump")
drop bare_d
restore_agentdb_directory=$(seconds "$binary" --quiet --database-url "$url" backup restore "$directory_id" --target agentdb_d --jobs 2)
drop agentdb_d

row() { # row LABEL BARE AGENTDB
  printf '| %s | %.1f s | %.1f s | %+.1f%% |\n' "$1" "$2" "$3" "$(echo "($3 - $2) * 100 / $2" | bc -l)"
}
echo "Data set: $db, $messages messages, database size $db_size; archives: custom $custom_size, directory $directory_size."
echo
echo "| operation | bare pg_dump / pg_restore | agentdb | agentdb overhead (target < 10%) |"
echo "|---|---|---|---|"
row "backup, custom format" "$bare_custom" "$agentdb_custom"
row "backup, directory format, 2 jobs" "$bare_directory" "$agentdb_directory"
row "restore, custom format, 2 jobs" "$restore_bare_custom" "$restore_agentdb_custom"
row "restore, directory format, 2 jobs" "$restore_bare_directory" "$restore_agentdb_directory"
echo
printf 'directory --jobs 2 vs custom (agentdb backup create): %.1f s vs %.1f s\n' "$agentdb_directory" "$agentdb_custom"
