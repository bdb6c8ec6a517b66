package dev.sandbox4j.spi;

import dev.sandbox4j.internal.SystemCommandRunner;

/**
 * The one seam through which Sandbox4j starts OS processes. Runtime backends build argument lists and hand
 * them here; tests substitute a scripted runner at this boundary.
 */
public interface CommandRunner {

    /** {@return the runner that starts real processes; shared and thread-safe} */
    static CommandRunner system() {
        return SystemCommandRunner.INSTANCE;
    }

    /**
     * Runs a process to completion. Both output streams are drained concurrently, so any amount of output is
     * safe. When the time limit passes, the process tree gets SIGTERM, then SIGKILL after the grace period, and
     * {@link dev.sandbox4j.SandboxTimeoutException} is thrown. An interrupt kills the tree the same way and
     * throws {@link dev.sandbox4j.SandboxException} with the interrupt flag set again.
     *
     * @param command the process to run
     * @return the result, whatever the exit code
     * @throws dev.sandbox4j.SandboxTimeoutException if the time limit passed
     * @throws dev.sandbox4j.SandboxException if the process cannot be started or the thread is interrupted
     */
    CommandResult run(Command command);

    /**
     * Starts a long-lived process and hands its streams to the caller, who reads them or
     * {@linkplain RunningCommand#pump pumps} them. The system runner starts it, on Linux, without a thread of its
     * own (see {@link RunningCommand#pump}); the command's time limit does not apply: {@link RunningCommand#close}
     * ends it.
     *
     * @param command the process to start
     * @return the running process; the caller must close it
     * @throws dev.sandbox4j.SandboxException if the process cannot be started
     */
    RunningCommand start(Command command);
}
