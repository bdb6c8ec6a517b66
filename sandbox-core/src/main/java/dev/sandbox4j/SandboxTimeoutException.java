package dev.sandbox4j;

import java.time.Duration;

/** Something did not finish within its time limit; whatever was running for it has been stopped. */
public class SandboxTimeoutException extends SandboxException {
    private static final long serialVersionUID = 1L;

    private final Duration timeout;
    private final String partialStdout;
    private final String partialStderr;

    public SandboxTimeoutException(String message, Duration timeout) {
        this(message, timeout, "", "");
    }

    public SandboxTimeoutException(String message, Duration timeout, String partialStdout, String partialStderr) {
        super(message);
        this.timeout = timeout;
        this.partialStdout = partialStdout;
        this.partialStderr = partialStderr;
    }

    public Duration timeout() {
        return timeout;
    }

    /** What the command had written to standard output before it was stopped. */
    public String partialStdout() {
        return partialStdout;
    }

    /** What the command had written to standard error before it was stopped. */
    public String partialStderr() {
        return partialStderr;
    }
}
