package dev.sandbox4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandbox4j.contract.TestImages;
import dev.sandbox4j.testing.TestDnsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sandbox run} and {@code sandbox audit} against real Podman, in-process through picocli. */
class CliRunTest {
    private static final String ALLOWED = "api.allowed.example";
    private static final String DENIED = "exfil.denied.example";
    private static String image;
    private static TestDnsServer dns;
    private static String upstream;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        image = Cli.busybox();
        dns = TestDnsServer.builder().host(ALLOWED, "203.0.113.200").host(DENIED, "203.0.113.201").start();
        upstream = "127.0.0.1:" + dns.address().getPort();
    }

    @AfterAll
    static void tearDown() {
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    void runPassesTheCommandsExitCodeAndOutputThrough() {
        Cli.Outcome r = Cli.run("run", image, "--", "sh", "-c", "echo out; echo err >&2; exit 7");

        assertThat(r.exitCode()).isEqualTo(7);
        assertThat(r.out()).isEqualTo("out\n");
        assertThat(r.err()).contains("err\n");
    }

    @Test
    void runMountsAHostDirectoryAndSetsEnvironmentAndWorkdir() throws Exception {
        Files.writeString(dir.resolve("in.txt"), "from the host\n");

        Cli.Outcome r = Cli.run("run", "-v", dir + ":/work", "-w", "/work", "-e", "MODE=test", image, "--",
                "sh", "-c", "cat in.txt; echo \"$MODE $(pwd)\" > out.txt");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("from the host\n");
        assertThat(Files.readString(dir.resolve("out.txt"))).isEqualTo("test /work\n");
    }

    @Test
    void readOnlyMountRefusesWrites() throws Exception {
        Cli.Outcome r = Cli.run("run", "-v", dir + ":/data:ro", image, "--", "sh", "-c", "touch /data/x");

        assertThat(r.exitCode()).isNotZero();
        assertThat(Files.exists(dir.resolve("x"))).isFalse();
    }

    @Test
    void allowedHostResolvesAndDeniedHostGetsNxdomainInside() {
        Cli.Outcome r = Cli.run("run", "--allow", ALLOWED, "--deny", DENIED, "--upstream", upstream, image, "--",
                "sh", "-c", "nslookup " + ALLOWED + "; echo rc=$?; nslookup " + DENIED + "; echo rc=$?");

        assertThat(r.out()).contains("203.0.113.200").contains("rc=0");
        assertThat(r.out()).doesNotContain("203.0.113.201").contains("NXDOMAIN").contains("rc=1");
    }

    @Test
    void jsonOutputCarriesTheResultAndTheEgressDecisions() throws Exception {
        Cli.Outcome r = Cli.run("run", "--json", "--allow", ALLOWED, "--upstream", upstream, image, "--",
                "sh", "-c", "nslookup " + DENIED + " >/dev/null; echo done; exit 3");

        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(json.get("exitCode").asInt()).isEqualTo(3);
        assertThat(json.get("stdout").asText()).isEqualTo("done\n");
        assertThat(json.get("id").asText()).hasSizeGreaterThan(12);
        assertThat(json.get("egress").findValuesAsText("qname")).contains(DENIED + ".");
    }

    @Test
    void configFileGivesTheImageAndEveryArgumentIsTheCommand() throws Exception {
        Path config = dir.resolve("sandbox.json");
        Files.writeString(config, """
                {"image": "%s", "env": {"FROM_CONFIG": "yes"}}
                """.formatted(image));

        Cli.Outcome r = Cli.run("run", "--config", config.toString(), "-e", "EXTRA=1", "--", "sh", "-c",
                "echo $FROM_CONFIG $EXTRA");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("yes 1\n");
    }

    @Test
    void auditStreamsADeniedEventWhileTheCommandRuns() {
        String marker = "marker-" + UUID.randomUUID();

        Cli.Outcome r = Cli.run("audit", "--allow", ALLOWED, "--upstream", upstream, image, "--",
                "sh", "-c", "nslookup " + DENIED + " >/dev/null; echo " + marker + " >&2");

        assertThat(r.err()).contains("egress: DENIED A " + DENIED + ". -> NXDOMAIN (rule: default)");
        assertThat(r.err().indexOf("egress: DENIED A " + DENIED)).isLessThan(r.err().indexOf(marker));
    }

    @Test
    void auditWithJsonStreamsJsonLines() throws Exception {
        Cli.Outcome r = Cli.run("audit", "--json", "--upstream", upstream, image, "--", "nslookup", DENIED);

        JsonNode line = new ObjectMapper().readTree(r.err().lines().filter(l -> l.contains(DENIED)).findFirst()
                .orElseThrow());
        assertThat(line.get("decision").asText()).isEqualTo("DENIED");
        assertThat(line.get("rcode").asText()).isEqualTo("NXDOMAIN");
    }

    @Test
    void badOptionsExitWithTwoAndOneLine() {
        Cli.Outcome r = Cli.run("run", "-v", "nocolon", image, "--", "true");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("sandbox: -v nocolon: write SRC:DST").doesNotContain("\n");
    }

    @Test
    void missingImageIsAConfigurationError() {
        Cli.Outcome r = Cli.run("run", "--pull", "never", "localhost/sandbox4j-test/no-such-image:latest", "--", "true");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("is not available locally");
    }

    @Test
    void aCommandPastItsTimeoutExitsWith124() {
        Cli.Outcome r = Cli.run("run", "--timeout", "1s", image, "--", "sleep", "30");

        assertThat(r.exitCode()).isEqualTo(124);
        assertThat(r.err()).contains("did not finish within 1000 ms");
    }

    @Test
    void dockerfileDirectoryIsBuiltAndRun() throws Exception {
        // a fixed directory, so that every run builds (and tags) the same image instead of a new one
        Path context = Path.of(System.getProperty("java.io.tmpdir"), "sandbox4j-cli-test-context");
        TestImages.writeContext(context);

        String label = "cli-build-test=" + java.util.UUID.randomUUID().toString().substring(0, 8);

        Cli.Outcome r = Cli.run("run", "--label", label, "--dockerfile", context.toString(), "--", "sh", "-c",
                "echo built");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("built\n");
        String images = Cli.host("podman", "images", "--filter", "label=" + label, "--format", "{{.ID}}").stdout();
        assertThat(images).as("the built image carries the run's labels").isNotBlank();
        images.lines().distinct().forEach(id -> Cli.host("podman", "rmi", "--force", id));
    }
}
