#!/usr/bin/env bash
# Runs the runtime contract and the egress end-to-end suites as an ordinary user on rootless Podman. Run as root
# after the root suite has built the tree (run-tests does both): it prepares the user (setup-rootless-user.sh),
# copies the tree and the Maven repository to that user, makes the fake internet (a network namespace needs
# root) for the user's tests to attach to, runs the suites offline as the user, and checks that the user's
# Podman has nothing of ours left.
# Usage: rootless-tests.sh [extra maven args]     User: $SANDBOX4J_ROOTLESS_USER (default sb4j).
set -euo pipefail
cd "$(dirname "$0")/.."
user=${SANDBOX4J_ROOTLESS_USER:-sb4j}
if [ "$(id -u)" -ne 0 ]; then
  echo "rootless-tests: run as root; as an ordinary user, run ./run-tests directly" >&2
  exit 1
fi
scripts/setup-rootless-user.sh "$user"
home=$(getent passwd "$user" | cut -d: -f6)
tree="$home/sandbox4j-rootless"

# The tests this user runs: every suite that drives rootless Podman, policed or not.
mapfile -t tests < <(grep -v '^#' scripts/rootless-suites)

echo "rootless-tests: copying the tree and the Maven repository to $user"
rm -rf "$tree"
mkdir -p "$tree" "$home/.m2/repository"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$tree"
cp -ru "$HOME/.m2/repository/." "$home/.m2/repository/"
rm -rf "$home/.m2/repository/dev/sandbox4j"
chown -R "$user:" "$tree" "$home/.m2"

# The fake internet, made by root from the classes the root suite compiled; the user's tests attach to it.
bed=$(mktemp -d /tmp/sb4j-testbed.XXXXXX)
chmod 755 "$bed"
slf4j=$(find "$HOME/.m2/repository/org/slf4j/slf4j-api" -name 'slf4j-api-*.jar' | sort -V | tail -1)
# JNA: the library starts the bed's long-lived processes through posix_spawn (the version the build uses)
jna_version=$(sed -n 's:.*<jna.version>\(.*\)</jna.version>.*:\1:p' pom.xml)
jna="$HOME/.m2/repository/net/java/dev/jna/jna/$jna_version/jna-$jna_version.jar"
[ -f "$jna" ] || { echo "rootless-tests: $jna not found (run the Maven build first)" >&2; exit 1; }
mkfifo "$bed/hold"
# (the servers' own JVM inside the namespace needs only sandbox-testing's classes, which it is started from)
java -cp "sandbox-testing/target/classes:sandbox-core/target/classes:$slf4j:$jna" \
  dev.sandbox4j.testing.FakeInternet "$bed" < "$bed/hold" > "$bed/bed.log" 2>&1 &
bed_pid=$!
exec 9>"$bed/hold"
stop_bed() {
  exec 9>&-
  wait "$bed_pid" 2>/dev/null || true
  rm -rf "$bed"
}
trap stop_bed EXIT
for _ in $(seq 1 300); do
  [ -s "$bed/netns" ] && break
  kill -0 "$bed_pid" 2>/dev/null || { cat "$bed/bed.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$bed/netns" ] || { echo "rootless-tests: the fake internet did not start" >&2; cat "$bed/bed.log" >&2; exit 1; }

echo "rootless-tests: running ${#tests[@]} suites as $user on rootless podman"
status=0
su - "$user" -c "cd '$tree' && SANDBOX4J_REQUIRE_RUNTIME=podman SANDBOX4J_TESTBED='$bed' \
  mvn -o -B -ntp -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -pl sandbox-core,sandbox-testing,sandbox-egress verify -Dtest='$(IFS=,; echo "${tests[*]}")' \
  -Dsurefire.failIfNoSpecifiedTests=false $*" || status=$?

left=$(su - "$user" -c "podman ps -a --filter label=dev.sandbox4j.managed=true --format '{{.Names}}'; \
  podman network ls --filter label=dev.sandbox4j.managed=true --format '{{.Name}}'; \
  podman images --filter label=dev.sandbox4j.managed=true --format '{{.Repository}}:{{.Tag}}'" 2>/dev/null)
if [ -n "$left" ]; then
  echo "rootless-tests: $user's podman has leftovers: $(echo $left)" >&2
  status=1
else
  echo "rootless-tests: nothing left behind in $user's podman"
fi
exit "$status"
