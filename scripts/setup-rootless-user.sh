#!/usr/bin/env bash
# Prepares an ordinary user (as root) for rootless Podman: creates the user if missing, gives it subordinate
# uid/gid ranges, and makes /dev/net/tun usable by ordinary users (slirp4netns needs it; some machines ship it
# 0600, where rootless networking fails with "open(/dev/net/tun): Permission denied"). Idempotent.
# Usage: setup-rootless-user.sh [USER]   (default: sb4j)
set -euo pipefail
user=${1:-${SANDBOX4J_ROOTLESS_USER:-sb4j}}
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-rootless-user: run as root (sudo $0 $user)" >&2
  exit 1
fi
id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user"
# A range that no other user's entry overlaps: 100000 + 65536 * (uid - 999).
uid=$(id -u "$user")
start=$(( 100000 + 65536 * (uid > 999 ? uid - 999 : uid) ))
for f in /etc/subuid /etc/subgid; do
  touch "$f"
  grep -q "^$user:" "$f" || echo "$user:$start:65536" >> "$f"
done
# The standard mode of the tun device (it is 0666 on most distributions): opening it gives no privilege by itself.
[ -c /dev/net/tun ] && chmod 0666 /dev/net/tun
# Podman keeps per-user state under XDG_RUNTIME_DIR; without systemd-logind nobody makes it, so podman falls
# back to /tmp/podman-run-<uid>, which works.
su - "$user" -c 'podman system migrate >/dev/null 2>&1; podman info --format "{{.Host.Security.Rootless}}"' 2>/dev/null \
  | grep -q true || { echo "setup-rootless-user: rootless podman does not work for $user" >&2; exit 1; }
echo "setup-rootless-user: $user runs rootless podman (subuid $(grep "^$user:" /etc/subuid | cut -d: -f2-))"
