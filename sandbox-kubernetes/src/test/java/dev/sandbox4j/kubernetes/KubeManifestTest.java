package dev.sandbox4j.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.spi.NamespaceRules;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code kube-manifest} command: arguments in, YAML or a usage error out. */
class KubeManifestTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<EgressPolicy> policies = new ArrayList<>();
    private final NamespaceRules rules = (policy, port) -> {
        policies.add(policy);
        return "table inet sandbox4j_pod {\n}\n";
    };

    private int run(String... args) {
        return KubeManifest.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), () -> rules);
    }

    @Test
    void allowAndUpstreamBecomeThePolicyOfThePrintedPod() {
        // when
        int code = run("--allow", "pypi.org", "--allow", "*.pythonhosted.org:443", "--upstream", "10.96.0.10:53",
                "--namespace", "agents", "--runtime-class", "gvisor", "registry.example/agent:1");

        // then
        assertThat(code).isZero();
        assertThat(policies).containsExactly(EgressPolicy.denyAll().allow("pypi.org")
                .allow("*.pythonhosted.org", 443)
                .withUpstream(new java.net.InetSocketAddress("10.96.0.10", 53)));
        String yaml = out.toString(StandardCharsets.UTF_8);
        assertThat(yaml).startsWith("---\napiVersion: \"v1\"\nkind: \"Pod\"\n")
                .contains("  namespace: \"agents\"\n")
                .contains("  runtimeClassName: \"gvisor\"\n")
                .contains("    image: \"registry.example/agent:1\"\n")
                .contains("    - name: \"SANDBOX4J_EGRESS_POLICY\"\n      value: |\n        default deny\n"
                        + "        allow pypi.org\n        allow *.pythonhosted.org:443\n        upstream 10.96.0.10:53\n")
                .contains("    name: \"egress-init\"\n")
                .contains("    name: \"egress-enforcer\"\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void withoutAllowsThePodDeniesAllEgress() {
        // when
        int code = run("localhost/busybox:latest");

        // then
        assertThat(code).isZero();
        assertThat(policies).containsExactly(EgressPolicy.denyAll());
    }

    @Test
    void aMissingImageIsAUsageErrorWithExitCodeTwo() {
        // when
        int code = run("--allow", "pypi.org");

        // then
        assertThat(code).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("kube-manifest: name the image to run")
                .contains("usage: sandbox kube-manifest");
    }

    @Test
    void anInvalidAllowNamesTheBadRule() {
        // when
        int code = run("--allow", "*", "localhost/busybox:latest");

        // then
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("egress policy line 2").contains("'allow *'");
    }

    @Test
    void anOptionWithoutItsValueSaysSo() {
        assertThat(run("localhost/busybox:latest", "--upstream")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--upstream needs a value");
    }
}
