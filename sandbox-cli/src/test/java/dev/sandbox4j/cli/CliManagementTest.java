package dev.sandbox4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code run -d --name}, then {@code exec}, {@code logs}, {@code cp}, {@code inspect} and {@code stop} by that name. */
class CliManagementTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    final NamedSandbox named = new NamedSandbox("cli-test");
    private final String name = named.name();

    @TempDir
    Path dir;

    @Test
    void execByNameRunsInTheSandboxAndPassesStdinThrough() {
        named.keep();

        Cli.Outcome r = Cli.runWithInput("piped\n".getBytes(), "exec", "-i", "-w", "/tmp", name, "sh", "-c",
                "cat; pwd; exit 6");

        assertThat(r.exitCode()).isEqualTo(6);
        assertThat(r.out()).isEqualTo("piped\n/tmp\n");
    }

    @Test
    void logsPrintWhatTheMainProcessWrote() throws Exception {
        named.keep("sh", "-c", "echo started-up; sleep 300");

        String logs = "";
        for (int i = 0; i < 50 && !logs.contains("started-up"); i++) {
            logs = Cli.run("logs", name).out();
            Thread.sleep(100);
        }

        assertThat(logs).isEqualTo("started-up\n");
    }

    @Test
    void cpCopiesIntoAndOutOfTheSandbox() throws Exception {
        named.keep();
        Files.writeString(dir.resolve("in.txt"), "to and fro\n");

        Cli.Outcome in = Cli.run("cp", dir.resolve("in.txt").toString(), name + ":/tmp/copied.txt");
        Cli.Outcome out = Cli.run("cp", name + ":/tmp/copied.txt", dir.resolve("back.txt").toString());

        assertThat(in.exitCode()).as(in.err()).isZero();
        assertThat(out.exitCode()).as(out.err()).isZero();
        assertThat(Files.readString(dir.resolve("back.txt"))).isEqualTo("to and fro\n");
    }

    @Test
    void inspectReportsNamePortsOwnerAndLabels() throws Exception {
        int hostPort;
        try (ServerSocket s = new ServerSocket(0)) {
            hostPort = s.getLocalPort();
        }
        Cli.Outcome started = Cli.run("run", "-d", "--name", name, "-p", "127.0.0.1:" + hostPort + ":8080",
                "--label", "team=agents", named.image());
        assertThat(started.exitCode()).as(started.err()).isZero();

        Cli.Outcome r = Cli.run("inspect", name);

        JsonNode info = JSON.readTree(r.out()).get(0);
        assertThat(r.exitCode()).isZero();
        assertThat(info.get("id").asText()).isEqualTo(started.out().strip());
        assertThat(info.get("ports").get("8080").asInt()).isEqualTo(hostPort);
        assertThat(info.get("running").asBoolean()).isTrue();
        assertThat(info.get("kept").asBoolean()).isTrue();
        assertThat(info.get("labels").get("team").asText()).isEqualTo("agents");
        assertThat(info.get("labels").get("sandbox.name").asText()).isEqualTo(name);
    }

    @Test
    void stopEndsTheMainProcessAndRemovesTheSandboxWithItsNetworkAndTable() throws Exception {
        named.keep();
        String sandbox = JSON.readTree(Cli.run("inspect", name).out()).get(0).get("name").asText();
        assertThat(Cli.nftTableExists(sandbox)).isTrue();

        Cli.Outcome r = Cli.run("stop", name);

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains(sandbox + " stopped");
        assertThat(Cli.containersLabelled("dev.sandbox4j.sandbox=" + sandbox)).isEmpty();
        assertThat(Cli.networksLabelled("dev.sandbox4j.sandbox=" + sandbox)).isEmpty();
        assertThat(Cli.nftTableExists(sandbox)).isFalse();
    }

    @Test
    void execPastItsTimeoutExitsWith124AndLeavesNoProcessOfItBehind() {
        named.keep("sleep", "300");
        String count = "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f; echo; done | grep -c '^sleep %s'";

        Cli.Outcome r = Cli.run("exec", "--timeout", "1s", name, "sh", "-c", "sleep 77 & sleep 78");
        Cli.Outcome left = Cli.run("exec", name, "sh", "-c", count.formatted("7[78] ") + "; " + count.formatted("300"));

        assertThat(r.exitCode()).isEqualTo(124);
        assertThat(r.err()).contains("did not finish within 1000 ms");
        assertThat(left.out()).as("no sleep 77/78 left; the main process (sleep 300) still seen").isEqualTo("0\n1\n");
    }

    @Test
    void aSecondSandboxWithTheSameNameIsRefused() {
        named.keep();

        Cli.Outcome r = Cli.run("run", "--name", name, named.image(), "true");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("a sandbox of that name exists already");
    }

    @Test
    void everyCommandOnAnUnknownNameExitsWithOne() throws IOException {
        String unknown = "no-such-" + name;

        assertThat(Cli.run("exec", unknown, "true").exitCode()).isEqualTo(1);
        assertThat(Cli.run("logs", unknown).exitCode()).isEqualTo(1);
        assertThat(Cli.run("inspect", unknown).exitCode()).isEqualTo(1);
        assertThat(Cli.run("stop", unknown).exitCode()).isEqualTo(1);
        assertThat(Cli.run("rm", unknown).exitCode()).isEqualTo(1);
        assertThat(Cli.run("cp", unknown + ":/etc/hosts", dir.toString()).exitCode()).isEqualTo(1);
    }
}
