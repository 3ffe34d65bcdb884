#!/bin/bash
# Wall time of one isolated build (cbit-sandbox over a prepared root, the
# argv cbit-client's builder "isolated" runs) against dpkg-buildpackage of
# the same tree on the host, alternating (host, isolated, host, …), each
# run on a fresh copy of the tree; prints every time and the medians.
#
# Usage: bench/isolated_build.sh [RUNS]   (default 5; BUILD, ROOTS overridable)
# Packages: the example package (examples/hello-cbit, arch:all, full build
# -F) and hello 2.10-3 from the archive (dget of its .dsc, full build -F).
# The root is made once under $BUILD/roots (as the tests make it).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
BUILD=$(realpath "${BUILD:-build}")
ROOTS=${ROOTS:-$BUILD/roots}
ARCH=$(dpkg --print-architecture)
WORK=$(mktemp -d /tmp/cbit-bench-isolated.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

scripts/make-chroot.sh bookworm "$ARCH" "$BUILD/chroots/bookworm-$ARCH.tar"
"$BUILD/cbit-client" chroot --roots-dir "$ROOTS" create bookworm \
  --from-tarball "$BUILD/chroots/bookworm-$ARCH.tar" >/dev/null
ROOT=$(realpath "$ROOTS/bookworm-$ARCH/current")
mkdir -p "$ROOTS/apt-cache/partial"

# The sources: the example's tree, and hello's .dsc unpacked once.
mkdir -p "$WORK/src"
cp -r examples/hello-cbit "$WORK/src/hello-cbit"
(cd "$WORK/src" && dget -qu http://deb.debian.org/debian/pool/main/h/hello/hello_2.10-3.dsc \
  >/dev/null)  # downloads and unpacks into hello-2.10

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }'; }

failed() {
  tail -n 20 "$2/log" >&2
  echo "bench: the $1 build failed (the host needs each package's build-dependencies," \
    "e.g. texinfo for hello)" >&2
  exit 1
}

# fresh TREE → a work directory holding a copy of it; prints its path.
fresh() {
  local dir
  dir=$(mktemp -d "$WORK/run.XXXXXX")
  cp -a "$WORK/src/$1" "$dir/$1"
  # A 3.0 (quilt) source builds from its upstream tarball beside the tree.
  find "$WORK/src" -maxdepth 1 -name '*.orig.tar.*' -exec cp {} "$dir/" \;
  echo "$dir"
}

host() {  # TREE: dpkg-buildpackage in the tree, on the host
  local dir
  dir=$(fresh "$1")
  local t0
  t0=$(now)
  (cd "$dir/$1" && dpkg-buildpackage -us -uc -F >"$dir/log" 2>&1) || failed host "$dir"
  since "$t0"
  rm -rf "$dir"
}

isolated() {  # TREE: the same build in the sandbox, as cbit-client runs it
  local dir
  dir=$(fresh "$1")
  mkdir -p "$dir/.sandbox"
  local t0
  t0=$(now)
  "$BUILD/cbit-sandbox" --root "$ROOT" --scratch "$dir/.sandbox" --bind "$dir:/build" \
    --bind "$ROOTS/apt-cache:/var/cache/apt/archives" --ro-bind /etc/resolv.conf:/etc/resolv.conf \
    --chdir "/build/$1" --online-lock "$ROOTS/apt-cache" --online-steps 2 -- \
    dpkg-checkbuilddeps --or apt-get -q -y build-dep ./ \
    --and dpkg-buildpackage -us -uc -F >"$dir/log" 2>&1 || failed isolated "$dir"
  since "$t0"
  rm -rf "$dir"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

for tree in hello-cbit hello-2.10; do
  : >"$WORK/host.t"
  : >"$WORK/iso.t"
  for i in $(seq "$RUNS"); do
    h=$(host "$tree")
    s=$(isolated "$tree")
    echo "$h" >>"$WORK/host.t"
    echo "$s" >>"$WORK/iso.t"
    printf '%-11s run %d: host %6.2f s  isolated %6.2f s\n' "$tree" "$i" "$h" "$s"
  done
  mh=$(median <"$WORK/host.t")
  ms=$(median <"$WORK/iso.t")
  printf '%-11s median of %d: host %.2f s, isolated %.2f s, ratio %.2f\n' "$tree" "$RUNS" \
    "$mh" "$ms" "$(awk "BEGIN { print $ms / $mh }")"
done

# The overhead's parts, medians of RUNS: an empty sandbox (set-up and
# tear-down of the namespaces, overlay, /dev and /proc), and the
# build-dependency check that precedes every build.
dir=$(fresh hello-cbit)
mkdir -p "$dir/.sandbox"
for part in setup deps; do
  : >"$WORK/part.t"
  for i in $(seq "$RUNS"); do
    cmd=(true)
    [ "$part" = deps ] && cmd=(dpkg-checkbuilddeps)
    t0=$(now)
    "$BUILD/cbit-sandbox" --root "$ROOT" --scratch "$dir/.sandbox" --bind "$dir:/build" \
      --chdir /build/hello-cbit -- "${cmd[@]}" >/dev/null 2>&1
    since "$t0" >>"$WORK/part.t"
  done
  printf 'part %-6s median of %d: %.3f s\n' "$part" "$RUNS" "$(median <"$WORK/part.t")"
done
