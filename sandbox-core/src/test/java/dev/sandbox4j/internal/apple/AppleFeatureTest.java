package dev.sandbox4j.internal.apple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every version gate with the evidence for its release, read from apple/container's tags with
 * {@code git show <tag>:<path>} (and apple/containerization's where the runtime decides). The feature is absent
 * at the tag before and present at the one named. A feature added to {@link AppleFeature} without a row here
 * fails {@link #everyGateHasACitation()}.
 */
class AppleFeatureTest {
    @TempDir
    Path tmp;

    /** Feature, first release, and where that is visible. */
    static Stream<Arguments> citations() {
        return Stream.of(
                Arguments.of(AppleFeature.NETWORKS, "0.2.0",
                        "Sources/ContainerClient/Flags.swift `var networks` (--network) and Sources/CLI/Network/*: "
                                + "absent at 0.1.0"),
                Arguments.of(AppleFeature.NETWORK_LABELS, "0.5.0",
                        "Sources/ContainerCommands/Network/NetworkCreate.swift `var labels`: NetworkCreate.swift at "
                                + "0.4.1 has none"),
                Arguments.of(AppleFeature.PUBLISH, "0.3.0", "Sources/ContainerClient/Flags.swift `publishPorts` (#352)"),
                Arguments.of(AppleFeature.PLATFORM, "0.4.0", "Sources/ContainerClient/Flags.swift `var platform: String`"),
                Arguments.of(AppleFeature.IMAGE_COMMAND_GROUP, "0.5.0",
                        "Sources/ContainerCommands/Image/ImageCommand.swift `commandName: \"image\"`"),
                Arguments.of(AppleFeature.NETWORK_NONE, "0.6.0",
                        "Sources/ContainerClient/Core/ClientNetwork.swift `noNetworkName = \"none\"` (#739)"),
                Arguments.of(AppleFeature.PROGRESS, "0.7.0",
                        "Sources/ContainerClient/Flags.swift `ProgressType` none|ansi; 0.6.0 has "
                                + "--disable-progress-updates"),
                Arguments.of(AppleFeature.PORT_RANGES, "0.7.0", "commit 8685bb2c \"Add support for publish port "
                        + "ranges (#801)\" between 0.6.0 and 0.7.0"),
                Arguments.of(AppleFeature.READ_ONLY, "0.8.0",
                        "Sources/Services/ContainerAPIService/Client/Flags.swift `var readOnly`"),
                Arguments.of(AppleFeature.IPV6_PUBLISH, "0.8.0",
                        "commit 98410fdb \"Adds IPv6 port forwarding. (#1029)\" between 0.7.1 and 0.8.0"),
                Arguments.of(AppleFeature.SINGLE_FILE_MOUNTS, "0.9.0",
                        "apple/containerization Sources/Containerization/FileMount.swift first in 0.23.1 (#487); "
                                + "Package.swift scVersion 0.21.1 at container 0.8.0, 0.24.5 at 0.9.0"),
                Arguments.of(AppleFeature.ULIMIT, "0.9.0",
                        "Sources/Services/ContainerAPIService/Client/Flags.swift `var ulimits`: absent at 0.8.0"),
                Arguments.of(AppleFeature.INIT_IMAGE, "0.10.0", "Client/Flags.swift `var initImage`: absent at 0.9.0"),
                Arguments.of(AppleFeature.INIT, "0.10.0", "Client/Flags.swift `var useInit`: absent at 0.9.0"),
                Arguments.of(AppleFeature.STATUS_JSON, "0.10.0",
                        "Sources/ContainerCommands/System/SystemStatus.swift `var format`"),
                Arguments.of(AppleFeature.SYSTEM_VERSION, "0.10.0",
                        "Sources/ContainerCommands/System/SystemVersion.swift first exists"),
                Arguments.of(AppleFeature.CAP_DROP, "0.12.0", "Client/Flags.swift `var capDrop`"),
                Arguments.of(AppleFeature.DNS_VALIDATED, "0.12.0",
                        "Package.swift scVersion 0.31.0 at 0.12.0 (0.29.0 at 0.11.0); containerization DNS.validate() "
                                + "since 0.30.0 (#534)"),
                Arguments.of(AppleFeature.JSON_1X, "1.0.0",
                        "Sources/ContainerResource/Container/ManagedContainer.swift first exists"),
                Arguments.of(AppleFeature.COPY, "1.0.0", "Sources/ContainerCommands/Container/ContainerCopy.swift first exists"),
                Arguments.of(AppleFeature.MULTIPLE_NETWORKS, "1.0.0",
                        "Package.swift scVersion 0.33.3 at 1.0.0 (0.31.0 at 0.12.3); containerization 0.32.0 routes "
                                + "only the first interface by default (#697)"));
    }

    @ParameterizedTest(name = "{0} since {1}")
    @MethodSource("citations")
    void gateOpensAtTheReleaseTheSourcesShow(AppleFeature feature, String since, String evidence) {
        // when
        AppleCliVersion release = AppleCliVersion.parse(since);

        // then
        assertThat(evidence).isNotBlank();
        assertThat(feature.since()).isEqualTo(release);
        assertThat(feature.supportedBy(release)).isTrue();
        assertThat(feature.supportedBy(before(release))).isFalse();
    }

    @Test
    void everyGateHasACitation() {
        assertThat(citations().map(a -> (AppleFeature) a.get()[0]))
                .containsExactlyInAnyOrderElementsOf(Arrays.asList(AppleFeature.values()));
    }

    @Test
    void networkLabelsOnA04CliAreRefusedNamingTheRelease() {
        // given
        AppleContainerArgs args = new AppleContainerArgs("/usr/local/bin/container", AppleCliVersion.parse("0.4.1"));

        // when / then
        assertThatThrownBy(() -> args.networkCreate("sb4j-net-1", Map.of("dev.sandbox4j.managed", "true")))
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("0.5.0")
                .hasMessageContaining("container 0.4.1 lacks");
        assertThat(args.networkCreate("sb4j-net-1", Map.of()))
                .containsExactly("/usr/local/bin/container", "network", "create", "sb4j-net-1");
    }

    @Test
    void mountingASingleFileNeeds090AndADirectoryDoesNot() throws IOException {
        // given
        Path file = Files.writeString(tmp.resolve("config.json"), "{}");
        Path dir = Files.createDirectories(tmp.resolve("work"));
        SandboxSpec fileMount = Sandbox.builder().image("docker.io/library/alpine:3.20").mount(file, "/etc/app.json")
                .build();
        SandboxSpec dirMount = Sandbox.builder().image("docker.io/library/alpine:3.20").mount(dir, "/work").build();
        AppleHostCheck.Limits mac = new AppleHostCheck.Limits(10, 32L << 30, 32L << 30);
        AppleContainerBackend old = new AppleContainerBackend(new ScriptedRunner(),
                new AppleContainerArgs("/usr/local/bin/container", AppleCliVersion.parse("0.8.0")),
                AppleRunOptions.DEFAULTS, mac);
        AppleContainerBackend current = new AppleContainerBackend(new ScriptedRunner(),
                new AppleContainerArgs("/usr/local/bin/container", AppleCliVersion.parse("0.9.0")),
                AppleRunOptions.DEFAULTS, mac);

        // when / then
        assertThatThrownBy(() -> old.validate(fileMount)).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("mounting a single file").hasMessageContaining("0.9.0");
        old.validate(dirMount);
        current.validate(fileMount);
    }

    /** The release just before: the previous patch, else the highest of the previous minor as far as it matters. */
    private static AppleCliVersion before(AppleCliVersion v) {
        if (v.patch() > 0) {
            return new AppleCliVersion(v.major(), v.minor(), v.patch() - 1);
        }
        if (v.minor() > 0) {
            return new AppleCliVersion(v.major(), v.minor() - 1, 99);
        }
        return new AppleCliVersion(v.major() - 1, 99, 99);
    }
}
