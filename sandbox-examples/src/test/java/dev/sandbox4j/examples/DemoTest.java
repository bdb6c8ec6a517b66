package dev.sandbox4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.contract.RuntimeRequirement;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Runs the README's demo for real and checks what it says and that it leaves nothing behind. */
class DemoTest {

    private static CommandResult host(String... argv) {
        return CommandRunner.system().run(Command.of(List.of(argv), Duration.ofSeconds(60)));
    }

    private static String find(String output, String regex) {
        Matcher m = Pattern.compile(regex).matcher(output);
        assertThat(m.find()).as("output matches " + regex + ":\n" + output).isTrue();
        return m.group(1);
    }

    @Test
    void demoFetchesTheAllowedHostIsRefusedTheDeniedOnePrintsTheAuditAndCleansUp() throws Exception {
        RuntimeRequirement.require("podman");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        new Demo(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("the sandbox wrote total.txt into the mounted project: 8 fruits");
        assertThat(out).containsPattern("GET http://127\\.0\\.0\\.1:\\d+/ -> served from inside the sandbox");
        assertThat(out).containsPattern("allowed host api\\.allowed\\.example: resolved to 203\\.0\\.113\\.\\d+ and fetched "
                + "\\{\"forecast\": \"sunny\"}");
        assertThat(out).contains("denied host exfil.denied.example: refused by DNS (NXDOMAIN); connecting to its "
                + "address").contains("directly: refused by the firewall");
        assertThat(out).contains("==> egress audit log:")
                .containsPattern("ALLOWED A api\\.allowed\\.example\\. -> 203\\.0\\.113\\.\\d+  \\(rule: allow api\\.allowed\\.example\\)")
                .contains("DENIED A exfil.denied.example. -> NXDOMAIN  (rule: default)");
        assertThat(out).contains("the DNS upstream was asked only for: api.allowed.example (");
        assertThat(out).contains("api.allowed.example's server the request, exfil.denied.example's server nothing");

        String sandbox = find(out, "==> sandbox (sb4j-[0-9a-f]{12}) ");
        String netns = find(out, "network namespace (sb4j-inet-[0-9]+-[0-9a-f]+) ");
        String serverIp = find(out, "web servers on (203\\.0\\.113\\.\\d+) and");
        assertThat(host("podman", "ps", "-a", "--filter", "label=dev.sandbox4j.sandbox=" + sandbox, "--format",
                "{{.Names}}").stdout()).isBlank();
        assertThat(host("podman", "network", "ls", "--filter", "label=dev.sandbox4j.sandbox=" + sandbox, "--format",
                "{{.Name}}").stdout()).isBlank();
        assertThat(host("nft", "list", "tables").stdout()).doesNotContain(sandbox.replace('-', '_'));
        assertThat(host("ip", "netns", "list").stdout()).doesNotContain(netns);
        assertThat(host("ip", "route", "show", serverIp).stdout()).isBlank();
    }

    @org.junit.jupiter.api.AfterAll
    static void removeTheDemoImage() {
        for (String image : host("podman", "images", "--filter", "label=example=demo", "--format", "{{.ID}}")
                .stdout().lines().distinct().toList()) {
            host("podman", "rmi", "--force", image);
        }
    }
}
