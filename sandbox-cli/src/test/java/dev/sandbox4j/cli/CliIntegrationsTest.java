package dev.sandbox4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The subcommands backed by other modules: {@code kube-manifest} (pure) and {@code mcp} (its argument errors). */
class CliIntegrationsTest {
    @Test
    void kubeManifestPrintsAPodWhoseWorkloadLacksNetworkCapabilities() {
        Cli.Outcome r = Cli.run("kube-manifest", "--allow", "pypi.org:443", "localhost/busybox:latest");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("kind: \"Pod\"").contains("localhost/busybox:latest").contains("NET_RAW")
                .contains("NET_ADMIN").contains("egress-init").contains("table inet sandbox4j_pod");
    }

    @Test
    void kubeManifestWithoutAnImageExitsWithTwoAndTheUsage() {
        Cli.Outcome r = Cli.run("kube-manifest", "--allow", "pypi.org:443");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("usage: sandbox kube-manifest");
    }

    @Test
    void mcpWithAnUnknownOptionExitsWithTwo() {
        Cli.Outcome r = Cli.run("mcp", "--frobnicate", "localhost/busybox:latest");

        assertThat(r.exitCode()).isEqualTo(2);
    }
}
