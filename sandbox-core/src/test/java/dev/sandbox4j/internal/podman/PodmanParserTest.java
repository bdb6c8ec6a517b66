package dev.sandbox4j.internal.podman;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.SandboxException;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.CreatedContainer;
import dev.sandbox4j.spi.NetworkInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parses output captured from podman 4.3.1; see src/test/resources/podman/PROVENANCE.md. */
class PodmanParserTest {
    private static final String CONTAINER_ID = "bcc862a95cc71edda8ddff30a0c0cefaae524c811c0eaa199b45a0adc65f47ad";

    private static String fixture(String name) {
        try (InputStream in = PodmanParserTest.class.getResourceAsStream("/podman/" + name)) {
            assertThat(in).as("fixture %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void containerInspectGivesIdNameLabelsAndRunningState() {
        // given
        String json = fixture("container-inspect.json");

        // when
        ContainerInfo info = PodmanParser.inspect(json);

        // then
        assertThat(info.id()).isEqualTo(CONTAINER_ID);
        assertThat(info.name()).isEqualTo("sb4j-fixture");
        assertThat(info.labels()).containsEntry("dev.sandbox4j.test", "fixture").containsEntry("team", "agents");
        assertThat(info.running()).isTrue();
    }

    @Test
    void containerInspectGivesPublishedTcpPortsOnly() {
        // given
        String json = fixture("container-inspect.json");

        // when
        ContainerInfo info = PodmanParser.inspect(json);

        // then
        assertThat(info.hostPorts()).containsExactly(Map.entry(8080, 36353));
    }

    @Test
    void containerListGivesTheSameFactsAsInspect() {
        // given
        String json = fixture("ps-all.json");

        // when
        List<ContainerInfo> list = PodmanParser.list(json);

        // then
        assertThat(list).singleElement().satisfies(c -> {
            assertThat(c.id()).isEqualTo(CONTAINER_ID);
            assertThat(c.name()).isEqualTo("sb4j-fixture");
            assertThat(c.hostPorts()).containsExactly(Map.entry(8080, 36353));
            assertThat(c.labels()).containsEntry("dev.sandbox4j.test", "fixture").containsEntry("team", "agents");
            assertThat(c.running()).isTrue();
        });
    }

    @Test
    void networkInspectGivesInterfaceSubnetGatewayAndLabels() {
        // given
        String json = fixture("network-inspect.json");

        // when
        List<NetworkInfo> networks = PodmanParser.networks(json);

        // then
        assertThat(networks).containsExactly(new NetworkInfo("sb4j-fixture-net", "podman1", "10.89.0.0/24",
                "10.89.0.1", Map.of("dev.sandbox4j.test", "fixture", "team", "agents")));
    }

    @Test
    void networkListGivesTheSameFactsAsInspect() {
        // given
        String json = fixture("network-ls.json");

        // when
        List<NetworkInfo> networks = PodmanParser.networks(json);

        // then
        assertThat(networks).containsExactly(new NetworkInfo("sb4j-fixture-net", "podman1", "10.89.0.0/24",
                "10.89.0.1", Map.of("dev.sandbox4j.test", "fixture", "team", "agents")));
    }

    @Test
    void versionOfLocalPodmanComesFromTheClientSection() {
        // given
        String json = fixture("version.json");

        // when
        String version = PodmanParser.serverVersion(json);

        // then
        assertThat(version).isEqualTo("4.3.1");
    }

    @Test
    void versionPrefersTheServerSectionWhenPresent() {
        // given (constructed: the layout `podman version --format json` prints for a remote connection)
        String json = """
                {"Client":{"Version":"4.9.0"},"Server":{"Version":"4.3.1"}}""";

        // when
        String version = PodmanParser.serverVersion(json);

        // then
        assertThat(version).isEqualTo("4.3.1");
    }

    @Test
    void unknownFieldsAreIgnored() {
        // given (constructed: a minimal inspect entry plus fields no podman version prints)
        String json = """
                [{"Id":"abc","Name":"sb4j-x","FutureField":{"nested":[1,2,{"x":null}]},
                  "State":{"Running":false,"Flux":"capacitor"},
                  "NetworkSettings":{"Ports":{"80/tcp":null,"81/tcp":[],"82/tcp":[{"HostIp":"","HostPort":"4082","Extra":1}]}},
                  "Config":{"Labels":null}}]""";

        // when
        ContainerInfo info = PodmanParser.inspect(json);

        // then
        assertThat(info).isEqualTo(new ContainerInfo("abc", "sb4j-x", Map.of(82, 4082), Map.of(), false));
    }

    @Test
    void emptyContainerListGivesNoContainers() {
        // given
        String json = "[]\n";

        // when
        List<ContainerInfo> list = PodmanParser.list(json);

        // then
        assertThat(list).isEmpty();
    }

    @Test
    void emptyNetworkListGivesNoNetworks() {
        // given
        String json = "[]\n";

        // when
        List<NetworkInfo> networks = PodmanParser.networks(json);

        // then
        assertThat(networks).isEmpty();
    }

    @Test
    void inspectOfNothingIsAnErrorNotAnEmptyContainer() {
        // given
        String json = "[]\n";

        // when / then
        assertThatThrownBy(() -> PodmanParser.inspect(json))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("printed no container");
    }

    @Test
    void nonJsonOutputIsASandboxExceptionQuotingWhatWasExpected() {
        // given
        String text = "Error: no such container sb4j-gone\n";

        // when / then
        assertThatThrownBy(() -> PodmanParser.list(text))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("podman printed container list that is not JSON");
    }

    @Test
    void nonJsonNetworkOutputIsASandboxException() {
        // given
        String text = "time=\"2026-11-27\" level=warning msg=\"x\"";

        // when / then
        assertThatThrownBy(() -> PodmanParser.networks(text))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("not JSON");
    }

    @Test
    void nonJsonVersionOutputIsASandboxException() {
        // given
        String text = "podman version 4.3.1";

        // when / then
        assertThatThrownBy(() -> PodmanParser.serverVersion(text))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("not JSON");
    }

    @Test
    void containerListThatIsAnObjectInsteadOfAnArrayIsRejected() {
        // given
        String json = """
                {"Id":"abc","Names":["x"]}""";

        // when / then
        assertThatThrownBy(() -> PodmanParser.list(json))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("not a JSON array");
    }

    @Test
    void containerInspectWithInvalidPortKeyIsASandboxException() {
        // given (constructed)
        String json = """
                [{"Id":"abc","Name":"x","NetworkSettings":{"Ports":{"http/tcp":[{"HostPort":"80"}]}}}]""";

        // when / then
        assertThatThrownBy(() -> PodmanParser.inspect(json))
                .isInstanceOf(SandboxException.class);
    }

    @Test
    void namespacesGivePidAndNetworkNamespaceFile() {
        // given: `podman container inspect --format '{{.State.Pid}} {{.NetworkSettings.SandboxKey}}'` of an
        // initialized container, captured from podman 4.3.1 (rootful, netavark)
        String out = "12340 /run/netns/netns-4fd14408-e5af-0e3f-0d22-6f2c87e03985\n";

        // when
        CreatedContainer created = PodmanParser.namespaces(CONTAINER_ID, "sb4j-1", out);

        // then
        assertThat(created).isEqualTo(new CreatedContainer(CONTAINER_ID, "sb4j-1", 12340,
                "/run/netns/netns-4fd14408-e5af-0e3f-0d22-6f2c87e03985"));
    }

    @Test
    void namespacesWithoutANamespaceFileFallBackToTheProcessesOwn() {
        // when
        CreatedContainer created = PodmanParser.namespaces(CONTAINER_ID, "sb4j-1", "4242 \n");

        // then
        assertThat(created.networkNamespace()).isEqualTo("/proc/4242/ns/net");
    }

    @Test
    void aContainerThatWasNotInitializedHasNoPidAndIsAnError() {
        // then: podman prints pid 0 for a container that is only created
        assertThatThrownBy(() -> PodmanParser.namespaces(CONTAINER_ID, "sb4j-1", "0 \n"))
                .isInstanceOf(SandboxException.class).hasMessageContaining("not initialized");
    }
}
