#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: formatting, a Release build with warnings
# as errors and its command-line tests, the Debian package made from that build and installed into
# a fresh Debian 12 root, the whole suite (unit, integration against real
# servers, command line) under AddressSanitizer + UndefinedBehaviorSanitizer, and a bounded libFuzzer
# run of each fuzz target in tests/fuzz. Unit and integration tests run once, under the sanitizers, and the two
# documentation checks (man page and completions against --help, which run the binary thousands of
# times) only in the Release build, to keep CI under 30 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
# Each stage says when it began, so a slow one shows in the log.
stage() { echo "== $* (at ${SECONDS} s)"; }

scripts/install-deps.sh
# Compiled objects are kept between runs on this machine (ccache, ~/.cache/ccache): a run on a
# fresh clone recompiles only what changed. A cold run is measured in bench/RESULTS.md.
launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
# Paths under the clone are hashed relative to it, and the build folder is not hashed, so a clone
# in another place hits the same objects (debug information then names the first clone's paths).
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1

stage "clang-format"
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find src tests -name '*.cpp' -o -name '*.hpp')
clang-format --dry-run -Werror "${sources[@]}"

stage "release build and command-line tests"
# Installed under /usr, as the package is: the package stage below reuses this build.
cmake -S . -B build-ci "${launcher[@]}" -DCMAKE_BUILD_TYPE=Release -DAGENTDB_WERROR=ON \
  -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
# Only what this stage runs: unit and integration tests are built and run once, under the sanitizers.
cmake --build build-ci -j"$jobs" --target agentdb
# The Patroni cluster test runs here only, once (it needs just the binary).
ctest --test-dir build-ci -j"$jobs" -L 'cli|cluster' --output-on-failure --timeout 300 |
  tee build-ci/ctest.log

stage "OpenAPI document of serve against the reference linter (@redocly/cli 2.77.0)"
build-ci/agentdb serve --openapi >build-ci/openapi.json
npm install --prefix build-ci/redocly --no-save --no-audit --no-fund --silent @redocly/cli@2.77.0
build-ci/redocly/node_modules/.bin/redocly lint --config tests/openapi/redocly.yaml \
  --max-problems 20 build-ci/openapi.json 2>&1 | tee build-ci/redocly.log
# Clean means no warning either (the linter's exit status counts only errors).
if grep -q "You have [0-9]* warning" build-ci/redocly.log; then
  echo "the OpenAPI document has lint warnings (above)" >&2
  exit 1
fi

stage "Debian package: built from this Release build, lintian, installed into a fresh Debian 12 root"
AGENTDB_PACKAGE_BUILD=build-ci scripts/package.sh | tee build-ci/package.log
tests/package/install_in_fresh_root.sh "$(tail -1 build-ci/package.log)"

stage "address and undefined-behaviour sanitizer build and tests"
cmake -S . -B build-asan "${launcher[@]}" -DCMAKE_BUILD_TYPE=Debug -DAGENTDB_WERROR=ON \
  -DAGENTDB_SANITIZERS="address;undefined" >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions="$PWD/tests/lsan.supp":print_suppressions=0 \
  ctest --test-dir build-asan -j"$jobs" --output-on-failure --timeout 600 -LE cluster \
    -E 'cli_docs_cover_every_command|cli_bash_completion_works' | tee build-asan/ctest.log

fuzz_seconds=${AGENTDB_FUZZ_SECONDS:-20}
stage "fuzz every parser of outside input (bounded: $fuzz_seconds s per target)"
CXX=clang++ cmake -S tests/fuzz -B build-fuzz "${launcher[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$jobs"
# Two targets at a time (one per core). The first folder gathers what this run finds; the seeds are
# read only. A crash, a sanitizer report, an input slower than 10 s or more than 2 GiB fails the run.
run_fuzz_target() {
  local target
  target=$(basename "$1" .cpp)
  mkdir -p "build-fuzz/corpus/$target" "tests/fuzz/corpus/$target"
  if ! "./build-fuzz/$target" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 -timeout=10 \
    "build-fuzz/corpus/$target" "tests/fuzz/corpus/$target" 2>"build-fuzz/$target.log"; then
    echo "$target failed:"
    tail -40 "build-fuzz/$target.log"
    return 1
  fi
  echo "$target: $(grep -E '^#[0-9]+.*(DONE|cov:)' "build-fuzz/$target.log" | tail -1)"
}
export -f run_fuzz_target
export fuzz_seconds
printf '%s\0' tests/fuzz/*_fuzz.cpp | xargs -0 -n1 -P"$jobs" bash -c 'run_fuzz_target "$1"' _

# One closing line over both suites (ctest exits non-zero above on any failure, so failed is 0 here).
total=0
for log in build-ci/ctest.log build-asan/ctest.log; do
  n=$(sed -n 's/.*tests passed, 0 tests failed out of \([0-9]*\).*/\1/p' "$log")
  total=$((total + ${n:-0}))
done
echo "all checks passed in ${SECONDS} s"
echo "$total passed, 0 failed"
