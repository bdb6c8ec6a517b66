package dev.sandbox4j.egress.internal.macos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.internal.relay.RelayProtocol;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.EgressSession;
import dev.sandbox4j.spi.HostEnvironment;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MacEgressProviderTest {
    @org.junit.jupiter.api.io.TempDir
    Path cache;

    private static final HostEnvironment MAC = HostEnvironment.of(HostEnvironment.Os.MACOS, "aarch64", "26.0", 10,
            32L << 30, java.util.OptionalInt.empty(), Map.of());
    private static final HostEnvironment LINUX = HostEnvironment.of(HostEnvironment.Os.LINUX, "x86_64", "6.1", 2,
            8L << 30, java.util.OptionalInt.empty(), Map.of());

    private static SandboxSpec spec() {
        return Sandbox.builder().image("localhost/busybox:latest").egress(EgressPolicy.denyAll().allow("a.example")
                .withUpstream(new java.net.InetSocketAddress("127.0.0.1", 5353))).build();
    }

    @Test
    void aNonRootJvmOnMacosIsPolicedAndOtherHostsOrRuntimesAreNot() {
        // given
        MacEgressProvider provider = new MacEgressProvider();
        FakeAppleBackend apple = new FakeAppleBackend();

        // then: nothing about the user the JVM runs as is asked
        assertThat(provider.supports(apple, MAC)).isTrue();
        assertThat(provider.supports(apple, LINUX)).isFalse();
        assertThat(provider.unsupportedReason(apple, LINUX)).contains("on LINUX");
    }

    @Test
    void aSessionAsksForNoNicItsInitImageTheRelaySocketAndNoNetworkCapabilities() throws IOException {
        // given
        MacEgressProvider provider = new MacEgressProvider(CommandRunner.system(), backend -> "localhost/init:test");

        // when
        Path socket;
        try (EgressSession session = provider.prepare(spec(), new FakeAppleBackend(), "sb4j-mactest", Map.of())) {
            socket = session.mounts().get(0).source();

            // then
            assertThat(session.network()).contains("none");
            assertThat(session.dns()).containsExactly("127.0.0.1");
            assertThat(session.capDrop()).containsExactly("NET_ADMIN", "NET_RAW");
            assertThat(session.initImage()).contains("localhost/init:test");
            assertThat(session.mounts()).singleElement().satisfies(m -> {
                assertThat(m.target()).isEqualTo("/run/sandbox4j/egress.sock");
                assertThat(m.readOnly()).isFalse();
            });
            assertThat(hello(socket).status()).isEqualTo(RelayProtocol.OK);
            assertThat(Files.getPosixFilePermissions(socket.getParent()))
                    .as("only this user can reach the socket").hasSize(3);
        }
        assertThat(socket).doesNotExist();
    }

    private static RelayProtocol.Reply hello(Path socket) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            Channels.newOutputStream(ch).write(RelayProtocol.request(new RelayProtocol.Hello()));
            return RelayProtocol.readReply(Channels.newInputStream(ch));
        }
    }

    @Test
    void theInitImageIsBuiltFromTheInstalledVminitWithTheArm64GuestPieceAndReusedWhilePresent() throws IOException {
        // given: `container system property list --format json` as 1.2.2 prints it (constructed from
        // ContainerSystemConfig.swift / VminitConfig at apple/container 1.2.2, other sections left out; not captured)
        String properties = "{\"dns\":{},\"vminit\":{\"image\":\"ghcr.io/apple/containerization/vminit:0.40.1\"}}";
        CommandRunner runner = new CommandRunner() {
            @Override
            public dev.sandbox4j.spi.CommandResult run(dev.sandbox4j.spi.Command command) {
                assertThat(command.argv()).containsExactly("/usr/local/bin/container", "system", "property",
                        "list", "--format", "json");
                return new dev.sandbox4j.spi.CommandResult(command.argv(), 0, properties.getBytes(), new byte[0],
                        java.time.Duration.ZERO, 0);
            }

            @Override
            public dev.sandbox4j.spi.RunningCommand start(dev.sandbox4j.spi.Command command) {
                throw new AssertionError("unexpected " + command.argv());
            }
        };
        FakeAppleBackend backend = new FakeAppleBackend();
        System.setProperty(MacInitImage.CLI_PROPERTY, "/usr/local/bin/container");
        System.setProperty(MacInitImage.CACHE_PROPERTY, cache.toString());
        try {
            MacInitImage.Source source = MacInitImage.building(runner, MAC);

            // when
            String first = source.image(backend);
            String second = source.image(backend);
            backend.store.clear();  // pruned meanwhile
            String third = source.image(backend);

            // then
            assertThat(second).isEqualTo(first);
            assertThat(third).isNotEqualTo(first);
            assertThat(backend.builds).hasSize(2);
            dev.sandbox4j.ImageSource.Build build = (dev.sandbox4j.ImageSource.Build) backend.builds.get(0).image();
            assertThat(build.buildArgs()).isEqualTo(Map.of("VMINIT", "ghcr.io/apple/containerization/vminit:0.40.1"));
            assertThat(Files.readString(build.dockerfile())).isEqualTo(MacInitImage.containerfile());
            assertThat(Files.readAllBytes(build.context().resolve("sb4j-guest"))).isEqualTo(MacInitImage.guestBinary());
            assertThat(Files.isExecutable(build.context().resolve("sb4j-guest"))).isTrue();
        } finally {
            System.clearProperty(MacInitImage.CLI_PROPERTY);
            System.clearProperty(MacInitImage.CACHE_PROPERTY);
        }
    }

    @Test
    void theGuestPieceInTheJarIsAStaticArm64LinuxExecutable() {
        // when
        byte[] elf = MacInitImage.guestBinary();

        // then: ELF magic, 64-bit, little-endian, e_machine 0xB7 (AArch64)
        assertThat(List.of(elf[0], elf[1], elf[2], elf[3], elf[4], elf[5])).containsExactly(
                (byte) 0x7f, (byte) 'E', (byte) 'L', (byte) 'F', (byte) 2, (byte) 1);
        assertThat(elf[18] & 0xFF).isEqualTo(0xB7);
        assertThat(Optional.of(elf.length)).hasValueSatisfying(n -> assertThat(n).isLessThan(2 << 20));
    }

    @Test
    void aContainerWithoutTheVminitPropertyFailsWithTheFix() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MacInitImage.baseFromProperties("{\"dns\":{}}"))
                .isInstanceOf(dev.sandbox4j.SandboxConfigException.class)
                .hasMessageContaining("-D" + MacInitImage.BASE_PROPERTY);
    }
}
