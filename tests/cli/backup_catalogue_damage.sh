#!/usr/bin/env bash
# `backup list` and `backup verify` on a catalogue with damaged and unreadable entries: a damaged
# manifest is shown as damaged (list) or exit 4 (verify), an unreadable folder is skipped with one
# warning and the others are listed. Needs no database server (connections go to 127.0.0.1:1).
#
# Usage: backup_catalogue_damage.sh AGENTDB_BINARY [REPOSITORY_ROOT]
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 AGENTDB_BINARY [REPOSITORY_ROOT]" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
UNREACHABLE=postgresql://u:secret@127.0.0.1:1/x

# pass, fail, finish, run, expect_rc, expect_in
source "$(dirname "${BASH_SOURCE[0]}")/../support/checks.sh"

WORK=$(mktemp -d)
trap 'chmod -R u+rwx "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
chmod 755 "$WORK"
cd "$WORK"
unset DATABASE_URL AGENTDB_BACKUP_DIR
export AGENTDB_HOME=$WORK/agentdb-home NO_COLOR=1

# check DESCRIPTION: passes when the condition just tested held ("COND; check ...").
check() {
  if [[ $1 == ok ]]; then pass; else fail "$2 (rc=$RC, out=$OUT, err=$ERR)"; fi
}

# backup ID: a catalogue entry whose manifest is valid (list does not read the archive).
backup() {
  mkdir -p "$WORK/catalogue/$1"
  printf 'x' >"$WORK/catalogue/$1/dump.pgdump"
  cat >"$WORK/catalogue/$1/manifest.json" <<EOF
{"manifest_version": 1, "id": "$1", "database": "agentdb", "format": "custom",
 "archive": "dump.pgdump", "tables": [], "size_bytes": 1, "started_at": "${2}",
 "files": [{"path": "dump.pgdump", "size_bytes": 1,
            "sha256": "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"}]}
EOF
}

backup 20261101T100000Z-agentdb 2026-11-01T10:00:00Z
backup 20261102T100000Z-agentdb 2026-11-02T10:00:00Z
backup 20261103T100000Z-agentdb 2026-11-03T10:00:00Z
LIST=("$BIN" --database-url "$UNREACHABLE" backup --backup-dir "$WORK/catalogue")

run "${LIST[@]}" list
if [ "$RC" -eq 0 ] && [ "$ERR_LINES" -eq 0 ]; then r=ok; else r=bad; fi
check "$r" "an intact catalogue lists quietly"

# Damaged manifests: shown as damaged with a warning each, never hidden and never a crash.
head -c 60 "$WORK/catalogue/20261102T100000Z-agentdb/manifest.json" \
  >"$WORK/catalogue/20261102T100000Z-agentdb/manifest.json.cut"
mv "$WORK/catalogue/20261102T100000Z-agentdb/manifest.json.cut" \
  "$WORK/catalogue/20261102T100000Z-agentdb/manifest.json"
run "${LIST[@]}" list
if [ "$RC" -eq 0 ] && grep -q '20261102T100000Z-agentdb .*DAMAGED' "$WORK/stdout"; then r=ok; else r=bad; fi
check "$r" "a truncated manifest is listed as DAMAGED"
if [ "$ERR" = "agentdb: warning: backup 20261102T100000Z-agentdb is damaged: manifest.json: not valid JSON (truncated or edited?)" ]; then r=ok; else r=bad; fi
check "$r" "with one warning naming what is wrong"
run "${LIST[@]}" verify 20261102T100000Z-agentdb
if [ "$RC" -eq 4 ] && [ "$ERR_LINES" -eq 1 ] && [[ "$ERR" == "agentdb: backup 20261102T100000Z-agentdb is damaged: manifest.json: not valid"* ]]; then r=ok; else r=bad; fi
check "$r" "verify of a damaged manifest is exit 4, damaged"

# An escape sequence in a label is shown escaped, not sent to the terminal.
sed -i 's/"database": "agentdb"/"label": "\\u001b]0;pwned\\u0007", "database": "agentdb"/' \
  "$WORK/catalogue/20261103T100000Z-agentdb/manifest.json"
run "${LIST[@]}" list
if [ "$RC" -eq 0 ] && ! grep -q $'\x1b' "$WORK/stdout" && grep -qi 'x1b\]0;pwned' "$WORK/stdout"; then r=ok; else r=bad; fi
check "$r" "a label's escape sequence is made visible"

# Unreadable entries, even for root: a symlink loop where a folder should be.
ln -s 20261104T100000Z-loop "$WORK/catalogue/20261104T100000Z-loop"
run "${LIST[@]}" list
if [ "$RC" -eq 0 ] && grep -q 20261101T100000Z-agentdb "$WORK/stdout" && [ "$ERR_LINES" -eq 2 ] && grep -q "warning: skipping $WORK/catalogue/20261104T100000Z-loop: Too many levels" "$WORK/stderr"; then r=ok; else r=bad; fi
check "$r" "a symlink loop is skipped with a warning, the others listed"
rm "$WORK/catalogue/20261104T100000Z-loop"

# A chmod 000 folder, as a user chmod stops (root reads through it).
if [[ $(id -u) -eq 0 ]] && command -v setpriv >/dev/null &&
  setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN" --version >/dev/null 2>&1; then
  chmod -R a+rX "$WORK/catalogue"
  chmod 000 "$WORK/catalogue/20261101T100000Z-agentdb"
  run setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/nonexistent \
    AGENTDB_HOME="$WORK/nobody-home" "${LIST[@]}" list
  if [ "$RC" -eq 0 ] && grep -q 20261103T100000Z-agentdb "$WORK/stdout" && ! grep -q 20261101T100000Z-agentdb "$WORK/stdout" && grep -q "warning: skipping $WORK/catalogue/20261101T100000Z-agentdb: .*Permission denied" "$WORK/stderr"; then r=ok; else r=bad; fi
  check "$r" "a chmod 000 folder is skipped with one warning (as nobody)"
  chmod 755 "$WORK/catalogue/20261101T100000Z-agentdb"
else
  echo "note: the chmod 000 case needs root and setpriv; skipped" >&2
fi

finish
