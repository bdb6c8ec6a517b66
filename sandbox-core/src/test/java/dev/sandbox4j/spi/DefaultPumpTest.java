package dev.sandbox4j.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The default {@link RunningCommand#pump}, which runners that only have streams (and the fallback without the
 * process loop) rely on: real processes started with {@link ProcessBuilder}, wrapped as a {@link RunningCommand}
 * that implements nothing but the streams.
 */
@Timeout(60)
class DefaultPumpTest {

    @Test
    void bothStreamsArriveInOrderAndTheEndComesAfterTheLastByte() throws Exception {
        // given
        try (StreamsOnly p = StreamsOnly.start("i=0; while [ $i -lt 2000 ]; do echo \"o $i\"; echo \"e $i\" >&2; "
                + "i=$((i+1)); done")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            CountDownLatch ended = new CountDownLatch(1);
            StringBuilder expectedOut = new StringBuilder();
            StringBuilder expectedErr = new StringBuilder();
            for (int i = 0; i < 2000; i++) {
                expectedOut.append("o ").append(i).append('\n');
                expectedErr.append("e ").append(i).append('\n');
            }

            // when
            p.pump(out::write, err::write, ended::countDown);

            // then
            assertThat(ended.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(expectedOut.toString());
            assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(expectedErr.toString());
        }
    }

    @Test
    void aThrowingSinkLosesOnlyItsOwnStreamAndTheEndStillRuns() throws Exception {
        // given
        try (StreamsOnly p = StreamsOnly.start("echo a; echo b >&2")) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            CountDownLatch ended = new CountDownLatch(1);

            // when
            p.pump((b, o, l) -> {
                throw new IllegalStateException("broken sink");
            }, err::write, ended::countDown);

            // then
            assertThat(ended.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("b\n");
        }
    }

    /** A {@link RunningCommand} with nothing but streams, so {@link RunningCommand#pump} is the default. */
    private record StreamsOnly(Process process) implements RunningCommand {
        static StreamsOnly start(String script) throws IOException {
            return new StreamsOnly(new ProcessBuilder(List.of("/bin/sh", "-c", script)).start());
        }

        @Override
        public OutputStream stdin() {
            return process.getOutputStream();
        }

        @Override
        public InputStream stdout() {
            return process.getInputStream();
        }

        @Override
        public InputStream stderr() {
            return process.getErrorStream();
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public OptionalInt waitFor(Duration timeout) throws InterruptedException {
            return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS) ? OptionalInt.of(process.exitValue())
                    : OptionalInt.empty();
        }

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
