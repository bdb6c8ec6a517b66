package dev.sandbox4j.cli;

import dev.sandbox4j.CommandFailedException;
import dev.sandbox4j.RuntimeUnavailableException;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxTimeoutException;
import dev.sandbox4j.cli.spi.CliExtension;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sandbox} command line: runs commands in sandboxes with egress control the way {@code docker run}
 * users expect, manages kept sandboxes, cleans up after dead owners and checks policies. A thin layer over the
 * public API; see {@code docs/cli.md}.
 *
 * <p>Exit codes: the command's own exit code for {@code run}, {@code exec} and {@code audit}; 2 for usage and
 * configuration errors; 124 when something timed out; 125 when the runtime failed (as podman does); 1 for
 * "not found" and for a denied {@code policy check}.
 */
@Command(name = "sandbox",
        mixinStandardHelpOptions = true,
        versionProvider = SandboxCli.Version.class,
        description = "Runs untrusted commands in containers whose network egress is denied unless allowed.",
        subcommands = {RunCommand.class, ExecCommand.class, ListCommand.class, InspectCommand.class,
                LogsCommand.class, CpCommand.class, StopCommand.class, RemoveCommand.class, GcCommand.class,
                PolicyCommand.class, AuditCommand.class, McpCommand.class, KubeManifestCommand.class,
                CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {
                "  sandbox run localhost/busybox:latest sh -c 'echo hi'",
                "  sandbox run -v ./project:/work -w /work --allow pypi.org:443 IMAGE make",
                "  echo data | sandbox run -i IMAGE wc -c",
                "  sandbox run -d --name web -p 8080 IMAGE httpd -f -p 8080    # prints the id",
                "  sandbox exec web ls /  ;  sandbox logs web  ;  sandbox cp web:/etc/hosts .  ;  sandbox stop web",
                "  sandbox exec -it web sh  ;  sandbox logs -f web",
                "  sandbox ls  ;  sandbox inspect web  ;  sandbox rm web  ;  sandbox gc",
                "  sandbox policy check policy.txt api.example.com:443",
                "",
                "Exit codes: the command's own for run/exec/audit; 1 not found or denied; 2 usage or",
                "configuration; 124 timed out; 125 runtime failure.", ""})
public final class SandboxCli implements Runnable {
    /** Usage or configuration error. */
    public static final int EXIT_USAGE = 2;
    /** Something did not finish within its time limit. */
    public static final int EXIT_TIMEOUT = 124;
    /** The container runtime failed or is missing. */
    public static final int EXIT_RUNTIME = 125;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The process's raw streams: commands in sandboxes read and write bytes here, unchanged. */
    final Io io;

    SandboxCli(Io io) {
        this.io = io;
    }

    /** The raw standard streams of a command-line run (or a test's stand-ins). */
    record Io(InputStream in, OutputStream out, OutputStream err) {
    }

    /**
     * Runs the {@code sandbox} command on this process's standard streams and exits with its exit code.
     *
     * @param args the command-line arguments, subcommand first (see {@code sandbox --help})
     */
    public static void main(String[] args) {
        configureLogging();
        Io io = new Io(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out),
                new FileOutputStream(FileDescriptor.err));
        int code = commandLine(io).execute(args);
        System.exit(code);
    }

    /**
     * The command line over given streams, with Sandbox4j's exception mapping and every {@link CliExtension}
     * found on the class path; tests execute it in-process.
     *
     * @param in  standard input of the subcommands
     * @param out standard output of the subcommands
     * @param err standard error of the subcommands
     * @return the picocli command line; call {@code execute(args)} for the exit code
     * @throws IllegalStateException if an extension names a subcommand that exists already
     */
    public static CommandLine commandLine(InputStream in, OutputStream out, OutputStream err) {
        return commandLine(new Io(in, out, err));
    }

    static CommandLine commandLine(Io io) {
        CommandLine cl = new CommandLine(new SandboxCli(io));
        for (CliExtension e : ServiceLoader.load(CliExtension.class, SandboxCli.class.getClassLoader())) {
            if (cl.getSubcommands().containsKey(e.name())) {
                throw new IllegalStateException("CLI extension " + e.getClass().getName() + " names subcommand \""
                        + e.name() + "\", which exists already");
            }
            cl.addSubcommand(e.name(), e.command());
        }
        cl.setUsageHelpWidth(110);
        cl.setOut(new PrintWriter(new OutputStreamWriter(io.out(), StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(io.err(), StandardCharsets.UTF_8), true));
        for (String name : new String[] {"run", "audit", "exec"}) {
            // docker-style: the first positional argument ends the options; "--" is optional
            cl.getSubcommands().get(name).setStopAtPositional(true);
        }
        cl.setExecutionExceptionHandler((e, line, parseResult) -> {
            line.getErr().println("sandbox: " + message(e));
            line.getErr().flush();
            return exitCode(e);
        });
        return cl;
    }

    /**
     * Keeps the library's logging at WARN and sends image pull and build progress (the {@code dev.sandbox4j.build}
     * logger) to stderr, unless the {@code org.slf4j.simpleLogger.*} properties are set already.
     * {@code SANDBOX4J_LOG=debug} shows every runtime CLI call.
     */
    static void configureLogging() {
        String level = System.getenv().getOrDefault("SANDBOX4J_LOG", "warn");
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", level);
        setDefault("org.slf4j.simpleLogger.log.dev.sandbox4j.build", "info");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    static int exitCode(Exception e) {
        if (e instanceof Targets.NotFound) {
            return Targets.EXIT_NOT_FOUND;
        }
        if (e instanceof SandboxTimeoutException) {
            return EXIT_TIMEOUT;
        }
        if (e instanceof SandboxConfigException || e instanceof IllegalArgumentException
                || e instanceof UncheckedIOException || e instanceof IOException) {
            return EXIT_USAGE;
        }
        if (e instanceof RuntimeUnavailableException || e instanceof CommandFailedException
                || e instanceof SandboxException) {
            return EXIT_RUNTIME;
        }
        return EXIT_RUNTIME;
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        if (e instanceof UncheckedIOException && e.getCause() != null) {
            m = e.getCause().toString();
        }
        return m == null || m.isBlank() ? e.toString() : m;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar manifest, or the development version when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SandboxCli.class.getPackage().getImplementationVersion();
            return new String[] {"sandbox (Sandbox4j) " + (v == null ? "0.1.0-SNAPSHOT" : v),
                    "Java " + System.getProperty("java.version") + " on " + System.getProperty("os.name")};
        }
    }
}
