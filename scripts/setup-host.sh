#!/usr/bin/env bash
# Prepares a Debian/Ubuntu host (as root) for Sandbox4j on Podman: installs the packages, applies the host
# fixes podman needs on machines with a low hard nofile limit and hybrid cgroups, and checks the result.
# Idempotent: a second run changes nothing.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-host: run as root (sudo $0): rootful podman and nftables need it" >&2
  exit 1
fi

# iptables: netavark programs NAT and port forwarding with it, but only "suggests" it.
packages=(podman runc crun conmon netavark aardvark-dns uidmap fuse-overlayfs catatonit buildah
          busybox-static nftables iptables iproute2 dnsmasq-base bind9-dnsutils dnsperf curl
          gcc libc6-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
# gcc, libc6-dev and the arm64 cross toolchain: the static guest piece of macOS egress control
# (sandbox-egress/src/guest/build.sh, run by the Maven build)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup-host: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q "${missing[@]}" >/dev/null
fi

# Podman's default container ulimits ask for more than this machine's hard limits allow (crun/runc then fail
# with "setrlimit ... Operation not permitted"); stay within them. runc is used because crun refuses hybrid
# cgroup v1/v2 hosts unless every cgroup2 controller also has a v1 mount.
# The limits are capped well below this shell's hard limits because the processes that start runc may have
# lower ones than an interactive shell (seen: nproc 96365 here, 32768 there).
cap() { local hard=$1 max=$2; [ "$hard" = unlimited ] && hard=$max; echo $(( hard < max ? hard : max )); }
nofile=$(cap "$(ulimit -Hn)" 16384)
nproc=$(cap "$(ulimit -Hu)" 8192)
mkdir -p /etc/containers/containers.conf.d
conf=/etc/containers/containers.conf.d/50-sandbox4j.conf
cat > "$conf.new" <<CONF
# Written by Sandbox4j's scripts/setup-host.sh
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]
[engine]
runtime = "runc"
[network]
network_backend = "netavark"
CONF
if ! cmp -s "$conf.new" "$conf"; then mv "$conf.new" "$conf"; else rm -f "$conf.new"; fi

# Forwarding must be on for per-sandbox networks; nftables must load.
sysctl -qw net.ipv4.ip_forward=1
nft list tables >/dev/null

podman info --format '{{.Host.OCIRuntime.Name}}' >/dev/null
echo "setup-host: podman $(podman version --format '{{.Server.Version}}') with $(podman info --format '{{.Host.OCIRuntime.Name}}'), nft $(nft --version | awk '{print $2}')"
