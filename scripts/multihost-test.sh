#!/bin/bash
# shellcheck disable=SC2016  # jq filters: $names are jq's --arg, not the shell's
# The farm as several hosts (CTest entry `multihost`): network namespaces
# joined by a bridge, each with its own address, run the parts as separate
# machines would:
#   ctl   10.77.0.1  PostgreSQL, RabbitMQ and cbit-web (the controller)
#   b1    10.77.0.2  cbit-client build_client_b1
#   b2    10.77.0.3  cbit-client build_client_b2
#   repo  10.77.0.4  cbit-watcher and reprepro's repository, served over HTTP;
#                    sshd, which the clients upload to (dput over scp)
#   git   10.77.0.5  the git server (git daemon) with cbit's post-receive hook,
#                    and a user who installs from the repository
# Each daemon reads the config file its Debian package ships (dist/etc),
# filled in with the other hosts' addresses; the programs are the build
# tree's. Two packages pushed to the git server go through the hook to the
# controller, one to each client, through the watcher into the repository,
# and apt-get on the git host installs both from it into a private root.
#
# Needs root (network namespaces, sshd). Whatever it made (namespaces with
# their links, processes, the scratch directory when it passes) is removed
# when it ends, pass or fail.
#   scripts/multihost-test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail

fail() {
  echo "multihost-test: FAILED: $*" >&2
  exit 1
}
[ $# -eq 2 ] || { echo "usage: $0 SOURCE_DIR BUILD_DIR" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] ||
  fail "needs root (it makes network namespaces and runs sshd); CI runs it as root"
for tool in ip jq curl git git-daemon sshd ssh-keygen dput reprepro dpkg-buildpackage apt-get \
  python3; do
  case $tool in
    git-daemon) [ -x "$(git --exec-path)/git-daemon" ] || fail "git daemon is not installed" ;;
    sshd) [ -x /usr/sbin/sshd ] || fail "sshd is not installed (scripts/install-deps.sh)" ;;
    *) command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-deps.sh)" ;;
  esac
done
SRC=$(cd "$1" && pwd)
BUILD=$(cd "$2" && pwd)
for prog in cbit-web cbit-client cbit-watcher cbit-hook; do
  [ -x "$BUILD/$prog" ] || fail "$BUILD/$prog is missing (build it first)"
done
SCRATCH=$BUILD/test-tmp/multihost-$$
NET=10.77.0
PREFIX=cbit-mh$$
HOSTS="ctl b1 b2 repo git"
declare -A ADDR=([ctl]=$NET.1 [b1]=$NET.2 [b2]=$NET.3 [repo]=$NET.4 [git]=$NET.5)
PIDS=""
declare -A PID
START=$(date +%s)

log() { echo "multihost-test: [$(($(date +%s) - START)) s] $*"; }
ns() { echo "$PREFIX-$1"; }
# on HOST CMD...: runs CMD on that host (in its network namespace).
on() {
  local host=$1
  shift
  ip netns exec "$(ns "$host")" "$@"
}
# daemon HOST NAME CMD...: starts CMD on HOST in the background, output in
# SCRATCH/NAME.log; its pid is remembered for the clean-up.
daemon() {
  local host=$1 name=$2
  shift 2
  # ip execs CMD in the namespace: $! is CMD's own pid.
  ip netns exec "$(ns "$host")" "$@" >>"$SCRATCH/$name.log" 2>&1 </dev/null &
  PIDS="$PIDS $!"
  PID[$name]=$!
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  for pid in $PIDS; do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 100); do
    local left=""
    for pid in $PIDS; do kill -0 "$pid" 2>/dev/null && left="$left $pid"; done
    [ -z "$left" ] && break
    sleep 0.1
  done
  for pid in $PIDS; do kill -KILL "$pid" 2>/dev/null; done
  "$SRC/scripts/rabbitmq-node.sh" stop "$SCRATCH/ctl/rabbitmq" >/dev/null 2>&1
  "$SRC/scripts/pg-cluster.sh" stop "$SCRATCH/ctl/pg" >/dev/null 2>&1
  # Whatever still runs in the namespaces is this run's (a build, a guard).
  for host in $HOSTS sw; do
    [ -e "/run/netns/$(ns "$host")" ] || continue
    local left
    left=$(ip netns pids "$(ns "$host")" 2>/dev/null)
    # shellcheck disable=SC2086  # one pid a word
    [ -z "$left" ] || kill -KILL $left 2>/dev/null
  done
  sleep 0.2
  for host in $HOSTS sw; do
    ip netns del "$(ns "$host")" 2>/dev/null
  done
  if [ "$rc" -eq 0 ]; then
    rm -rf "$SCRATCH"
  else
    for f in "$SCRATCH"/*.log; do
      [ -e "$f" ] || continue
      echo "---- last lines of $f"
      tail -n 25 "$f"
    done
    echo "multihost-test: kept $SCRATCH (logs of every part)"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$SCRATCH"
# PostgreSQL and RabbitMQ run as their own users below it.
chmod 755 "$SCRATCH"

# --- The network: a bridge in a namespace of its own (the switch), one veth
# pair from it to each host. The machine's own network is left alone.
log "network $NET.0/24: $HOSTS"
ip netns add "$(ns sw)"
ip -n "$(ns sw)" link add br0 type bridge
ip -n "$(ns sw)" link set br0 up
for host in $HOSTS; do
  ip netns add "$(ns "$host")"
  ip link add "v-$host" netns "$(ns sw)" type veth peer name eth0 netns "$(ns "$host")"
  ip -n "$(ns sw)" link set "v-$host" master br0 up
  ip -n "$(ns "$host")" addr add "${ADDR[$host]}/24" dev eth0
  ip -n "$(ns "$host")" link set eth0 up
  ip -n "$(ns "$host")" link set lo up
done

# packaged FILE JQ-FILTER [ARGS...]: the config a package ships, filled in.
packaged() {
  local file=$1 filter=$2
  shift 2
  jq "$@" "$filter" "$SRC/dist/etc/$file"
}

# --- ctl: PostgreSQL and RabbitMQ, then the controller.
mkdir -p "$SCRATCH/ctl"
log "ctl: PostgreSQL, RabbitMQ"
CONNINFO=$(on ctl "$SRC/scripts/pg-cluster.sh" start "$SCRATCH/ctl/pg" 5432 $$)
CBIT_AMQP_LISTEN=0.0.0.0 on ctl "$SRC/scripts/rabbitmq-node.sh" start "$SCRATCH/ctl/rabbitmq" \
  5672 >/dev/null
URL="http://${ADDR[ctl]}:8080"
packaged web.json '.db = {backend: "postgres", conninfo: $db}
  | .web.hostname = $host | .webhooks.cache_dir = $dir + "/webhook-mirrors"' \
  --arg db "$CONNINFO" --arg host "${ADDR[ctl]}:8080" --arg dir "$SCRATCH/ctl" \
  >"$SCRATCH/ctl/web.json"
token() { on ctl "$BUILD/cbit-web" --config "$SCRATCH/ctl/web.json" token add "$@" 2>/dev/null; }
ADMIN_TOKEN=$(token admin --role admin)
HOOK_TOKEN=$(token hook --role submitter)
WATCHER_TOKEN=$(token watcher --role watcher)
daemon ctl web "$BUILD/cbit-web" --config "$SCRATCH/ctl/web.json"
for _ in $(seq 100); do
  on git curl -fsS -o /dev/null "$URL/health/ready" 2>/dev/null && break
  kill -0 "${PID[web]}" 2>/dev/null || fail "cbit-web exited"
  sleep 0.2
done
on git curl -fsS -o /dev/null "$URL/health/ready" || fail "cbit-web is not ready at $URL"

# The catalog, by the admin from another host.
api() {
  on git curl -fsS -o /dev/null -H "Authorization: Bearer $ADMIN_TOKEN" -X PUT "$URL$1" \
    --data "$2" || fail "PUT $1 $2 refused"
}
ARCH=$(dpkg --print-architecture)
SUITE=chickpea
QUEUE=Debian_${ARCH}_${SUITE}_deb
api /dist "name=Debian"
api /format "name=deb"
api /arch "name=$ARCH"
api /suite "name=$SUITE"
api /suitearch "suite=$SUITE&arch=$ARCH&master_weight=1"

# --- repo: the repository, sshd for uploads, HTTP for apt, the watcher.
log "repo: reprepro, sshd, HTTP, cbit-watcher"
R=$SCRATCH/repo
mkdir -p "$R/incoming" "$R/repo/conf" "$R/tmp" /run/sshd
cat >"$R/repo/conf/distributions" <<CONF
Codename: $SUITE
Components: main
Architectures: $ARCH source
CONF
cat >"$R/repo/conf/incoming" <<CONF
Name: cbit
IncomingDir: $R/incoming
TempDir: $R/tmp
Allow: $SUITE
Cleanup: unused_buildinfo_files
CONF
ssh-keygen -q -t ed25519 -N '' -f "$R/ssh_host_ed25519_key"
cat >"$R/sshd_config" <<CONF
ListenAddress ${ADDR[repo]}
HostKey $R/ssh_host_ed25519_key
PidFile $R/sshd.pid
AuthorizedKeysFile $R/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
CONF
: >"$R/authorized_keys"
daemon repo sshd /usr/sbin/sshd -D -e -f "$R/sshd_config"
daemon repo http python3 -m http.server 8000 --bind "${ADDR[repo]}" --directory "$R/repo"
packaged watcher.json 'del(.configured) | .controller_url = $url | .token = $token
  | .rules = {($in): {repobase: $repo, rule: "cbit"}} | .spool_dir = $spool | .sleeptime = 1' \
  --arg url "$URL" --arg token "$WATCHER_TOKEN" --arg in "$R/incoming" --arg repo "$R/repo" \
  --arg spool "$R/reports" >"$R/watcher.json"
daemon repo watcher "$BUILD/cbit-watcher" --config "$R/watcher.json"

# --- b1, b2: a build client each, its own RabbitMQ user and API token,
# uploading to repo with dput over scp.
for host in b1 b2; do
  log "$host: cbit-client build_client_$host"
  B=$SCRATCH/$host
  id=build_client_$host
  mkdir -p "$B/build"
  on ctl "$SRC/scripts/mq-client-user.sh" "$SCRATCH/ctl/rabbitmq" "$id" "$B/mq-password" "$QUEUE"
  ssh-keygen -q -t ed25519 -N '' -f "$B/id_ed25519"
  cat "$B/id_ed25519.pub" >>"$R/authorized_keys"
  echo "${ADDR[repo]} $(cat "$R/ssh_host_ed25519_key.pub")" >"$B/known_hosts"
  cat >"$B/dput.cf" <<CF
[cbit]
method = scp
fqdn = ${ADDR[repo]}
login = root
incoming = $R/incoming
allow_unsigned_uploads = 1
run_dinstall = 0
ssh_config_options = IdentityFile=$B/id_ed25519
	IdentitiesOnly=yes
	UserKnownHostsFile=$B/known_hosts
	StrictHostKeyChecking=yes
	BatchMode=yes
CF
  packaged client.json 'del(.configured) | .clientid = $id | .host_arch = $arch
    | .suites = [$suite] | .buildroot = $b + "/build" | .host = $mq | .userid = $id
    | .password = $pw | .controller_url = $url | .token = $token | .dput_config = $b + "/dput.cf"
    | .builder = "host"' \
    --arg id "$id" --arg arch "$ARCH" --arg suite "$SUITE" --arg b "$B" --arg mq "${ADDR[ctl]}" \
    --arg pw "$(cat "$B/mq-password")" --arg url "$URL" \
    --arg token "$(token "$id" --role builder --client "$id")" >"$B/client.json"
  daemon "$host" "client-$host" "$BUILD/cbit-client" --config "$B/client.json"
done
for host in b1 b2; do
  for _ in $(seq 150); do
    grep -q "connected to amqp://" "$SCRATCH/client-$host.log" 2>/dev/null && break
    kill -0 "${PID[client-$host]}" 2>/dev/null || fail "cbit-client on $host exited"
    sleep 0.2
  done
done

# --- git: two packages in bare repositories with the hook, served by git daemon.
log "git: git daemon, hook, push"
G=$SCRATCH/git
mkdir -p "$G/srv"
packaged hook.json '.url = $url | .token = $token | .uri = $uri' --arg url "$URL" \
  --arg token "$HOOK_TOKEN" --arg uri "git://${ADDR[git]}/{name}" >"$G/hook.json"
daemon git git-daemon git daemon --reuseaddr --listen="${ADDR[git]}" --export-all \
  --base-path="$G/srv" "$G/srv"
PACKAGES="hello-cbit hello-cbit-two"
for pkg in $PACKAGES; do
  bare=$G/srv/$pkg.git work=$G/work/$pkg
  git init -q --bare "$bare"
  cat >"$bare/hooks/post-receive" <<HOOK
#!/bin/sh
CBIT_HOOK="$BUILD/cbit-hook" CBIT_HOOK_CONFIG="$G/hook.json" exec "$SRC/hooks/git-post-receive"
HOOK
  chmod +x "$bare/hooks/post-receive"
  mkdir -p "$work"
  cp -r "$SRC/examples/hello-cbit/." "$work/"
  if [ "$pkg" != hello-cbit ]; then
    mv "$work/hello-cbit" "$work/$pkg"
    sed -i "s/hello-cbit/$pkg/g" "$work/debian/control" "$work/debian/changelog" \
      "$work/debian/install" "$work/$pkg"
  fi
  git -C "$work" init -q --initial-branch=main
  git -C "$work" add --all
  git -C "$work" -c user.name=cbit -c user.email=cbit@example.org commit -q -m "$pkg 1.0"
  on git git -C "$work" push -q "$bare" main 2>&1 | tee "$G/push-$pkg.out"
  grep -q "submitted $pkg" "$G/push-$pkg.out" || fail "the hook did not submit $pkg"
done

# --- Every job Uploaded, each by another client.
log "waiting for both jobs to be built and published"
rows=""
for _ in $(seq 180); do
  rows=$(on git curl -fsS "$URL/job?limit=10&view=rows") || rows=""
  final=$(jq '[.[] | select(.status == "Uploaded" or .status == "Failed"
    or .status == "Cancelled")] | length' <<<"${rows:-[]}")
  [ "$final" -ge 2 ] && break
  sleep 1
done
echo "$rows" | jq -c '.[] | {id, package, status, client}'
for pkg in $PACKAGES; do
  status=$(jq -r --arg p "$pkg" '[.[] | select(.package == $p)][0].status' <<<"$rows")
  if [ "$status" != Uploaded ]; then
    job=$(jq -r --arg p "$pkg" '[.[] | select(.package == $p)][0].id' <<<"$rows")
    on git curl -sS "$URL/job/$job/log" | tail -n 30
    fail "$pkg ended $status, not Uploaded"
  fi
done
clients=$(jq -r '[.[].client] | unique | join(" ")' <<<"$rows")
[ "$clients" = "build_client_b1 build_client_b2" ] ||
  fail "the two jobs were not built one by each client (by: $clients)"

# --- apt-get on the git host, from the repository on repo over HTTP, into
# a private root (its own sources, lists, cache and dpkg database).
log "git: apt-get install $PACKAGES from http://${ADDR[repo]}:8000"
A=$G/apt-root
mkdir -p "$A/etc/apt/apt.conf.d" "$A/etc/apt/preferences.d" "$A/etc/apt/sources.list.d" \
  "$A/var/lib/apt/lists/partial" "$A/var/cache/apt/archives/partial" "$A/var/lib/dpkg/info" \
  "$A/var/lib/dpkg/updates" "$A/var/log"
: >"$A/var/lib/dpkg/status"
echo "deb [trusted=yes] http://${ADDR[repo]}:8000 $SUITE main" >"$A/etc/apt/sources.list"
APT=(apt-get -q -o "Dir=$A" -o "Dir::State::status=$A/var/lib/dpkg/status" -o "Dir::Log=$A/var/log"
  -o "DPkg::Options::=--root=$A" -o "DPkg::Options::=--log=$A/var/log/dpkg.log"
  -o Debug::NoLocking=1 -o APT::Sandbox::User=root -o Acquire::http::Proxy=DIRECT
  -o Acquire::Languages=none -o Dpkg::Use-Pty=0)
on git env DEBIAN_FRONTEND=noninteractive "${APT[@]}" update >"$G/apt.log" 2>&1 ||
  { cat "$G/apt.log"; fail "apt-get update failed"; }
# shellcheck disable=SC2086
on git env DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y $PACKAGES >>"$G/apt.log" 2>&1 ||
  { cat "$G/apt.log"; fail "apt-get install failed"; }
for pkg in $PACKAGES; do
  version=$(dpkg-query --admindir="$A/var/lib/dpkg" -W -f='${Version}' "$pkg" 2>/dev/null) || true
  [ "$version" = 1.0 ] || fail "$pkg is not installed in the private root (version '$version')"
  [ -x "$A/usr/bin/$pkg" ] || fail "$A/usr/bin/$pkg is missing"
done
# --- Start-up peer checks across hosts: a client whose config names a
# token the controller refuses stops at once (exit 1), one whose broker
# host does not exist gives up after startup_wait_seconds (exit 2); each
# message names the peer and the settings.
log "b1: cbit-client refusing a wrong token, then an absent broker host"
# expect_refusal NAME STATUS TEXT JQ-FILTER: b1's client config changed by
# the filter must exit with STATUS saying TEXT.
expect_refusal() {
  local name=$1 want=$2 text=$3 filter=$4 rc=0
  jq "$filter" "$SCRATCH/b1/client.json" >"$SCRATCH/b1/$name.json"
  on b1 timeout 60 "$BUILD/cbit-client" --config "$SCRATCH/b1/$name.json" \
    >"$SCRATCH/$name.log" 2>&1 || rc=$?
  [ "$rc" -eq "$want" ] || fail "$name: cbit-client exited $rc, not $want"
  grep -qF "$text" "$SCRATCH/$name.log" || fail "$name: no '$text' in its output"
}
expect_refusal refused-token 1 "controller_url, token: the controller at $URL refused" \
  '.token = "cbit_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
  | .clientid = "build_client_x" | .buildroot += "-x"'
expect_refusal absent-broker 2 "RabbitMQ at amqp://$NET.9:5672" \
  '.host = "'"$NET"'.9" | .startup_wait_seconds = 3
  | .clientid = "build_client_y" | .buildroot += "-y"'
grep -qF "unreachable for" "$SCRATCH/absent-broker.log" || fail "absent-broker: no wait said"

log "passed: hook → controller → clients b1, b2 → watcher → apt-get across 5 hosts"
