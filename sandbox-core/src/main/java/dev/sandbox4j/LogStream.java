package dev.sandbox4j;

import java.time.Duration;

/**
 * A sandbox's logs being followed ({@link Sandbox#followLogs(ExecListener)}): the lines its main process writes reach
 * a listener as they are written, until that process ends (and with it the sandbox's container) or this stream is
 * closed. Close it to stop following; closing is idempotent and leaves the sandbox running.
 *
 * <pre>{@code
 * try (LogStream logs = sandbox.followLogs(new ExecListener() {
 *     public void onStdout(String line) { System.out.println(line); }
 * })) {
 *     logs.awaitEnd(Duration.ofMinutes(5));
 * }
 * }</pre>
 */
public interface LogStream extends AutoCloseable {

    /**
     * Waits until the stream has ended (the main process exited, the container was removed, or this was closed)
     * and every line has been delivered.
     *
     * @param timeout how long to wait at most
     * @return whether it ended within {@code timeout}
     * @throws InterruptedException if the waiting thread is interrupted
     */
    boolean awaitEnd(Duration timeout) throws InterruptedException;

    /** Stops following. Idempotent; lines already read are still delivered. */
    @Override
    void close();
}
