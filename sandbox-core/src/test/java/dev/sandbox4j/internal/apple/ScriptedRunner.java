package dev.sandbox4j.internal.apple;

import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.RunningCommand;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A {@link CommandRunner} that answers a fixed script of commands in order and fails the test on anything
 * unscripted: wrong argv, wrong order, or a command after the script ran out. Records every {@link Command}.
 */
final class ScriptedRunner implements CommandRunner {
    private record Step(List<String> argv, int exit, String stdout, String stderr) {
    }

    private final Deque<Step> steps = new ArrayDeque<>();
    final List<Command> seen = new ArrayList<>();

    ScriptedRunner expect(List<String> argv, int exit, String stdout, String stderr) {
        steps.add(new Step(List.copyOf(argv), exit, stdout, stderr));
        return this;
    }

    ScriptedRunner expect(List<String> argv, String stdout) {
        return expect(argv, 0, stdout, "");
    }

    @Override
    public synchronized CommandResult run(Command command) {
        seen.add(command);
        Step step = steps.poll();
        if (step == null) {
            throw new AssertionError("unscripted command (script is used up): " + command.argv());
        }
        if (!step.argv().equals(command.argv())) {
            throw new AssertionError("unscripted command:\n  expected " + step.argv() + "\n  got      " + command.argv());
        }
        return new CommandResult(command.argv(), step.exit(), step.stdout().getBytes(StandardCharsets.UTF_8),
                step.stderr().getBytes(StandardCharsets.UTF_8), Duration.ofMillis(1), 0);
    }

    @Override
    public RunningCommand start(Command command) {
        throw new AssertionError("unscripted long-lived command: " + command.argv());
    }

    void assertDone() {
        if (!steps.isEmpty()) {
            throw new AssertionError("scripted commands never ran: " + steps.stream().map(Step::argv).toList());
        }
    }
}
