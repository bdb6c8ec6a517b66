package dev.sandbox4j.spi;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/** The default {@link RunningCommand#pump}: a daemon thread per stream. */
final class StreamPumps {
    private StreamPumps() {
    }

    static void start(RunningCommand command, RunningCommand.ByteSink stdout, RunningCommand.ByteSink stderr,
                      Runnable onEnd) {
        InputStream out = command.stdout();
        InputStream err = command.stderr();
        AtomicInteger left = new AtomicInteger(2);
        Runnable end = () -> {
            if (left.decrementAndGet() == 0) {
                try {
                    onEnd.run();
                } catch (RuntimeException | Error e) {
                    LoggerFactory.getLogger(RunningCommand.class).warn("end callback of pid {} failed",
                            command.pid(), e);
                }
            }
        };
        String name = "sandbox4j-pump-" + command.pid() + "-";
        thread(name + "stdout", out, stdout, end, command).start();
        thread(name + "stderr", err, stderr, end, command).start();
    }

    private static Thread thread(String name, InputStream in, RunningCommand.ByteSink sink, Runnable end,
                                 RunningCommand command) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            boolean failed = false;
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (failed || n == 0) {
                        continue;
                    }
                    try {
                        sink.accept(buf, 0, n);
                    } catch (RuntimeException | Error e) {
                        failed = true;
                        LoggerFactory.getLogger(RunningCommand.class).warn("{} failed; the rest of the stream of "
                                + "pid {} is discarded", name, command.pid(), e);
                    }
                }
            } catch (IOException e) {
                LoggerFactory.getLogger(RunningCommand.class).trace("{} ended: {}", name, e.getMessage());
            } finally {
                end.run();
            }
        }, name);
        t.setDaemon(true);
        return t;
    }
}
