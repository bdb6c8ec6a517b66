#!/usr/bin/env bash
# Checks Sandbox4j as a user gets it: installs the reactor into an isolated local Maven repository (a temporary
# copy of ~/.m2/repository, so it works offline and never writes to ~/.m2), then builds and runs it/consumer, a
# separate project that imports the BOM and uses the API, the JUnit extension and the test servers, once per JUnit
# version.
#
#   scripts/consumer-check.sh                      # the oldest and the newest supported JUnit 5 lines
#   scripts/consumer-check.sh 5.10.0 5.12.2        # the JUnit versions to run against
#
# Also compiles sandbox-junit's sources against the oldest JUnit API alone (Jupiter API and platform commons), and,
# when the reactor has a sandbox-cli module, runs its jar with `java -jar`. The consumer's tests start real Podman
# sandboxes (policed ones need root, as in CI). Exits non-zero on the first failure.
#
# SANDBOX4J_M2_SEED names another repository to copy instead of ~/.m2/repository. Whatever the seed lacks (the
# oldest JUnit, say) is downloaded into the temporary copy, never into the seed.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

oldest_junit=5.10.0   # keep in step with junit.oldest.version in pom.xml
newest_junit=5.14.4   # the newest JUnit 5 release
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=("$oldest_junit" "$newest_junit")

image=localhost/sandbox4j-consumer/busybox:latest
work="$(mktemp -d /tmp/sandbox4j-consumer.XXXXXX)"
repo="$work/m2"
cleanup() {
    podman image rm -f "$image" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n== consumer check: %s\n' "$*"; }

seed="${SANDBOX4J_M2_SEED:-$HOME/.m2/repository}"
step "isolated local repository $repo (a copy of $seed)"
mkdir -p "$repo"
if [ -d "$seed" ]; then
    cp -r "$seed/." "$repo/"
fi
mvn_iso() { mvn -B -ntp -Dmaven.repo.local="$repo" "$@"; }

version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -n 1)"
modules=(sandbox4j-bom sandbox-core sandbox-egress sandbox-junit sandbox-testing)
[ -f sandbox-cli/pom.xml ] && modules+=(sandbox-cli)
step "install ${modules[*]} $version into the isolated repository"
mvn_iso install -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true \
    -pl "$(IFS=,; echo "${modules[*]}")" -am

step "sandbox-junit's sources compile against JUnit $oldest_junit alone"
mvn_iso -q dependency:get -Dtransitive=true -Dartifact="org.junit.jupiter:junit-jupiter-api:$oldest_junit"
platform_oldest="1.${oldest_junit#5.}"
cp_oldest="$repo/org/junit/jupiter/junit-jupiter-api/$oldest_junit/junit-jupiter-api-$oldest_junit.jar"
cp_oldest="$cp_oldest:$repo/org/junit/platform/junit-platform-commons/$platform_oldest/junit-platform-commons-$platform_oldest.jar"
cp_oldest="$cp_oldest:$(ls "$repo"/org/opentest4j/opentest4j/*/opentest4j-*.jar | grep -v sources | tail -n 1)"
cp_oldest="$cp_oldest:$(ls "$repo"/org/apiguardian/apiguardian-api/*/apiguardian-api-*.jar | tail -n 1)"
cp_oldest="$cp_oldest:$repo/dev/sandbox4j/sandbox-core/$version/sandbox-core-$version.jar"
cp_oldest="$cp_oldest:$(ls "$repo"/org/slf4j/slf4j-api/2.*/slf4j-api-2.*.jar | grep -v sources | tail -n 1)"
mkdir -p "$work/junit-oldest-classes"
javac --release 17 -Xlint:all -Xlint:-processing -Werror -d "$work/junit-oldest-classes" -cp "$cp_oldest" \
    $(find sandbox-junit/src/main/java -name '*.java')
echo "compiled $(find "$work/junit-oldest-classes" -name '*.class' | wc -l) classes against junit-jupiter-api $oldest_junit"

step "test image $image (the host's static busybox, nothing pulled)"
busybox="${SANDBOX4J_BUSYBOX:-/bin/busybox}"
[ -x "$busybox" ] || { echo "consumer check: $busybox is missing: apt-get install busybox-static" >&2; exit 1; }
mkdir -p "$work/image"
cp it/consumer/src/test/image/Containerfile "$work/image/"
cp "$busybox" "$work/image/busybox"
podman build -q --pull=never --label dev.sandbox4j.managed=true -t "$image" "$work/image" >/dev/null

if [ -f sandbox-cli/pom.xml ]; then
    step "java -jar on the sandbox-cli jar"
    cli_jar="$(ls sandbox-cli/target/sandbox-cli-*.jar 2>/dev/null \
        | grep -v -e '-sources' -e '-javadoc' -e '-tests' -e 'original-' \
        | while read -r j; do unzip -p "$j" META-INF/MANIFEST.MF | grep -q '^Main-Class:' && echo "$j"; done \
        | head -n 1 || true)"
    if [ -n "$cli_jar" ]; then
        out="$(java -jar "$cli_jar" run "$image" echo consumer-cli)"
        [ "$out" = "consumer-cli" ] || { echo "consumer check: java -jar $cli_jar printed '$out'" >&2; exit 1; }
        echo "java -jar $cli_jar run $image echo consumer-cli -> $out"
    else
        echo "consumer check: sandbox-cli has no jar with a Main-Class in sandbox-cli/target" >&2
        exit 1
    fi
fi

for junit in "${versions[@]}"; do
    step "it/consumer against JUnit $junit"
    rm -rf "$work/consumer"
    cp -r it/consumer "$work/consumer"
    (cd "$work/consumer" && mvn_iso test -Dsandbox4j.version="$version" -Djunit.version="$junit")
done

step "passed: JUnit ${versions[*]}"
