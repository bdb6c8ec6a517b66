#!/usr/bin/env bash
# Checks, on a Mac, the points of macOS egress control that Linux tests cannot show (docs/egress.md, "Verified
# here vs needs a Mac"). Run it as yourself, not with sudo, from a clone of this repository:
#
#   scripts/verify-mac-egress.sh
#
# Needs: macOS 26 on Apple silicon, Apple's `container` 0.12.0+ (1.0.0+ to find the base init image by
# itself), a JDK 17+, Maven, and internet access (it builds the guest piece in a Linux container from Docker
# Hub's gcc image, and the probes reach one allowed name, example.com by default; override with
# SANDBOX4J_VERIFY_ALLOWED / SANDBOX4J_VERIFY_DENIED). Prints PASS or FAIL per point and exits non-zero on any
# FAIL. Another script may call it; it changes nothing outside this repository's target/ directories, the
# container image store and ~/.cache/sandbox4j.
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
failed=0
pass() { echo "PASS  $*"; }
fail() { echo "FAIL  $*"; failed=1; }

[[ "$(uname -s)" == Darwin && "$(uname -m)" == arm64 ]] || { echo "run this on macOS on Apple silicon" >&2; exit 2; }
[[ "$(id -u)" != 0 ]] || { echo "run this as yourself, not root: the point is a non-root JVM" >&2; exit 2; }
command -v container >/dev/null || { echo "Apple's container CLI is not on PATH" >&2; exit 2; }
container system start --enable-kernel-install >/dev/null 2>&1 || true
echo "container: $(container --version 2>&1)"

# 1. the guest piece for linux/arm64, built natively in an arm64 Linux container (a Mac has no cross gcc)
guest_out="$repo/sandbox-egress/target/classes/dev/sandbox4j/egress/guest"
mkdir -p "$guest_out"
if container run --rm -v "$repo/sandbox-egress/src/guest:/src:ro" -v "$guest_out:/out" \
     docker.io/library/gcc:12 bash /src/build.sh /out >/tmp/sb4j-verify-guest.log 2>&1 \
   && file "$guest_out/linux-arm64/sb4j-guest" | grep -q "ARM aarch64.*statically linked"; then
  pass "guest piece built for linux/arm64 ($(shasum -a 256 "$guest_out/linux-arm64/sb4j-guest" | cut -c1-16))"
else
  fail "guest piece build (see /tmp/sb4j-verify-guest.log)"
  exit 1
fi

# 2. the base init image
base="$(container system property list --format json 2>/dev/null \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["vminit"]["image"])' 2>/dev/null || true)"
[[ -n "$base" ]] && pass "base init image: $base" || fail "could not read vminit.image (container < 1.0.0? set -Dsandbox4j.apple.vminitImage)"

# 3. a policed sandbox for this (non-root) JVM: init image build, boot, relay, probes (MacEgressOnMacTest)
cd "$repo"
log=/tmp/sb4j-verify-mac-egress.log
SANDBOX4J_MAC_EGRESS_VERIFY=1 SANDBOX4J_REQUIRE_RUNTIME=apple-container \
  mvn -B -ntp -q -pl sandbox-egress -am test -Dtest='MacEgressOnMacTest' -Dsurefire.failIfNoSpecifiedTests=false \
  >"$log" 2>&1
report="$repo/sandbox-egress/target/surefire-reports/TEST-dev.sandbox4j.egress.macos.MacEgressOnMacTest.xml"
if [[ ! -f "$report" ]]; then
  fail "MacEgressOnMacTest did not run (see $log)"
else
  python3 - "$report" <<'PY'
import sys, xml.etree.ElementTree as ET
for case in ET.parse(sys.argv[1]).getroot().iter("testcase"):
    bad = case.find("failure")
    if bad is None:
        bad = case.find("error")
    if bad is not None:
        message = (bad.get("message") or "").strip().splitlines()
        print("FAIL  " + case.get("name") + (": " + message[0][:200] if message else ""))
    elif case.find("skipped") is not None:
        print("SKIP  " + case.get("name"))
    else:
        print("PASS  " + case.get("name"))
PY
  grep -q '<failure\|<error' "$report" && failed=1
  grep -q '<skipped' "$report" && { echo "(skipped points count as not verified)"; failed=1; }
fi
exit "$failed"
