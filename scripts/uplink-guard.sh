#!/usr/bin/env bash
# Drops every packet this host would forward out of its uplink, so nothing a test, demo or benchmark starts in
# a container or network namespace can reach beyond this machine; and every packet the rootless test user sends
# out of it (rootless containers' traffic leaves from the host's own stack, through slirp4netns running as that
# user: OUTPUT, not FORWARD). `uplink-guard.sh off` removes it.
# The user is $SANDBOX4J_ROOTLESS_USER (default sb4j), guarded when it exists; run this again after creating it.
# It runs after every other forward chain (priority 100): a drop there is final whatever earlier chains accepted,
# and earlier chains (the sandboxes' own rules) still see and count what they reject.
set -euo pipefail
table=ci_uplink_guard
if [ "${1:-on}" = off ]; then
  nft delete table inet "$table" 2>/dev/null || true
  exit 0
fi
uplinks=$(ip -o route show default | awk '{for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1)}' | sort -u)
uplinks6=$(ip -o -6 route show default 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1)}' | sort -u)
all=$(printf '%s\n%s\n' "$uplinks" "$uplinks6" | grep -v '^$' | sort -u | paste -sd, -)
if [ -z "$all" ]; then
  echo "uplink-guard: no default route, nothing to guard"
  exit 0
fi
user=${SANDBOX4J_ROOTLESS_USER:-sb4j}
output=""
if uid=$(id -u "$user" 2>/dev/null); then
  output="  chain output {
    type filter hook output priority 100; policy accept;
    meta skuid $uid oifname { $all } counter drop
  }"
fi
nft -f - <<NFT
table inet $table
delete table inet $table
table inet $table {
  chain forward {
    type filter hook forward priority 100; policy accept;
    oifname { $all } counter drop
  }
$output
}
NFT
echo "uplink-guard: forwarded traffic out of { $all } is dropped${output:+; so is what $user (uid $uid) sends out of it}"
