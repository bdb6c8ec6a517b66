package dev.sandbox4j.examples;

import dev.sandbox4j.ReapReport;
import dev.sandbox4j.SandboxInfo;
import dev.sandbox4j.Sandboxes;
import java.util.Optional;

/** What {@code sandbox ls}, {@code inspect}, {@code rm} and {@code gc --dry-run} do, from Java (docs/cli.md). */
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
}
