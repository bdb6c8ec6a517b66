package dev.sandbox4j.internal;

import dev.sandbox4j.ExecListener;
import dev.sandbox4j.LogStream;
import dev.sandbox4j.spi.RunningCommand;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@link LogStream} over the runtime's {@code logs --follow} process: one reader thread per stream, split into lines. */
public final class FollowedLogs implements LogStream {
    private static final Logger LOG = LoggerFactory.getLogger(FollowedLogs.class);

    private final RunningCommand command;
    private final CountDownLatch ended = new CountDownLatch(2);

    private FollowedLogs(RunningCommand command) {
        this.command = command;
    }

    /** Starts reading {@code command}'s stdout and stderr into {@code listener}. */
    public static FollowedLogs start(RunningCommand command, ExecListener listener, String name) {
        FollowedLogs logs = new FollowedLogs(command);
        try {
            command.stdin().close();
        } catch (IOException e) {
            LOG.debug("closing the stdin of the logs of {}", name, e);
        }
        logs.read(command.stdout(), listener::onStdout, "sandbox-logs-out-" + name);
        logs.read(command.stderr(), listener::onStderr, "sandbox-logs-err-" + name);
        return logs;
    }

    private void read(InputStream in, Consumer<String> sink, String threadName) {
        Thread t = new Thread(() -> {
            LineSplitter lines = new LineSplitter(sink);
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    lines.accept(buffer, 0, n);
                }
            } catch (IOException e) {
                // closed: what was read has been delivered
            } catch (RuntimeException e) {
                LOG.warn("a log listener failed; no more lines are delivered to it", e);
            } finally {
                try {
                    lines.finish();
                } catch (RuntimeException e) {
                    LOG.warn("a log listener failed on the last line", e);
                }
                ended.countDown();
            }
        }, threadName);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        command.close();
    }
}
