#!/bin/bash
# Cross-building for arm64 (cross_arches), measured:
# 1. `cbit-client chroot create bookworm --cross arm64` from the test
#    tarball, each run into a fresh roots directory (unpack, apt-get update,
#    crossbuild-essential-arm64 and libc6-dev:arm64 from the archive);
# 2. one cross build of the tests' C example (tests/support/debpkg.cc,
#    kArchAny: hello.c and a Makefile, debhelper-compat 13), -B for arm64,
#    on the host (dpkg-buildpackage -aarm64 -Pcross,nocheck, the host
#    builder's argv; needs crossbuild-essential-arm64 and libc6-dev:arm64 on
#    the host) against the same in cbit-sandbox over a --cross root (the
#    isolated builder's argv), alternating, each on a fresh copy of the tree.
# Prints every time and the medians.
#
# Usage: bench/isolated_cross_build.sh [RUNS]   (default 3; BUILD overridable)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
BUILD=$(realpath "${BUILD:-build}")
ARCH=$(dpkg --print-architecture)
CROSS=arm64
TARBALL=$BUILD/chroots/bookworm-$ARCH.tar
WORK=$(mktemp -d /tmp/cbit-bench-cross.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

scripts/make-chroot.sh bookworm "$ARCH" "$TARBALL"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# 1. chroot create --cross, each into roots of its own, removed afterwards.
: >"$WORK/create.t"
for i in $(seq "$RUNS"); do
  roots=$WORK/roots-$i
  t0=$(now)
  "$BUILD/cbit-client" chroot --roots-dir "$roots" create bookworm --from-tarball "$TARBALL" \
    --cross "$CROSS" >"$WORK/create.log" 2>&1 || { tail -20 "$WORK/create.log" >&2; exit 1; }
  t=$(since "$t0")
  echo "$t" >>"$WORK/create.t"
  printf 'chroot create --cross %s run %d: %6.2f s\n' "$CROSS" "$i" "$t"
  "$BUILD/cbit-client" chroot --roots-dir "$roots" remove "bookworm-$ARCH" >/dev/null
done
printf 'chroot create --cross %s median of %d: %.2f s\n' "$CROSS" "$RUNS" \
  "$(median <"$WORK/create.t")"

# 2. The builds. The root the builds use, made once (as the tests make it).
ROOTS=$BUILD/roots-cross
"$BUILD/cbit-client" chroot --roots-dir "$ROOTS" create bookworm --from-tarball "$TARBALL" \
  --cross "$CROSS" >/dev/null
ROOT=$(realpath "$ROOTS/bookworm-$ARCH/current")
mkdir -p "$ROOTS/apt-cache/partial"

src=$WORK/src/hello-cross
mkdir -p "$src/debian/source"
cat >"$src/debian/control" <<'EOF'
Source: hello-cross
Section: misc
Priority: optional
Maintainer: cbit tests <cbit@example.org>
Build-Depends: debhelper-compat (= 13)
Standards-Version: 4.6.2
Rules-Requires-Root: no

Package: hello-cross
Architecture: any
Depends: ${misc:Depends}, ${shlibs:Depends}
Description: cbit test package
 A package the cbit tests build.
EOF
echo "3.0 (native)" >"$src/debian/source/format"
printf '#!/usr/bin/make -f\n%%:\n\tdh $@\n' >"$src/debian/rules"
chmod +x "$src/debian/rules"
printf 'hello-cross (1.0) bookworm; urgency=medium\n\n  * Test package.\n\n -- cbit tests <cbit@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n' \
  >"$src/debian/changelog"
printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' >"$src/hello.c"
printf 'all: hello\nhello: hello.c\n\t$(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) -o hello hello.c\ninstall:\n\tinstall -D -m 755 hello $(DESTDIR)/usr/bin/hello-cross\nclean:\n\trm -f hello\n' \
  >"$src/Makefile"

fresh() {
  local dir
  dir=$(mktemp -d "$WORK/run.XXXXXX")
  cp -a "$src" "$dir/hello-cross"
  echo "$dir"
}

checked() {  # WHAT DIR: the .deb is arm64's
  local deb=$2/hello-cross_1.0_$CROSS.deb
  if [ ! -e "$deb" ] || [ "$(dpkg-deb -f "$deb" Architecture)" != "$CROSS" ]; then
    tail -n 20 "$2/log" >&2
    echo "bench: the $1 build made no $CROSS .deb" >&2
    exit 1
  fi
}

host() {
  local dir t0
  dir=$(fresh)
  t0=$(now)
  (cd "$dir/hello-cross" && dpkg-buildpackage -us -uc -B -a"$CROSS" -Pcross,nocheck \
    >"$dir/log" 2>&1) || true
  since "$t0"
  checked host "$dir"
  rm -rf "$dir"
}

isolated() {
  local dir t0
  dir=$(fresh)
  mkdir -p "$dir/.sandbox"
  t0=$(now)
  "$BUILD/cbit-sandbox" --root "$ROOT" --scratch "$dir/.sandbox" --bind "$dir:/build" \
    --bind "$ROOTS/apt-cache:/var/cache/apt/archives" --ro-bind /etc/resolv.conf:/etc/resolv.conf \
    --chdir /build/hello-cross --online-lock "$ROOTS/apt-cache" --online-steps 2 -- \
    dpkg-checkbuilddeps -B -a"$CROSS" -Pcross,nocheck \
    --or apt-get -q -y build-dep -a "$CROSS" -P cross,nocheck --arch-only ./ \
    --and dpkg-buildpackage -us -uc -B -a"$CROSS" -Pcross,nocheck >"$dir/log" 2>&1 || true
  since "$t0"
  checked isolated "$dir"
  rm -rf "$dir"
}

: >"$WORK/host.t"
: >"$WORK/iso.t"
for i in $(seq "$RUNS"); do
  h=$(host)
  s=$(isolated)
  echo "$h" >>"$WORK/host.t"
  echo "$s" >>"$WORK/iso.t"
  printf 'cross build run %d: host %6.2f s  isolated %6.2f s\n' "$i" "$h" "$s"
done
mh=$(median <"$WORK/host.t")
ms=$(median <"$WORK/iso.t")
printf 'cross build median of %d: host %.2f s, isolated %.2f s, ratio %.2f\n' "$RUNS" "$mh" "$ms" \
  "$(awk "BEGIN { print $ms / $mh }")"
