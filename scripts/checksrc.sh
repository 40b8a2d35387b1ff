#!/bin/sh
# SPDX-License-Identifier: MIT
# What clang-format cannot check (after curl's checksrc): banned
# functions, C++ comments, a missing SPDX line, "== NULL".
set -eu
cd "$(dirname "$0")/.."
files=$(git ls-files '*.c' '*.h')
bad=0
report() { echo "checksrc: $*" >&2; bad=1; }

for f in $files; do
	head -n 1 "$f" | grep -q 'SPDX-License-Identifier' ||
		report "$f:1: no SPDX-License-Identifier line"
done
# shellcheck disable=SC2086
hits=$(grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol|system|tmpnam|rand)[[:space:]]*\(' $files |
	grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|#pragma)' || true)
[ -z "$hits" ] || report "banned function:
$hits"
# shellcheck disable=SC2086
hits=$(grep -nE '(^|[^:"])//' $files | grep -vE '"[^"]*//[^"]*"' || true)
[ -z "$hits" ] || report "C++ comment:
$hits"
# shellcheck disable=SC2086
hits=$(grep -nE '== NULL' $files || true)
[ -z "$hits" ] || report "compare pointers with !p, not == NULL:
$hits"
exit $bad
