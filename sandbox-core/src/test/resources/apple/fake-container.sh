#!/usr/bin/env bash
# A stand-in for Apple's `container` CLI, for tests on machines without it. It answers a script of expected
# commands, strictly in order, and fails (exit 99, and a line in script/failures) on anything unscripted.
#
# Step N lives in script/NNN.*: argv (one argument per line; "glob:PATTERN" matches by bash glob), out, err,
# exit, stdin (present: save stdin to NNN.stdin-received), and sh (a snippet run with the CLI's arguments, the
# step's path in $STEP; it may write files and print). The next step number is in script/next.
set -u
dir="$(cd "$(dirname "$0")" && pwd)/script"
n=$(cat "$dir/next" 2>/dev/null || echo 0)
STEP="$dir/$(printf '%03d' "$n")"
fail() {
    printf 'fake container: %s\n' "$1" >>"$dir/failures"
    printf 'fake container: %s\n' "$1" >&2
    exit 99
}
[ -f "$STEP.argv" ] || fail "unscripted command (script used up at step $n): $*"
mapfile -t expected <"$STEP.argv"
[ "${#expected[@]}" -eq "$#" ] || fail "step $n expected ${#expected[@]} arguments [${expected[*]}], got $#: [$*]"
i=0
for arg in "$@"; do
    want="${expected[$i]}"
    if [[ "$want" == glob:* ]]; then
        # shellcheck disable=SC2053
        [[ "$arg" == ${want#glob:} ]] || fail "step $n argument $i: expected pattern '${want#glob:}', got '$arg' in [$*]"
    else
        [ "$arg" == "$want" ] || fail "step $n argument $i: expected '$want', got '$arg' in [$*]"
    fi
    i=$((i + 1))
done
[ -z "${CONTAINER_DEFAULT_PLATFORM+set}" ] || fail "step $n: CONTAINER_DEFAULT_PLATFORM reached the CLI"
echo $((n + 1)) >"$dir/next"
if [ -f "$STEP.stdin" ]; then
    cat >"$STEP.stdin-received"
fi
if [ -f "$STEP.sh" ]; then
    # shellcheck disable=SC1090
    . "$STEP.sh"
fi
[ -f "$STEP.out" ] && cat "$STEP.out"
[ -f "$STEP.err" ] && cat "$STEP.err" >&2
exit "$(cat "$STEP.exit" 2>/dev/null || echo 0)"
