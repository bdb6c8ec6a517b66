package dev.sandbox4j.internal.apple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.NetworkInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AppleContainerParserTest {

    @Test
    void realOneTwoTwoListWithEscapedSlashesGivesStoppedAndRunningContainers() {
        // given
        String json = Fixture.load("captured/list-1.2.2-micropod.json").payload();

        // when
        List<AppleContainer> list = AppleContainerParser.containers(json);

        // then
        assertThat(list).hasSize(2);
        AppleContainer builder = list.get(0);
        assertThat(builder.id()).isEqualTo("buildkit");
        assertThat(builder.running()).isFalse();
        assertThat(builder.started()).isEmpty();
        assertThat(builder.networks()).isEmpty();
        assertThat(builder.image()).isEqualTo("ghcr.io/apple/container-builder-shim/builder:0.13.1");
        assertThat(builder.labels()).containsEntry("com.apple.container.resource.role", "builder");
        AppleContainer db = list.get(1);
        assertThat(db.running()).isTrue();
        assertThat(db.started()).contains(Instant.parse("2026-08-12T06:27:43Z"));
        assertThat(db.created()).contains(Instant.parse("2026-08-12T06:27:42Z"));
        assertThat(db.cpus()).isEqualTo(2);
        assertThat(db.memoryBytes()).isEqualTo(536_870_912L);
        assertThat(db.networks()).containsExactly(new AppleContainer.Attachment("default",
                "greenveil-nutrients-31567931656-1", "192.168.64.10/24", "192.168.64.1"));
    }

    @Test
    void oneZeroZeroEntryWithoutVariantKeyParses() {
        // given
        String json = Fixture.load("captured/list-1.0.0-kina.json").payload();

        // when
        AppleContainer c = AppleContainerParser.containers(json).get(0);

        // then
        assertThat(c.id()).isEqualTo("kina-probe-100");
        assertThat(c.running()).isTrue();
        assertThat(c.networks().get(0).ipv4Gateway()).isEqualTo("192.168.65.1");
        assertThat(c.started()).contains(Instant.parse("2026-06-10T23:03:49Z"));
    }

    @Test
    void stoppedContainerThatRanKeepsItsStartedDate() {
        // given
        String json = Fixture.load("captured/list-1.0.0-stopped-after-run.json").payload();

        // when
        List<AppleContainer> list = AppleContainerParser.containers(json);

        // then
        assertThat(list).extracting(AppleContainer::id).containsExactly("api", "web");
        assertThat(list.get(0).running()).isFalse();
        assertThat(list.get(0).started()).contains(Instant.parse("2026-06-10T21:04:29Z"));
        assertThat(list.get(1).running()).isTrue();
    }

    @Test
    void oneZeroZeroInspectGivesPublishedPortsAndLabels() {
        // given
        String json = Fixture.load("captured/inspect-1.0.0-dcp.json").payload();

        // when
        AppleContainer c = AppleContainerParser.containers(json).get(0);
        ContainerInfo info = c.toContainerInfo();

        // then
        assertThat(c.ports()).containsExactly(new AppleContainer.PublishedPort("127.0.0.1", 18099, 80, "tcp", 1));
        assertThat(info).isEqualTo(new ContainerInfo("dcp-probe-1", "dcp-probe-1", Map.of(80, 18099),
                Map.of("usvc-dev.dcp/probe", "1"), true));
    }

    @Test
    void constructedOneTwoTwoListFromCodableSourcesParses() {
        // given
        String json = Fixture.load("constructed/list-1.2.2-sbx.json").payload();

        // when
        AppleContainer c = AppleContainerParser.containers(json).get(0);

        // then
        assertThat(c.toContainerInfo()).isEqualTo(new ContainerInfo("sbx-1", "sbx-1", Map.of(80, 8080),
                Map.of("dev.example.sandbox", "1"), true));
        assertThat(c.networks().get(0).ipv4Address()).isEqualTo("192.168.64.3/24");
        assertThat(c.image()).isEqualTo("docker.io/library/alpine:3.20");
    }

    @Test
    void zeroTwelveListHasTopLevelStatusStringAndAppleEpochDates() {
        // given
        String json = Fixture.load("captured/list-0.12.3-dockerkit.json").payload();

        // when
        List<AppleContainer> list = AppleContainerParser.containers(json);

        // then
        AppleContainer smoke = list.get(0);
        assertThat(smoke.id()).isEqualTo("gantry-smoke");
        assertThat(smoke.running()).isTrue();
        assertThat(smoke.labels()).containsEntry("com.example.role", "smoke");
        assertThat(smoke.tcpHostPorts()).containsEntry(80, 8088);
        assertThat(smoke.networks().get(0).ipv4Address()).isEqualTo("192.168.64.2/24");
        // 802450114.597753 s after 2001-01-01T00:00:00Z
        assertThat(smoke.started()).contains(Instant.ofEpochSecond(978_307_200L + 802_450_114L, 597_753_000L));
        assertThat(list.get(1).id()).isEqualTo("gantry-stopped");
        assertThat(list.get(1).running()).isFalse();
    }

    @Test
    void zeroFourInspectWithAddressAndGatewayKeysParses() {
        // given
        String json = Fixture.load("captured/inspect-0.4.1-tcb.json").payload();

        // when
        AppleContainer c = AppleContainerParser.containers(json).get(0);

        // then
        assertThat(c.id()).isEqualTo("tcb-ap01");
        assertThat(c.running()).isTrue();
        assertThat(c.labels()).containsEntry("tcb.site", "ap01");
        assertThat(c.networks()).containsExactly(new AppleContainer.Attachment("default", "tcb-ap01",
                "192.168.64.2/24", "192.168.64.1"));
    }

    @Test
    void emptyInspectOutputOfZeroXMeansNoContainer() {
        assertThat(AppleContainerParser.containers("[]\n")).isEmpty();
        assertThat(AppleContainerParser.containers("")).isEmpty();
    }

    @Test
    void textThatIsNotJsonIsReportedWithWhatWasPrinted() {
        assertThatThrownBy(() -> AppleContainerParser.containers("ID  IMAGE  OS  ARCH  STATE  ADDR"))
                .isInstanceOf(SandboxException.class).hasMessageContaining("not JSON").hasMessageContaining("ID  IMAGE");
    }

    @Test
    void portRangeExpandsToEveryPort() {
        // given
        String json = "[{\"configuration\":{\"id\":\"r\",\"publishedPorts\":[{\"containerPort\":8000,\"count\":3,"
                + "\"hostAddress\":\"127.0.0.1\",\"hostPort\":9000,\"proto\":\"tcp\"}]},\"id\":\"r\","
                + "\"status\":{\"networks\":[],\"state\":\"running\"}}]";

        // when
        Map<Integer, Integer> ports = AppleContainerParser.containers(json).get(0).tcpHostPorts();

        // then
        assertThat(ports).containsExactlyInAnyOrderEntriesOf(Map.of(8000, 9000, 8001, 9001, 8002, 9002));
    }

    @Test
    void networkListOneTwoGivesSubnetGatewayAndLabels() {
        // given
        String json = Fixture.load("captured/network-list-1.2.x-micropod.json").payload();

        // when
        List<AppleNetwork> networks = AppleContainerParser.networks(json);

        // then
        assertThat(networks).containsExactly(new AppleNetwork("default", "nat", "192.168.64.0/24", "192.168.64.1",
                Map.of("com.apple.container.resource.role", "builtin"), "fd97:7f2f:97db:3103::/64"));
        assertThat(networks.get(0).toNetworkInfo()).isEqualTo(new NetworkInfo("default", "", "192.168.64.0/24",
                "192.168.64.1", Map.of("com.apple.container.resource.role", "builtin"), "fd97:7f2f:97db:3103::/64"));
    }

    @Test
    void networkInspectOneZeroAndConstructedListParseTheSameWay() {
        assertThat(AppleContainerParser.networks(Fixture.load("captured/network-inspect-1.0.0-dcp.json").payload()))
                .extracting(AppleNetwork::subnet, AppleNetwork::gateway)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("192.168.65.0/24", "192.168.65.1"));
        assertThat(AppleContainerParser.networks(Fixture.load("constructed/network-list-1.2.2-default.json").payload()))
                .extracting(AppleNetwork::gateway).containsExactly("192.168.64.1");
    }

    @Test
    void zeroTwelveNetworkUsesConfigInsteadOfConfiguration() {
        // given
        String json = Fixture.load("captured/network-list-0.12.3-dockerkit.json").payload();

        // when
        AppleNetwork n = AppleContainerParser.networks(json).get(0);

        // then
        assertThat(n).isEqualTo(new AppleNetwork("default", "nat", "192.168.64.0/24", "192.168.64.1",
                Map.of("com.apple.container.resource.role", "builtin"), "fdd8:3480:c3b9:586f::/64"));
    }

    @Test
    void zeroFourNetworkInspectUsesAddressForTheSubnet() {
        // given
        String json = Fixture.load("captured/network-inspect-0.4.x-socktainer.json").payload();

        // when
        AppleNetwork n = AppleContainerParser.networks(json).get(0);

        // then
        assertThat(n).isEqualTo(new AppleNetwork("default", "nat", "192.168.64.0/24", "192.168.64.1", Map.of()));
    }

    @Test
    void imageListsOfBothLayoutsGiveFullReferences() {
        assertThat(AppleContainerParser.images(Fixture.load("captured/image-list-0.12.3-dockerkit.json").payload()))
                .extracting(AppleImage::reference)
                .containsExactly("docker.io/library/alpine:latest", "docker.io/library/alpine:3.19");
        assertThat(AppleContainerParser.images(Fixture.load("constructed/image-list-1.2.0-vscode.json").payload()))
                .containsExactly(new AppleImage("docker.io/library/alpine:latest",
                        "sha256:28bd5fe8b56d1bd048e5babf5b10710ebe0bae67db86916198a6eec434943f8b"));
        assertThat(AppleContainerParser.images(Fixture.load("captured/image-inspect-1.0.0-dcp.json").payload()))
                .extracting(AppleImage::reference).containsExactly("docker.io/library/alpine:latest");
    }

    @Test
    void flatSystemStatusOfOneTwoTwoIsRunning() {
        // when
        AppleSystemStatus s = AppleContainerParser.systemStatus(
                Fixture.load("captured/system-status-1.2.2-micropod.json").payload(), 0);

        // then
        assertThat(s.running()).isTrue();
        assertThat(s.apiServerVersion()).contains("container-apiserver version 1.2.2 (build: release, commit: 0190097)");
        assertThat(s.appRoot()).contains("/Users/benebsworth/Library/Application Support/com.apple.container/");
    }

    @Test
    void everyRunningStatusShapeIsRecognised() {
        for (String f : List.of("captured/system-status-1.0.0-homebrew.json", "captured/system-status-1.3.1-micropod.json",
                "constructed/system-status-1.4.1-nested.json", "captured/system-status-table-0.11.0-xgo.txt")) {
            assertThat(AppleContainerParser.systemStatus(Fixture.load(f).payload(), 0).running()).as(f).isTrue();
        }
        assertThat(AppleContainerParser.systemStatus(Fixture.load("constructed/system-status-1.4.1-nested.json")
                .payload(), 0).apiServerVersion()).contains("1.4.1");
        assertThat(AppleContainerParser.systemStatus("apiserver is running\n", 0).running()).isTrue();
    }

    @Test
    void downStatusShapesAreNotRunning() {
        assertThat(AppleContainerParser.systemStatus(Fixture.load("constructed/system-status-1.4.1-down.json")
                .payload(), 1).status()).isEqualTo("not running");
        assertThat(AppleContainerParser.systemStatus(Fixture.load("constructed/system-status-1.2.2-down.json")
                .payload(), 1).running()).isFalse();
        assertThat(AppleContainerParser.systemStatus(Fixture.load("captured/system-status-text-unregistered.txt")
                .payload(), 1).status()).isEqualTo("unregistered");
        assertThat(AppleContainerParser.systemStatus("apiserver is not running\n", 1).status()).isEqualTo("not running");
    }

    @Test
    void exitCodeOneOverridesARunningStatusText() {
        assertThat(AppleContainerParser.systemStatus("{\"status\":\"running\"}", 1).running()).isFalse();
    }

    @Test
    void systemVersionListsTheCliAndTheApiServer() {
        // when
        List<AppleVersionInfo> v = AppleContainerParser.systemVersion(
                Fixture.load("captured/system-version-1.0.0.json").payload());

        // then
        assertThat(v).containsExactly(
                new AppleVersionInfo("container", "1.0.0", "release", "ee848e3ebfd7c73b04dd419683be54fb450b8779"),
                new AppleVersionInfo("container-apiserver", "container-apiserver version 1.0.0 (build: release, commit: ee848e3)",
                        "release", "ee848e3ebfd7c73b04dd419683be54fb450b8779"));
        assertThat(AppleContainerParser.systemVersion(Fixture.load("constructed/system-version-1.2.2.json").payload()))
                .extracting(AppleVersionInfo::version).first().isEqualTo("1.2.2");
    }

    @Test
    void datesInBothEncodingsAreRead() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        assertThat(AppleContainerParser.date(f.textNode("2026-08-07T10:15:31Z"))).contains(Instant.parse("2026-08-07T10:15:31Z"));
        assertThat(AppleContainerParser.date(f.textNode("2026-08-07T10:15:31.250+02:00")))
                .contains(Instant.parse("2026-08-07T08:15:31.250Z"));
        assertThat(AppleContainerParser.date(f.numberNode(0.5))).contains(Instant.parse("2001-01-01T00:00:00.500Z"));
        assertThat(AppleContainerParser.date(f.numberNode(802450042.708275)).orElseThrow().getEpochSecond())
                .isEqualTo(978_307_200L + 802_450_042L);
        assertThat(AppleContainerParser.date(f.missingNode())).isEqualTo(Optional.empty());
        assertThatThrownBy(() -> AppleContainerParser.date(f.textNode("yesterday"))).isInstanceOf(SandboxException.class);
    }
}
