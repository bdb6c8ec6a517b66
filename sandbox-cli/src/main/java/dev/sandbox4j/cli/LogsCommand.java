package dev.sandbox4j.cli;

import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxInfo;
import dev.sandbox4j.SandboxRuntime;
import dev.sandbox4j.spi.RunningCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sandbox logs}: what a sandbox's main process has written, once or followed as it is written. */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Print what a sandbox's main process (the command of 'run -d IMAGE CMD') has written to",
                "stdout and stderr so far; with -f, keep printing what it writes until it exits or you press",
                "Ctrl-C. Exit code 1 if nothing matches."},
        footerHeading = "%nExamples:%n", footer = {"  sandbox logs web", "  sandbox logs -f --tail 20 web", ""})
public final class LogsCommand implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofMinutes(1);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.ParentCommand
    SandboxCli cli;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new output until the main process exits.")
    boolean follow;

    @Option(names = {"-n", "--tail"}, paramLabel = "N", description = "Only the last N lines written so far. Default: all.")
    Integer tail;

    @Mixin
    RuntimeOption runtime = new RuntimeOption();

    @Parameters(index = "0", paramLabel = "SANDBOX", description = "Name (--name or sb4j-...), id or id prefix.")
    String id;

    @Override
    public Integer call() {
        if (tail != null && tail < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tail " + tail + ": give 0 or more lines");
        }
        SandboxRuntime rt = runtime.runtime();
        SandboxInfo s = Targets.require(rt, id);
        if (follow) {
            return follow(rt.backend().followLogs(s.id(), tail == null ? -1 : tail));
        }
        String logs = rt.backend().logs(s.id(), TIMEOUT);
        PrintWriter out = spec.commandLine().getOut();
        out.print(tail == null ? logs : lastLines(logs, tail));
        out.flush();
        return 0;
    }

    /** Copies the runtime's follow process's bytes through until it ends; Ctrl-C (or any JVM exit) stops it. */
    private int follow(RunningCommand logs) {
        Thread stop = new Thread(logs::close, "sandbox-logs-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        try (logs) {
            logs.stdin().close();
            Thread err = RawExec.pump(logs.stderr(), cli.io.err(), "sandbox-logs-err");
            RawExec.pump(logs.stdout(), cli.io.out(), "sandbox-logs-out").join();
            err.join();
            return 0;
        } catch (IOException e) {
            throw new SandboxException("could not read the logs of " + id + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while following the logs of " + id, e);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException e) {
                // the JVM is exiting, and the hook closes the follow process
            }
        }
    }

    /** The last {@code n} lines of {@code text} (a last line without terminator counts as one). */
    static String lastLines(String text, int n) {
        if (n == 0) {
            return "";
        }
        int start = text.endsWith("\n") ? text.length() - 1 : text.length();
        for (int i = 0; i < n; i++) {
            int newline = text.lastIndexOf('\n', start - 1);
            if (newline < 0) {
                return text;
            }
            start = newline;
        }
        return text.substring(start + 1);
    }
}
