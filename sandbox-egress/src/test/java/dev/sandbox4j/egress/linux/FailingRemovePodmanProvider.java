package dev.sandbox4j.egress.linux;

import dev.sandbox4j.internal.podman.PodmanProvider;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.RunningCommand;
import dev.sandbox4j.spi.RuntimeBackend;
import dev.sandbox4j.spi.RuntimeProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The real Podman backend on the real podman, through a {@link CommandRunner} that, while {@link #FAIL_REMOVE} is
 * set, answers every removal ({@code podman rm}, {@code podman network rm}) with a failure instead of running
 * it: how a test makes container removal fail at the process seam. Registered for the tests only, as runtime
 * {@value #NAME}, with the lowest priority so detection never picks it.
 */
public final class FailingRemovePodmanProvider implements RuntimeProvider {
    static final String NAME = "podman-failing-remove";
    /** While set, removals fail with exit 125. */
    static final AtomicBoolean FAIL_REMOVE = new AtomicBoolean();
    private final PodmanProvider podman = new PodmanProvider();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return Integer.MIN_VALUE;
    }

    @Override
    public boolean detect(HostEnvironment host) {
        return podman.detect(host);
    }

    @Override
    public String unavailableReason(HostEnvironment host) {
        return podman.unavailableReason(host);
    }

    @Override
    public RuntimeBackend create(HostEnvironment host, CommandRunner runner) {
        return podman.create(host, new FailingRemove(runner));
    }

    private record FailingRemove(CommandRunner real) implements CommandRunner {
        @Override
        public CommandResult run(Command command) {
            List<String> argv = command.argv();
            boolean removal = argv.size() > 2 && (argv.get(1).equals("rm")
                    || argv.get(1).equals("network") && argv.get(2).equals("rm"));
            if (removal && FAIL_REMOVE.get()) {
                return new CommandResult(argv, 125, new byte[0],
                        "Error: removal refused by the test\n".getBytes(StandardCharsets.UTF_8), Duration.ZERO, 0);
            }
            return real.run(command);
        }

        @Override
        public RunningCommand start(Command command) {
            return real.start(command);
        }
    }
}
