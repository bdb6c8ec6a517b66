#!/usr/bin/env bash
# Builds the enforcer image of the kubernetes runtime offline, from this machine's own files: a scratch image with
# nft and the libraries ldd lists, busybox (static) for the init container's shell, and the enforcer launcher.
# Usage: scripts/build-enforcer-image.sh [--jars DIR] [IMAGE]   (default localhost/sandbox4j/enforcer:<version>)
#   --jars DIR  also put the jars of DIR (sandbox-egress and its runtime dependencies, optionally an SLF4J provider
#               for the enforcer's own log) under /opt/sandbox4j/lib, a Java runtime made by jlink from this
#               machine's JDK under /opt/sandbox4j/java, and the socket mark shim (sandbox-egress/src/enforcer,
#               built here with gcc) under /opt/sandbox4j/native, for the enforcer sidecar's DNS interceptor and
#               rule updater; the image's label dev.sandbox4j.enforcer.jars holds a digest of the jars
# Needs root, buildah, nftables and busybox-static (scripts/setup-host.sh installs them), and jlink and gcc for
# --jars.
# Replaces an image of the same name. Prints the image name.
set -euo pipefail
caller=$PWD
cd "$(dirname "$0")/.."
version=$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml)
jars=""
jars_digest=""
if [ "${1:-}" = "--jars" ]; then
  jars=${2:?--jars needs a directory}
  case "$jars" in /*) ;; *) jars="$caller/$jars" ;; esac
  shift 2
  [ -d "$jars" ] || { echo "build-enforcer-image: $jars is not a directory" >&2; exit 1; }
  command -v jlink >/dev/null || { echo "build-enforcer-image: --jars needs jlink (a JDK)" >&2; exit 1; }
  command -v gcc >/dev/null || { echo "build-enforcer-image: --jars needs gcc for the socket mark shim" >&2; exit 1; }
  ls "$jars"/*.jar >/dev/null 2>&1 || { echo "build-enforcer-image: $jars holds no jars" >&2; exit 1; }
fi
image=${1:-localhost/sandbox4j/enforcer:$version}
busybox=${SANDBOX4J_BUSYBOX:-/bin/busybox}
nft=/usr/sbin/nft

for tool in buildah "$nft" "$busybox" ldd; do
  command -v "$tool" >/dev/null || { echo "build-enforcer-image: $tool not found (run scripts/setup-host.sh)" >&2; exit 1; }
done
if ldd "$busybox" >/dev/null 2>&1; then
  echo "build-enforcer-image: $busybox is dynamically linked; install busybox-static" >&2
  exit 1
fi

ctr=$(buildah from --quiet scratch)
trap 'buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
root=$(buildah mount "$ctr")

# nft and exactly the libraries it loads
for f in "$nft" $(ldd "$nft" | awk '/=> \// {print $3} /^\t\/lib/ {print $1}'); do
  cp --parents -L "$f" "$root"
done

# a shell and the few applets the init container, the launcher and the tests use
mkdir -p "$root/bin" "$root/opt/sandbox4j/bin" "$root/tmp" "$root/etc"
cp "$busybox" "$root/bin/busybox"
for applet in sh cat printf echo sleep mkdir dirname test env nc id ls grep; do
  ln -sf busybox "$root/bin/$applet"
done
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"

if [ -n "$jars" ]; then
  mkdir -p "$root/opt/sandbox4j/lib"
  cp "$jars"/*.jar "$root/opt/sandbox4j/lib/"
  jlink --add-modules java.base,java.logging,java.naming,java.management,java.sql,jdk.unsupported \
      --strip-debug --no-header-files --no-man-pages --output "$root/opt/sandbox4j/java"
  # the system libraries the runtime loads (libz, libstdc++, ...), as ldd lists them
  find "$root/opt/sandbox4j/java" -type f \( -name java -o -name '*.so' \) -print0 \
    | xargs -0 ldd 2>/dev/null | awk '/=> \// {print $3}' | sort -u | while read -r lib; do
        cp --parents -L "$lib" "$root"
      done
  # the socket mark shim, preloaded into the enforcer's JVM: built reproducibly (fixed flags, no build id, source
  # paths mapped to ".", stripped), against the same C library the runtime above loads
  mkdir -p "$root/opt/sandbox4j/native"
  (cd sandbox-egress/src/enforcer && LC_ALL=C gcc -std=c11 -O2 -shared -fPIC -Wall -Wextra -Werror -fno-ident \
      -fno-asynchronous-unwind-tables "-ffile-prefix-map=$PWD=." -Wl,--build-id=none -s \
      -o "$root/opt/sandbox4j/native/libsb4j-mark.so" sb4j-mark.c)
  jars_digest=$(cd "$jars" && LC_ALL=C sha256sum -- *.jar | sha256sum | cut -c1-64)
fi

cat > "$root/opt/sandbox4j/bin/enforcer" <<'LAUNCHER'
#!/bin/sh
# The enforcer sidecar of a policed sandbox pod: the DNS interceptor and the persistent rule updater, run from the
# Java runtime and the sandbox-egress jars under /opt/sandbox4j when the image holds them.
# The shim marks the JVM's sockets so the pod's rules let its upstream queries out (it needs NET_ADMIN). The
# audit trail goes to stdout as JSON lines, so the SLF4J copy of it (if a provider is present) is turned off.
if [ -x /opt/sandbox4j/java/bin/java ] && [ -d /opt/sandbox4j/lib ]; then
  export LD_PRELOAD=/opt/sandbox4j/native/libsb4j-mark.so
  exec /opt/sandbox4j/java/bin/java -XX:+UseSerialGC -XX:-UsePerfData -XX:MaxRAMPercentage=50 -XX:TieredStopAtLevel=1 \
      -Dorg.slf4j.simpleLogger.log.dev.sandbox4j.egress.audit=off -Dorg.slf4j.simpleLogger.logFile=System.err \
      -cp '/opt/sandbox4j/lib/*' dev.sandbox4j.egress.pod.PodEnforcer
fi
echo "enforcer: this image holds no DNS interceptor (no Java runtime under /opt/sandbox4j), so the pod's DNS stays closed" >&2
exit 78
LAUNCHER
chmod 0755 "$root/opt/sandbox4j/bin/enforcer"

buildah umount "$ctr" >/dev/null
buildah config --label dev.sandbox4j.enforcer="$version" --label dev.sandbox4j.enforcer.jars="${jars_digest:-none}" --env PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  --cmd /opt/sandbox4j/bin/enforcer "$ctr"
buildah commit --quiet --rm "$ctr" "$image" >/dev/null
trap - EXIT
echo "$image"
