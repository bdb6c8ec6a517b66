package dev.sandbox4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sandbox policy check}: pure, no runtime needed. */
class PolicyCheckTest {
    @TempDir
    Path dir;
    private Path policy;

    @BeforeEach
    void writePolicy() throws Exception {
        policy = dir.resolve("policy.txt");
        Files.writeString(policy, """
                # agents may fetch packages over TLS only
                default deny
                deny uploads.example.com
                allow *.example.com:443
                allow-cidr 203.0.113.0/24:80
                """);
    }

    @Test
    void allowedHostExitsWithZeroAndNamesTheRule() {
        Cli.Outcome r = Cli.run("policy", "check", policy.toString(), "api.example.com:443");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("allowed api.example.com:443 by rule 'allow *.example.com:443'");
    }

    @Test
    void deniedHostExitsWithOneAndNamesTheRule() {
        Cli.Outcome r = Cli.run("policy", "check", policy.toString(), "uploads.example.com:443");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).startsWith("denied uploads.example.com:443 by rule 'deny uploads.example.com'");
    }

    @Test
    void wrongPortIsDeniedByTheDefault() {
        Cli.Outcome r = Cli.run("policy", "check", policy.toString(), "api.example.com:80");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).contains("by rule 'default'");
    }

    @Test
    void addressesAreCheckedAgainstCidrRules() {
        assertThat(Cli.run("policy", "check", policy.toString(), "203.0.113.7:80").exitCode()).isZero();
        assertThat(Cli.run("policy", "check", policy.toString(), "198.51.100.7:80").exitCode()).isEqualTo(1);
    }

    @Test
    void invalidPolicyFileExitsWithTwoAndSaysWhichLine() throws Exception {
        Files.writeString(policy, "allow *\n");

        Cli.Outcome r = Cli.run("policy", "check", policy.toString(), "example.com");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("sandbox: egress policy line 1");
    }

    @Test
    void helpListsEveryCommandAndExamples() {
        Cli.Outcome r = Cli.run("--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("run", "exec", "ls", "rm", "gc", "policy", "audit", "Examples:");
    }
}
