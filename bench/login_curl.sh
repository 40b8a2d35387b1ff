#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The reference for bench/login_cpu.py: the smallest shell + curl script
# that does the requests `saml2sts login` does against the testbed's
# SimpleSAMLphp IdP and the STS emulator, and keeps the answer in a file:
#
#   1. GET the IdP-initiated URL, following its 302 to the login page
#      (2 requests; the cookie jar in a private temporary directory);
#   2. POST username, password and AuthState back to the login page;
#   3. take the SAMLResponse from the answer;
#   4. POST it to STS AssumeRoleWithSAML and write the JSON answer to OUT.
#
# It knows the role and provider ARNs (saml2sts reads them from the
# assertion) and does not verify, store in a keyring or parse the answer,
# so it is a floor for a client, not a peer with the same features.
#
#   BENCH_PASSWORD=... [BENCH_CA_BUNDLE=...] \
#       login_curl.sh IDP_URL USER STS_URL ROLE PROVIDER OUT
#
# BENCH_CA_BUNDLE, for HTTPS: the CA bundle each curl verifies with
# (--cacert, as CURL_CA_BUNDLE would, which saml2sts also reads).
# The password stays out of argv: printf is a shell builtin and curl reads
# the field from its stdin.
set -eu

d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
if [ -n "${BENCH_CA_BUNDLE:-}" ]; then
	curl() { command curl --cacert "$BENCH_CA_BUNDLE" "$@"; }
fi

url=$(curl -sS -L -c "$d/jar" -b "$d/jar" -o "$d/login.html" \
	-w '%{url_effective}' "$1")
state=$(sed -n 's/.*name="AuthState" value="\([^"]*\)".*/\1/p' \
	"$d/login.html" | sed 's/&amp;/\&/g')
printf '%s' "$BENCH_PASSWORD" |
	curl -sS -c "$d/jar" -b "$d/jar" -o "$d/saml.html" \
		--data-urlencode "username=$2" --data-urlencode "password@-" \
		--data-urlencode "AuthState=$state" "${url%%\?*}?"
sed -n 's/.*name="SAMLResponse" value="\([^"]*\)".*/\1/p' "$d/saml.html" \
	>"$d/saml.b64"
test -s "$d/saml.b64"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
curl -sS -f -o "$6" \
	--data-urlencode "SAMLAssertion@$d/saml.b64" \
	--data-urlencode "RoleArn=$4" --data-urlencode "SAMLProviderArn=$5" \
	"$3/?Action=AssumeRoleWithSAML&Version=2015-04-01&Format=JSON&Timestamp=$now&SignatureNonce=$$-$now"
