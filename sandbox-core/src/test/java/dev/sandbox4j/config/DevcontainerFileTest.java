package dev.sandbox4j.config;

import static dev.sandbox4j.config.Fixtures.fixture;
import static dev.sandbox4j.config.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.ImageSource;
import dev.sandbox4j.MemorySize;
import dev.sandbox4j.Mount;
import dev.sandbox4j.PortMapping;
import dev.sandbox4j.SandboxSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevcontainerFileTest {

    @TempDir
    Path dir;

    private static final Path NODE = fixture("devcontainer/node-app/.devcontainer/devcontainer.json");
    private static final Path PYTHON = fixture("devcontainer/python-build/.devcontainer/devcontainer.json");

    @Test
    void imageEnvUserAndForwardedPortsMapOntoTheSpec() {
        // given: a file with comments and trailing commas, as devcontainer.json allows
        Path workspace = NODE.getParent().getParent();

        // when
        SandboxSpec spec = DevcontainerFile.read(NODE).template();

        // then
        assertThat(spec.image()).isEqualTo(new ImageSource.Reference("localhost/sandbox4j-test/busybox:latest"));
        assertThat(spec.env()).containsExactly(Map.entry("NODE_ENV", "development"), Map.entry("PROJECT", "node-app"));
        assertThat(spec.user()).contains("sandbox");
        assertThat(spec.ports()).containsExactly(PortMapping.of(3000), PortMapping.of(9229));
        assertThat(workspace.getFileName().toString()).isEqualTo("node-app");
    }

    @Test
    void bindMountStringIsParsedAndTheWorkspaceIsMountedAtTheDefaultFolder() {
        // given
        Path workspace = NODE.getParent().getParent();

        // when
        SandboxSpec spec = DevcontainerFile.read(NODE).template();

        // then
        assertThat(spec.mounts()).containsExactly(
                new Mount(workspace.resolve("cache"), "/home/node/.cache", true),
                new Mount(workspace, "/workspaces/node-app", false));
        assertThat(spec.workdir()).contains("/workspaces/node-app");
    }

    @Test
    void featuresLifecycleCommandsVolumesAndOtherServicesAreReportedAsIgnored() {
        // given
        Path file = NODE;

        // when
        List<String> ignored = DevcontainerFile.read(file).ignored();

        // then
        assertThat(ignored).anySatisfy(s -> assertThat(s).startsWith("features (line 8): dev container features"))
                .anySatisfy(s -> assertThat(s).startsWith("postCreateCommand (line 11): lifecycle commands"))
                .anySatisfy(s -> assertThat(s).startsWith("postStartCommand (line 12)"))
                .anySatisfy(s -> assertThat(s).startsWith("portsAttributes (line 15)"))
                .anySatisfy(s -> assertThat(s).startsWith("mounts[] (line 19): volume mounts are not supported"))
                .anySatisfy(s -> assertThat(s).startsWith("forwardPorts \"db:5432\" (line 14)"))
                .anySatisfy(s -> assertThat(s).startsWith("hostRequirements.storage (line 28)"));
        assertThat(ignored).noneMatch(s -> s.startsWith("name") || s.startsWith("customizations"));
    }

    @Test
    void hostRequirementsBecomeLimitsWithAWarning() {
        // given
        Path file = NODE;

        // when
        SandboxDefinition def = DevcontainerFile.read(file);

        // then
        assertThat(def.template().cpus()).isEqualTo(1.0);
        assertThat(def.template().memory()).contains(MemorySize.parse("256m"));
        assertThat(def.warnings()).anySatisfy(w -> assertThat(w).contains("hostRequirements.cpus 1 is a minimum")
                        .contains("limit of 1.0 CPUs"))
                .anySatisfy(w -> assertThat(w).contains("hostRequirements.memory 256mb").contains("limit of 256m"))
                .anySatisfy(w -> assertThat(w).contains("mounted read-write at /workspaces/node-app"));
    }

    @Test
    void sandbox4jCustomizationsCarryEgressStartupTimeoutAndLabels() {
        // given
        Path file = NODE;

        // when
        SandboxDefinition def = DevcontainerFile.read(file);

        // then
        assertThat(def.egress()).contains(new EgressConfig(EgressConfig.Default.DENY,
                List.of("allow registry.npmjs.org:443", "allow **.github.com"), List.of()));
        assertThat(def.template().startupTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(def.template().labels()).containsExactly(Map.entry("team", "web"));
    }

    @Test
    void buildWorkspaceMountAndWorkspaceFolderMap() {
        // given
        Path devcontainerDir = PYTHON.getParent();
        Path workspace = devcontainerDir.getParent();

        // when
        SandboxSpec spec = DevcontainerFile.read(PYTHON).spec();

        // then
        assertThat(spec.image()).isEqualTo(new ImageSource.Build(workspace, devcontainerDir.resolve("Dockerfile"),
                Map.of("VARIANT", "3.12-bookworm")));
        assertThat(spec.mounts()).containsExactly(new Mount(workspace.resolve("data"), "/data", false),
                new Mount(workspace, "/src", false));
        assertThat(spec.workdir()).contains("/src");
        assertThat(spec.ports()).containsExactly(PortMapping.of(8000, 8000));
    }

    @Test
    void securityRelevantPropertiesAreIgnoredLoudly() {
        // given
        Path file = PYTHON;

        // when
        SandboxDefinition def = DevcontainerFile.read(file);

        // then
        assertThat(def.ignored())
                .anySatisfy(s -> assertThat(s).startsWith("runArgs (line 19): raw runtime arguments are not passed"))
                .anySatisfy(s -> assertThat(s).startsWith("capAdd (line 20): capabilities are never added"))
                .anySatisfy(s -> assertThat(s).startsWith("privileged (line 21)"))
                .anySatisfy(s -> assertThat(s).startsWith("onCreateCommand (line 22)"))
                .anySatisfy(s -> assertThat(s).startsWith("remoteEnv (line 23)"))
                .anySatisfy(s -> assertThat(s).startsWith("build.target (line 9)"));
    }

    @Test
    void differingRemoteAndContainerUsersWarnAndTheRemoteUserWins() {
        // given
        Path file = PYTHON;

        // when
        SandboxDefinition def = DevcontainerFile.read(file);

        // then
        assertThat(def.template().user()).contains("root");
        assertThat(def.warnings()).anySatisfy(w -> assertThat(w).contains("remoteUser \"root\" and containerUser "
                + "\"sandbox\" differ"));
        assertThat(def.warnings()).anySatisfy(w -> assertThat(w).contains("consistency"));
    }

    @Test
    void misspelledTopLevelPropertyIsReportedWithASuggestion() {
        // given
        Path file = write(dir, "devcontainer.json", """
                {
                  "image": "localhost/busybox:latest",
                  "forwardPort": [3000]
                }
                """);

        // when
        SandboxDefinition def = DevcontainerFile.read(file);

        // then
        assertThat(def.ignored()).containsExactly("forwardPort (line 3): not a devcontainer.json property Sandbox4j "
                + "knows; did you mean \"forwardPorts\"?");
        assertThat(def.template().ports()).isEmpty();
    }

    @Test
    void unknownKeyInTheSandbox4jCustomizationIsAnErrorWithASuggestion() {
        // given
        Path file = write(dir, "devcontainer.json", """
                {
                  "image": "localhost/busybox:latest",
                  "customizations": {"sandbox4j": {
                    "egres": {"default": "deny"}
                  }}
                }
                """);

        // when / then
        assertThatThrownBy(() -> DevcontainerFile.read(file))
                .isInstanceOf(SandboxConfigFileException.class)
                .hasMessageStartingWith(file + ":4:5: ")
                .hasMessageContaining("did you mean \"egress\"?");
    }

    @Test
    void wrongTypeFailsAtItsPosition() {
        // given
        Path file = write(dir, "devcontainer.json", """
                {
                  // env must be an object
                  "image": "localhost/busybox:latest",
                  "containerEnv": ["A=1"],
                }
                """);

        // when / then
        assertThatThrownBy(() -> DevcontainerFile.read(file))
                .hasMessage(file + ":4:19: \"containerEnv\" must be an object, not an array: write it like "
                        + "{\"MODE\": \"test\"}");
    }

    @Test
    void variableThatNeedsTheRunningContainerFails() {
        // given
        Path file = write(dir, "devcontainer.json", """
                {"image": "localhost/busybox:latest",
                 "containerEnv": {"P": "${containerEnv:PATH}:/x"}}
                """);

        // when / then
        assertThatThrownBy(() -> DevcontainerFile.read(file))
                .hasMessageStartingWith(file + ":2:24: variable ${containerEnv:PATH} cannot be resolved");
    }

    @Test
    void localEnvVariableFallsBackToItsDefault() {
        // given
        Path file = write(dir, "devcontainer.json", """
                {"image": "localhost/busybox:latest",
                 "containerEnv": {"P": "${localEnv:SANDBOX4J_SURELY_UNSET_VARIABLE:fallback}"}}
                """);

        // when
        SandboxSpec spec = DevcontainerFile.read(file).template();

        // then
        assertThat(spec.env()).containsEntry("P", "fallback");
    }

    @Test
    void composeOnlyDevcontainerIsRejected() {
        // given
        Path file = write(dir, "devcontainer.json", """
                {"dockerComposeFile": "docker-compose.yml", "service": "app"}
                """);

        // when / then
        assertThatThrownBy(() -> DevcontainerFile.read(file))
                .hasMessageContaining("Docker Compose devcontainers are not supported");
    }

    @Test
    void workspaceFolderDefaultsToTheFilesFolderOutsideADotDevcontainerFolder() {
        // given
        Path file = write(dir, "proj/.devcontainer.json", """
                {"image": "localhost/busybox:latest"}
                """);

        // when
        SandboxSpec spec = DevcontainerFile.read(file).spec();

        // then
        assertThat(spec.mounts()).containsExactly(new Mount(dir.resolve("proj"), "/workspaces/proj", false));
    }
}
