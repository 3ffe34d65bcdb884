#!/bin/sh
# Usage: make-chroot.sh SUITE ARCH OUT.tar
#
# Creates the build chroot tarball sbuild's unshare mode builds in, once:
# when OUT.tar exists it is reused. The mirror is the one apt is configured
# with for SUITE, because that is the only archive this machine may reach.
set -eu

if [ $# -ne 3 ]; then
  echo "usage: $0 SUITE ARCH OUT.tar" >&2
  exit 2
fi
suite=$1 arch=$2 out=$3
[ -e "$out" ] && exit 0

# Test programs running side by side may ask for the same tarball: one makes
# it while the others wait on a lock of its directory, then reuse it.
mkdir -p "$(dirname "$out")"
exec 9<"$(dirname "$out")"
flock 9
[ -e "$out" ] && exit 0

here=$(dirname "$0")
"$here/ensure-subids.sh"

# The first archive URI that carries SUITE, from one-line sources.list files
# ("deb URI SUITE COMPONENTS") or deb822 .sources files (URIs:/Suites:).
mirror=$(
  {
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk -v s="$suite" '$1 == "deb" && $3 == s { print $2; exit }'
    cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
      awk -v s="$suite" '
        /^URIs:/ { uri = $2 }
        /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) found = uri }
        /^$/ { if (found) exit; uri = "" }
        END { if (found) print found }'
  } | head -n 1
)
if [ -z "$mirror" ]; then
  echo "$0: no apt source carries suite $suite" >&2
  exit 1
fi

rm -f "$out.tmp"
mmdebstrap --variant=buildd --arch="$arch" --format=tar \
  --include=debhelper,fakeroot,build-essential \
  "$suite" "$out.tmp" "deb $mirror $suite main"
mv "$out.tmp" "$out"
