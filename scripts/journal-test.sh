#!/bin/bash
# The daemons' log in the systemd journal (CTest entry `journal`): a private
# systemd-journald in a mount namespace of its own (tmpfs over /run and
# /var/log/journal, so the host's journal, if any, is not touched), and
# cbit-client run as systemd runs a unit, its stderr named by
# JOURNAL_STREAM. Its entries must carry the fields cbit adds: PRIORITY,
# SYSLOG_IDENTIFIER and CLIENT.
#
# Needs root (a mount namespace); without it the entry fails saying so.
#   scripts/journal-test.sh BUILD_DIR
set -euo pipefail

fail() {
  echo "journal-test: FAILED: $*" >&2
  exit 1
}
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || fail "needs root (a mount namespace with a private journald)"
JOURNALD=/lib/systemd/systemd-journald
for tool in unshare journalctl python3; do
  command -v "$tool" >/dev/null || fail "$tool is not installed"
done
[ -x "$JOURNALD" ] || fail "$JOURNALD is not installed"
BUILD=$(cd "$1" && pwd)

if [ "${2:-}" != --inside ]; then
  exec unshare --mount --propagation private -- "$0" "$BUILD" --inside
fi

# Inside the namespace: every mount below vanishes with it.
mount -t tmpfs tmpfs /run
if [ -d /var/log/journal ]; then mount -t tmpfs tmpfs /var/log/journal; fi
mkdir -p /run/systemd/journal /run/log/journal
scratch=$(mktemp -d "$BUILD/test-tmp/journal.XXXXXX")
"$JOURNALD" >"$scratch/journald.log" 2>&1 &
journald=$!
trap 'kill "$journald" 2>/dev/null; wait "$journald" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  [ -S /run/systemd/journal/socket ] && break
  sleep 0.1
done
[ -S /run/systemd/journal/socket ] || fail "journald did not start: $(cat "$scratch/journald.log")"

# A client that stops at start-up (its dput config is missing): one
# critical line, after its config (and so its clientid) was read.
cat >"$scratch/client.json" <<JSON
{"clientid": "journal_client", "host_arch": "amd64", "distribution": "Debian",
 "suites": ["bookworm"], "dput_dest": "cbit", "userid": "u", "password": "p",
 "controller_url": "http://127.0.0.1:9", "token": "t",
 "buildroot": "$scratch/build", "dput_config": "$scratch/no-dput.cf"}
JSON
: >"$scratch/stderr"
status=0
JOURNAL_STREAM=$(stat -c %d:%i "$scratch/stderr") \
  "$BUILD/cbit-client" --config "$scratch/client.json" 2>"$scratch/stderr" || status=$?
[ "$status" -eq 2 ] || fail "cbit-client exited $status, not 2: $(cat "$scratch/stderr")"
[ ! -s "$scratch/stderr" ] || fail "cbit-client wrote to stderr, not the journal: $(cat "$scratch/stderr")"

journalctl -D /run/log/journal -o json --no-pager SYSLOG_IDENTIFIER=cbit-client >"$scratch/entries.json" ||
  fail "journalctl failed"
python3 - "$scratch/entries.json" <<'PY' || fail "the journal lacks the fields (entries in $scratch/entries.json)"
import json, sys
entries = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
hits = [e for e in entries if "cannot start: dput_config" in e.get("MESSAGE", "")]
assert hits, entries
e = hits[0]
assert e["PRIORITY"] == "2", e
assert e["CLIENT"] == "journal_client", e
assert e["_TRANSPORT"] == "journal", e
print("journal-test: cbit-client's entry:", {k: e[k] for k in ("MESSAGE", "PRIORITY", "CLIENT")})
PY
rm -rf "$scratch"
echo "journal-test: passed"
