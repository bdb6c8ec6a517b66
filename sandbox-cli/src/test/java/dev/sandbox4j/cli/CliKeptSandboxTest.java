package dev.sandbox4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run --keep}, {@code exec}, {@code ls} and {@code rm} against real Podman. */
class CliKeptSandboxTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static String image;
    private final List<String> started = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() {
        image = Cli.busybox();
    }

    @AfterEach
    void removeWhatWasKept() {
        for (String id : started) {
            Cli.run("rm", id);
        }
    }

    private JsonNode keep(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("run", "--keep", "--json"));
        argv.addAll(List.of(args));
        Cli.Outcome r = Cli.run(argv.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode info = JSON.readTree(r.out());
        started.add(info.get("id").asText());
        return info;
    }

    @Test
    void keptSandboxServesAMountedDirectoryOnItsPublishedPort() throws Exception {
        Files.writeString(dir.resolve("index.html"), "kept and published\n");

        JsonNode info = keep("-p", "8080", "-v", dir + ":/www:ro", image, "--", "httpd", "-f", "-p", "8080", "-h", "/www");

        int port = info.get("ports").get("8080").asInt();
        assertThat(get("http://127.0.0.1:" + port + "/")).isEqualTo("kept and published\n");
    }

    @Test
    void execRunsInAKeptSandboxAndPassesItsExitCodeThrough() throws Exception {
        JsonNode info = keep("-e", "KEPT=yes", image);

        Cli.Outcome r = Cli.run("exec", info.get("id").asText().substring(0, 12), "--", "sh", "-c", "echo $KEPT; exit 4");

        assertThat(r.exitCode()).isEqualTo(4);
        assertThat(r.out()).isEqualTo("yes\n");
    }

    @Test
    void execOnAnUnknownIdExitsWithOne() {
        Cli.Outcome r = Cli.run("exec", "sb4j-nosuchsandbox", "--", "true");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("no sandbox matches");
    }

    @Test
    void lsListsAKeptSandboxWithItsLiveHolderAsOwner() throws Exception {
        JsonNode info = keep("--label", "purpose=ls-test", image);

        JsonNode list = JSON.readTree(Cli.run("ls", "--json").out());
        Cli.Outcome table = Cli.run("ls");

        JsonNode entry = null;
        for (JsonNode n : list) {
            if (n.get("id").asText().equals(info.get("id").asText())) {
                entry = n;
            }
        }
        assertThat(entry).isNotNull();
        assertThat(entry.get("ownerAlive").asBoolean()).isTrue();
        assertThat(entry.get("kept").asBoolean()).isTrue();
        assertThat(entry.get("labels").get("purpose").asText()).isEqualTo("ls-test");
        assertThat(table.out()).contains(info.get("name").asText()).contains("(kept)").contains("purpose=ls-test");
    }

    @Test
    void rmRemovesTheContainerItsNetworkAndFirewallTable() throws Exception {
        JsonNode info = keep(image);
        String name = info.get("name").asText();
        assertThat(Cli.networksLabelled("dev.sandbox4j.sandbox=" + name)).isNotEmpty();
        assertThat(Cli.nftTableExists(name)).isTrue();

        Cli.Outcome r = Cli.run("rm", info.get("id").asText());

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains(name + " removed");
        assertThat(Cli.containersLabelled("dev.sandbox4j.sandbox=" + name)).isEmpty();
        assertThat(Cli.networksLabelled("dev.sandbox4j.sandbox=" + name)).isEmpty();
        assertThat(Cli.nftTableExists(name)).isFalse();
    }

    @Test
    void aKeptSandboxWhoseMainProcessExitsIsRemovedByItsHolder() throws Exception {
        JsonNode info = keep(image, "--", "sleep", "3");
        String name = info.get("name").asText();

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Cli.containersLabelled("dev.sandbox4j.sandbox=" + name).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }

        assertThat(Cli.containersLabelled("dev.sandbox4j.sandbox=" + name)).isEmpty();
    }

    private static String get(String url) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Exception last = null;
        for (int i = 0; i < 50; i++) {
            try {
                return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                        .body();
            } catch (java.io.IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw last;
    }
}
