#!/bin/bash
# `make up`: runs a one-machine cbit farm in the foreground on embedded
# defaults, all state under var/, and stops everything it started on Ctrl-C
# or SIGTERM:
#   - a private RabbitMQ node;
#   - cbit-web on SQLite, also serving the apt repository var/repo under
#     /debian/;
#   - one cbit-client building each job in isolation (cbit-sandbox over a
#     prepared bookworm root, var/roots, made on the first start and reused;
#     CBIT_BUILDER=host builds with dpkg-buildpackage on this host instead),
#     uploading with dput into var/incoming;
#   - cbit-watcher: var/incoming → reprepro processincoming → var/repo, and
#     the job moves to Uploaded (or Failed, with reprepro's reason);
#   - the example package (examples/hello-cbit) in a bare git repository,
#     var/examples/hello-cbit.git, with the cbit post-receive hook installed,
#     and a working clone of it, var/examples/hello-cbit, to commit and push.
#
# Each component signs in with its own credential of the least role: the
# client a builder token bound to its name (and its own RabbitMQ user,
# allowed only its queues), the watcher a watcher token, the hook a
# submitter token. Tokens are made afresh at each start (the previous ones
# revoked); only the admin has a password.
#
# Environment: CBIT_PORT (HTTP, default 8080), CBIT_AMQP_PORT (default 5673,
# so a system broker on 5672 is left alone), CBIT_ADMIN_PASSWORD (default: a
# generated one, kept in var/admin-password), CBIT_VAR (default ./var),
# BUILD (default ./build), CBIT_BUILDER (isolated, the default, or host).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
VAR=$(realpath -m "${CBIT_VAR:-var}")
PORT=${CBIT_PORT:-8080}
BUILDER=${CBIT_BUILDER:-isolated}
case "$BUILDER" in
  isolated | host) ;;
  *) echo "cbit: CBIT_BUILDER must be isolated or host, not '$BUILDER'" >&2; exit 1 ;;
esac
AMQP_PORT=${CBIT_AMQP_PORT:-5673}
URL="http://localhost:$PORT"
mkdir -p "$VAR"
# Not listable by others; traversable, as the RabbitMQ node runs as user
# rabbitmq in var/rabbitmq. Secrets in it are written with umask 077.
chmod 711 "$VAR"

# The admin password: given, kept from an earlier run, or generated.
if [ -n "${CBIT_ADMIN_PASSWORD:-}" ]; then
  PASSWORD=$CBIT_ADMIN_PASSWORD
elif [ -s "$VAR/admin-password" ]; then
  PASSWORD=$(cat "$VAR/admin-password")
else
  PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)
fi
(umask 077; printf '%s\n' "$PASSWORD" > "$VAR/admin-password")
HASH=$(printf '%s\n' "$PASSWORD" | "$BUILD/cbit-web" hash-password)
(umask 077; printf 'machine localhost login admin password %s\n' "$PASSWORD" > "$VAR/netrc")
mkdir -p "$VAR/repo"
(umask 077; cat > "$VAR/web.json") <<JSON
{
  "web": {"interface": "0.0.0.0", "port": $PORT, "hostname": "localhost:$PORT",
          "users": {"admin": "$HASH"}, "repository": "$VAR/repo"},
  "db": {"backend": "sqlite", "path": "$VAR/cbit.db"},
  "controller": {"rabbit_url": "127.0.0.1:$AMQP_PORT", "rabbit_exchange": "pybit",
                 "allow_local_uris": true}
}
JSON
NEW_DB=1
[ -s "$VAR/cbit.db" ] && NEW_DB=0

# token NAME ROLE [--client C]: a new API token (printed), replacing the
# valid one of that name. cbit-web brings the database's schema up to date
# first, so this may run before the controller starts.
token() {
  local name=$1
  shift
  "$BUILD/cbit-web" --config "$VAR/web.json" token revoke "$name" >/dev/null 2>&1 || true
  "$BUILD/cbit-web" --config "$VAR/web.json" token add "$name" --role "$@" 2>/dev/null
}
HOST_ARCH=$(dpkg --print-architecture)
CLIENT_ID=build_client_$HOST_ARCH
CLIENT_TOKEN=$(token "client-$CLIENT_ID" builder --client "$CLIENT_ID")
WATCHER_TOKEN=$(token watcher watcher)
HOOK_TOKEN=$(token hook submitter)
CLI_TOKEN=$(token cli admin)

WEB_PID=""
CLIENT_PID=""
WATCHER_PID=""
stop_all() {
  trap - EXIT INT TERM
  echo "cbit: stopping"
  for pid in $WATCHER_PID $CLIENT_PID $WEB_PID; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  scripts/rabbitmq-node.sh stop "$VAR/rabbitmq" || true
}
trap stop_all EXIT
trap 'exit 130' INT TERM

echo "cbit: starting RabbitMQ on 127.0.0.1:$AMQP_PORT"
scripts/rabbitmq-node.sh start "$VAR/rabbitmq" "$AMQP_PORT" >/dev/null

echo "cbit: starting cbit-web on $URL"
"$BUILD/cbit-web" --config "$VAR/web.json" &
WEB_PID=$!
for _ in $(seq 100); do
  curl -fsS -o /dev/null "$URL/status" 2>/dev/null && break
  kill -0 "$WEB_PID" 2>/dev/null || { echo "cbit-web failed to start" >&2; exit 1; }
  sleep 0.1
done

api() { curl -fsS --netrc-file "$VAR/netrc" -o /dev/null -X PUT "$URL$1" --data "$2"; }
if [ "$NEW_DB" = 1 ]; then
  # A first run gets a small catalog: the seed's suite (chickpea) and this
  # machine's suite, each built on this machine's arch (the master) and i386.
  HOST_ARCH=$(dpkg --print-architecture)
  api /dist "name=Debian"
  api /format "name=deb"
  api /arch "name=$HOST_ARCH"
  [ "$HOST_ARCH" = i386 ] || api /arch "name=i386"
  for suite in chickpea bookworm; do
    api /suite "name=$suite"
    api /suitearch "suite=$suite&arch=$HOST_ARCH&master_weight=1"
    [ "$HOST_ARCH" = i386 ] || api /suitearch "suite=$suite&arch=i386&master_weight=0"
  done
fi

# The build client's own RabbitMQ user, allowed only its queues.
scripts/mq-client-user.sh "$VAR/rabbitmq" "$CLIENT_ID" "$VAR/mq-$CLIENT_ID-password" \
  "Debian_${HOST_ARCH}_chickpea_deb" "Debian_${HOST_ARCH}_bookworm_deb"
MQ_PASSWORD=$(cat "$VAR/mq-$CLIENT_ID-password")

# The build client: this host's arch, both seeded suites, uploads into
# var/incoming through a local dput target.
mkdir -p "$VAR/incoming" "$VAR/client-build"
cat > "$VAR/dput.cf" <<CF
[local]
method = local
incoming = $VAR/incoming
allow_unsigned_uploads = 1
run_dinstall = 0
CF
# The isolated builder's root: made once (mmdebstrap, a few minutes), then
# reused. The farm's own suite chickpea builds in the same bookworm root.
if [ "$BUILDER" = isolated ]; then
  ROOTS="$VAR/roots"
  if [ ! -e "$ROOTS/bookworm-$HOST_ARCH/current" ]; then
    echo "cbit: making the isolated builder's bookworm root in $ROOTS (first start only;" \
      "a few minutes)…"
    [ "$(id -u)" -ne 0 ] || scripts/ensure-subids.sh
  fi
  "$BUILD/cbit-client" chroot --roots-dir "$ROOTS" create bookworm >>"$VAR/roots.log" 2>&1 || {
    echo "cbit: could not make the root; see $VAR/roots.log (CBIT_BUILDER=host avoids it)" >&2
    exit 1
  }
  ln -sfn "bookworm-$HOST_ARCH" "$ROOTS/chickpea-$HOST_ARCH"
fi

(umask 077; cat > "$VAR/client.json" <<JSON
{
  "clientid": "$CLIENT_ID", "host_arch": "$HOST_ARCH", "distribution": "Debian",
  "pkg_format": "deb", "suites": ["chickpea", "bookworm"],
  "buildroot": "$VAR/client-build",
  "host": "127.0.0.1", "port": $AMQP_PORT, "userid": "$CLIENT_ID", "password": "$MQ_PASSWORD",
  "controller_url": "$URL", "token": "$CLIENT_TOKEN",
  "builder": "$BUILDER", "roots_dir": "$VAR/roots",
  "dput_dest": "local", "dput_config": "$VAR/dput.cf"
}
JSON
)
echo "cbit: starting cbit-client $CLIENT_ID (log: $VAR/client.log)"
"$BUILD/cbit-client" --config "$VAR/client.json" >>"$VAR/client.log" 2>&1 &
CLIENT_PID=$!

# The apt repository: one codename per seeded suite, fed from var/incoming
# by cbit-watcher (reprepro processincoming, rule "cbit").
mkdir -p "$VAR/repo/conf" "$VAR/repo-tmp"
: > "$VAR/repo/conf/distributions"
for suite in chickpea bookworm; do
  cat >> "$VAR/repo/conf/distributions" <<CONF
Codename: $suite
Components: main
Architectures: $HOST_ARCH i386 source

CONF
done
cat > "$VAR/repo/conf/incoming" <<CONF
Name: cbit
IncomingDir: $VAR/incoming
TempDir: $VAR/repo-tmp
Allow: chickpea bookworm
Cleanup: unused_buildinfo_files
CONF
(umask 077; cat > "$VAR/watcher.json" <<JSON
{
  "rules": {"$VAR/incoming": {"repobase": "$VAR/repo", "rule": "cbit"}},
  "sleeptime": 1, "dryrun": false,
  "controller_url": "$URL", "token": "$WATCHER_TOKEN"
}
JSON
)
echo "cbit: starting cbit-watcher (log: $VAR/watcher.log)"
"$BUILD/cbit-watcher" --config "$VAR/watcher.json" >>"$VAR/watcher.log" 2>&1 &
WATCHER_PID=$!

# The example package: a bare repository with the post-receive hook (its
# settings and credentials in var/hook.json, not in the hook), and a working
# clone to change and push.
(umask 077; cat > "$VAR/hook.json" <<JSON
{"url": "$URL", "token": "$HOOK_TOKEN", "distribution": "Debian", "format": "deb"}
JSON
)
EXAMPLE="$VAR/examples/hello-cbit.git"
WORK="$VAR/examples/hello-cbit"
if [ ! -f "$EXAMPLE/HEAD" ]; then
  rm -rf "$EXAMPLE" "$WORK"
  git init --quiet --bare "$EXAMPLE"
fi
cat > "$EXAMPLE/hooks/post-receive" <<HOOK
#!/bin/sh
# Installed by make up: cbit's git hook with this farm's settings.
CBIT_HOOK="$(realpath "$BUILD/cbit-hook")" CBIT_HOOK_CONFIG="$VAR/hook.json" \\
  exec "$(realpath hooks/git-post-receive)"
HOOK
chmod +x "$EXAMPLE/hooks/post-receive"
if [ ! -d "$WORK/.git" ]; then
  mkdir -p "$WORK"
  cp -r examples/hello-cbit/. "$WORK/"
  git -C "$WORK" init --quiet --initial-branch=main
  git -C "$WORK" add --all
  git -C "$WORK" -c user.name=cbit -c user.email=cbit@example.org commit --quiet -m "hello-cbit 1.0"
  git -C "$WORK" remote add origin "$EXAMPLE"
fi

cat <<EOF

  cbit is running.
    dashboard    $URL/   (sign in as admin, password $PASSWORD)
    controller   $URL   (user admin, password $PASSWORD)
    RabbitMQ     amqp://guest:guest@127.0.0.1:$AMQP_PORT/  (exchange pybit; the client
                 signs in as $CLIENT_ID, allowed only its queues)
    tokens       cbit-web --config $VAR/web.json token list
    repository   deb [trusted=yes] $URL/debian chickpea main
    state        $VAR  (logs: client.log, watcher.log)

  From commit to apt-get: push the example package (its changelog says
  version 1.0 for suite chickpea); the hook submits it, $CLIENT_ID builds
  it, the watcher publishes it into the repository above.
    cd $WORK
    git push -u origin main
    export PATH=$(realpath "$BUILD"):\$PATH CBIT_URL=$URL CBIT_TOKEN=$CLI_TOKEN  # or: cbit login
    cbit watch 1                 # Waiting, Building, Done, Uploaded
    cbit log -f 1                # the build log, followed while it builds
    cbit jobs                    # the newest jobs (cbit --help: every subcommand)

  A new version (dch is in devscripts), built and published the same way:
    dch -v 1.1 -D chickpea "A change." && git commit -qam 1.1 && git push
  Or the pushed head again, without the hook, waiting for its end:
    cbit submit --wait

  Install it (as root):
    echo "deb [trusted=yes] $URL/debian chickpea main" > /etc/apt/sources.list.d/cbit.list
    apt-get update && apt-get install hello-cbit

  The REST API (pyBit's):
    curl -i $URL/arch
    curl -i -u admin:\$(cat $VAR/admin-password) -X PUT $URL/arch --data "name=test"
    curl -i -u admin:\$(cat $VAR/admin-password) -X POST $URL/job/vcshook \\
      --data "uri=http://svn.example/svn/lwdev&method=svn&distribution=Debian&vcs_id=20961&architecture_list=all,any&package_version=0.6.33chickpea94&package=appbarwidget&suite=chickpea&format=deb"
    curl $URL/job

  Ctrl-C stops everything.
EOF
wait "$WEB_PID"
