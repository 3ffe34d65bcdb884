#!/bin/bash
# `make up`: runs a one-machine cbit farm in the foreground on embedded
# defaults — a private RabbitMQ node, cbit-web on SQLite and one cbit-client
# building on this host (dpkg-buildpackage, uploads to var/incoming), all
# state under var/ — and stops everything it started on Ctrl-C or SIGTERM.
# The example package (examples/hello-cbit) is put in a git repository under
# var/examples so there is something to submit.
#
# Environment: CBIT_PORT (HTTP, default 8080), CBIT_AMQP_PORT (default 5673,
# so a system broker on 5672 is left alone), CBIT_ADMIN_PASSWORD (default: a
# generated one, kept in var/admin-password), CBIT_VAR (default ./var),
# BUILD (default ./build).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
VAR=$(realpath -m "${CBIT_VAR:-var}")
PORT=${CBIT_PORT:-8080}
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
(umask 077; cat > "$VAR/web.json") <<JSON
{
  "web": {"interface": "0.0.0.0", "port": $PORT, "hostname": "localhost:$PORT",
          "users": {"admin": "$HASH"}},
  "db": {"backend": "sqlite", "path": "$VAR/cbit.db"},
  "controller": {"rabbit_url": "127.0.0.1:$AMQP_PORT", "rabbit_exchange": "pybit"}
}
JSON
NEW_DB=1
[ -s "$VAR/cbit.db" ] && NEW_DB=0

WEB_PID=""
CLIENT_PID=""
stop_all() {
  trap - EXIT INT TERM
  echo "cbit: stopping"
  for pid in $CLIENT_PID $WEB_PID; do
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

# The build client: this host's arch, both seeded suites, uploads into
# var/incoming through a local dput target.
HOST_ARCH=$(dpkg --print-architecture)
CLIENT_ID=build_client_$HOST_ARCH
mkdir -p "$VAR/incoming" "$VAR/client-build"
cat > "$VAR/dput.cf" <<CF
[local]
method = local
incoming = $VAR/incoming
allow_unsigned_uploads = 1
run_dinstall = 0
CF
(umask 077; cat > "$VAR/client.json" <<JSON
{
  "clientid": "$CLIENT_ID", "host_arch": "$HOST_ARCH", "distribution": "Debian",
  "pkg_format": "deb", "suites": ["chickpea", "bookworm"],
  "buildroot": "$VAR/client-build",
  "host": "127.0.0.1", "port": $AMQP_PORT, "userid": "guest", "password": "guest",
  "controller_url": "$URL", "controller_user": "admin", "controller_password": "$PASSWORD",
  "builder": "host", "dput_dest": "local", "dput_config": "$VAR/dput.cf"
}
JSON
)
echo "cbit: starting cbit-client $CLIENT_ID (log: $VAR/client.log)"
"$BUILD/cbit-client" --config "$VAR/client.json" >>"$VAR/client.log" 2>&1 &
CLIENT_PID=$!

# The example package in a git repository the client can clone.
EXAMPLE="$VAR/examples/hello-cbit.git"
if [ ! -d "$EXAMPLE/.git" ]; then
  mkdir -p "$EXAMPLE"
  cp -r examples/hello-cbit/. "$EXAMPLE/"
  git -C "$EXAMPLE" init --quiet
  git -C "$EXAMPLE" add --all
  git -C "$EXAMPLE" -c user.name=cbit -c user.email=cbit@example.org commit --quiet -m "hello-cbit 1.0"
fi
COMMIT=$(git -C "$EXAMPLE" rev-parse HEAD)

cat <<EOF

  cbit is running.
    controller   $URL   (user admin, password $PASSWORD)
    RabbitMQ     amqp://guest:guest@127.0.0.1:$AMQP_PORT/  (exchange pybit)
    state        $VAR

  Try:
    curl -i $URL/arch
    curl -i -u admin:\$(cat $VAR/admin-password) -X PUT $URL/arch --data "name=test"
    curl -i -u admin:\$(cat $VAR/admin-password) -X POST $URL/job/vcshook \\
      --data "uri=http://svn.example/svn/lwdev&method=svn&distribution=Debian&vcs_id=20961&architecture_list=all,any&package_version=0.6.33chickpea94&package=appbarwidget&suite=chickpea&format=deb"
    curl $URL/job

  Build the example package on this machine's client ($CLIENT_ID):
    curl -u admin:\$(cat $VAR/admin-password) -X POST $URL/job/vcshook \\
      --data "package=hello-cbit&package_version=1.0&suite=chickpea&distribution=Debian&format=deb&architecture_list=all&method=git&uri=$EXAMPLE&vcs_id=$COMMIT"
    curl $URL/job/1/status       # Waiting, Building, Done
    curl $URL/job/1/log          # the build log, also while it builds
    ls $VAR/incoming             # the upload

  Ctrl-C stops everything.
EOF
wait "$WEB_PID"
