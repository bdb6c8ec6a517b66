#!/usr/bin/env bash
# Checks, on a real Mac, every claim that docs/runtimes/apple-container.md marks "needs a Mac" (ids M1...), and
# prints a Markdown report to paste into an issue (also saved as target/verify-on-mac/report.md).
#
#   scripts/verify-on-mac.sh [--image REF] [--disruptive] [--skip-maven] [--rerecord]
#
#   --image REF    image for the probe containers (default docker.io/library/alpine:latest; pulled if missing)
#   --disruptive   also check what the CLI says while the system service is down (M9): runs
#                  `container system stop` (stopping every container) and starts the service again
#   --skip-maven   only the checks that need no build (M3-M5, M8, M11)
#   --rerecord     re-record src/test/resources/apple/recorded/ from this CLI (M6 then parses them)
#
# Needs: macOS 26 on Apple silicon, Apple's `container` CLI, an arm64 JDK 17+, Maven (unless --skip-maven).
# It creates only containers named sb4j-verify-<pid>-* and removes them on exit; it never touches others.
set -u -o pipefail

IMAGE="docker.io/library/alpine:latest"
DISRUPTIVE=0
MAVEN=1
RERECORD=0
while [ $# -gt 0 ]; do
    case "$1" in
        --image) IMAGE="$2"; shift 2 ;;
        --disruptive) DISRUPTIVE=1; shift ;;
        --skip-maven) MAVEN=0; shift ;;
        --rerecord) RERECORD=1; shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 64 ;;
    esac
done

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/target/verify-on-mac"
PREFIX="sb4j-verify-$$"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/sb4j-verify.XXXXXX")"
mkdir -p "$OUT"
REPORT="$OUT/report.md"
ROWS=()
DETAILS=()

if [ "$(uname -s)" != "Darwin" ]; then
    echo "verify-on-mac.sh checks Apple's container on a Mac; this is $(uname -s). Nothing was run." >&2
    exit 2
fi
CLI="$(command -v container || true)"
[ -n "$CLI" ] || CLI=/usr/local/bin/container
if [ ! -x "$CLI" ]; then
    echo "Apple's container CLI is not installed: get the signed .pkg from https://github.com/apple/container/releases" >&2
    exit 2
fi

cleanup() {
    local names
    names="$("$CLI" list --all --quiet 2>/dev/null | grep "^$PREFIX-" || true)"
    for n in $names; do
        "$CLI" delete --force "$n" >/dev/null 2>&1 || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# result ID STATUS SUMMARY [DETAIL-FILE]: one report row, and the detail text if given
result() {
    ROWS+=("| $1 | $2 | $3 |")
    if [ $# -ge 4 ] && [ -s "$4" ]; then
        DETAILS+=("<details><summary>$1 output</summary>"$'\n\n```\n'"$(head -c 20000 "$4")"$'\n```\n</details>\n')
    fi
    printf '%-4s %-5s %s\n' "$1" "$2" "$3" >&2
}

mvn_test() { # mvn_test MODULE TESTS [extra -D...]: quiet run, output in $WORK/mvn.log
    local module="$1" tests="$2"
    shift 2
    (cd "$ROOT" && mvn -B -ntp -pl "$module" -am test -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false "$@") \
        >"$WORK/mvn.log" 2>&1
}

probe() { # probe NAME [run args...]: a detached container from $IMAGE running sleep
    local name="$PREFIX-$1"
    shift
    "$CLI" run --detach --name "$name" "$@" "$IMAGE" sleep 600 >/dev/null 2>"$WORK/probe.err"
}

# ---------------------------------------------------------------------------------------------------------------
# environment
MACOS="$(sw_vers -productVersion 2>/dev/null || echo unknown)"
{
    echo "## Sandbox4j verify-on-mac report"
    echo
    echo "- macOS: $MACOS ($(sw_vers -buildVersion 2>/dev/null || echo ?)), $(uname -m), $(sysctl -n machdep.cpu.brand_string 2>/dev/null || echo ?)"
    echo "- container: $("$CLI" --version 2>&1 | head -n 1) at $CLI"
    echo "- java: $(java -version 2>&1 | head -n 1 | tr -d '"'), arch $(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/os.arch/ {print $2}')"
    echo "- Sandbox4j: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (modified)')"
    echo "- sysctl (sysctl(8) is built with the current SDK): kern.osproductversion=$(sysctl -n kern.osproductversion 2>/dev/null), kern.osproductversioncompat=$(sysctl -n kern.osproductversioncompat 2>/dev/null), kern.osrelease=$(sysctl -n kern.osrelease 2>/dev/null)"
    echo
} >"$WORK/header.md"

if ! "$CLI" system status >/dev/null 2>&1; then
    echo "starting the container system service" >&2
    "$CLI" system start --enable-kernel-install >"$WORK/start.log" 2>&1 || true
fi
if ! "$CLI" image inspect "$IMAGE" >/dev/null 2>&1; then
    "$CLI" image pull --progress none "$IMAGE" >"$WORK/pull.log" 2>&1 || true
fi

# ---------------------------------------------------------------------------------------------------------------
# M1, M2: JNA host facts and the macOS version as this JVM sees it
if [ "$MAVEN" = 1 ]; then
    if mvn_test sandbox-core AppleNativeHostFactsTest "-Dsandbox4j.mac.productVersion=$MACOS"; then
        result M1 PASS "JNA sysctls, VZ isSupported and limits read; see facts" "$ROOT/sandbox-core/target/mac-host-facts.txt"
        result M2 PASS "Sandbox4j's macOS version matches sw_vers ($MACOS), whatever this JDK's SDK"
    else
        cp "$WORK/mvn.log" "$WORK/m1.log"
        [ -f "$ROOT/sandbox-core/target/mac-host-facts.txt" ] && cat "$ROOT/sandbox-core/target/mac-host-facts.txt" >>"$WORK/m1.log"
        result M1 FAIL "AppleNativeHostFactsTest failed" "$WORK/m1.log"
        result M2 FAIL "see M1"
    fi
else
    result M1 SKIP "--skip-maven"
    result M2 SKIP "--skip-maven"
fi

# ---------------------------------------------------------------------------------------------------------------
# M3-M5: what `container copy` does (the backend picks copy or tar per case from these)
if probe copy; then
    c="$PREFIX-copy"
    printf '#!/bin/sh\necho ran\n' >"$WORK/run.sh"
    chmod 755 "$WORK/run.sh"
    "$CLI" copy "$WORK/run.sh" "$c:/tmp/run.sh" >"$WORK/m3.log" 2>&1
    mode="$("$CLI" exec "$c" stat -c %a /tmp/run.sh 2>>"$WORK/m3.log")"
    echo "mode inside after copying a 0755 file: $mode" >>"$WORK/m3.log"
    if [ "$mode" = "644" ]; then
        result M3 PASS "\`container copy\` writes a 0755 file as 0644 (why the backend copies through tar)" "$WORK/m3.log"
    else
        result M3 FAIL "\`container copy\` kept mode $mode: the docs and the fallback warning are out of date" "$WORK/m3.log"
    fi

    mkdir -p "$WORK/tree/sub" && echo leaf >"$WORK/tree/sub/f.txt"
    "$CLI" exec "$c" mkdir -p /tmp/existing >"$WORK/m4.log" 2>&1
    "$CLI" copy "$WORK/tree" "$c:/tmp/existing" >>"$WORK/m4.log" 2>&1
    "$CLI" copy "$WORK/tree" "$c:/tmp/fresh" >>"$WORK/m4.log" 2>&1
    found="$("$CLI" exec "$c" sh -c 'cd /tmp && find existing fresh | sort' 2>>"$WORK/m4.log" | tr '\n' ' ')"
    echo "found: $found" >>"$WORK/m4.log"
    if [ "$found" = "existing existing/tree existing/tree/sub existing/tree/sub/f.txt fresh fresh/sub fresh/sub/f.txt " ]; then
        result M4 PASS "a directory copied onto an existing directory lands inside it, onto a new path takes its name (as podman cp)" "$WORK/m4.log"
    else
        result M4 FAIL "directory copy layout differs from podman cp" "$WORK/m4.log"
    fi

    mkdir -p "$WORK/with:colon" && echo c >"$WORK/with:colon/x.txt"
    if "$CLI" copy "$WORK/with:colon/x.txt" "$c:/tmp/x.txt" >"$WORK/m5.log" 2>&1; then
        result M5 FAIL "\`container copy\` accepted a host path with ':' (the fallback could allow it)" "$WORK/m5.log"
    else
        result M5 PASS "\`container copy\` refuses a host path with ':' (so the fallback never gets one)" "$WORK/m5.log"
    fi
else
    for id in M3 M4 M5; do result "$id" FAIL "probe container did not start" "$WORK/probe.err"; done
fi

# ---------------------------------------------------------------------------------------------------------------
# M6: the installed CLI's output formats parse (optionally re-recorded first)
if [ "$MAVEN" = 1 ]; then
    args=()
    [ "$RERECORD" = 1 ] && args=("-Dsandbox4j.apple.rerecord=true" "-Dsandbox4j.apple.rerecord.image=$IMAGE")
    # ${a[@]+"${a[@]}"}: an empty array under set -u in macOS's bash 3.2
    if mvn_test sandbox-core 'AppleFixtureRecorderTest,AppleFixturesTest,AppleContainerParserTest' ${args[@]+"${args[@]}"}; then
        git -C "$ROOT" status --short -- sandbox-core/src/test/resources/apple/recorded >"$WORK/m6.log" 2>&1
        result M6 PASS "fixtures parse$([ "$RERECORD" = 1 ] && echo ', re-recorded from this CLI (attach sandbox-core/src/test/resources/apple/recorded/)')" "$WORK/m6.log"
    else
        result M6 FAIL "fixture recording or parsing failed" "$WORK/mvn.log"
    fi
else
    result M6 SKIP "--skip-maven"
fi

# ---------------------------------------------------------------------------------------------------------------
# M7: the runtime contract suite on apple-container
if [ "$MAVEN" = 1 ]; then
    if SANDBOX4J_REQUIRE_RUNTIME=apple-container mvn_test sandbox-core AppleContainerContractTest \
            "-Dsandbox4j.container.cli=$CLI"; then
        grep -h "Tests run" "$ROOT"/sandbox-core/target/surefire-reports/*AppleContainerContractTest.txt >"$WORK/m7.log" 2>/dev/null
        result M7 PASS "RuntimeContract passes on apple-container" "$WORK/m7.log"
    else
        result M7 FAIL "RuntimeContract failed on apple-container" "$WORK/mvn.log"
    fi
else
    result M7 SKIP "--skip-maven"
fi

# ---------------------------------------------------------------------------------------------------------------
# M8: a container that is still stopping cannot be deleted even with --force (the backend waits and retries)
if probe stopping; then
    c="$PREFIX-stopping"
    # sleep as PID 1 ignores SIGTERM, so the stop waits its full --time
    "$CLI" stop --time 8 "$c" >/dev/null 2>&1 &
    sleep 2
    "$CLI" delete --force "$c" >"$WORK/m8.log" 2>&1
    rc=$?
    echo "exit $rc" >>"$WORK/m8.log"
    wait
    if [ $rc -ne 0 ] && grep -q "is stopping and can not be deleted" "$WORK/m8.log"; then
        result M8 PASS "delete --force of a stopping container fails with the text AppleErrors classifies as STOPPING" "$WORK/m8.log"
    elif [ $rc -eq 0 ]; then
        result M8 INFO "delete --force succeeded while stopping: this release deletes stopping containers" "$WORK/m8.log"
    else
        result M8 FAIL "unexpected text: add it to sandbox-core/src/test/resources/apple/errors/" "$WORK/m8.log"
    fi
else
    result M8 FAIL "probe container did not start" "$WORK/probe.err"
fi

# ---------------------------------------------------------------------------------------------------------------
# M9: what commands say while the service is down (disruptive)
if [ "$DISRUPTIVE" = 1 ]; then
    {
        "$CLI" system stop
        echo "--- container list --all --format json"
        "$CLI" list --all --format json
        echo "exit $?"
        echo "--- container system status --format json"
        "$CLI" system status --format json
        echo "exit $?"
        "$CLI" system start --enable-kernel-install
    } >"$WORK/m9.log" 2>&1
    if grep -q -i -e "XPC connection error" -e "container system start" -e "system service is not running" "$WORK/m9.log"; then
        result M9 PASS "service-down text contains what AppleErrors looks for" "$WORK/m9.log"
    else
        result M9 FAIL "service-down text not recognised: add it to the errors fixtures" "$WORK/m9.log"
    fi
else
    result M9 SKIP "needs --disruptive (stops the system service)"
fi

# ---------------------------------------------------------------------------------------------------------------
# M10: the macOS egress data path (filled in by the macOS egress work; runs what exists): a script
# scripts/verify-egress-on-mac.sh, else the classes in SANDBOX4J_MAC_EGRESS_TESTS, else every sandbox-egress test
# class named *OnMacTest
if [ -z "${SANDBOX4J_MAC_EGRESS_TESTS:-}" ] && [ -d "$ROOT/sandbox-egress/src/test/java" ]; then
    SANDBOX4J_MAC_EGRESS_TESTS="$(find "$ROOT/sandbox-egress/src/test/java" -name '*OnMacTest.java' -exec basename {} .java \; \
        | sort | paste -s -d, -)"
fi
if [ -x "$ROOT/scripts/verify-egress-on-mac.sh" ]; then
    if "$ROOT/scripts/verify-egress-on-mac.sh" >"$WORK/m10.log" 2>&1; then
        result M10 PASS "scripts/verify-egress-on-mac.sh" "$WORK/m10.log"
    else
        result M10 FAIL "scripts/verify-egress-on-mac.sh" "$WORK/m10.log"
    fi
elif [ "$MAVEN" = 1 ] && [ -n "${SANDBOX4J_MAC_EGRESS_TESTS:-}" ]; then
    if SANDBOX4J_REQUIRE_RUNTIME=apple-container mvn_test sandbox-egress "$SANDBOX4J_MAC_EGRESS_TESTS" \
            "-Dsandbox4j.container.cli=$CLI"; then
        result M10 PASS "egress tests $SANDBOX4J_MAC_EGRESS_TESTS" "$WORK/mvn.log"
    else
        result M10 FAIL "egress tests $SANDBOX4J_MAC_EGRESS_TESTS" "$WORK/mvn.log"
    fi
else
    result M10 SKIP "no scripts/verify-egress-on-mac.sh, no *OnMacTest class in sandbox-egress, SANDBOX4J_MAC_EGRESS_TESTS unset"
fi

# ---------------------------------------------------------------------------------------------------------------
# M11: an unpoliced sandbox resolves through the network gateway (so apple/container #402 applies to it)
if probe dns; then
    c="$PREFIX-dns"
    # shellcheck disable=SC2016 # $2 is awk's, inside the container
    ns="$("$CLI" exec "$c" awk '/^nameserver/ {print $2; exit}' /etc/resolv.conf 2>"$WORK/m11.log")"
    gw="$("$CLI" inspect "$c" 2>>"$WORK/m11.log" | tr -d ' \n' | sed -n 's/.*"ipv4Gateway":"\([0-9.]*\)".*/\1/p')"
    echo "nameserver in the container: $ns; gateway of its network: $gw" >>"$WORK/m11.log"
    {
        echo "--- port 53 listeners (lsof, may need sudo to see other users' processes)"
        lsof -nP -iUDP:53 -iTCP:53 -sTCP:LISTEN 2>&1 | head -n 20
    } >>"$WORK/m11.log"
    if [ -n "$ns" ] && [ "$ns" = "$gw" ]; then
        result M11 PASS "without --dns the guest resolver is the gateway ($gw), answered by mDNSResponder" "$WORK/m11.log"
    else
        result M11 FAIL "guest resolver '$ns' is not the gateway '$gw'" "$WORK/m11.log"
    fi
else
    result M11 FAIL "probe container did not start" "$WORK/probe.err"
fi

# ---------------------------------------------------------------------------------------------------------------
{
    cat "$WORK/header.md"
    echo "| id | result | claim |"
    echo "|---|---|---|"
    printf '%s\n' ${ROWS[@]+"${ROWS[@]}"}
    echo
    printf '%s\n' ${DETAILS[@]+"${DETAILS[@]}"}
} >"$REPORT"
cat "$REPORT"
echo >&2
echo "report saved as $REPORT" >&2
if printf '%s\n' ${ROWS[@]+"${ROWS[@]}"} | grep -q '| FAIL |'; then
    exit 1
fi
