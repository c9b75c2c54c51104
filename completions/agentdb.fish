# fish completion for agentdb(1)
#
# Install: copy to ~/.config/fish/completions/agentdb.fish or
# /usr/share/fish/vendor_completions.d/agentdb.fish.
# Checked against `agentdb --help` by tests/cli/docs_cover_every_command.sh.

set -l commands migrate seed backup qdrant health pool wait cost serve keys cluster version local
set -l backup_commands create list verify restore prune
set -l qdrant_commands plan apply status snapshot drop sync-check
set -l migrate_commands up down status history new verify redo baseline repair lint
set -l pool_commands status probe
set -l cost_commands report top budget prices recompute rollup
set -l keys_commands create list revoke
set -l local_commands status start stop destroy

complete -c agentdb -e
complete -c agentdb -f

# Global options: accepted before or after any subcommand.
complete -c agentdb -s h -l help -d 'Print help and exit'
complete -c agentdb -l version -d 'Print the version and exit'
complete -c agentdb -l database-url -x -d 'PostgreSQL URL (env DATABASE_URL); default: the local cluster'
complete -c agentdb -l config -r -F -d 'Config file (default ./agentdb.toml when present)'
complete -c agentdb -l json -d 'Print one JSON document on stdout'
complete -c agentdb -s q -l quiet -d 'Print only errors'
complete -c agentdb -s v -l verbose -d 'Print more detail on stderr'
complete -c agentdb -l no-color -d 'Never colour output (also NO_COLOR)'

# Commands
complete -c agentdb -n "not __fish_seen_subcommand_from $commands" -a migrate -d 'Apply, revert and check schema revisions'
complete -c agentdb -n "not __fish_seen_subcommand_from $commands" -a seed -d 'Load reference and demo data from seeds/ (idempotent; default set: reference)'
complete -c agentdb -n "not __fish_seen_subcommand_from $commands" -a backup -d 'Backups with pg_dump: catalogue, checksums, verification by restore, retention'
complete -c agentdb -n "not __fish_seen_subcommand_from $commands" -a qdrant -d 'Declare Qdrant collections in a file; plan and apply them like migrations'
complete -c agentdb -n "not __fish_seen_subcommand_from $commands" -a health -d 'Check the database (and Qdrant, Redis) with monitoring-plugin exit codes'
complete -c agentdb -n "not __fish_seen_subcommand_from $commands" -a pool -d 'See who uses the connections, and measure a connection pool under load'
complete -c agentdb -n "not __fish_seen_subcommand_from $commands" -a wait -d 'Wait until the database accepts connections (and its schema is current)'
complete -c agentdb -n "not __fish_seen_subcommand_from $commands" -a cost -d 'LLM cost analytics: where did the money go?'
complete -c agentdb -n "not __fish_seen_subcommand_from $commands" -a serve -d 'The REST data service of the agent platform (HTTP/1.1, JSON, API keys, RLS)'
complete -c agentdb -n "not __fish_seen_subcommand_from $commands" -a keys -d 'Issue, list and revoke the API keys of serve'
complete -c agentdb -n "not __fish_seen_subcommand_from $commands" -a cluster -d 'A replicated cluster as Patroni and PostgreSQL see it (plugin exit codes)'
complete -c agentdb -n "not __fish_seen_subcommand_from $commands" -a version -d "The binary's version, the schema version it ships, libpq and pg_dump"
complete -c agentdb -n "not __fish_seen_subcommand_from $commands" -a local -d 'Manage the embedded PostgreSQL cluster used when no database URL is set'

# migrate: its options are accepted before or after its subcommand.
set -l in_migrate "__fish_seen_subcommand_from migrate"
complete -c agentdb -n $in_migrate -l dir -x -a '(__fish_complete_directories)' -d 'Migrations directory (env AGENTDB_MIGRATIONS_DIR; default ./migrations)'
complete -c agentdb -n $in_migrate -l lock-timeout -x -a '10s 30s 60s 2m 5m 10m' -d "How long to wait for another runner's lock (default 60s)"

set -l migrate_pick "__fish_seen_subcommand_from migrate; and not __fish_seen_subcommand_from $migrate_commands"
complete -c agentdb -n $migrate_pick -a up -d 'Apply pending revisions in order'
complete -c agentdb -n $migrate_pick -a down -d 'Revert the last N applied revisions (default 1)'
complete -c agentdb -n $migrate_pick -a status -d "Show every revision's state"
complete -c agentdb -n $migrate_pick -a history -d 'Show what was applied, when, by whom, how long'
complete -c agentdb -n $migrate_pick -a new -d 'Create the up and down files of a new revision'
complete -c agentdb -n $migrate_pick -a verify -d "Check applied revisions' checksums against the files on disk"
complete -c agentdb -n $migrate_pick -a redo -d 'Revert the last applied revision and apply it again'
complete -c agentdb -n $migrate_pick -a baseline -d 'Record revisions up to VERSION as applied without running them'
complete -c agentdb -n $migrate_pick -a repair -d "Reconcile one revision's record with the disk after a failure or edit"
complete -c agentdb -n $migrate_pick -a lint -d 'Flag statements that lock or rewrite busy tables or break running code'

complete -c agentdb -n "__fish_seen_subcommand_from migrate; and __fish_seen_subcommand_from up" -l to -x -d 'Stop after this version'
complete -c agentdb -n "__fish_seen_subcommand_from migrate; and __fish_seen_subcommand_from up" -l dry-run -d 'Print the SQL that would run; change nothing'
complete -c agentdb -n "__fish_seen_subcommand_from migrate; and __fish_seen_subcommand_from up" -l allow-out-of-order -d 'Also apply pending revisions older than the newest applied one'
complete -c agentdb -n "__fish_seen_subcommand_from migrate; and __fish_seen_subcommand_from up" -l strict -d 'Refuse to run when lint finds errors'
complete -c agentdb -n "__fish_seen_subcommand_from migrate; and __fish_seen_subcommand_from up" -l backup -d 'Take a backup first and print its id'
complete -c agentdb -n "__fish_seen_subcommand_from migrate; and __fish_seen_subcommand_from up" -l retry-failover -x -a '30s 60s 2m 5m' -d 'When the primary is lost, wait this long for a new one and go on'

complete -c agentdb -n "__fish_seen_subcommand_from migrate; and __fish_seen_subcommand_from down" -l to -x -d 'Revert every revision newer than this version'
complete -c agentdb -n "__fish_seen_subcommand_from migrate; and __fish_seen_subcommand_from down" -l backup -d 'Take a backup first and print its id'
complete -c agentdb -n "__fish_seen_subcommand_from migrate; and __fish_seen_subcommand_from down" -l dry-run -d 'Print the SQL that would run; change nothing'

complete -c agentdb -n "__fish_seen_subcommand_from migrate; and __fish_seen_subcommand_from status" -l check -d 'Exit 4 if anything is pending, modified, missing, out-of-order or failed'

complete -c agentdb -n "__fish_seen_subcommand_from migrate; and __fish_seen_subcommand_from history" -l limit -x -d 'Show at most this many entries (default 50)'

complete -c agentdb -n "__fish_seen_subcommand_from migrate; and __fish_seen_subcommand_from verify" -l roundtrip -d 'Also apply, revert and re-apply everything in a scratch database'
complete -c agentdb -n "__fish_seen_subcommand_from migrate; and __fish_seen_subcommand_from verify" -l strict -d 'With --roundtrip: also fail on column order, enum values and comments'

complete -c agentdb -n "__fish_seen_subcommand_from migrate; and __fish_seen_subcommand_from redo" -l dry-run -d 'Print the SQL that would run; change nothing'

complete -c agentdb -n "__fish_seen_subcommand_from migrate; and __fish_seen_subcommand_from repair" -l mark-applied -d 'For a failed revision completed by hand: record it as applied'

complete -c agentdb -n "__fish_seen_subcommand_from migrate; and __fish_seen_subcommand_from lint" -l all -d "Check every revision's up file, without a database"
complete -c agentdb -n "__fish_seen_subcommand_from migrate; and __fish_seen_subcommand_from lint" -F -d 'Up file to check'

# seed
# The seed sets: the directories in the seeds directory (--dir, AGENTDB_SEEDS_DIR or ./seeds).
function __agentdb_seed_sets
    set -l dir seeds
    set -q AGENTDB_SEEDS_DIR; and set dir $AGENTDB_SEEDS_DIR
    set -l tokens (commandline -opc)
    for i in (seq (count $tokens))
        if test "$tokens[$i]" = --dir; and test $i -lt (count $tokens)
            set dir $tokens[(math $i + 1)]
        else if string match -q -- '--dir=*' $tokens[$i]
            set dir (string replace -- '--dir=' '' $tokens[$i])
        end
    end
    for set_dir in $dir/*/
        basename $set_dir
    end
end

# seed runs by itself (with seed sets) or as `seed synth`; its own options are not synth's.
set -l in_seed "__fish_seen_subcommand_from seed; and not __fish_seen_subcommand_from synth"
complete -c agentdb -n $in_seed -a synth -d 'Generate realistic synthetic data at scale with COPY (deterministic per seed)'
complete -c agentdb -n $in_seed -a '(__agentdb_seed_sets)' -d 'Seed set'
complete -c agentdb -n $in_seed -l dir -x -a '(__fish_complete_directories)' -d 'Seeds directory (env AGENTDB_SEEDS_DIR; default ./seeds)'
complete -c agentdb -n $in_seed -l list -d 'List the seed sets and what they hold'
complete -c agentdb -n $in_seed -l dry-run -d 'Apply in a transaction, report the counts, then roll back'

set -l in_synth "__fish_seen_subcommand_from seed; and __fish_seen_subcommand_from synth"
complete -c agentdb -n $in_synth -l scale -x -d 'Preset size: N x (1,000 users, 10,000 conversations, 200,000 messages, 40,000 executions); default 1'
complete -c agentdb -n $in_synth -l users -x -d 'Number of users (overrides --scale)'
complete -c agentdb -n $in_synth -l conversations -x -d 'Number of conversations'
complete -c agentdb -n $in_synth -l messages -x -d 'Number of messages'
complete -c agentdb -n $in_synth -l executions -x -d 'Number of agent executions'
complete -c agentdb -n $in_synth -l random-seed -x -d 'Seed of the generator (default 1)'
complete -c agentdb -n $in_synth -l days -x -d 'Spread the data over this many days (default 90)'
complete -c agentdb -n $in_synth -l end -x -d 'Last day of the data, YYYY-MM-DD (default today, UTC)'

# backup
# The backup ids: folders with a manifest in --backup-dir, AGENTDB_BACKUP_DIR or ./backups.
function __agentdb_backup_ids
    set -l dir backups
    set -q AGENTDB_BACKUP_DIR; and set dir $AGENTDB_BACKUP_DIR
    set -l words (commandline -opc)
    for i in (seq (count $words))
        if test "$words[$i]" = --backup-dir; and test $i -lt (count $words)
            set dir $words[(math $i + 1)]
        end
    end
    echo latest
    for manifest in $dir/*/manifest.json
        basename (dirname $manifest)
    end
end
set -l in_backup "__fish_seen_subcommand_from backup"
set -l backup_pick "__fish_seen_subcommand_from backup; and not __fish_seen_subcommand_from $backup_commands"
complete -c agentdb -n $in_backup -l backup-dir -x -a '(__fish_complete_directories)' -d 'Backup folder (env AGENTDB_BACKUP_DIR; default ./backups)'
complete -c agentdb -n $backup_pick -a create -d 'Take a backup with pg_dump into the catalogue'
complete -c agentdb -n $backup_pick -a list -d 'The catalogue, newest first'
complete -c agentdb -n $backup_pick -a verify -d "Check checksums and the archive's table of contents"
complete -c agentdb -n $backup_pick -a restore -d 'Restore a backup into a new database'
complete -c agentdb -n $backup_pick -a prune -d 'Delete backups beyond a retention policy'
set -l in_create "__fish_seen_subcommand_from backup; and __fish_seen_subcommand_from create"
complete -c agentdb -n $in_create -l format -x -a 'custom directory' -d 'Archive format (default custom)'
complete -c agentdb -n $in_create -l jobs -x -d 'Parallel pg_dump workers (directory format)'
complete -c agentdb -n $in_create -l compress -x -a '0 1 2 3 4 5 6 7 8 9' -d 'Compression level'
complete -c agentdb -n $in_create -l schema-only -d 'Dump the schema, no table data'
complete -c agentdb -n $in_create -l exclude-table-data -x -d "Dump this table's definition but not its rows"
complete -c agentdb -n $in_create -l label -x -d 'A note kept in the manifest'
complete -c agentdb -n $in_create -l from-replica -d 'Dump a standby instead of the primary'
set -l in_verify "__fish_seen_subcommand_from backup; and __fish_seen_subcommand_from verify"
complete -c agentdb -n $in_verify -x -a '(__agentdb_backup_ids)' -d 'Backup id'
complete -c agentdb -n $in_verify -l restore -d 'Restore into a scratch database and compare row counts'
complete -c agentdb -n $in_verify -l jobs -x -d 'Parallel pg_restore workers'
set -l in_restore "__fish_seen_subcommand_from backup; and __fish_seen_subcommand_from restore"
complete -c agentdb -n $in_restore -x -a '(__agentdb_backup_ids)' -d 'Backup id'
complete -c agentdb -n $in_restore -l target -x -d 'Database to create and restore into'
complete -c agentdb -n $in_restore -l jobs -x -d 'Parallel pg_restore workers'
complete -c agentdb -n $in_restore -l clean -d 'Drop and recreate the target when it has tables'
complete -c agentdb -n $in_restore -l force -d 'Allow the database agentdb is connected to'
set -l in_prune "__fish_seen_subcommand_from backup; and __fish_seen_subcommand_from prune"
complete -c agentdb -n $in_prune -l keep-last -x -d 'Keep the N newest backups'
complete -c agentdb -n $in_prune -l keep-daily -x -d 'Also keep the newest backup of each of the last D days'
complete -c agentdb -n $in_prune -l keep-weekly -x -d 'Also keep the newest backup of each of the last W weeks'
complete -c agentdb -n $in_prune -l dry-run -d 'Print what would be removed; remove nothing'

# qdrant
# The collections declared in the collections file (--file, QDRANT_COLLECTIONS_FILE or
# ./qdrant/collections.json): the keys of its "collections" object, two levels deep in the JSON.
function __agentdb_qdrant_collections
    set -l file qdrant/collections.json
    set -q QDRANT_COLLECTIONS_FILE; and test -n "$QDRANT_COLLECTIONS_FILE"; and set file $QDRANT_COLLECTIONS_FILE
    set -l words (commandline -opc)
    for i in (seq (count $words))
        if test "$words[$i]" = --file; and test $i -lt (count $words)
            set file $words[(math $i + 1)]
        else if string match -q -- '--file=*' $words[$i]
            set file (string replace -- '--file=' '' $words[$i])
        end
    end
    test -f "$file" -a -r "$file"; or return 0
    awk '{
        for (i = 1; i <= length($0); i++) {
            c = substr($0, i, 1)
            if (quoted) {
                if (c == "\\\\") { text = text c substr($0, ++i, 1); continue }
                if (c == "\"") { quoted = 0; key = (depth == 2) ? text : ""; continue }
                text = text c
                continue
            }
            if (c == "\"") { quoted = 1; text = ""; continue }
            if (c == ":" && key != "") print key
            if (c != " " && c != "\t") key = ""
            if (c == "{" || c == "[") depth++
            if (c == "}" || c == "]") depth--
        }
    }' $file 2>/dev/null
end
set -l in_qdrant "__fish_seen_subcommand_from qdrant"
set -l qdrant_pick "__fish_seen_subcommand_from qdrant; and not __fish_seen_subcommand_from $qdrant_commands"
complete -c agentdb -n $in_qdrant -l url -x -a 'http://localhost:6333' -d 'Qdrant URL (env QDRANT_URL; default http://localhost:6333); key: QDRANT_API_KEY'
complete -c agentdb -n $in_qdrant -l file -r -F -d 'Collections file (env QDRANT_COLLECTIONS_FILE; default qdrant/collections.json)'
complete -c agentdb -n $in_qdrant -l timeout -x -a '500ms 1s 5s 10s 30s 1m' -d 'Per-request timeout (default 10s)'
complete -c agentdb -n $qdrant_pick -a plan -d 'Show what apply would change on the server'
complete -c agentdb -n $qdrant_pick -a apply -d 'Create and update collections, indexes and aliases as declared'
complete -c agentdb -n $qdrant_pick -a status -d "Each collection's health, points, segments and drift from the file"
complete -c agentdb -n $qdrant_pick -a snapshot -d 'Create a snapshot of a collection and print its name'
complete -c agentdb -n $qdrant_pick -a drop -d 'Delete a collection'
complete -c agentdb -n $qdrant_pick -a sync-check -d 'Compare point counts with the PostgreSQL rows each collection mirrors'
complete -c agentdb -n "__fish_seen_subcommand_from qdrant; and __fish_seen_subcommand_from plan" -l check -d 'Exit 4 when the server differs from the file'
set -l in_qdrant_apply "__fish_seen_subcommand_from qdrant; and __fish_seen_subcommand_from apply"
complete -c agentdb -n $in_qdrant_apply -l allow-recreate -d 'Allow recreating collections whose fixed parameters changed (drops points)'
complete -c agentdb -n $in_qdrant_apply -l yes -d 'Do not ask before recreating'
complete -c agentdb -n "__fish_seen_subcommand_from qdrant; and __fish_seen_subcommand_from snapshot" -x -a '(__agentdb_qdrant_collections)' -d 'Collection'
set -l in_qdrant_drop "__fish_seen_subcommand_from qdrant; and __fish_seen_subcommand_from drop"
complete -c agentdb -n $in_qdrant_drop -x -a '(__agentdb_qdrant_collections)' -d 'Collection'
complete -c agentdb -n $in_qdrant_drop -l yes -d 'Confirm that its points may be deleted'

# health
# The checks, each followed by $argv[1] ("=" for the CHECK=VALUE of --warning and --critical).
# The values are comma-separated lists: what comes before the last comma is kept.
function __agentdb_health_checks
    set -l token (string replace -r -- '^--[a-z-]+=' '' (commandline -ct))
    set -l given (string match -r -- '^.*,' $token)
    for check in connection server_version migrations connections long_query idle_in_transaction \
        lock_waits wraparound cache_hit database_size replication qdrant redis redis_memory
        echo "$given$check$argv[1]"
    end
end
set -l in_health "__fish_seen_subcommand_from health"
complete -c agentdb -n $in_health -l check -x -a '(__agentdb_health_checks)' -d 'Run only these checks (repeat or comma-separate)'
complete -c agentdb -n $in_health -l warning -x -a '(__agentdb_health_checks =)' -d 'Warning threshold CHECK=VALUE, e.g. connections=70'
complete -c agentdb -n $in_health -l critical -x -a '(__agentdb_health_checks =)' -d 'Critical threshold CHECK=VALUE, e.g. long_query=10m'
complete -c agentdb -n $in_health -l timeout -x -a '1s 2s 5s 10s 30s' -d 'Give up and report after this long (default 5s)'
complete -c agentdb -n $in_health -l nagios -d 'One line of Nagios/Icinga plugin output with perfdata'
complete -c agentdb -n $in_health -l watch -x -a '1 2 5 10 30' -d 'Refresh every SECONDS until Ctrl-C'
complete -c agentdb -n $in_health -l qdrant-url -x -a 'http://localhost:6333' -d 'Qdrant to check (env QDRANT_URL); skipped when unset'
complete -c agentdb -n $in_health -l redis-url -x -d 'Redis to check (env REDIS_URL), redis://[:password@]host[:port][/db]'
complete -c agentdb -n $in_health -l migrations-dir -x -a '(__fish_complete_directories)' -d 'Migrations to compare with (env AGENTDB_MIGRATIONS_DIR; default ./migrations)'

# pool
set -l pool_pick "__fish_seen_subcommand_from pool; and not __fish_seen_subcommand_from $pool_commands"
complete -c agentdb -n $pool_pick -a status -d 'Connections by state, application, user and client; headroom; oldest transaction; PgBouncer pools'
complete -c agentdb -n $pool_pick -a probe -d 'Drive a pool from several threads: latency percentiles, throughput, errors and recovery'
complete -c agentdb -n "__fish_seen_subcommand_from pool; and __fish_seen_subcommand_from status" -l pgbouncer -x -d 'PgBouncer admin console URL, e.g. postgresql://admin@host:6432/pgbouncer'
set -l in_probe "__fish_seen_subcommand_from pool; and __fish_seen_subcommand_from probe"
complete -c agentdb -n $in_probe -l connections -x -d 'Pool size (default 10)'
complete -c agentdb -n $in_probe -l threads -x -d 'Threads driving the pool (default: one per connection)'
complete -c agentdb -n $in_probe -l duration -x -a '10s 30s 1m 5m' -d 'How long to run (default 10s)'
complete -c agentdb -n $in_probe -l query -x -d 'Statement each iteration runs (default SELECT 1)'
complete -c agentdb -n $in_probe -l acquire-timeout -x -a '500ms 1s 5s 10s' -d 'Longest wait for a free connection (default 5s)'
complete -c agentdb -n $in_probe -l min-idle -x -d 'Connections opened before the run (default 0)'
complete -c agentdb -n $in_probe -l stale-after -x -a '0 1s 10s 30s 1m' -d 'Ping a connection idle this long before reuse (default 10s)'
complete -c agentdb -n $in_probe -l max-lifetime -x -a '0 5m 30m 1h' -d 'Recycle connections older than this (default 30m; 0: never)'

# cost
set -l cost_pick "__fish_seen_subcommand_from cost; and not __fish_seen_subcommand_from $cost_commands"
complete -c agentdb -n $cost_pick -a report -d 'Cost, tokens, requests and execution times per group, with the change against the previous period'
complete -c agentdb -n $cost_pick -a top -d 'The biggest spenders and their share of the total'
complete -c agentdb -n $cost_pick -a budget -d "Spend so far this day or month against a limit, projected to the period's end; exit 0/1/2/3"
complete -c agentdb -n $cost_pick -a prices -d 'The model prices in force'
complete -c agentdb -n $cost_pick -a recompute -d 'Recompute stored costs from tokens and the prices in force at their time'
complete -c agentdb -n $cost_pick -a rollup -d 'The daily rollup behind fast reports: its size, --compact, --rebuild, --check'
# The window of report, top and recompute.
set -l cost_window "__fish_seen_subcommand_from cost; and __fish_seen_subcommand_from report top recompute"
complete -c agentdb -n $cost_window -l since -x -a '7d 30d 90d 365d 4w 12w' -d 'The last N days or weeks, e.g. 30d, 365d, 12w (default 30d)'
complete -c agentdb -n $cost_window -l from -x -d 'First day, YYYY-MM-DD (with --to: instead of --since)'
complete -c agentdb -n $cost_window -l to -x -d 'Last day, YYYY-MM-DD (default today)'
complete -c agentdb -n $cost_window -l tz -x -a UTC -d 'Time zone of the days (default UTC)'
set -l in_cost_report "__fish_seen_subcommand_from cost; and __fish_seen_subcommand_from report"
complete -c agentdb -n $in_cost_report -l group-by -x -a 'day week month model provider user agent category' -d 'Group by (default day)'
complete -c agentdb -n $in_cost_report -l user -x -d 'Only this user (uuid)'
complete -c agentdb -n $in_cost_report -l model -x -d 'Only this model name'
complete -c agentdb -n $in_cost_report -l format -x -a 'table csv json' -d 'Output format (default table)'
complete -c agentdb -n $in_cost_report -l html -r -F -d 'Also write a self-contained HTML report to FILE'
set -l in_cost_top "__fish_seen_subcommand_from cost; and __fish_seen_subcommand_from top"
complete -c agentdb -n $in_cost_top -l by -x -a 'user model agent' -d 'Rank by (default user)'
complete -c agentdb -n $in_cost_top -l limit -x -d 'How many (default 10)'
set -l in_cost_budget "__fish_seen_subcommand_from cost; and __fish_seen_subcommand_from budget"
complete -c agentdb -n $in_cost_budget -l limit-usd -x -d 'The limit in USD'
complete -c agentdb -n $in_cost_budget -l period -x -a 'day month' -d 'The current UTC day or month (default month)'
complete -c agentdb -n $in_cost_budget -l user -x -d "Only this user's spend (uuid)"
complete -c agentdb -n $in_cost_budget -l per-user -d "Each user's spend against the limit"
complete -c agentdb -n "__fish_seen_subcommand_from cost; and __fish_seen_subcommand_from prices" -l at -x -d 'In force at the end of this day, YYYY-MM-DD (default now)'
complete -c agentdb -n "__fish_seen_subcommand_from cost; and __fish_seen_subcommand_from recompute" -l dry-run -d 'Report what would change, change nothing'
set -l in_cost_rollup "__fish_seen_subcommand_from cost; and __fish_seen_subcommand_from rollup"
complete -c agentdb -n $in_cost_rollup -l compact -d 'Fold the pending deltas into the rollup'
complete -c agentdb -n $in_cost_rollup -l rebuild -d 'Recompute the rollup from the ledger'
complete -c agentdb -n $in_cost_rollup -l check -d 'Compare the rollup with the ledger; exit 4 when they differ'

# wait
set -l in_wait "__fish_seen_subcommand_from wait"
complete -c agentdb -n $in_wait -l timeout -x -a '10s 30s 60s 2m 5m' -d 'Give up after this long and exit 3 (default 60s)'
complete -c agentdb -n $in_wait -l migrated -d 'Also wait until no migration is pending and none drifted'
complete -c agentdb -n $in_wait -l migrations-dir -x -a '(__fish_complete_directories)' -d 'Migrations to compare with (env AGENTDB_MIGRATIONS_DIR)'

# serve
set -l in_serve "__fish_seen_subcommand_from serve"
complete -c agentdb -n $in_serve -l listen -x -a '127.0.0.1:8080 0.0.0.0:8080' -d 'ADDRESS:PORT to listen on (env AGENTDB_LISTEN; default 127.0.0.1:8080)'
complete -c agentdb -n $in_serve -l pool-size -x -d 'Database connections, and worker threads (env AGENTDB_POOL_SIZE; default 10)'
complete -c agentdb -n $in_serve -l threads -x -d 'I/O threads (default 2)'
complete -c agentdb -n $in_serve -l drain-timeout -x -a '5s 10s 30s' -d 'On SIGTERM, how long requests in flight may take to finish (default 10s)'
complete -c agentdb -n $in_serve -l statement-timeout -x -a '1s 5s 30s' -d 'Statement timeout of each request (default 5s)'
complete -c agentdb -n $in_serve -l migrations-dir -x -a '(__fish_complete_directories)' -d 'Migrations that must be applied (env AGENTDB_MIGRATIONS_DIR; default ./migrations)'
complete -c agentdb -n $in_serve -l rate-limits -x -d 'TIER=PER_SECOND/BURST,... for API keys by tier; SIGHUP reloads'
complete -c agentdb -n $in_serve -l log-level -x -a 'info warn error off' -d 'Access log level; SIGHUP reloads (default info)'
complete -c agentdb -n $in_serve -l idle-timeout -x -a '10s 30s 60s' -d 'Close a client connection silent this long (default 30s)'
complete -c agentdb -n $in_serve -l max-connections -x -d 'Client connections at once; more are answered 503 (default 1024)'
complete -c agentdb -n $in_serve -l read-url -x -d 'A replica for the read-only routes (env AGENTDB_READ_URL)'
complete -c agentdb -n $in_serve -l redis-url -x -d 'Keep the rate limit buckets in this Redis (env REDIS_URL)'
complete -c agentdb -n $in_serve -l pgbouncer -d 'The database URL is PgBouncer in transaction pooling'
complete -c agentdb -n $in_serve -l openapi -d 'Print the OpenAPI 3.1 document of every route and exit'
complete -c agentdb -n $in_serve -l allow-pending -d 'Serve even when migrations are pending'
complete -c agentdb -n $in_serve -l no-access-log -d 'Do not write the access log (JSON lines on stdout)'

# keys
set -l keys_pick "__fish_seen_subcommand_from keys; and not __fish_seen_subcommand_from $keys_commands"
complete -c agentdb -n $keys_pick -a create -d 'Issue an API key (the raw key is printed once)'
complete -c agentdb -n $keys_pick -a list -d 'List API keys, newest first'
complete -c agentdb -n $keys_pick -a revoke -d 'Revoke an API key by its prefix (refused at once)'
set -l in_keys_create "__fish_seen_subcommand_from keys; and __fish_seen_subcommand_from create"
complete -c agentdb -n $in_keys_create -l user -x -d "The owner's e-mail (created if missing)"
complete -c agentdb -n $in_keys_create -l scope -x -a 'read read,write read,write,admin' -d 'Scopes: read, write, admin (comma-separated)'
complete -c agentdb -n $in_keys_create -l tier -x -a 'free standard premium unlimited' -d 'Rate limit tier (default standard)'
complete -c agentdb -n $in_keys_create -l name -x -d 'What the key is for'
complete -c agentdb -n "__fish_seen_subcommand_from keys; and __fish_seen_subcommand_from list" -l user -x -d "Only this user's keys"

# cluster
complete -c agentdb -n "__fish_seen_subcommand_from cluster; and not __fish_seen_subcommand_from status" -a status -d "Patroni's members beside what each PostgreSQL says (plugin exit codes)"
set -l in_cluster_status "__fish_seen_subcommand_from cluster; and __fish_seen_subcommand_from status"
complete -c agentdb -n $in_cluster_status -l patroni-url -x -d 'A Patroni REST API, http://host:8008 (repeatable)'
complete -c agentdb -n $in_cluster_status -l timeout -x -a '1s 3s 10s' -d 'Per request and per connection (default 3s)'
complete -c agentdb -n $in_cluster_status -l lag-warning -x -a '1MB 16MB 64MB 1GB' -d 'WARNING when a replica is further behind (default 16MB)'

# local
set -l local_pick "__fish_seen_subcommand_from local; and not __fish_seen_subcommand_from $local_commands"
complete -c agentdb -n $local_pick -a status -d 'Show whether the local cluster exists and runs'
complete -c agentdb -n $local_pick -a start -d 'Create the local cluster if needed and start it'
complete -c agentdb -n $local_pick -a stop -d "Stop the local cluster's server"
complete -c agentdb -n $local_pick -a destroy -d 'Stop the local cluster and delete its files'

complete -c agentdb -n "__fish_seen_subcommand_from local; and __fish_seen_subcommand_from destroy" -l yes -d 'Confirm that every database in it may be deleted'
