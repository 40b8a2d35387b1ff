#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the Debian package (debian/, dpkg-buildpackage with dh + cmake)
# from a copy of the sources in OUT (default build-deb): the files git
# knows (plus new ones not ignored) in a git checkout, else the tree
# without its build directories.  The .deb, .buildinfo and .changes
# files land in OUT.  lintian runs when it is installed.
set -eu
cd "$(dirname "$0")/.."
out=${1:-build-deb}

version=$(dpkg-parsechangelog -S Version)
upstream=$(sed -n 's/^project(saml2sts VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
if [ "$version" != "$upstream" ]; then
	echo "deb: debian/changelog says $version, CMakeLists.txt $upstream" >&2
	exit 1
fi

rm -rf "$out"
src="$out/saml2sts-$version"
mkdir -p "$src"
commit=unknown
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	commit=$(git describe --always --dirty 2>/dev/null || echo unknown)
	git ls-files -z --cached --others --exclude-standard |
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null |
		tar -xf - -C "$src"
else
	tar --exclude='./build*' --exclude=./.git -cf - . | tar -xf - -C "$src"
fi
echo "deb: building saml2sts $version (commit $commit) in $src" >&2

(cd "$src" && S2S_GIT_COMMIT=$commit dpkg-buildpackage -b -us -uc) \
	>"$out/build.log" 2>&1 || {
	tail -40 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
	exit 1
}
rm -rf "$src"
if command -v lintian >/dev/null 2>&1; then
	lintian --fail-on error "$out"/saml2sts_*.changes
fi
for deb in "$out"/saml2sts_*.deb; do
	echo "deb: $deb"
done
