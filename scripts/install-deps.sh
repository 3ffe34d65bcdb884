#!/bin/sh
# Installs the Debian 12 packages cbit builds, runs and tests with.
# Idempotent: does nothing when every package is present.
set -eu
PKGS="cmake ninja-build g++ pkg-config make curl ca-certificates
  libcpp-httplib-dev nlohmann-json3-dev libpq-dev libsqlite3-dev librabbitmq-dev
  libapt-pkg-dev libspdlog-dev libcli11-dev libsodium-dev libgtest-dev
  rabbitmq-server postgresql sqlite3
  git subversion dpkg-dev debhelper fakeroot build-essential devscripts
  sbuild mmdebstrap uidmap dput reprepro inotify-tools iproute2
  clang-tidy clang-format clang libclang-rt-14-dev libboost-dev libre2-dev
  libsystemd-dev lintian help2man"  # pkg: sd_notify, sd_journal_send; the Debian packages and their man pages
# The dashboard's browser test (tests/browser): headless Chromium over WebDriver.
PKGS="$PKGS chromium chromium-driver python3-selenium"
# The multi-host test (scripts/multihost-test.sh): clients upload over scp to sshd.
PKGS="$PKGS openssh-server openssh-client jq"
# The cross-build tests (ClientHostBuild.CrossBuilds*, ClientE2e.ACrossClient*):
# the arm64 cross toolchain, and arm64's libc, whose symbols dpkg-shlibdeps
# reads (arm64 is added to dpkg's architectures below).
[ "$(dpkg --print-architecture)" = arm64 ] ||
  PKGS="$PKGS crossbuild-essential-arm64 libc6-dev:arm64"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# rabbitmq-server and postgresql start system services when installed; the
# project runs its own private instances, so keep the packaged ones down.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
if [ "$(dpkg --print-architecture)" != arm64 ] &&
  ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
