#!/usr/bin/env bash
# The main job: install what is missing, build agentdb (Release), bring the database to the current
# schema, load the reference and demo data, show the migration status, and run `agentdb serve` in
# the foreground with a demo key and a curl line to paste (Ctrl-C stops it). With no DATABASE_URL,
# agentdb uses its own PostgreSQL cluster in ./.agentdb, created on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DAGENTDB_TESTS=OFF >/dev/null
cmake --build build-release -j"$(nproc)" >/dev/null

./build-release/agentdb migrate up
./build-release/agentdb seed reference demo
./build-release/agentdb migrate status

listen=${AGENTDB_LISTEN:-127.0.0.1:8080}
key=$(./build-release/agentdb keys create --user demo@example.com --scope read,write --name "quick start" 2>/dev/null)
echo
echo "agentdb serve on http://$listen (Ctrl-C stops it); a demo key was made with agentdb keys create. Try:"
echo "  curl -H 'Authorization: Bearer $key' http://$listen/api/v1/agents"
echo
exec ./build-release/agentdb serve --listen "$listen"
