#!/bin/sh
# Gives one build client its own RabbitMQ user on a node run by
# rabbitmq-node.sh, allowed only the names the client declares:
#   mq-client-user.sh NODE_DIR CLIENT_ID PASSWORD_FILE BUILD_QUEUE...
# The password is read from PASSWORD_FILE, which is made (mode 600, 20
# random characters) when it is missing or empty. The user is made again
# each time, so its permissions are always the ones written here.
#
# The names, the same for configure, write and read: the exchange pybit
# (declared, bound to, published through for delayed retries), the build
# queues given, their retry queues cbit_retry_<N>s_<queue> (declared with
# the exchange as dead-letter target: read on them, write on it), the
# client's command queue (CLIENT_ID) and cbit_dead_letter, which takes the
# messages it cannot decode. Another client's queues, or another
# architecture's or suite's build queue, are refused (ACCESS_REFUSED).
set -eu

[ $# -ge 4 ] || { echo "usage: $0 NODE_DIR CLIENT_ID PASSWORD_FILE BUILD_QUEUE..." >&2; exit 2; }
node=$1 client=$2 password_file=$3
shift 3

re_quote() { printf '%s' "$1" | sed 's/[][\\.^$*+?(){}|]/\\&/g'; }
queues=""
for q in "$@"; do
  queues="$queues${queues:+|}$(re_quote "$q")"
done
pattern="^(pybit|cbit_dead_letter|$(re_quote "$client")|$queues|cbit_retry_[0-9]+s_($queues))\$"

if [ ! -s "$password_file" ]; then
  (umask 077; head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20 > "$password_file")
fi
mq() { "$(dirname "$0")/rabbitmq-node.sh" ctl "$node" "$@" >/dev/null; }
mq delete_user "$client" 2>/dev/null || true
mq add_user "$client" "$(cat "$password_file")"
mq set_permissions -p / "$client" "$pattern" "$pattern" "$pattern"
