package dev.sandbox4j.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Mount;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.config.SandboxConfigFile;
import dev.sandbox4j.config.SandboxConfigFileException;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile input, table-driven: every bad value gets a typed {@link SandboxConfigException} with a message naming
 * it; every value that is legal but looks dangerous (shell metacharacters, newlines, huge values) is passed to the
 * program literally, never through a shell.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputTest {
    private static final String HUGE = "x".repeat(128 * 1024 + 1);
    private Sandbox sandbox;

    @AfterAll
    void close() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    private Sandbox sandbox() {
        if (sandbox == null) {
            RuntimeRequirement.require("podman");
            sandbox = Sandbox.builder().image(TestImages.busybox()).runtime("podman").egress(EgressPolicy.allowAll())
                    .label("reliability-test", "hostile").start();
        }
        return sandbox;
    }

    private static Arguments bad(String what, Consumer<SandboxSpec.Builder> change, String message) {
        return Arguments.of(what, change, message);
    }

    static Stream<Arguments> badSpecs() {
        return Stream.of(
                bad("env name with '='", b -> b.env("A=B", "x"), "is invalid"),
                bad("env name with a shell expansion", b -> b.env("$(id)", "x"), "is invalid"),
                bad("env value with NUL", b -> b.env("A", "a\0b"), "NUL"),
                bad("huge env value", b -> b.env("A", HUGE), "the limit is"),
                bad("relative workdir", b -> b.workdir("work"), "absolute path"),
                bad("workdir with NUL", b -> b.workdir("/work\0/etc"), "absolute path"),
                bad("user with a shell command", b -> b.user("root;rm -rf /"), "user name or uid"),
                bad("reserved label prefix", b -> b.label("dev.sandbox4j.owner", "1-2-3"), "reserved prefix"),
                bad("label value with a newline", b -> b.label("team", "a\nb"), "newline"),
                bad("label key with spaces", b -> b.label("a b", "x"), "is invalid"),
                bad("negative cpus", b -> b.cpus(-1), "positive"),
                bad("NaN cpus", b -> b.cpus(Double.NaN), "positive"),
                bad("memory in words", b -> b.memory("lots"), "memory"),
                bad("image with spaces", b -> b.image("busybox; rm -rf /"), "image reference"),
                bad("empty image", b -> b.image(""), "empty"),
                bad("command argument with NUL", b -> b.command("sh", "-c", "echo\0x"), "NUL"),
                bad("mount target with '..'", b -> b.mount(Path.of("/tmp"), "/work/../etc"), "'..'"),
                bad("mount target with ':' (an option injection)", b -> b.mount(Path.of("/tmp"), "/work:rw,z"), "':'"),
                bad("relative mount target", b -> b.mount(Path.of("/tmp"), "work"), "absolute path"),
                bad("port 0", b -> b.publish(0), "port"),
                bad("port above 65535", b -> b.publish(70000), "port"),
                bad("runtime name with a shell command", b -> b.runtime("docker; id"), "runtime name"),
                bad("detached with a policy", b -> b.detached(true), "allowAll()"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSpecs")
    void aBadSpecValueIsATypedErrorThatNamesTheProblem(String what, Consumer<SandboxSpec.Builder> change,
                                                       String message) {
        SandboxSpec.Builder builder = Sandbox.builder().image("localhost/busybox:latest");

        assertThatThrownBy(() -> {
            change.accept(builder);
            builder.build();
        }).isInstanceOf(SandboxConfigException.class).hasMessageContaining(message);
    }

    static Stream<Arguments> badPolicyPatterns() {
        return Stream.of("*", "*.com", "*.co.uk", "**", "a..b.com", "exa mple.com", "-bad-.com", "a*.example.com",
                "example.com\0.evil", "x".repeat(64) + ".com", ("a".repeat(60) + ".").repeat(5) + "com", "",
                "http://example.com", "example.com:443", "ex\nample.com", "*.*.example.com")
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "allow(\"{0}\")")
    @MethodSource("badPolicyPatterns")
    void aBadHostPatternIsRejectedWhenThePolicyIsBuilt(String pattern) {
        assertThatThrownBy(() -> EgressPolicy.denyAll().allow(pattern)).isInstanceOf(SandboxConfigException.class);
    }

    static Stream<Arguments> badCidrs() {
        return Stream.of("203.0.113.0/33", "203.0.113.0/-1", "300.0.0.1/32", "::1/129",
                "203.0.113.0/24; flush ruleset", "0x7f.0.0.1/32").map(Arguments::of);
    }

    @ParameterizedTest(name = "allowCidr(\"{0}\")")
    @MethodSource("badCidrs")
    void aBadCidrIsRejectedWhenThePolicyIsBuilt(String cidr) {
        assertThatThrownBy(() -> EgressPolicy.denyAll().allowCidr(cidr)).isInstanceOf(SandboxConfigException.class);
    }

    static Stream<Arguments> badConfigFiles() {
        return Stream.of(
                Arguments.of("not JSON", "{image: busybox"),
                Arguments.of("unknown key", "{\"image\": \"localhost/busybox:latest\", \"imagee\": 1}"),
                Arguments.of("wrong type", "{\"image\": 42}"),
                Arguments.of("env with NUL", "{\"image\": \"localhost/busybox:latest\", \"env\": {\"A\": \"a\\u0000b\"}}"),
                Arguments.of("mount target escaping", "{\"image\": \"localhost/busybox:latest\", \"mounts\": "
                        + "[{\"source\": \".\", \"target\": \"/work/../../etc\"}]}"),
                Arguments.of("egress wildcard everything", "{\"image\": \"localhost/busybox:latest\", \"egress\": "
                        + "{\"default\": \"deny\", \"rules\": [\"allow *\"]}}"),
                Arguments.of("negative cpus", "{\"image\": \"localhost/busybox:latest\", \"cpus\": -2}"),
                Arguments.of("duplicate key", "{\"image\": \"localhost/busybox:latest\", \"image\": \"x\"}"),
                Arguments.of("deep nesting", "{\"image\": " + "[".repeat(10_000) + "]".repeat(10_000) + "}"),
                Arguments.of("huge number", "{\"image\": \"localhost/busybox:latest\", \"cpus\": 1e999999}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigFiles")
    void aBadConfigFileIsATypedErrorWithItsLocation(String what, String json, @TempDir Path dir) throws IOException {
        Path file = dir.resolve("sandbox.json");
        Files.writeString(file, json, StandardCharsets.UTF_8);

        assertThatThrownBy(() -> SandboxConfigFile.load(file)).isInstanceOf(SandboxConfigFileException.class)
                .hasMessageContaining("sandbox.json");
    }

    static Stream<Arguments> literalArguments() {
        return Stream.of("$(id)", "`id`", "a; echo pwned", "a && echo pwned", "a | cat", "> /tmp/x", "*", "~",
                "'single' \"double\"", "back\\slash", "line1\nline2", "tab\there", "-n", "--", "${PATH}", "%s %n",
                "é ü 中文 🙂", " leading and trailing ").map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("literalArguments")
    void anExecArgumentReachesTheProgramLiterallyNeverThroughAShell(String argument) {
        ExecResult r = sandbox().exec("printf", "%s", argument);

        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo(argument);
    }

    @Test
    void anExecArgumentWithNulIsATypedError() {
        assertThatThrownBy(() -> Exec.of("printf", "%s", "a\0b")).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("NUL");
    }

    @Test
    void aLargeEnvValueWithShellMetacharactersReachesTheProgramLiterally() {
        String value = "$(id);`id`\n".repeat(10_000);

        ExecResult r = sandbox().exec(Exec.builder("sh", "-c", "printf %s \"$BIG\" | wc -c").env("BIG", value).build());

        assertThat(r.stdout().strip()).isEqualTo(String.valueOf(value.length()));
    }

    /**
     * A mount of a directory holding a symlink to a host path: the link is copied as a link, and the container
     * resolves it in its own filesystem, not the host's. So a link to {@code /etc} shows the image's /etc, and a
     * link to a host directory outside the mount shows nothing. Mounts never widen what the container sees beyond
     * the mounted tree; but a link's target must not be trusted by host code either (see docs/reliability.md).
     */
    @Test
    void aSymlinkInAMountedDirectoryResolvesInsideTheContainerNotOnTheHost(@TempDir Path dir) throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "host secret\n");
        Path mounted = Files.createDirectories(dir.resolve("mounted"));
        Files.createSymbolicLink(mounted.resolve("etc-link"), Path.of("/etc"));
        Files.createSymbolicLink(mounted.resolve("abs-link"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(mounted.resolve("rel-link"), Path.of("../outside/secret.txt"));
        Files.writeString(mounted.resolve("plain.txt"), "in the mount\n");
        String hostOsRelease = Files.exists(Path.of("/etc/os-release")) ? "present" : "absent";
        try (Sandbox s = Sandbox.builder().image(TestImages.busybox()).runtime("podman")
                .egress(EgressPolicy.allowAll()).mountReadOnly(mounted, "/work").start()) {

            ExecResult plain = s.exec("cat", "/work/plain.txt");
            ExecResult abs = s.exec("cat", "/work/abs-link");
            ExecResult rel = s.exec("cat", "/work/rel-link");
            ExecResult etc = s.exec("sh", "-c", "ls /work/etc-link/; test -e /work/etc-link/os-release; echo rc=$?");
            ExecResult imageEtc = s.exec("ls", "/etc/");

            assertThat(plain.stdout()).isEqualTo("in the mount\n");
            assertThat(abs.exitCode()).as("host path behind an absolute link").isNotZero();
            assertThat(rel.exitCode()).as("host path behind a relative link").isNotZero();
            assertThat(abs.stdout() + rel.stdout()).doesNotContain("host secret");
            assertThat(hostOsRelease).as("positive control: the host has /etc/os-release").isEqualTo("present");
            assertThat(etc.stdout()).as("the image's /etc, not the host's").contains("rc=1")
                    .startsWith(imageEtc.stdout());
        }
        assertThat(Files.readString(outside.resolve("secret.txt"))).isEqualTo("host secret\n");
    }

    @Test
    void aMountSourceWithDotDotIsNormalisedOnTheHostBeforeItIsUsed(@TempDir Path dir) throws IOException {
        Path inner = Files.createDirectories(dir.resolve("a/b"));

        Mount m = new Mount(inner.resolve("../../a/b/./"), "/work/", false);

        assertThat(m.source()).isEqualTo(inner.toAbsolutePath().normalize());
        assertThat(m.target()).isEqualTo("/work");
        assertThat(List.of(m.toString())).allMatch(t -> !t.contains(".."));
    }
}
