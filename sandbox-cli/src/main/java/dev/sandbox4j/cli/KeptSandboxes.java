package dev.sandbox4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxInfo;
import dev.sandbox4j.SandboxRuntime;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.RunningCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import picocli.CommandLine;

/**
 * {@code run --keep}: a sandbox that outlives the CLI call. A sandbox's egress control (its DNS interceptor)
 * lives in the JVM that started it, and the library removes a sandbox when that JVM exits, so the CLI starts a
 * small <em>holder</em> JVM in its own session ({@code setsid}) that starts the sandbox with the same options,
 * reports its id, and then waits: when the container stops or is removed ({@code sandbox rm}), the holder closes
 * the sandbox, which removes its network and firewall table too. The holder is the sandbox's owner, so
 * {@code sandbox gc} leaves it alone while it lives and cleans up if it is killed.
 */
final class KeptSandboxes {
    /** The argument that marks a holder process, also how {@code rm} recognises one. */
    static final String HOLD = "--hold";
    private static final String READY = "READY ";
    private static final Duration POLL = Duration.ofMillis(500);

    private KeptSandboxes() {
    }

    /** In the CLI: starts the holder, relays its progress and errors, prints the id. */
    static int keep(CommandLine cl, int positionals, boolean json, PrintWriter out, PrintWriter err) throws Exception {
        List<String> argv = new ArrayList<>(List.of("setsid", javaCommand(), "-cp", classPath(),
                SandboxCli.class.getName(), "run", HOLD));
        argv.addAll(holderArgs(cl, positionals));
        RunningCommand holder = CommandRunner.system().start(Command.builder(argv).build());
        holder.stdin().close();
        Thread relay = new Thread(() -> relay(holder, err), "sandbox-keep-relay");
        relay.setDaemon(true);
        relay.start();
        String ready = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(holder.stdout(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith(READY)) {
                    ready = line.substring(READY.length());
                    break;
                }
            }
        }
        relay.join(Duration.ofSeconds(5).toMillis());
        if (ready == null) {
            OptionalInt code = holder.waitFor(Duration.ofSeconds(30));
            holder.close();
            return code.orElse(SandboxCli.EXIT_RUNTIME);
        }
        JsonNode info = Json.read(ready);
        out.println(json ? ready : info.get("id").asText());
        out.flush();
        return 0;
    }

    private static void relay(RunningCommand holder, PrintWriter err) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(holder.stderr(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (err) {
                    err.println(line);
                    err.flush();
                }
            }
        } catch (IOException e) {
            // the holder detached
        }
    }

    /**
     * This call's arguments after the subcommand name, without -d/--keep (the holder gets --hold instead). Only
     * the options are filtered: the last {@code positionals} arguments are the image and the command, kept as given.
     */
    static List<String> holderArgs(CommandLine cl, int positionals) {
        List<String> original = cl.getParseResult().originalArgs();
        int start = original.indexOf(cl.getCommandName()) + 1;
        int firstPositional = original.size() - positionals;
        List<String> args = new ArrayList<>();
        for (int i = start; i < original.size(); i++) {
            String a = original.get(i);
            if (i < firstPositional && (a.equals("--keep") || a.equals("-d") || a.equals("--detach"))) {
                continue;
            }
            args.add(a);
        }
        return args;
    }

    /** In the holder: starts the sandbox, reports it, detaches from the CLI's pipes, and waits for its end. */
    static int hold(SandboxSpec spec, PrintWriter out) throws InterruptedException {
        SandboxRuntime runtime = SandboxRuntime.shared();
        Sandbox sandbox = runtime.start(spec);
        String name = sandbox.name();
        out.println(READY + Json.write(Json.sandbox(sandbox)));
        out.flush();
        PrintStream nothing = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        System.setOut(nothing);
        System.setErr(nothing);
        stdout.close();
        stderr.close();
        try {
            while (running(runtime, spec, name)) {
                Thread.sleep(POLL.toMillis());
            }
        } finally {
            sandbox.close();
        }
        return 0;
    }

    private static boolean running(SandboxRuntime runtime, SandboxSpec spec, String name) {
        try {
            SandboxRuntime on = spec.runtime().map(runtime::withRuntime).orElse(runtime);
            return on.find(name).map(SandboxInfo::running).orElse(false);
        } catch (SandboxException e) {
            return true;  // a runtime hiccup is no reason to tear the sandbox down
        }
    }

    /** Whether a sandbox is held by a live {@code run -d} holder process. */
    static boolean isKept(SandboxInfo s) {
        return s.ownerAlive() && s.ownerPid().map(KeptSandboxes::isHolder).orElse(false);
    }

    /** Whether a process is a holder, judged by its command line. */
    static boolean isHolder(long pid) {
        return arguments(pid)
                .map(a -> a.contains(HOLD) && a.contains(SandboxCli.class.getName()))
                .orElse(false);
    }

    /**
     * A process's arguments. On Linux from {@code /proc/PID/cmdline} itself: the JDK's {@code ProcessHandle.Info}
     * gives none for a command line longer than it reads (a holder started with a long class path has one).
     */
    private static Optional<List<String>> arguments(long pid) {
        java.nio.file.Path cmdline = java.nio.file.Path.of("/proc", Long.toString(pid), "cmdline");
        if (java.nio.file.Files.isReadable(cmdline)) {
            try {
                String all = new String(java.nio.file.Files.readAllBytes(cmdline), java.nio.charset.StandardCharsets.UTF_8);
                return Optional.of(List.of(all.split("\0")));
            } catch (java.io.IOException e) {
                return Optional.empty();
            }
        }
        return ProcessHandle.of(pid).flatMap(h -> h.info().arguments()).map(List::of);
    }

    /** Waits for a holder to finish its cleanup after its container was removed. */
    static void awaitHolder(long pid, Duration timeout) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isPresent()) {
            try {
                h.get().onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                // the caller cleans up what is left
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String javaCommand() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** The jar the CLI runs from (the shaded jar from the launcher), else this JVM's class path. */
    private static String classPath() {
        try {
            Path source = Path.of(SandboxCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(source) && source.toString().endsWith("-all.jar")) {
                return source.toString();
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // fall through to the class path
        }
        return System.getProperty("java.class.path");
    }
}
