#!/bin/sh
# A private RabbitMQ node for tests and `make up`, with all of its state in
# one directory and its own epmd, so it never meets a system broker and can
# be stopped without leaving an Erlang process behind.
#
#   rabbitmq-node.sh start DIR PORT   AMQP on 127.0.0.1:PORT; prints the URL
#                                     (CBIT_AMQP_LISTEN=ADDR listens on ADDR instead,
#                                     e.g. 0.0.0.0 for clients on other hosts)
#   rabbitmq-node.sh stop DIR         stops the node and its epmd (idempotent)
#   rabbitmq-node.sh ctl DIR ARGS...  runs rabbitmqctl ARGS against the node
#   rabbitmq-node.sh epmd DIR PORT    an epmd alone, for the nodes of a cluster
#                                     (stop DIR ends it)
#
# With CBIT_OWNER_PID set, start (and epmd) also leave a guard that stops the
# node once that process has gone, so a test binary that crashes leaves
# nothing behind.
#
# Nodes of one cluster find each other through one epmd: with CBIT_EPMD_PORT
# set, start uses the epmd on that port (started with `epmd`) instead of one
# of its own. They must also share the Erlang cookie: start keeps a
# DIR/.erlang.cookie that is already there.
#
# Ports derived from PORT: epmd PORT+10000, Erlang distribution PORT+20000,
# so PORT must be below 45536; below 25672 keeps them clear of rabbitmqctl's
# own range (35672-35682). Exit status 3: one of the ports is already taken.
set -eu

usage() {
  echo "usage: $SELF start DIR PORT | stop DIR | ctl DIR ARGS... | epmd DIR PORT" >&2
  exit 2
}

die() {
  echo "rabbitmq-node: $*" >&2
  exit 1
}

SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
SERVER_SBIN=$(ls -d /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin 2>/dev/null | sort -V | tail -n 1)
[ -n "$SERVER_SBIN" ] || die "rabbitmq-server is not installed (scripts/install-deps.sh)"

# As root the node runs as user rabbitmq, as the Debian package runs it (the
# Erlang VM has no business running as root); otherwise as the caller.
AS_OWNER=""
[ "$(id -u)" -ne 0 ] || AS_OWNER="setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups --"

# The environment every rabbitmq command of this node runs with. HOME holds
# the Erlang cookie, so the server and rabbitmqctl agree on it. The Erlang
# schedulers do not spin while idle (+sbwt none …): on a small machine shared
# with the controller, the database and the builds, spinning schedulers take
# CPU time the others need (RabbitMQ's advice for shared hosts).
export_node_env() {
  export HOME="$DIR" \
    RABBITMQ_NODENAME="$NODE" \
    RABBITMQ_NODE_PORT="$PORT" \
    RABBITMQ_DIST_PORT="$DIST_PORT" \
    ERL_EPMD_PORT="$EPMD_PORT" \
    ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_MNESIA_BASE="$DIR/mnesia" \
    RABBITMQ_LOG_BASE="$DIR/log" \
    RABBITMQ_PID_FILE="$DIR/rabbitmq.pid" \
    RABBITMQ_CONFIG_FILE="$DIR/rabbitmq.conf" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$DIR/advanced.config" \
    RABBITMQ_CONF_ENV_FILE="$DIR/rabbitmq-env.conf" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$DIR/enabled_plugins" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1} +sbwt none +sbwtdcpu none +sbwtdio none"
}

ctl() {
  $AS_OWNER "$SERVER_SBIN/rabbitmqctl" -n "$NODE" "$@"
}

# True while PID runs (a zombie, e.g. our own exited child, does not count).
alive() {
  [ -n "$1" ] && [ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# Sends SIGTERM to PID if it is still the process named NAME (the pid may
# have been reused), then SIGKILL when it has not exited within SECONDS.
kill_if() {
  pid=$1 name=$2 ticks=$(($3 * 10))
  alive "$pid" && grep -qx "$name" "/proc/$pid/comm" || return 0
  kill "$pid" 2>/dev/null || true
  i=0
  while alive "$pid" && [ $i -lt $ticks ]; do
    sleep 0.1
    i=$((i + 1))
  done
  kill -9 "$pid" 2>/dev/null || true
}

# Our own epmd in the foreground, so its pid is known and stop can end it.
start_epmd() {
  setsid $AS_OWNER epmd -port "$EPMD_PORT" -address 127.0.0.1 \
    >"$DIR/log/epmd.out" 2>&1 </dev/null &
  echo "EPMD_PID=$!" >>"$DIR/node.env"
}

start_guard() {
  [ -n "${CBIT_OWNER_PID:-}" ] || return 0
  setsid sh -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec "$2" stop "$3"' \
    guard "$CBIT_OWNER_PID" "$SELF" "$DIR" >/dev/null 2>&1 </dev/null &
  echo "GUARD_PID=$!" >>"$DIR/node.env"
}

# An epmd for the nodes of a cluster (CBIT_EPMD_PORT), stopped by `stop`.
epmd_alone() {
  case "$PORT" in '' | *[!0-9]*) usage ;; esac
  [ ! -e "$DIR/node.env" ] || die "$DIR already holds a node; stop it first"
  if [ -n "$(ss -Hltn "sport = :$PORT")" ]; then
    echo "rabbitmq-node: port $PORT is in use" >&2
    exit 3
  fi
  mkdir -p "$DIR/log"
  [ "$(id -u)" -ne 0 ] || chown -R rabbitmq:rabbitmq "$DIR"
  EPMD_PORT=$PORT
  echo "EPMD_PORT=$EPMD_PORT" >"$DIR/node.env"
  start_epmd
  start_guard
  i=0
  until [ -n "$(ss -Hltn "sport = :$PORT")" ]; do
    [ $i -lt 100 ] || { stop; die "epmd did not listen on $PORT"; }
    sleep 0.1
    i=$((i + 1))
  done
}

start() {
  case "$PORT" in '' | *[!0-9]*) usage ;; esac
  [ "$PORT" -ge 1024 ] && [ "$PORT" -lt 45536 ] || die "PORT must be in 1024..45535"
  [ ! -e "$DIR/node.env" ] || die "$DIR already holds a node; stop it first"
  NODE="cbit-$PORT@localhost"
  EPMD_PORT=${CBIT_EPMD_PORT:-$((PORT + 10000))}
  DIST_PORT=$((PORT + 20000))
  OWN_PORTS="$PORT $DIST_PORT"
  [ -n "${CBIT_EPMD_PORT:-}" ] || OWN_PORTS="$OWN_PORTS $EPMD_PORT"
  for p in $OWN_PORTS; do
    if [ -n "$(ss -Hltn "sport = :$p")" ]; then
      echo "rabbitmq-node: port $p is in use" >&2
      exit 3
    fi
  done
  mkdir -p "$DIR/mnesia" "$DIR/log"
  cat >"$DIR/rabbitmq.conf" <<EOF
listeners.tcp.default = ${CBIT_AMQP_LISTEN:-127.0.0.1}:$PORT
# A build client holds its delivery unacknowledged for the whole build.
consumer_timeout = 86400000
loopback_users.guest = true
log.console = false
log.file.level = info
EOF
  echo '[].' >"$DIR/enabled_plugins"
  : >"$DIR/rabbitmq-env.conf"
  if [ ! -e "$DIR/.erlang.cookie" ]; then
    od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$DIR/.erlang.cookie"
    chmod 400 "$DIR/.erlang.cookie"
  fi
  if [ "$(id -u)" -eq 0 ]; then
    chown -R rabbitmq:rabbitmq "$DIR"
    $AS_OWNER test -w "$DIR" || die "user rabbitmq cannot write $DIR (check its parents' permissions)"
  fi
  # Written first, so `stop` can clean up even after a failed start.
  cat >"$DIR/node.env" <<EOF
NODE=$NODE
PORT=$PORT
EPMD_PORT=$EPMD_PORT
DIST_PORT=$DIST_PORT
EOF

  export_node_env
  [ -n "${CBIT_EPMD_PORT:-}" ] || start_epmd
  setsid $AS_OWNER "$SERVER_SBIN/rabbitmq-server" \
    >"$DIR/log/server.out" 2>&1 </dev/null &
  SERVER_PID=$!
  echo "SERVER_PID=$SERVER_PID" >>"$DIR/node.env"
  start_guard

  # Ready once the beam has written its pid file and the AMQP listener is up
  # (RabbitMQ opens it at the end of its boot). Polled rather than asked with
  # `rabbitmqctl await_startup`: that CLI VM would compete with the boot for
  # the CPU and could outlive a stop that runs meanwhile.
  i=0
  until [ -s "$DIR/rabbitmq.pid" ] && [ -n "$(ss -Hltn "sport = :$PORT")" ]; do
    if ! alive "$SERVER_PID" || [ $i -ge 600 ]; then
      tail -n 30 "$DIR/log/server.out" >&2 || true
      stop
      die "node $NODE did not start (logs in $DIR/log)"
    fi
    sleep 0.1
    i=$((i + 1))
  done
  echo "amqp://guest:guest@127.0.0.1:$PORT/"
}

stop() {
  [ -e "$DIR/node.env" ] || return 0
  EPMD_PID="" SERVER_PID="" GUARD_PID=""
  . "$DIR/node.env"
  # The guard runs this very stop when its owner has gone.
  [ "$GUARD_PID" = "$$" ] || kill_if "$GUARD_PID" sh 5
  BEAM_PID=$(cat "$DIR/rabbitmq.pid" 2>/dev/null || true)
  # SIGTERM makes RabbitMQ (3.8+) shut down as cleanly as `rabbitmqctl stop`,
  # in about a second instead of five (no CLI VM to boot); a wedged node gets
  # SIGKILL after a minute. Before the pid file exists (a failed start) the
  # wrapper script passes SIGTERM on to the beam it started.
  kill_if "$BEAM_PID" beam.smp 60
  kill_if "$SERVER_PID" rabbitmq-server 60
  kill_if "$EPMD_PID" epmd 5
  rm -f "$DIR/node.env" "$DIR/rabbitmq.pid"
}

[ $# -ge 2 ] || usage
CMD=$1 DIR=$2
case "$CMD" in
  start)
    [ $# -eq 3 ] || usage
    PORT=$3
    DIR=$(mkdir -p "$DIR" && cd "$DIR" && pwd)
    start
    ;;
  epmd)
    [ $# -eq 3 ] || usage
    PORT=$3
    DIR=$(mkdir -p "$DIR" && cd "$DIR" && pwd)
    epmd_alone
    ;;
  ctl)
    [ -e "$DIR/node.env" ] || die "no node runs in $DIR"
    DIR=$(cd "$DIR" && pwd)
    . "$DIR/node.env"
    export_node_env
    shift 2
    ctl "$@"
    ;;
  stop)
    [ $# -eq 2 ] || usage
    [ -d "$DIR" ] || exit 0
    DIR=$(cd "$DIR" && pwd)
    stop
    ;;
  *) usage ;;
esac
