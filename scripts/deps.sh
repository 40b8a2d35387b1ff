#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian packages saml2sts needs, skipping those already
# installed.  Run as root (or with sudo on PATH).
#
#   scripts/deps.sh build   what `make build` needs: compiler, cmake, -dev libraries
#   scripts/deps.sh test    that, plus the test servers, keyring, browser, ...
#                           (`make check`, `make demo`, `make bench`; the default)
#   scripts/deps.sh deb     the build set plus debhelper (`make deb`)
set -eu

set_name=${1:-test}

BUILD="build-essential cmake pkg-config
libcurl4-openssl-dev libxml2-dev libxmlsec1-dev libxmlsec1-openssl libssl-dev
libsecret-1-dev libgcrypt20-dev libjson-c-dev libcmocka-dev"

# php-cgi and lighttpd come before simplesamlphp so apt satisfies its
# httpd dependency without apache2 (see the testbed notes).
TEST="clang clang-format
php-cgi lighttpd php-cli php-xml php-mbstring php-intl php-curl simplesamlphp
xmlsec1 libxml2-utils openssl curl python3
dbus-daemon dbus-bin dbus-x11 gnome-keyring libsecret-tools tmux
chromium xvfb krb5-kdc krb5-admin-server krb5-user man-db"
TEST="$TEST zsh fish" # shell-init tests (bash, zsh, fish)
TEST="$TEST python3-xmlsec python3-lxml python3-onelogin-saml2 python3-lasso" # verify bench peers
TEST="$TEST strace" # login bench: connections counted
TEST="$TEST python3-gi gir1.2-glib-2.0 python3-cryptography" # a fake keyring prompter (store tests)
# Node.js runs the real Alibaba SDK in the hand-off tests; machines that
# already have node (and its npm) keep theirs.
command -v npm >/dev/null 2>&1 || TEST="$TEST nodejs npm"

# dpkg-buildpackage with dh and its cmake build system (dpkg-dev comes
# with build-essential).
DEB="debhelper fakeroot"

case $set_name in
build) PKGS=$BUILD ;;
test) PKGS="$BUILD $TEST" ;;
deb) PKGS="$BUILD $DEB" ;;
*)
	echo "usage: scripts/deps.sh [build|test|deb]" >&2
	exit 2
	;;
esac

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "deps ($set_name): installing$missing" >&2
# On a systemd host, lighttpd would start on port 80 once installed.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	$SUDO systemctl mask lighttpd >/dev/null 2>&1 || true
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
