#!/bin/bash
# cbit builds cbit: runs the `make up` farm (scripts/farm-up.sh, its default
# isolated builder), commits cbit's own source into a git repository with
# the farm's post-receive hook, and waits until the farm has built the
# packages and published them. Then `apt-get install` of every cbit package
# from the farm's repository, into a private copy of the farm's bookworm
# root, must succeed and the installed programs must run. Prints the time
# of each step. Needs what `make up`'s isolated builder needs (sub-ids;
# as root, scripts/ensure-subids.sh on the first start) and Debian's archive
# (build-dependencies, and the packages' dependencies).
#
# Usage: bench/selfbuild.sh [--keep]   (--keep: leave the scratch directory)
# Environment: BUILD (default ./build), CBIT_SELFBUILD_DIR (default a new
# directory under /tmp), CBIT_PORT (default 8093), CBIT_AMQP_PORT (default
# 5693), CBIT_BUILDER (isolated or host, as for make up), TIMEOUT (seconds
# for the build, default 3600).
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)
BUILD=$(realpath "${BUILD:-build}")
KEEP=0
[ "${1:-}" = --keep ] && KEEP=1
DIR=${CBIT_SELFBUILD_DIR:-$(mktemp -d /tmp/cbit-selfbuild.XXXXXX)}
DIR=$(realpath -m "$DIR")
export CBIT_VAR=$DIR/var CBIT_PORT=${CBIT_PORT:-8093} CBIT_AMQP_PORT=${CBIT_AMQP_PORT:-5693}
export BUILD
URL=http://localhost:$CBIT_PORT
ARCH=$(dpkg --print-architecture)
TIMEOUT=${TIMEOUT:-3600}
mkdir -p "$DIR"

FARM_PID=""
cleanup() {
  if [ -n "$FARM_PID" ]; then
    kill -TERM "$FARM_PID" 2>/dev/null || true
    wait "$FARM_PID" 2>/dev/null || true
  fi
  if [ "$KEEP" = 0 ]; then rm -rf "$DIR"; else echo "selfbuild: kept $DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s; }
T0=$(now)
step() { printf 'selfbuild: %-48s %5d s\n' "$1" "$(($(now) - T0))"; }
fail() { echo "selfbuild: $*" >&2; exit 1; }

# 1. The farm, as make up runs it (its first start makes the build root).
scripts/farm-up.sh >"$DIR/farm.log" 2>&1 &
FARM_PID=$!
until grep -q 'cbit is running' "$DIR/farm.log"; do
  kill -0 "$FARM_PID" 2>/dev/null || { tail -20 "$DIR/farm.log"; fail "the farm did not start"; }
  sleep 1
done
step "farm running"

# 2. cbit's source as committed (HEAD), a changelog entry for the farm's
# suite bookworm on top, pushed to a repository with the farm's hook.
WORK=$DIR/cbit
git -C "$SRC" archive --format=tar --prefix=cbit/ HEAD | tar -xf - -C "$DIR"
UPSTREAM=$(dpkg-parsechangelog -l "$WORK/debian/changelog" -S Version)
VERSION="$UPSTREAM+selfbuild$(date +%Y%m%d%H%M%S)"
{
  printf 'cbit (%s) bookworm; urgency=medium\n\n  * Built by cbit (bench/selfbuild.sh).\n\n' "$VERSION"
  printf ' -- cbit <cbit@example.org>  %s\n\n' "$(date -R)"
  cat "$WORK/debian/changelog"
} >"$WORK/debian/changelog.new"
mv "$WORK/debian/changelog.new" "$WORK/debian/changelog"
BARE=$DIR/cbit.git
git init --quiet --bare "$BARE"
cp "$CBIT_VAR/examples/hello-cbit.git/hooks/post-receive" "$BARE/hooks/post-receive"
git -C "$WORK" init --quiet --initial-branch=main
git -C "$WORK" add --all
git -C "$WORK" -c user.name=cbit -c user.email=cbit@example.org commit --quiet -m "cbit $VERSION"
git -C "$WORK" push --quiet "$BARE" main 2>"$DIR/push.log" || { cat "$DIR/push.log"; fail "push failed"; }
step "pushed cbit $VERSION"

# 3. The job of this machine's arch (the master arch also builds arch:all),
# from Waiting to Uploaded.
row() {  # row FIELD: a field of the newest cbit job of this arch (empty if none)
  curl -fsS "$URL/job?package=cbit&arch=$ARCH&limit=1&view=rows" |
    python3 -c "import json,sys; r = json.load(sys.stdin); print(r[0]['$1'] if r else '')"
}
JOB=""
for _ in $(seq 60); do
  JOB=$(row id)
  [ -n "$JOB" ] && break
  sleep 1
done
[ -n "$JOB" ] || { cat "$DIR/push.log"; fail "the hook submitted no $ARCH job for cbit"; }
step "job $JOB submitted"
SEEN=""
DEADLINE=$(($(now) + TIMEOUT))
while :; do
  STATUS=$(row status)
  if [ "$STATUS" != "$SEEN" ]; then step "job $JOB $STATUS"; SEEN=$STATUS; fi
  case "$STATUS" in
    Uploaded) break ;;
    Failed | Cancelled)
      curl -fsS "$URL/job/$JOB/log" | tail -40
      fail "job $JOB ended $STATUS" ;;
  esac
  [ "$(now)" -lt "$DEADLINE" ] || fail "job $JOB still $STATUS after $TIMEOUT s"
  sleep 5
done

# 4. apt-get install of every package from the farm's repository into a
# private copy of the farm's bookworm root (which has Debian's archive as
# its source), in cbit-sandbox as the builds run (root of a user
# namespace, a private /dev and /proc) with the host's network and no
# service started; then each program runs there.
BASE=$CBIT_VAR/roots/bookworm-$ARCH/current
if [ ! -d "$BASE" ]; then  # CBIT_BUILDER=host: the farm made no root
  "$BUILD/cbit-client" chroot --roots-dir "$CBIT_VAR/roots" create bookworm >>"$DIR/root.log" 2>&1 ||
    fail "could not make a bookworm root (log: $DIR/root.log)"
fi
ROOT=$DIR/root
cp -a "$(realpath "$BASE")" "$ROOT"
echo "deb [trusted=yes] http://127.0.0.1:$CBIT_PORT/debian bookworm main" >"$ROOT/etc/apt/sources.list.d/cbit.list"
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod +x "$ROOT/usr/sbin/policy-rc.d"
in_root() {  # in_root [--net] COMMAND...: runs in the private root
  local net=()
  [ "$1" = --net ] && { net=(--ro-bind /etc/resolv.conf:/etc/resolv.conf --net); shift; }
  "$BUILD/cbit-sandbox" --root "$ROOT" --writable-root "${net[@]}" -- "$@"
}
PACKAGES="cbit-common cbit-web cbit-client cbit-watcher cbit-hooks cbit"
in_root --net apt-get -q --error-on=any update --and apt-get -q -y install $PACKAGES >"$DIR/install.log" 2>&1 ||
  { tail -30 "$DIR/install.log"; fail "apt-get install failed (log: $DIR/install.log)"; }
for p in $PACKAGES; do
  got=$(in_root dpkg-query -W -f '${Version}' "$p" 2>/dev/null)
  [ "$got" = "$VERSION" ] || fail "$p is installed at $got, not the farm's $VERSION"
done
for prog in /usr/sbin/cbit-web /usr/sbin/cbit-client /usr/sbin/cbit-watcher /usr/bin/cbit-hook \
  /usr/bin/cbit; do
  in_root "$prog" --help >/dev/null 2>&1 || fail "$prog --help failed in the root"
done
step "installed $PACKAGES ($VERSION)"
echo "selfbuild: cbit built, published and installed by cbit"
