#!/usr/bin/env bash
# Fails when a test run left containers, networks, nftables tables, network namespaces or built images of ours
# behind. The shared test image (not built by the library, so not labelled) is kept on purpose.
set -euo pipefail
fail=0
containers=$(podman ps -a --filter label=dev.sandbox4j.managed=true --format '{{.Names}}')
networks=$(podman network ls --filter label=dev.sandbox4j.managed=true --format '{{.Name}}')
tables=$(nft list tables 2>/dev/null | awk '{print $3}' | grep '^sandbox4j' || true)
netns=$(ip netns list 2>/dev/null | awk '{print $1}' | grep '^sb4j' || true)
images=$(podman images --filter label=dev.sandbox4j.managed=true --format '{{.Repository}}:{{.Tag}}')
for kind in containers networks tables netns images; do
  if [ -n "${!kind}" ]; then
    echo "check-leftovers: $kind left behind: $(echo ${!kind})" >&2
    fail=1
  fi
done
[ "$fail" -eq 0 ] && echo "check-leftovers: nothing left behind"
exit "$fail"
