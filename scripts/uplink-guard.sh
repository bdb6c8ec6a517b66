#!/usr/bin/env bash
# Drops every packet this host would forward out of its uplink, so nothing a test, demo or benchmark starts in
# a container or network namespace can reach beyond this machine. `uplink-guard.sh off` removes it.
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
nft -f - <<NFT
table inet $table
delete table inet $table
table inet $table {
  chain forward {
    type filter hook forward priority 100; policy accept;
    oifname { $all } counter drop
  }
}
NFT
echo "uplink-guard: forwarded traffic out of { $all } is dropped"
