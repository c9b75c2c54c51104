#!/usr/bin/env bash
# The Debian package on a fresh Debian 12 (minbase, made by debootstrap): installed with
# `apt-get install ./agentdb_*.deb`, then `agentdb --version`, `man -w agentdb`, bash completion of
# `agentdb mi<TAB>`, `migrate up`/`status` and `seed` against the embedded default (the schema and
# seeds it ships, from a directory that has none), `systemd-analyze verify` of its units; then
# purged, leaving nothing under /usr or /etc.
#   tests/package/install_in_fresh_root.sh DEB
# Skipped (exit 0, with the reason) without root or debootstrap, or when the archive is out of reach.
set -euo pipefail
deb=$(realpath "$1")
version=$(dpkg-deb -f "$deb" Version)
mirror=http://deb.debian.org/debian

skip() {
  echo "package install test skipped: $*"
  exit 0
}
[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap and chroot)"
command -v debootstrap >/dev/null || skip "debootstrap is not installed (apt-get install debootstrap)"
timeout 10 bash -c "exec 3<>/dev/tcp/deb.debian.org/80" 2>/dev/null ||
  skip "Debian's archive ($mirror) is out of reach"

root=$(mktemp -d /var/tmp/agentdb-fresh-root.XXXXXX)
chmod 755 "$root" # it becomes /, which every user (postgres too) must traverse
cleanup() {
  for mount in "$root/proc" "$root/dev/pts" "$root/dev"; do
    mountpoint -q "$mount" && umount -l "$mount"
  done
  rm -rf "$root"
}
trap cleanup EXIT
fail() {
  echo "package install test failed: $*" >&2
  exit 1
}
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

# The packages debootstrap fetches are kept between runs; the root itself is made anew each time.
cache=/var/cache/agentdb-debootstrap
mkdir -p "$cache"
echo "debootstrap --variant=minbase bookworm (packages cached in $cache)"
debootstrap --variant=minbase --cache-dir="$cache" bookworm "$root" "$mirror" >"$root.log" 2>&1 ||
  {
    tail -20 "$root.log"
    fail "debootstrap failed"
  }
rm -f "$root.log"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
# No service starts inside the root, and PostgreSQL's package makes no cluster of its own.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
mkdir -p "$root/etc/postgresql-common"
echo "create_main_cluster = false" >"$root/etc/postgresql-common/createcluster.conf"
# minbase has no man-db, bash-completion or systemd (whose units verify checks against); a DBA's has. Recommends are left out (a
# mail server among them, which cannot configure in a chroot) but agentdb's: postgresql-15.
echo "man-db man-db/auto-update boolean false" | in_root debconf-set-selections
cp "$deb" "$root/tmp/"
in_root apt-get -qq update
in_root sh -c "DEBIAN_FRONTEND=noninteractive apt-get -qq -y install --no-install-recommends man-db bash-completion systemd procps \
  postgresql-15 /tmp/$(basename "$deb")" >"$root/../agentdb-install.log" 2>&1 || { tail -30 "$root/../agentdb-install.log"; fail "apt-get install ./$(basename "$deb") failed"; }

echo "checks in the fresh root"
in_root agentdb --version | grep -qF "$version" || fail "agentdb --version does not say $version"
[ "$(in_root man -w agentdb)" = /usr/share/man/man1/agentdb.1.gz ] || fail "man -w agentdb"
completed=$(in_root bash -c 'source /usr/share/bash-completion/bash_completion
  _completion_loader agentdb
  COMP_WORDS=(agentdb mi); COMP_CWORD=1; COMP_LINE="agentdb mi"; COMP_POINT=${#COMP_LINE}
  $(complete -p agentdb | sed -n "s/.*-F \([^ ]*\).*/\1/p") agentdb mi agentdb
  echo "${COMPREPLY[*]}"')
[ "$completed" = migrate ] || fail "agentdb mi<TAB> completed to '$completed', not 'migrate'"
# A directory with no migrations/ or seeds/: what the package ships is used.
mkdir -p "$root/root/work"
work() { in_root sh -c "cd /root/work && $*"; }
work agentdb --no-color migrate up >/dev/null || fail "agentdb migrate up on the embedded default"
status=$(work agentdb --json migrate status) || fail "agentdb migrate status on the embedded default"
grep -q '"applied"' <<<"$status" || fail "migrate status: no revision applied: $status"
! grep -q '"pending"' <<<"$status" || fail "migrate status: revisions pending: $status"
work agentdb seed >/dev/null || fail "agentdb seed on the embedded default"
work agentdb --quiet local stop || fail "agentdb local stop"
verify=$(systemd-analyze verify --root="$root" \
  "$root"/lib/systemd/system/agentdb-*.service "$root"/lib/systemd/system/agentdb-*.timer 2>&1 |
  grep -v "Command 'man agentdb(1)' failed" || true)
[ -z "$verify" ] || fail "systemd-analyze verify: $verify"

in_root apt-get -qq -y purge agentdb >/dev/null || fail "apt-get purge agentdb failed"
left=$(cd "$root" && find usr etc lib -path '*agentdb*' 2>/dev/null || true)
[ -z "$left" ] || fail "left after purge: $left"
echo "package install test passed: $(basename "$deb") installed, used and purged in a fresh Debian 12"
