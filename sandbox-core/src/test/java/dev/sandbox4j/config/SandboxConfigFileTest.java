package dev.sandbox4j.config;

import static dev.sandbox4j.config.Fixtures.fixture;
import static dev.sandbox4j.config.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.ImageSource;
import dev.sandbox4j.MemorySize;
import dev.sandbox4j.Mount;
import dev.sandbox4j.PortMapping;
import dev.sandbox4j.PullPolicy;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.egress.EgressPolicy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxConfigFileTest {

    @TempDir
    Path dir;

    // ---------------------------------------------------------------------------------------- reading

    @Test
    void fullFileSetsEveryKeyWithPathsRelativeToTheFile() {
        // given
        Path file = fixture("full/sandbox.json");
        Path base = file.getParent();

        // when
        SandboxDefinition def = SandboxConfigFile.load(file);

        // then
        SandboxSpec spec = def.template();
        assertThat(spec.image()).isEqualTo(new ImageSource.Reference("localhost/sandbox4j-test/busybox:latest"));
        assertThat(spec.command()).containsExactly("sh", "-c", "sleep 3600");
        assertThat(spec.mounts()).containsExactly(new Mount(base.resolve("work"), "/work", false),
                new Mount(base.resolve("src"), "/src", true));
        assertThat(spec.ports()).containsExactly(PortMapping.of(8080), PortMapping.of(9000, 9000),
                new PortMapping("127.0.0.1", 0, 5353, "udp"));
        assertThat(spec.cpus()).isEqualTo(1.0);
        assertThat(spec.memory()).contains(MemorySize.parse("512m"));
        assertThat(spec.env()).containsExactly(Map.entry("MODE", "test"),
                Map.entry("PIP_INDEX_URL", "https://pypi.org/simple"));
        assertThat(spec.workdir()).contains("/work");
        assertThat(spec.user()).contains("1000:1000");
        assertThat(spec.labels()).containsExactly(Map.entry("team", "agents"));
        assertThat(spec.startupTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(spec.runtime()).contains("podman");
        assertThat(spec.pullPolicy()).isEqualTo(PullPolicy.MISSING);
    }

    @Test
    void egressSectionIsReadAsNormalisedRulesAndUpstreams() {
        // given
        Path file = fixture("full/sandbox.json");

        // when
        Optional<EgressConfig> egress = SandboxConfigFile.load(file).egress();

        // then
        assertThat(egress).contains(new EgressConfig(EgressConfig.Default.DENY,
                List.of("allow pypi.org", "allow *.pythonhosted.org:443", "allow-cidr 203.0.113.0/24",
                        "deny evil.example.com"),
                List.of(new InetSocketAddress("127.0.0.1", 5353))));
    }

    @Test
    void egressRulesBecomeThePolicyInOrder() {
        // given
        SandboxDefinition def = SandboxConfigFile.load(fixture("full/sandbox.json"));

        // when
        EgressPolicy policy = def.toBuilder().build().egress();

        // then
        assertThat(policy.defaultAllows()).isFalse();
        assertThat(policy.rules()).isNotEmpty();
        assertThat(policy.rules().stream().map(Object::toString).toList())
                .isEqualTo(def.egress().orElseThrow().rules());
    }

    @Test
    void anEgressPolicyRoundTripsThroughAConfigFile() {
        // given
        EgressPolicy policy = EgressPolicy.denyAll().allow("pypi.org").allow("*.pythonhosted.org", 443)
                .deny("evil.example.com").allowCidr("203.0.113.0/24", 80, 443)
                .withUpstream(new java.net.InetSocketAddress("127.0.0.1", 5353));
        SandboxSpec spec = dev.sandbox4j.Sandbox.builder().image("localhost/busybox:latest").egress(policy).build();
        Path file = write(dir, "sandbox.json", SandboxConfigFile.write(spec));

        // when
        SandboxSpec back = SandboxConfigFile.read(file).build();

        // then
        assertThat(back.egress()).isEqualTo(policy);
    }

    @Test
    void egressDefaultAllowBecomesAllowAll() {
        // given
        Path file = write(dir, "sandbox.json", """
                {"image": "localhost/busybox:latest", "egress": {"default": "allow"}}
                """);

        // when
        SandboxSpec spec = SandboxConfigFile.read(file).build();

        // then
        assertThat(spec.egress()).isSameAs(EgressPolicy.allowAll());
    }

    @Test
    void missingEgressSectionLeavesTheLibraryDefault() {
        // given
        Path file = write(dir, "sandbox.json", """
                {"image": "localhost/busybox:latest"}
                """);

        // when
        SandboxDefinition def = SandboxConfigFile.load(file);

        // then
        assertThat(def.egress()).isEmpty();
        assertThat(def.spec().egress()).isSameAs(EgressPolicy.DEFAULT);
    }

    @Test
    void buildSectionResolvesDockerfileAndContextAgainstTheFile() {
        // given
        Path file = fixture("build/sandbox.json");
        Path base = file.getParent();

        // when
        SandboxSpec spec = SandboxConfigFile.read(file).build();

        // then
        assertThat(spec.image()).isEqualTo(new ImageSource.Build(base, base.resolve("docker/Containerfile"),
                Map.of("PYTHON_VERSION", "3.12")));
    }

    @Test
    void startupTimeoutAcceptsIso8601AndCombinedUnits() {
        // given
        Path iso = write(dir, "a/sandbox.json", """
                {"image": "localhost/busybox:latest", "startupTimeout": "PT2M"}
                """);
        Path combined = write(dir, "b/sandbox.json", """
                {"image": "localhost/busybox:latest", "startupTimeout": "1m30s"}
                """);

        // when
        Duration a = SandboxConfigFile.read(iso).build().startupTimeout();
        Duration b = SandboxConfigFile.read(combined).build().startupTimeout();

        // then
        assertThat(a).isEqualTo(Duration.ofMinutes(2));
        assertThat(b).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void lifetimesAreReadAndWrittenBack() {
        // given
        Path file = write(dir, "life/sandbox.json", """
                {"image": "localhost/busybox:latest", "idleTimeout": "15m", "maxLifetime": "2h"}
                """);

        // when
        SandboxSpec spec = SandboxConfigFile.read(file).build();
        String written = SandboxConfigFile.write(spec);

        // then
        assertThat(spec.idleTimeout()).contains(Duration.ofMinutes(15));
        assertThat(spec.maxLifetime()).contains(Duration.ofHours(2));
        assertThat(written).contains("\"idleTimeout\"").contains("\"maxLifetime\"");
        assertThat(SandboxConfigFile.read(write(dir, "back/sandbox.json", written)).build()).isEqualTo(spec);
    }

    @Test
    void aLifetimeBelowOneSecondFailsWithItsPosition() {
        // given
        Path file = write(dir, "short/sandbox.json", """
                {"image": "localhost/busybox:latest", "idleTimeout": "10ms"}
                """);

        // when / then
        assertThatThrownBy(() -> SandboxConfigFile.read(file)).isInstanceOf(SandboxConfigFileException.class)
                .hasMessageContaining("idleTimeout").hasMessageContaining("at least 1 second");
    }

    // ---------------------------------------------------------------------------------------- strictness

    @Test
    void unknownKeyFailsWithItsPositionAndTheClosestKey() {
        // given
        Path file = write(dir, "sandbox.json", """
                {
                  "image": "localhost/busybox:latest",
                  "memroy": "512m"
                }
                """);

        // when / then
        assertThatThrownBy(() -> SandboxConfigFile.load(file))
                .isInstanceOf(SandboxConfigFileException.class)
                .hasMessageStartingWith(file + ":3:3: ")
                .hasMessageContaining("\"memroy\" is not a sandbox.json key: did you mean \"memory\"?")
                .satisfies(e -> {
                    SandboxConfigFileException f = (SandboxConfigFileException) e;
                    assertThat(f.line()).isEqualTo(3);
                    assertThat(f.column()).isEqualTo(3);
                    assertThat(f.file()).isEqualTo(file);
                });
    }

    @Test
    void unknownKeyInsideAMountSuggestsTheCamelCaseKey() {
        // given
        Path file = write(dir, "sandbox.json", """
                {
                  "image": "localhost/busybox:latest",
                  "mounts": [
                    {"source": ".", "target": "/work", "readonly": true}
                  ]
                }
                """);

        // when / then
        assertThatThrownBy(() -> SandboxConfigFile.load(file))
                .isInstanceOf(SandboxConfigFileException.class)
                .hasMessageStartingWith(file + ":4:40: ")
                .hasMessageContaining("did you mean \"readOnly\"?");
    }

    @Test
    void unknownKeyFarFromEveryKeyIsToldToGoAndListsTheKnownKeys() {
        // given
        Path file = write(dir, "sandbox.json", """
                {"image": "localhost/busybox:latest", "postCreateCommand": "npm ci"}
                """);

        // when / then
        assertThatThrownBy(() -> SandboxConfigFile.load(file))
                .hasMessageContaining("\"postCreateCommand\" is not a sandbox.json key: remove it")
                .hasMessageContaining("known keys: $schema, image, build");
    }

    @Test
    void valueOfTheWrongTypeNamesTheExpectedTypeAndAnExample() {
        // given
        Path file = write(dir, "sandbox.json", """
                {
                  "image": "localhost/busybox:latest",
                  "cpus": "two"
                }
                """);

        // when / then
        assertThatThrownBy(() -> SandboxConfigFile.load(file))
                .isInstanceOf(SandboxConfigFileException.class)
                .hasMessage(file + ":3:11: \"cpus\" must be a number, not a string: write it like \"cpus\": 2");
    }

    @Test
    void badMemoryValuePointsAtTheValueAndSaysHowToWriteIt() {
        // given
        Path file = write(dir, "sandbox.json", """
                {"image": "localhost/busybox:latest",
                 "memory": "lots"}
                """);

        // when / then
        assertThatThrownBy(() -> SandboxConfigFile.load(file))
                .hasMessageStartingWith(file + ":2:12: \"memory\": invalid memory size \"lots\"")
                .hasMessageContaining("for example 512m");
    }

    @Test
    void badDurationSaysWhichFormsAreAccepted() {
        // given
        Path file = write(dir, "sandbox.json", """
                {"image": "localhost/busybox:latest", "startupTimeout": "sixty"}
                """);

        // when / then
        assertThatThrownBy(() -> SandboxConfigFile.load(file))
                .hasMessageStartingWith(file + ":1:57: \"startupTimeout\": invalid duration \"sixty\"")
                .hasMessageContaining("\"PT60S\"");
    }

    @Test
    void egressRuleWithAnUnknownActionIsReportedAtTheRule() {
        // given
        Path file = write(dir, "sandbox.json", """
                {
                  "image": "localhost/busybox:latest",
                  "egress": {
                    "default": "deny",
                    "rules": ["allow pypi.org",
                              "permit evil.example.com"]
                  }
                }
                """);

        // when / then
        assertThatThrownBy(() -> SandboxConfigFile.load(file))
                .hasMessageStartingWith(file + ":6:15: \"egress.rules[]\": egress rule 'permit evil.example.com'")
                .hasMessageContaining("allow, deny, allow-cidr or deny-cidr");
    }

    @Test
    void egressWildcardOverAPublicSuffixIsRejectedNamingTheSuffix() {
        // given
        Path file = write(dir, "sandbox.json", """
                {"image": "localhost/busybox:latest", "egress": {"rules": ["allow *.com"]}}
                """);

        // when / then
        assertThatThrownBy(() -> SandboxConfigFile.load(file))
                .hasMessageContaining("covers the public suffix 'com'");
    }

    @Test
    void egressUpstreamMustBeAnIpAddress() {
        // given
        Path file = write(dir, "sandbox.json", """
                {"image": "localhost/busybox:latest", "egress": {"upstreams": ["dns.example.com:53"]}}
                """);

        // when / then
        assertThatThrownBy(() -> SandboxConfigFile.load(file))
                .hasMessageContaining("host names are not accepted");
    }

    @Test
    void egressDefaultOtherThanDenyOrAllowIsRejected() {
        // given
        Path file = write(dir, "sandbox.json", """
                {"image": "localhost/busybox:latest", "egress": {"default": "block"}}
                """);

        // when / then
        assertThatThrownBy(() -> SandboxConfigFile.load(file))
                .hasMessageStartingWith(file + ":1:61: ")
                .hasMessageContaining("must be \"deny\" or \"allow\", not \"block\"");
    }

    @Test
    void malformedJsonFailsWithThePositionAndSaysSandboxJsonIsStrict() {
        // given: a trailing comma, which devcontainer.json allows and sandbox.json does not
        Path file = write(dir, "sandbox.json", """
                {
                  "image": "localhost/busybox:latest",
                }
                """);

        // when / then
        assertThatThrownBy(() -> SandboxConfigFile.load(file))
                .isInstanceOf(SandboxConfigFileException.class)
                .hasMessageStartingWith(file + ":3:1: not valid JSON")
                .hasMessageContaining("no trailing commas");
    }

    @Test
    void duplicateKeyIsAnError() {
        // given
        Path file = write(dir, "sandbox.json", """
                {"image": "localhost/busybox:latest",
                 "image": "localhost/other:latest"}
                """);

        // when / then
        assertThatThrownBy(() -> SandboxConfigFile.load(file))
                .hasMessageStartingWith(file + ":2:2: key \"image\" appears twice");
    }

    @Test
    void fileWithoutImageOrBuildSaysWhatToAdd() {
        // given
        Path file = write(dir, "sandbox.json", """
                {"cpus": 1}
                """);

        // when / then
        assertThatThrownBy(() -> SandboxConfigFile.load(file))
                .hasMessageStartingWith(file + ":1:1: no image: add \"image\"");
    }

    @Test
    void imageAndBuildTogetherAreRejected() {
        // given
        write(dir, "Dockerfile", "FROM scratch\n");
        Path file = write(dir, "sandbox.json", """
                {"image": "localhost/busybox:latest", "build": {"dockerfile": "Dockerfile"}}
                """);

        // when / then
        assertThatThrownBy(() -> SandboxConfigFile.load(file))
                .hasMessageContaining("\"image\" and \"build\" are both set");
    }

    @Test
    void missingMountSourceNamesTheResolvedPath() {
        // given
        Path file = write(dir, "sandbox.json", """
                {"image": "localhost/busybox:latest",
                 "mounts": [{"source": "no-such-dir", "target": "/work"}]}
                """);

        // when / then
        assertThatThrownBy(() -> SandboxConfigFile.load(file))
                .hasMessageStartingWith(file + ":2:24: mount source " + dir.resolve("no-such-dir") + " does not exist");
    }

    @Test
    void relativeMountTargetIsReportedAtTheMount() {
        // given
        Path file = write(dir, "sandbox.json", """
                {"image": "localhost/busybox:latest",
                 "mounts": [{"source": ".", "target": "work"}]}
                """);

        // when / then
        assertThatThrownBy(() -> SandboxConfigFile.load(file))
                .hasMessageStartingWith(file + ":2:13: \"mounts[]\": mount target \"work\"");
    }

    @Test
    void unknownRuntimeListsTheKnownOnes() {
        // given
        Path file = write(dir, "sandbox.json", """
                {"image": "localhost/busybox:latest", "runtime": "dockr"}
                """);

        // when / then
        assertThatThrownBy(() -> SandboxConfigFile.load(file))
                .hasMessageStartingWith(file + ":1:50: \"runtime\": unknown runtime \"dockr\"")
                .hasMessageContaining("podman");
    }

    @Test
    void nullValueIsRejectedWithAHintToRemoveTheKey() {
        // given
        Path file = write(dir, "sandbox.json", """
                {"image": "localhost/busybox:latest", "workdir": null}
                """);

        // when / then
        assertThatThrownBy(() -> SandboxConfigFile.load(file))
                .hasMessageContaining("\"workdir\" is null: remove the key to get the default");
    }

    @Test
    void topLevelArrayIsRejected() {
        // given
        Path file = write(dir, "sandbox.json", "[]\n");

        // when / then
        assertThatThrownBy(() -> SandboxConfigFile.load(file))
                .hasMessageContaining("holds one JSON object ({ ... }), not an array");
    }

    // ---------------------------------------------------------------------------------------- writing

    @Test
    void specWrittenNextToItsFilesReadsBackEqualWithRelativePaths() throws IOException {
        // given
        Files.createDirectories(dir.resolve("work"));
        Files.createDirectories(dir.resolve("src"));
        SandboxSpec spec = Sandbox.builder()
                .image("localhost/busybox:latest")
                .command("sh", "-c", "sleep 1")
                .mount(dir.resolve("work"), "/work")
                .mountReadOnly(dir.resolve("src"), "/src")
                .publish(8080)
                .publish(9000, 9001)
                .publish(new PortMapping("127.0.0.1", 0, 53, "udp"))
                .cpus(1.5)
                .memory("768m")
                .env("MODE", "test")
                .workdir("/work")
                .user("1000:1000")
                .label("team", "agents")
                .egress(EgressPolicy.allowAll())
                .runtime("podman")
                .startupTimeout(Duration.ofMillis(2500))
                .pullPolicy(PullPolicy.ALWAYS)
                .build();
        Path file = dir.resolve("sandbox.json");

        // when
        SandboxConfigFile.write(spec, file);
        SandboxSpec read = SandboxConfigFile.read(file).build();

        // then
        assertThat(read).isEqualTo(spec);
        assertThat(Files.readString(file)).contains("\"source\" : \"work\"").contains("\"startupTimeout\" : \"2500ms\"")
                .contains("\"cpus\" : 1.5").contains("\"9000:9001\"").contains("\"53/udp\"");
    }

    @Test
    void buildSpecRoundTripsThroughJson() {
        // given
        write(dir, "ctx/images/Containerfile", "FROM scratch\n");
        SandboxSpec spec = Sandbox.builder()
                .image(new ImageSource.Build(dir.resolve("ctx"), Path.of("images/Containerfile"), Map.of("A", "1")))
                .egress(EgressPolicy.allowAll())
                .build();
        Path file = dir.resolve("sandbox.json");

        // when
        SandboxConfigFile.write(spec, file);
        SandboxSpec read = SandboxConfigFile.read(file).build();

        // then
        assertThat(read).isEqualTo(spec);
    }

    @Test
    void writingWithoutAFileGivesAbsolutePathsAndAnExplicitEgressSection() {
        // given
        SandboxSpec spec = Sandbox.builder().image("localhost/busybox:latest").mount(dir, "/work").build();

        // when
        String json = SandboxConfigFile.write(spec);

        // then
        assertThat(json).contains("\"source\" : \"" + dir + "\"").contains("\"egress\" : {")
                .contains("\"default\" : \"deny\"").doesNotContain("startupTimeout");
    }

    @Test
    void writtenFileIsStrictJsonThatTheReaderAccepts() {
        // given: defaults only
        SandboxSpec spec = Sandbox.builder().image("localhost/busybox:latest").build();
        Path file = dir.resolve("sandbox.json");

        // when
        SandboxConfigFile.write(spec, file);

        // then
        assertThat(SandboxConfigFile.read(file).build()).isEqualTo(spec);
    }
}
