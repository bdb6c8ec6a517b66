#!/usr/bin/env bash
# Builds the guest piece of macOS egress control (sb4j-guest.c) as static Linux binaries, reproducibly:
# fixed flags, no build id, source paths mapped to ".", SOURCE_DATE_EPOCH pinned, stripped.
#
#   build.sh OUTDIR     writes OUTDIR/linux-amd64/sb4j-guest and OUTDIR/linux-arm64/sb4j-guest
#
# A missing compiler skips that architecture with a note (amd64 needs gcc and the glibc static library, arm64
# needs Debian's gcc-aarch64-linux-gnu); SANDBOX4J_REQUIRE_GUEST=1 turns a skip into a failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: build.sh OUTDIR}"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1767225600}"   # 2026-01-01T00:00:00Z, fixed
export LC_ALL=C TZ=UTC
flags=(-std=c11 -Os -static -Wall -Wextra -Werror -fno-asynchronous-unwind-tables -fno-ident
       "-ffile-prefix-map=$here=." -Wl,--build-id=none -s)
built=0
for arch in amd64 arm64; do
  # the cross compiler by its Debian name, or the plain gcc of a Linux machine of that architecture
  case "$arch" in
    amd64) cc=x86_64-linux-gnu-gcc; native=x86_64 ;;
    arm64) cc=aarch64-linux-gnu-gcc; native=aarch64 ;;
  esac
  if ! command -v "$cc" >/dev/null 2>&1 && [[ "$(uname -s)" == Linux && "$(uname -m)" == "$native" ]]; then
    cc=gcc
  fi
  if ! command -v "$cc" >/dev/null 2>&1; then
    echo "sb4j-guest: no $cc here, linux/$arch not built (Debian: apt-get install gcc-aarch64-linux-gnu)" >&2
    [[ "${SANDBOX4J_REQUIRE_GUEST:-0}" == 1 ]] && exit 1
    continue
  fi
  mkdir -p "$out/linux-$arch"
  tmp="$out/linux-$arch/sb4j-guest.tmp"
  (cd "$here" && "$cc" "${flags[@]}" -o "$tmp" sb4j-guest.c)
  mv -f "$tmp" "$out/linux-$arch/sb4j-guest"
  built=$((built + 1))
done
if [[ "$built" == 0 ]]; then
  echo "sb4j-guest: nothing built" >&2
  [[ "${SANDBOX4J_REQUIRE_GUEST:-0}" == 1 ]] && exit 1
fi
exit 0
