package dev.sandbox4j.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.egress.EgressPolicy;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's command line: pure parsing and the spec it describes. */
class McpOptionsTest {
    @TempDir
    Path dir;

    @Test
    void anImageAloneGivesADenyAllSandbox() {
        SandboxSpec spec = McpOptions.parse("localhost/tools:latest").spec();

        assertThat(spec.image().toString()).contains("localhost/tools:latest");
        assertThat(spec.egress()).isEqualTo(EgressPolicy.denyAll());
    }

    @Test
    void allowRulesUpstreamsAndLabelsBecomeThePolicyAndLabels() {
        SandboxSpec spec = McpOptions.parse("--allow", "pypi.org:443", "--allow", "*.pythonhosted.org",
                "--upstream", "127.0.0.1:5353", "--label", "team=agents", "localhost/tools:latest").spec();

        assertThat(spec.egress()).isEqualTo(EgressPolicy.denyAll().allow("pypi.org", 443)
                .allow("*.pythonhosted.org").withUpstream(new InetSocketAddress("127.0.0.1", 5353)));
        assertThat(spec.labels()).containsEntry("team", "agents");
    }

    @Test
    void allowRulesAreAddedAfterTheConfigFilesPolicyAndTheImageOverridesItsImage() throws Exception {
        Path config = Files.writeString(dir.resolve("sandbox.json"), """
                {"image": "localhost/from-file:1", "workdir": "/work",
                 "egress": {"rules": ["allow api.example.com:443"]}}
                """);

        SandboxSpec spec = McpOptions.parse("--config", config.toString(), "--allow", "pypi.org:443",
                "localhost/from-args:2").spec();

        assertThat(spec.image().toString()).contains("localhost/from-args:2");
        assertThat(spec.workdir()).contains("/work");
        assertThat(spec.egress()).isEqualTo(EgressPolicy.denyAll().allow("api.example.com", 443)
                .allow("pypi.org", 443));
    }

    @Test
    void badArgumentsAreTypedErrorsThatShowTheUsage() {
        assertThatThrownBy(McpOptions::parse).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("needs an image or a config file").hasMessageContaining("usage:");
        assertThatThrownBy(() -> McpOptions.parse("--allow")).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("--allow needs a value");
        assertThatThrownBy(() -> McpOptions.parse("--bogus", "img")).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("unknown option --bogus");
        assertThatThrownBy(() -> McpOptions.parse("a", "b")).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("one image only");
        assertThatThrownBy(() -> McpOptions.parse("--label", "novalue", "img"))
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("KEY=VALUE");
        assertThatThrownBy(() -> McpOptions.parse("--upstream", "dns.example:53", "img").spec())
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("IP address");
        assertThatThrownBy(() -> McpOptions.parse("--allow", "*", "img").spec())
                .isInstanceOf(SandboxConfigException.class);
    }
}
