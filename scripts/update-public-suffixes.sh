#!/usr/bin/env bash
# Replaces the bundled Public Suffix List (sandbox-core/src/main/resources/dev/sandbox4j/egress/
# public_suffix_list.dat) with a newer copy of the upstream file, unmodified.
#
#   scripts/update-public-suffixes.sh              # download https://publicsuffix.org/list/public_suffix_list.dat
#   scripts/update-public-suffixes.sh FILE         # take a copy you already have (same file, any source)
#
# The file is checked before it replaces the bundled one: the MPL-2.0 header, a VERSION line, both sections and at
# least 9000 rules. Then run the suffix tests:
#   mvn -B -ntp -pl sandbox-core test -Dtest='PublicSuffixesTest,EgressPolicyTest' -Dsurefire.failIfNoSpecifiedTests=false
# and commit the file with its VERSION and COMMIT lines in the message.
set -euo pipefail
cd "$(dirname "$0")/.."
target=sandbox-core/src/main/resources/dev/sandbox4j/egress/public_suffix_list.dat
url=https://publicsuffix.org/list/public_suffix_list.dat
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT

if [ $# -ge 1 ]; then
    cp "$1" "$tmp"
else
    curl --fail --silent --show-error --location --max-time 60 --output "$tmp" "$url"
fi

fail() { echo "update-public-suffixes: $*; the bundled list is unchanged" >&2; exit 1; }
head -n 1 "$tmp" | grep -q '^// This Source Code Form is subject to the terms of the Mozilla Public' \
    || fail "the file does not start with the list's MPL-2.0 header"
grep -q '^// VERSION: ' "$tmp" || fail "the file has no '// VERSION:' line"
for marker in 'BEGIN ICANN DOMAINS' 'END ICANN DOMAINS' 'BEGIN PRIVATE DOMAINS' 'END PRIVATE DOMAINS'; do
    grep -q "===${marker}===" "$tmp" || fail "the file lacks the ===${marker}=== marker"
done
rules="$(grep -v -e '^//' -e '^[[:space:]]*$' "$tmp" | wc -l)"
[ "$rules" -ge 9000 ] || fail "the file holds only $rules rules"

old="$(grep -m1 '^// VERSION: ' "$target" || echo 'none')"
cp "$tmp" "$target"
echo "public suffix list: ${old#// VERSION: } -> $(grep -m1 '^// VERSION: ' "$target" | cut -c13-)" \
    "($(grep -m1 '^// COMMIT: ' "$target" | cut -c12-), $rules rules)"
