package dev.sandbox4j.cli;

import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxInfo;
import dev.sandbox4j.SandboxRuntime;
import java.util.List;
import java.util.Optional;

/** The runtime a command works on and the sandboxes it names: by name, {@code --name}, id or id prefix. */
final class Targets {
    /** The label that carries the name given with {@code run --name}. */
    static final String NAME_LABEL = "sandbox.name";

    private Targets() {
    }

    /** The shared runtime, or it with {@code --runtime NAME}. */
    static SandboxRuntime runtime(String name) {
        return name == null ? SandboxRuntime.shared() : SandboxRuntime.shared().withRuntime(name);
    }

    /** The sandbox named by its {@code --name}, its sb4j- name, its id or a unique id prefix. */
    static Optional<SandboxInfo> find(SandboxRuntime runtime, String idOrName) {
        List<SandboxInfo> named = runtime.list().stream()
                .filter(s -> idOrName.equals(s.labels().get(NAME_LABEL))).toList();
        if (named.size() > 1) {
            throw new SandboxConfigException("\"" + idOrName + "\" names " + named.size()
                    + " sandboxes: give an id (see 'sandbox ls')");
        }
        return named.isEmpty() ? runtime.find(idOrName) : Optional.of(named.get(0));
    }

    /** The exit code when a name or id matches no sandbox, as {@code docker} has for a missing container. */
    static final int EXIT_NOT_FOUND = 1;

    /** As {@link #find}, or a {@link NotFound} that the command line turns into {@link #EXIT_NOT_FOUND}. */
    static SandboxInfo require(SandboxRuntime runtime, String idOrName) {
        return find(runtime, idOrName).orElseThrow(() -> new NotFound(idOrName));
    }

    /** What is said when {@code idOrName} matches no sandbox. */
    static String notFound(String idOrName) {
        return "no sandbox matches '" + idOrName + "' (see 'sandbox ls')";
    }

    /** No sandbox matches: exit code {@link #EXIT_NOT_FOUND}. */
    static final class NotFound extends SandboxConfigException {
        private static final long serialVersionUID = 1L;

        NotFound(String idOrName) {
            super(notFound(idOrName));
        }
    }
}
