package dev.sandbox4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.spi.HostEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxSpecTest {
    private static final String IMAGE = "localhost/busybox:latest";

    @TempDir
    Path tmp;

    private static SandboxSpec.Builder valid() {
        return Sandbox.builder().image(IMAGE);
    }

    @Test
    void specWithoutImageIsRejectedNamingTheSetters() {
        // given
        SandboxSpec.Builder builder = Sandbox.builder();

        // when / then
        assertThatThrownBy(builder::build)
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("no image")
                .hasMessageContaining("image(\"localhost/busybox:latest\")")
                .hasMessageContaining("dockerfile(dir)");
    }

    @Test
    void minimalSpecHasTheDocumentedDefaults() {
        // given
        SandboxSpec.Builder builder = valid();

        // when
        SandboxSpec spec = builder.build();

        // then
        assertThat(spec.image()).isEqualTo(new ImageSource.Reference(IMAGE));
        assertThat(spec.command()).isEmpty();
        assertThat(spec.cpus()).isZero();
        assertThat(spec.memory()).isEmpty();
        assertThat(spec.runtime()).isEmpty();
        assertThat(spec.startupTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(spec.pullPolicy()).isEqualTo(PullPolicy.NEVER);
    }

    @Test
    void malformedImageReferenceIsRejectedWhenSet() {
        // given
        SandboxSpec.Builder builder = Sandbox.builder();

        // when / then
        assertThatThrownBy(() -> builder.image("Local Host/BusyBox"))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("with a lowercase name, e.g. localhost/busybox:latest");
    }

    @Test
    void mountSourceThatDoesNotExistIsRejectedAtStartWithTheFix() {
        // given
        Path missing = tmp.resolve("missing");
        SandboxSpec spec = valid().mount(missing, "/work").build();

        // when / then: building reads nothing from the host; starting checks the host first
        assertThatThrownBy(spec::start)
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist: create it first");
    }

    @Test
    void mountSourceThatExistsIsAccepted() {
        // given
        SandboxSpec.Builder builder = valid().mount(tmp, "/work");

        // when
        SandboxSpec spec = builder.build();

        // then
        assertThat(spec.mounts()).containsExactly(new Mount(tmp, "/work", false));
    }

    @Test
    void mountTargetThatIsNotAbsoluteIsRejected() {
        // given
        SandboxSpec.Builder builder = valid();

        // when / then
        assertThatThrownBy(() -> builder.mount(tmp, "work"))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("write it like /work");
    }

    @Test
    void twoMountsOnTheSameTargetAreRejected() throws IOException {
        // given
        Path other = Files.createDirectory(tmp.resolve("other"));
        SandboxSpec.Builder builder = valid().mount(tmp, "/work").mountReadOnly(other, "/work/");

        // when / then
        assertThatThrownBy(builder::build)
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("two mounts target /work")
                .hasMessageContaining("each target path may be used once");
    }

    @Test
    void publishedPortOutOfRangeIsRejected() {
        // given
        SandboxSpec.Builder builder = valid();

        // when / then
        assertThatThrownBy(() -> builder.publish(70000))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("container port 70000 is out of range: use 1-65535");
    }

    @Test
    void containerPortPublishedTwiceIsRejected() {
        // given
        SandboxSpec.Builder builder = valid().publish(8080).publish(9000, 8080);

        // when / then
        assertThatThrownBy(builder::build)
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("8080/tcp is published twice: publish each port once");
    }

    @Test
    void samePortNumberForTcpAndUdpIsAccepted() {
        // given
        SandboxSpec.Builder builder = valid().publish(PortMapping.parse("53/tcp")).publish(PortMapping.parse("53/udp"));

        // when
        SandboxSpec spec = builder.build();

        // then
        assertThat(spec.ports()).hasSize(2);
    }

    @Test
    void zeroCpusAreRejected() {
        // given
        SandboxSpec.Builder builder = valid();

        // when / then
        assertThatThrownBy(() -> builder.cpus(0))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("cpus must be positive, got 0.0");
    }

    @Test
    void negativeCpusAreRejected() {
        // given
        SandboxSpec.Builder builder = valid();

        // when / then
        assertThatThrownBy(() -> builder.cpus(-1))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("cpus must be positive");
    }

    @Test
    void moreCpusThanTheHostHasAreRejectedAtStartWithTheMaximum() {
        // given
        int hostCpus = HostEnvironment.current().cpuCount();
        SandboxSpec spec = valid().cpus(hostCpus + 1).build();

        // when / then
        assertThatThrownBy(spec::start)
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("more than this host has (" + hostCpus + ")")
                .hasMessageContaining("ask for at most " + hostCpus);
    }

    @Test
    void allCpusOfTheHostAreAccepted() {
        // given
        int hostCpus = HostEnvironment.current().cpuCount();

        // when
        SandboxSpec spec = valid().cpus(hostCpus).build();

        // then
        assertThat(spec.cpus()).isEqualTo(hostCpus);
    }

    @Test
    void infiniteCpusAreRejected() {
        // given
        SandboxSpec.Builder builder = valid();

        // when / then
        assertThatThrownBy(() -> builder.cpus(Double.POSITIVE_INFINITY).build())
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("cpus");
    }

    @Test
    void memoryWithUnknownUnitIsRejected() {
        // given
        SandboxSpec.Builder builder = valid();

        // when / then
        assertThatThrownBy(() -> builder.memory("12x"))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("for example 512m or 2g");
    }

    @Test
    void moreMemoryThanTheHostHasIsRejectedAtStart() {
        // given
        long physical = HostEnvironment.current().physicalMemory();
        SandboxSpec spec = valid().memory(MemorySize.ofBytes(physical + (1L << 30))).build();

        // when / then
        assertThat(physical).isPositive();
        assertThatThrownBy(spec::start)
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("more than this host has")
                .hasMessageContaining("ask for less");
    }

    @Test
    void unknownRuntimeIsRejectedAtStartListingTheKnownOnes() {
        // given
        SandboxSpec spec = valid().runtime("docker-desktop").build();

        // when / then
        assertThatThrownBy(spec::start)
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("unknown runtime \"docker-desktop\"")
                .hasMessageContaining("choose one of ")
                .hasMessageContaining("podman")
                .hasMessageContaining("leave it unset to detect one");
    }

    @Test
    void knownRuntimeIsAccepted() {
        // given
        SandboxSpec.Builder builder = valid().runtime("podman");

        // when
        SandboxSpec spec = builder.build();

        // then
        assertThat(spec.runtime()).contains("podman");
    }

    @Test
    void envNameStartingWithADigitIsRejected() {
        // given
        SandboxSpec.Builder builder = valid();

        // when / then
        assertThatThrownBy(() -> builder.env("1ST", "x"))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("use letters, digits and '_', not starting with a digit");
    }

    @Test
    void envValueWithNulIsRejected() {
        // given
        SandboxSpec.Builder builder = valid();

        // when / then
        assertThatThrownBy(() -> builder.env("MODE", "a\0b"))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("MODE contains a NUL byte");
    }

    @Test
    void hugeEnvValueIsRejectedPointingToCopyTo() {
        // given
        String huge = "x".repeat(128 * 1024 + 1);
        SandboxSpec.Builder builder = valid();

        // when / then
        assertThatThrownBy(() -> builder.env("DATA", huge))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("the limit is 131072")
                .hasMessageContaining("pass large data as a file with copyTo");
    }

    @Test
    void envValueAtTheLimitIsAccepted() {
        // given
        String atLimit = "x".repeat(128 * 1024);

        // when
        SandboxSpec spec = valid().env("DATA", atLimit).build();

        // then
        assertThat(spec.env()).containsEntry("DATA", atLimit);
    }

    @Test
    void labelWithTheReservedPrefixIsRejected() {
        // given
        SandboxSpec.Builder builder = valid().label("dev.sandbox4j.owner", "me");

        // when / then
        assertThatThrownBy(builder::build)
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("reserved prefix dev.sandbox4j")
                .hasMessageContaining("choose another key");
    }

    @Test
    void labelValueWithEqualsSignIsRejected() {
        // given
        SandboxSpec.Builder builder = valid().label("team", "a=b");

        // when / then
        assertThatThrownBy(builder::build)
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("label team has a value with '='")
                .hasMessageContaining("choose a plain value");
    }

    @Test
    void toBuilderOfASpecBuildsAnEqualSpec() throws IOException {
        // given
        Path src = Files.createDirectory(tmp.resolve("src"));
        SandboxSpec spec = valid()
                .command("httpd", "-f")
                .mount(tmp, "/work")
                .mountReadOnly(src, "/src")
                .publish(8080)
                .publish(9000, 9001)
                .cpus(1)
                .memory("512m")
                .env("MODE", "test")
                .workdir("/work")
                .user("1000:1000")
                .label("team", "agents")
                .runtime("podman")
                .startupTimeout(Duration.ofSeconds(5))
                .pullPolicy(PullPolicy.MISSING)
                .build();

        // when
        SandboxSpec again = spec.toBuilder().build();

        // then
        assertThat(again).isEqualTo(spec);
    }

    @Test
    void builtSpecIsUnaffectedByLaterBuilderChanges() throws IOException {
        // given
        Path other = Files.createDirectory(tmp.resolve("other"));
        SandboxSpec.Builder builder = valid().env("A", "1").label("team", "agents").mount(tmp, "/work").publish(80);
        SandboxSpec first = builder.build();

        // when
        builder.env("B", "2").label("tier", "x").mount(other, "/other").publish(81).command("true");
        SandboxSpec second = builder.build();

        // then
        assertThat(first.env()).containsOnlyKeys("A");
        assertThat(first.labels()).containsOnlyKeys("team");
        assertThat(first.mounts()).hasSize(1);
        assertThat(first.ports()).hasSize(1);
        assertThat(first.command()).isEmpty();
        assertThat(second.env()).containsOnlyKeys("A", "B");
        assertThat(second.mounts()).hasSize(2);
    }

    @Test
    void specCollectionsCannotBeModified() {
        // given
        SandboxSpec spec = valid().env("A", "1").build();

        // when / then
        assertThatThrownBy(() -> spec.env().put("B", "2")).isInstanceOf(UnsupportedOperationException.class);
    }
}
