#!/usr/bin/env bash
# A stand-in for Apple's `container` CLI answering only what an egress-policed start needs: --version, system
# status, network create/inspect/delete, run, stop, delete. Output formats follow the 1.2.2 JSON layout of
# `network list` and `system status` (CONSTRUCTED from Apple's Codable sources at 1.2.2, not captured).
# Every call goes to calls.log (shared with fake-pfctl.sh, so the order of the two is visible); anything else
# fails with exit 99. Hooks: a file container-version holds the version to report; reset-pf-on-run makes `run`
# wipe the stand-in pf anchors, as vmnet reloading pf would.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
printf '%s container %s\n' "$(date +%s%N)" "$*" >>"$here/calls.log"
fail() {
    printf 'fake container: %s\n' "$1" >>"$here/failures"
    printf 'fake container: %s\n' "$1" >&2
    exit 99
}
version=$(cat "$here/container-version" 2>/dev/null || echo 1.2.2)
case "${1:-} ${2:-}" in
    "--version ") echo "container CLI version $version (build: release, commit: 0190097)"; exit 0 ;;
    "system status")
        echo "{\"apiServerAppName\":\"container-apiserver\",\"apiServerBuild\":\"release\",\"apiServerCommit\":\"0190097d06df0b9065f4c2d2c7873c649d81d493\",\"apiServerVersion\":\"container-apiserver version $version (build: release, commit: 0190097)\",\"appRoot\":\"/Users/me/Library/Application Support/com.apple.container/\",\"installRoot\":\"/usr/local/\",\"status\":\"running\"}"
        exit 0 ;;
    "network create") echo "${@: -1}"; exit 0 ;;
    "network inspect")
        n="$3"
        printf '[{"configuration":{"creationDate":"2026-08-20T10:00:00Z","labels":{},"mode":"nat","name":"%s","options":{},"plugin":"container-network-vmnet"},"id":"%s","status":{"ipv4Gateway":"192.168.65.1","ipv4Subnet":"192.168.65.0\\/24","ipv6Subnet":"fd97:7f2f:97db:3103::\\/64"}}]\n' "$n" "$n"
        exit 0 ;;
    "network delete") echo "$3"; exit 0 ;;
esac
case "${1:-}" in
    run)
        [ -f "$here/reset-pf-on-run" ] && rm -f "$here"/pf-state/anchors/*
        prev=""; for a in "$@"; do [ "$prev" = "--name" ] && echo "$a"; prev="$a"; done
        exit 0 ;;
    stop|delete|kill) echo "${@: -1}"; exit 0 ;;
esac
fail "unscripted command: $*"
