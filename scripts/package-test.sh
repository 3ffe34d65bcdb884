#!/bin/sh
# The packaging check (CTest entry `packaging`): builds the Debian source
# and binary packages of the source tree as it is (committed or not) in a
# scratch copy, runs lintian on them, checks each package's files,
# conffiles and maintainer scripts, and verifies the systemd units against
# the unpacked binaries.
#   scripts/package-test.sh SOURCE_DIR SCRATCH_DIR
set -eu
src=$(cd "$1" && pwd)
scratch=$2
fail() { echo "package-test: $*" >&2; exit 1; }
for tool in dpkg-buildpackage lintian dpkg-deb systemd-analyze help2man git; do
	command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-deps.sh)"
done

# A copy of the tree: tracked files and new ones not ignored, no build dirs.
rm -rf "$scratch"
mkdir -p "$scratch/src"
(cd "$src" && git ls-files -z --cached --others --exclude-standard |
	grep -zv '^build' | xargs -0 tar -cf - --ignore-failed-read) | tar -xf - -C "$scratch/src"

# The source package too (as a build client makes it): dpkg-source's checks
# and lintian's on the source.
start=$(date +%s)
(cd "$scratch/src" &&
	DEB_BUILD_OPTIONS="nocheck parallel=2" CBIT_CCACHE=1 \
		dpkg-buildpackage -us -uc >"$scratch/build.log" 2>&1) ||
	{ tail -50 "$scratch/build.log"; fail "dpkg-buildpackage failed (log: $scratch/build.log)"; }
echo "package-test: dpkg-buildpackage took $(($(date +%s) - start)) s"

changes=$(ls "$scratch"/cbit_*.changes)
# Every warning and error fails; the overrides in debian/*.lintian-overrides
# say why each one is there.
lintian --fail-on error,warning --info "$changes" || fail "lintian found problems"

deb() { ls "$scratch/$1"_*.deb; }
has() {  # has PACKAGE PATH...: the package holds each path
	pkg=$1; shift
	list=$(dpkg-deb -c "$(deb "$pkg")" | awk '{print $6}')
	for p in "$@"; do
		echo "$list" | grep -qx "\./$p" || fail "$pkg does not hold $p"
	done
}
has cbit-web usr/sbin/cbit-web etc/cbit/web.json lib/systemd/system/cbit-web.service \
	usr/share/man/man8/cbit-web.8.gz
has cbit-client usr/sbin/cbit-client lib/systemd/system/cbit-client@.service \
	usr/share/cbit/examples/client.json usr/share/man/man8/cbit-client.8.gz
has cbit-watcher usr/sbin/cbit-watcher etc/cbit/watcher.json \
	lib/systemd/system/cbit-watcher.service usr/share/man/man8/cbit-watcher.8.gz
has cbit-hooks usr/bin/cbit-hook etc/cbit/hook.json usr/share/cbit/hooks/git-post-receive \
	usr/share/cbit/hooks/svn-post-commit usr/share/man/man1/cbit-hook.1.gz
has cbit usr/bin/cbit usr/share/man/man1/cbit.1.gz
has cbit-common etc/cbit/ usr/share/doc/cbit-common/design.md.gz

conffiles() { dpkg-deb --ctrl-tarfile "$(deb "$1")" | tar -xOf - ./conffiles; }
for pair in cbit-web:/etc/cbit/web.json cbit-watcher:/etc/cbit/watcher.json \
	cbit-hooks:/etc/cbit/hook.json; do
	conffiles "${pair%%:*}" | grep -qx "${pair#*:}" || fail "${pair#*:} is not a conffile"
done

# No maintainer script makes a password or a token (outside the text it
# prints); the controller's says how to make the first admin token.
ctrl=$scratch/control
for p in cbit-web cbit-client cbit-watcher; do
	rm -rf "$ctrl" && dpkg-deb -e "$(deb "$p")" "$ctrl"
	grep -q 'adduser --system' "$ctrl/postinst" || fail "$p's postinst makes no system user"
	awk "/<<'MSG'/{skip=1; next} /^MSG$/{skip=0; next} !skip" "$ctrl/postinst" |
		grep -v '^[[:space:]]*#' | grep -Eiq 'token|passw|hash' &&
		fail "$p's postinst makes credentials"
	[ "$p" != cbit-web ] || grep -q 'token add admin --role admin' "$ctrl/postinst" ||
		fail "cbit-web's postinst does not say how to make the first admin token"
done

# The packages' files unpacked into a root: the programs run there, and
# the units verify against them.
root=$scratch/root
for d in "$scratch"/*.deb; do dpkg-deb -x "$d" "$root"; done
for prog in usr/sbin/cbit-web usr/sbin/cbit-client usr/sbin/cbit-watcher usr/bin/cbit-hook \
	usr/bin/cbit; do
	"$root/$prog" --help >/dev/null || fail "$prog --help failed"
done
units=$scratch/units
mkdir -p "$units"
for u in "$root"/lib/systemd/system/*.service; do
	sed "s|^ExecStart=/|ExecStart=$root/|" "$u" >"$units/$(basename "$u")"
done
# A template is verified through an instance.
cp "$units/cbit-client@.service" "$units/cbit-client@build1.service"
(cd "$units" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
	cbit-web.service cbit-watcher.service cbit-client@build1.service) \
	>"$scratch/verify.log" 2>&1 || { cat "$scratch/verify.log"; fail "systemd-analyze verify"; }
if grep -v -e 'Failed to create bus' -e 'Failed to load unit' "$scratch/verify.log" | grep -q .; then
	cat "$scratch/verify.log"
	fail "systemd-analyze verify warned"
fi
echo "package-test: $(ls "$scratch"/*.deb | wc -l) packages built, lintian clean, units verified"
