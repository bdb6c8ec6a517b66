package dev.sandbox4j.testing;

import dev.sandbox4j.SandboxException;

/**
 * Thrown when this host cannot make a {@link FakeInternet}: the JVM does not run as root, or the {@code ip} command
 * is missing. The message says why and what to do; {@link FakeInternet#unavailableReason()} tells the same without
 * throwing, for a test that wants to skip.
 */
public class FakeInternetUnavailableException extends SandboxException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with the reason the fake internet cannot start.
     *
     * @param reason why, and what to do about it
     */
    public FakeInternetUnavailableException(String reason) {
        super(reason);
    }
}
