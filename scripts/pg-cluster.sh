#!/bin/sh
# A private PostgreSQL 15 cluster for tests and development.
#
#   pg-cluster.sh start DIR PORT [OWNER_PID]
#       Creates the cluster in DIR if missing, starts it on 127.0.0.1:PORT
#       (unix socket in DIR), creates database `cbit`, waits until it accepts
#       connections and prints the libpq conninfo on stdout. With OWNER_PID,
#       a detached watcher stops the cluster once that process is gone, so a
#       crashed test run leaves no server behind.
#   pg-cluster.sh stop DIR
#       Stops the cluster (fast shutdown) and waits; does nothing when it is
#       not running.
#
# fsync and synchronous_commit keep their defaults (on): production-like.
# Authentication is trust on 127.0.0.1 and the socket, as user postgres.
set -eu

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

usage() {
  echo "usage: $0 start DIR PORT [OWNER_PID] | stop DIR" >&2
  exit 2
}

# PostgreSQL refuses to run as root: then run its tools as user postgres.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop() {
  dir=$1
  [ -f "$dir/data/postmaster.pid" ] || return 0
  as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >>"$dir/log" 2>&1 || true
}

start() {
  dir=$1 port=$2 owner=${3:-}
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    # --no-sync only skips flushing initdb's own files; the server fsyncs.
    as_owner "$PGBIN/initdb" -D "$dir/data" --auth=trust --username=postgres \
      --encoding=UTF8 --locale=C --no-sync >"$dir/log" 2>&1 || fail "$dir" "initdb failed"
    echo "include_if_exists = 'cbit.conf'" >>"$dir/data/postgresql.conf"
  fi
  # Rewritten on every start: the port may change between runs.
  printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\n" \
    "$port" "$dir" >"$dir/data/cbit.conf"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir/data/cbit.conf" "$dir/log"; fi
  if ! as_owner "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 start >/dev/null 2>&1 ||
      fail "$dir" "the server did not start"
  fi
  if [ -n "$owner" ]; then
    setsid "$0" watch "$dir" "$owner" </dev/null >/dev/null 2>&1 &
  fi
  "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 30 || fail "$dir" "the server is not ready"
  conn="host=127.0.0.1 port=$port user=postgres"
  exists=$("$PGBIN/psql" "$conn dbname=postgres" -XtAc \
    "SELECT 1 FROM pg_database WHERE datname = 'cbit'") || fail "$dir" "psql failed"
  if [ "$exists" != 1 ]; then
    "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres cbit || fail "$dir" "createdb failed"
  fi
  echo "$conn dbname=cbit"
}

fail() {
  echo "pg-cluster: $2; log:" >&2
  tail -n 20 "$1/log" >&2 || true
  stop "$1"
  exit 1
}

# Stops the cluster once OWNER is gone. Ends by itself when the server it
# was started for is gone: stopped, or killed and started again (that start
# runs a watcher of its own), so restarts do not pile watchers up.
watch() {
  dir=$1 owner=$2
  postmaster=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
  [ -n "$postmaster" ] || return 0
  while kill -0 "$postmaster" 2>/dev/null; do
    kill -0 "$owner" 2>/dev/null || { stop "$dir"; return 0; }
    sleep 1
  done
}

[ $# -ge 2 ] || usage
case $1 in
  start) [ $# -ge 3 ] || usage; start "$2" "$3" "${4:-}" ;;
  stop) stop "$2" ;;
  watch) watch "$2" "$3" ;;
  *) usage ;;
esac
