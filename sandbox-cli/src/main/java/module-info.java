/**
 * The {@code sandbox} command. It exports only {@code dev.sandbox4j.cli.spi}, through which other modules contribute
 * subcommands; the commands themselves are not API.
 */
module dev.sandbox4j.cli {
    requires dev.sandbox4j.core;
    requires info.picocli;
    requires com.fasterxml.jackson.databind;

    exports dev.sandbox4j.cli.spi;
    // picocli reads and sets the commands' annotated fields reflectively
    opens dev.sandbox4j.cli to info.picocli;

    uses dev.sandbox4j.cli.spi.CliExtension;
}
