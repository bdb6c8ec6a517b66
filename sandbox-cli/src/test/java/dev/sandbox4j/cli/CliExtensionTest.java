package dev.sandbox4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Subcommands that other modules contribute through {@link dev.sandbox4j.cli.spi.CliExtension}. */
class CliExtensionTest {
    @Test
    void aSubcommandListedAsAServiceRunsWithItsArgumentsAndExitCode() {
        Cli.Outcome r = Cli.run("echo-extension", "hello");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("extension says hello\n");
    }

    @Test
    void theUsageListsTheContributedSubcommand() {
        Cli.Outcome r = Cli.run("--help");

        assertThat(r.out()).contains("echo-extension").contains("run").contains("inspect");
    }
}
