#!/bin/sh
# Gives root a range of subordinate user and group ids, which sbuild's
# unshare mode and mmdebstrap need to map a whole chroot into a user
# namespace. Idempotent: adds "root:100000:65536" only when root has no range.
set -eu

for f in /etc/subuid /etc/subgid; do
  touch "$f"
  if ! grep -q '^root:' "$f"; then
    echo 'root:100000:65536' >>"$f"
  fi
done
