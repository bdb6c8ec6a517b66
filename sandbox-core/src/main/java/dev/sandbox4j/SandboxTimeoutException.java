package dev.sandbox4j;

import java.time.Duration;

/** Something did not finish within its time limit; whatever was running for it has been stopped. */
public class SandboxTimeoutException extends SandboxException {
    private static final long serialVersionUID = 1L;

    /** The limit that was exceeded. */
    private final Duration timeout;
    /** Standard output up to the time-out. */
    private final String partialStdout;
    /** Standard error up to the time-out. */
    private final String partialStderr;

    /**
     * An exception without captured output.
     *
     * @param message what timed out
     * @param timeout the limit that was exceeded
     */
    public SandboxTimeoutException(String message, Duration timeout) {
        this(message, timeout, "", "");
    }

    /**
     * An exception carrying what the command wrote before it was stopped.
     *
     * @param message       what timed out
     * @param timeout       the limit that was exceeded
     * @param partialStdout standard output up to the time-out; {@code ""} for none
     * @param partialStderr standard error up to the time-out; {@code ""} for none
     */
    public SandboxTimeoutException(String message, Duration timeout, String partialStdout, String partialStderr) {
        super(message);
        this.timeout = timeout;
        this.partialStdout = partialStdout;
        this.partialStderr = partialStderr;
    }

    /** {@return the time limit that was exceeded} */
    public Duration timeout() {
        return timeout;
    }

    /** {@return what the command had written to standard output before it was stopped; {@code ""} for none} */
    public String partialStdout() {
        return partialStdout;
    }

    /** {@return what the command had written to standard error before it was stopped; {@code ""} for none} */
    public String partialStderr() {
        return partialStderr;
    }
}
