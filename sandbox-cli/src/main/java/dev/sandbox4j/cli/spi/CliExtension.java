package dev.sandbox4j.cli.spi;

/**
 * A subcommand that another module contributes to the {@code sandbox} command (the {@code sandbox-mcp} module's
 * {@code sandbox mcp}, for example), found with {@link java.util.ServiceLoader}: list the implementation in
 * {@code META-INF/services/dev.sandbox4j.cli.spi.CliExtension} (and {@code provides} it in a module descriptor).
 *
 * <pre>{@code
 * public final class McpExtension implements CliExtension {
 *     public String name() { return "mcp"; }
 *     public Object command() { return new McpCommand(); }   // a picocli @Command object
 * }
 * }</pre>
 */
public interface CliExtension {
    /** {@return the subcommand's name, such as {@code "mcp"}; it must not clash with the built-in ones} */
    String name();

    /** {@return a new picocli {@code @Command} object (or a {@code picocli.CommandLine}) for the subcommand} */
    Object command();
}
