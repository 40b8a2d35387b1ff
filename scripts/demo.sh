#!/bin/sh
# SPDX-License-Identifier: MIT
# The `make demo` script.  It runs inside tests/integration/testbed.py,
# which has started a SimpleSAMLphp IdP, the STS emulator and a private
# keyring, and exported S2S_IDP_URL, S2S_STS_URL and a throw-away HOME.
set -eu
BIN=$(realpath "$1")

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	B=$(printf '\033[1m'); N=$(printf '\033[0m')
else
	B=; N=
fi
say() { printf '\n%s$ %s%s\n' "$B" "$*" "$N"; }

echo "saml2sts demo: IdP $S2S_IDP_URL"
echo "               STS emulator $S2S_STS_URL, keyring: private gnome-keyring, HOME=$HOME"

say saml2sts configure --provider simplesamlphp --url "\$IDP_URL" --username alice --sts-endpoint "\$STS_URL" --profile demo
"$BIN" configure --provider simplesamlphp --url "$S2S_IDP_URL" \
	--username alice --sts-endpoint "$S2S_STS_URL" --profile demo

# The demo user's password; a real user types it at a no-echo prompt.
SAML2STS_PASSWORD=alice-pass
export SAML2STS_PASSWORD

if [ -t 0 ] && [ -t 2 ]; then
	say saml2sts login
	"$BIN" login
else
	say saml2sts list-roles
	roles=$("$BIN" list-roles)
	printf '%s\n' "$roles"
	first=$(printf '%s\n' "$roles" | awk '/^  /{print $2; exit}')
	echo "No terminal: choosing the first role, $first"
	say saml2sts login --role "$first"
	"$BIN" login --role "$first"
fi

say saml2sts status
"$BIN" status

say "saml2sts exec -- sh -c 'echo ALIBABA_CLOUD_ACCESS_KEY_ID=\$ALIBABA_CLOUD_ACCESS_KEY_ID'"
"$BIN" exec -- sh -c 'echo ALIBABA_CLOUD_ACCESS_KEY_ID=$ALIBABA_CLOUD_ACCESS_KEY_ID'

say "saml2sts credential-process --profile demo    # secrets masked here"
"$BIN" credential-process --profile demo |
	sed -e 's/"access_key_secret":"[^"]*"/"access_key_secret":"****"/' \
	    -e 's/"sts_token":"[^"]*"/"sts_token":"****"/'
