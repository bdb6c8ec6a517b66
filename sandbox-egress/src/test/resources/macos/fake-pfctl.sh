#!/usr/bin/env bash
# A stand-in for macOS /sbin/pfctl, for tests on machines without pf. It keeps pf's state (enable tokens, the
# rules and tables of each anchor) in files beside it, answers the argument forms Sandbox4j uses in the output
# formats pfctl(8) documents (CONSTRUCTED from the man page and public write-ups, NOT captured on a Mac), appends
# every call to calls.log (with a nanosecond timestamp), and fails (exit 99, a line in failures) on anything else.
# Test hooks: a file fail-load, fail-table-add or main-reset beside it makes that step fail / the main ruleset
# lose its com.apple anchor points.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
st="$here/pf-state"
mkdir -p "$st/anchors" "$st/tables"
touch "$st/tokens"
printf '%s pfctl %s\n' "$(date +%s%N)" "$*" >>"$here/calls.log"
fail() {
    printf 'fake pfctl: %s\n' "$1" >>"$here/failures"
    printf 'pfctl: %s\n' "$1" >&2
    exit 99
}
case "$*" in
    "-E")
        tok="1746528183437245$(printf '%04d' $(( $(wc -l <"$st/tokens") + 1 )))"
        echo "$tok" >>"$st/tokens"
        printf 'No ALTQ support in kernel\nALTQ related functions disabled\npf enabled\nToken : %s\n' "$tok" >&2
        exit 0 ;;
    "-s info")
        if [ -s "$st/tokens" ]; then
            echo "Status: Enabled for 0 days 00:00:01           Debug: Urgent"
        else
            echo "Status: Disabled                              Debug: Urgent"
        fi
        exit 0 ;;
    "-s rules")
        [ -f "$here/main-reset" ] || printf 'scrub-anchor "com.apple/*" all fragment reassemble\nanchor "com.apple/*" all\n'
        exit 0 ;;
    "-s nat")
        [ -f "$here/main-reset" ] || printf 'nat-anchor "com.apple/*" all\nrdr-anchor "com.apple/*" all\n'
        exit 0 ;;
esac
if [ "$#" -eq 2 ] && [ "$1" = "-X" ]; then
    grep -qx "$2" "$st/tokens" || { echo "pfctl: Invalid argument" >&2; exit 1; }
    grep -vx "$2" "$st/tokens" >"$st/tokens.new" || true
    mv "$st/tokens.new" "$st/tokens"
    [ -s "$st/tokens" ] || echo "pf disabled" >&2
    exit 0
fi
if [ "$#" -eq 2 ] && [ "$1" = "-k" ]; then
    [[ "$2" =~ ^[0-9./]+$ ]] || fail "bad -k argument: $2"
    echo "killed 0 states from 1 sources and 0 destinations" >&2
    exit 0
fi
[ "$#" -ge 4 ] && [ "$1" = "-a" ] || fail "unscripted command: $*"
anchor="$2"
[[ "$anchor" =~ ^com\.apple/000\.sandbox4j\.[a-z0-9][a-z0-9_.-]*$ ]] || fail "anchor outside com.apple/000.sandbox4j.: $anchor"
f="$st/anchors/$(printf '%s' "$anchor" | tr '/' '_')"
shift 2
case "$*" in
    "-f -")
        [ -f "$here/fail-load" ] && { echo "pfctl: Syntax error in config file: pf rules not loaded" >&2; exit 1; }
        cat >"$f.new"
        if grep -vE '^(#|table <[a-z0-9_]+> persist$|rdr |pass |block |$)' "$f.new" >&2; then
            rm -f "$f.new"; echo "pfctl: Syntax error in config file: pf rules not loaded" >&2; exit 1
        fi
        mv "$f.new" "$f"
        exit 0 ;;
    "-s rules") grep -E '^(pass|block) ' "$f" 2>/dev/null; exit 0 ;;
    "-s nat") grep -E '^rdr ' "$f" 2>/dev/null; exit 0 ;;
    "-F nat") [ -f "$f" ] && sed -i '/^rdr /d' "$f"; echo "rdr cleared" >&2; exit 0 ;;
    "-F rules") [ -f "$f" ] && sed -i -E '/^(pass|block) /d' "$f"; echo "rules cleared" >&2; exit 0 ;;
    "-F Tables")
        n=0; [ -f "$f" ] && n=$(grep -c '^table ' "$f"); [ -f "$f" ] && sed -i '/^table /d' "$f"
        rm -f "$f".t.*; echo "$n tables deleted." >&2; exit 0 ;;
esac
if [ "$1" = "-t" ] && [ "$3" = "-T" ] && [ "$#" -ge 5 ]; then
    table="$2"; op="$4"; shift 4
    grep -qx "table <$table> persist" "$f" 2>/dev/null || { echo "pfctl: Table does not exist." >&2; exit 1; }
    for ip in "$@"; do
        [[ "$ip" =~ ^[0-9a-f:.]+$ ]] || fail "not an address: $ip"
    done
    t="$f.t.$table"; touch "$t"
    case "$op" in
        add)
            [ -f "$here/fail-table-add" ] && { echo "pfctl: Operation not permitted" >&2; exit 1; }
            for ip in "$@"; do grep -qx "$ip" "$t" || echo "$ip" >>"$t"; done
            echo "$#/$# addresses added." >&2; exit 0 ;;
        delete)
            for ip in "$@"; do grep -vx "$ip" "$t" >"$t.new" || true; mv "$t.new" "$t"; done
            echo "$#/$# addresses deleted." >&2; exit 0 ;;
    esac
fi
fail "unscripted command: -a $anchor $*"
