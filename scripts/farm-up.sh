#!/bin/bash
# `make up`: runs a one-machine cbit farm in the foreground on embedded
# defaults — a private RabbitMQ node and cbit-web on SQLite, all state under
# var/ — and stops everything it started on Ctrl-C or SIGTERM.
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
# var/ stays traversable: the RabbitMQ node runs as user rabbitmq. Secrets
# in it are written with umask 077.

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
stop_all() {
  trap - EXIT INT TERM
  echo "cbit: stopping"
  if [ -n "$WEB_PID" ]; then
    kill -TERM "$WEB_PID" 2>/dev/null || true
    wait "$WEB_PID" 2>/dev/null || true
  fi
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

  Ctrl-C stops everything.
EOF
wait "$WEB_PID"
