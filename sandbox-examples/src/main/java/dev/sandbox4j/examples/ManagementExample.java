package dev.sandbox4j.examples;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.LogStream;
import dev.sandbox4j.ReapReport;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxInfo;
import dev.sandbox4j.Sandboxes;
import java.time.Duration;
import java.util.Optional;

/**
 * What {@code sandbox ls}, {@code inspect}, {@code rm}, {@code gc --dry-run}, {@code logs -f} and {@code exec -t} do,
 * from Java (docs/cli.md).
 */
public final class ManagementExample {
    private ManagementExample() {
    }

    /**
     * Prints the host's sandboxes, removes the one named {@code idOrName}, and returns what gc would remove.
     *
     * @param idOrName a sandbox name, id or id prefix
     * @return what orphan reaping would remove now
     */
    public static ReapReport manage(String idOrName) {
        // docs:management
        for (SandboxInfo s : Sandboxes.list()) {                // sandbox ls
            System.out.println(s.shortId() + " " + s.name() + " owner alive: " + s.ownerAlive() + " " + s.ports());
        }
        Optional<SandboxInfo> found = Sandboxes.find(idOrName);  // sandbox inspect: name, id or id prefix
        if (found.isPresent()) {
            ReapReport removed = Sandboxes.remove(found.get().id());  // sandbox rm: container, firewall table, network
            System.out.println("removed " + removed.containers() + removed.hostState() + removed.networks());
        }
        ReapReport wouldGo = Sandboxes.orphans();                // sandbox gc --dry-run: the reaper's rule, no removal
        // docs:end
        return wouldGo;
    }

    /**
     * Prints {@code sandbox}'s logs as they are written until its main process ends (at most 5 minutes), then runs
     * {@code ls} on a terminal; returns that run's result.
     *
     * @param sandbox a running sandbox
     * @return the result of {@code ls} run on a terminal
     * @throws InterruptedException if interrupted while waiting for the logs to end
     */
    public static ExecResult followAndRunOnATerminal(Sandbox sandbox) throws InterruptedException {
        // docs:follow
        try (LogStream logs = sandbox.followLogs(new ExecListener() {      // sandbox logs -f
            @Override
            public void onStdout(String line) {
                System.out.println(line);
            }
        })) {
            logs.awaitEnd(Duration.ofMinutes(5));
        }
        ExecResult r = sandbox.exec(Exec.builder("ls", "-l").tty(true).build());  // sandbox exec -t: stdout has \r\n
        // docs:end
        return r;
    }
}
