#!/usr/bin/env bash
# The main job: install what is missing, build agentdb (Release), bring the database to the current
# schema, load the reference and demo data, and show the migration status. With no DATABASE_URL, agentdb uses its own PostgreSQL cluster in
# ./.agentdb, created on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DAGENTDB_TESTS=OFF >/dev/null
cmake --build build-release -j"$(nproc)" >/dev/null

./build-release/agentdb migrate up
./build-release/agentdb seed reference demo
./build-release/agentdb migrate status
