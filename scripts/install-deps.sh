#!/usr/bin/env bash
# Installs the Debian 12 packages agentdb needs to build, test and run. Safe to re-run: it installs
# only what is missing, and does nothing (not even apt-get update) when everything is there.
set -euo pipefail

packages=(
  # build
  cmake make g++ pkg-config ccache
  libcli11-dev libpqxx-dev libpq-dev nlohmann-json3-dev libssl-dev libcpp-httplib-dev libhiredis-dev
  libtomlplusplus-dev libboost-dev  # Boost.Beast/Asio for serve (header-only)
  libsystemd-dev  # sd_notify: readiness and watchdog of agentdb-serve.service
  # packaging (scripts/package.sh and its test)
  dpkg-dev file lintian debootstrap systemd
  # tests
  googletest libgtest-dev clang clang-format libclang-rt-14-dev bash-completion
  python3  # the Qdrant stand-in server (tests/qdrant)
  chromium  # renders the HTML cost report in a test
  pgbouncer redis-server  # real peers for the health and pool tests
  patroni etcd-server curl  # the three-node cluster of tests/cluster (tests/support/patroni_cluster.sh)
  nodejs  # npm runs @redocly/cli, the reference linter of serve's OpenAPI document
  # the embedded database and the tools agentdb drives
  postgresql-15 postgresql-client-15
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 2; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
