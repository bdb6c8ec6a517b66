#!/usr/bin/env bash
# Fails when a test run left containers, networks, nftables tables, network namespaces or built images of ours
# behind, or Podman's own kube network (podman-default-kube-network: `podman kube play` creates it, and the
# Kubernetes data-plane test removes it when it created it; one that existed before the run is reported too:
# remove it once with `podman network rm podman-default-kube-network`). The shared test image (not built by the
# library, so not labelled) is kept on purpose.
set -euo pipefail
fail=0
containers=$(podman ps -a --filter label=dev.sandbox4j.managed=true --format '{{.Names}}')
networks=$(podman network ls --filter label=dev.sandbox4j.managed=true --format '{{.Name}}')
tables=$(nft list tables 2>/dev/null | awk '{print $3}' | grep '^sandbox4j' || true)
netns=$(ip netns list 2>/dev/null | awk '{print $1}' | grep '^sb4j' || true)
images=$(podman images --filter label=dev.sandbox4j.managed=true --format '{{.Repository}}:{{.Tag}}')
kube_network=$(podman network ls --filter name='^podman-default-kube-network$' --format '{{.Name}}')
for kind in containers networks tables netns images kube_network; do
  if [ -n "${!kind}" ]; then
    echo "check-leftovers: $kind left behind: $(echo ${!kind})" >&2
    fail=1
  fi
done
[ "$fail" -eq 0 ] && echo "check-leftovers: nothing left behind"
exit "$fail"
