package dev.sandbox4j.kubernetes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class LogPipeTest {

    @Test
    void bytesWrittenBeforeTheEndAreReadThenTheStreamEnds() throws IOException {
        // given
        LogPipe pipe = new LogPipe();
        pipe.write("one\ntw".getBytes(StandardCharsets.UTF_8));
        pipe.write('o');
        pipe.end(null);

        // when
        byte[] read = pipe.input().readAllBytes();

        // then
        assertThat(new String(read, StandardCharsets.UTF_8)).isEqualTo("one\ntwo");
        assertThat(pipe.input().read()).isEqualTo(-1);
    }

    @Test
    void aBrokenStreamIsReadToWhereItBrokeThenThrowsItsCause() throws IOException {
        // given
        LogPipe pipe = new LogPipe();
        SocketException reset = new SocketException("Connection reset");
        pipe.write("line 1\n".getBytes(StandardCharsets.UTF_8));
        pipe.end(reset);

        // when
        byte[] first = pipe.input().readNBytes(7);

        // then
        assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo("line 1\n");
        assertThatThrownBy(() -> pipe.input().read()).isSameAs(reset);
    }

    @Test
    void aCauseThatIsNoIOExceptionComesWrappedInOne() {
        // given
        LogPipe pipe = new LogPipe();
        IllegalStateException refused = new IllegalStateException("container is waiting to start");
        pipe.end(refused);

        // when / then
        assertThatThrownBy(() -> pipe.input().read()).isInstanceOf(IOException.class).hasCause(refused);
    }

    @Test
    void aReaderWaitingForBytesIsInterruptibleAndKeepsItsInterruptStatus() throws Exception {
        // given
        LogPipe pipe = new LogPipe();
        CountDownLatch reading = new CountDownLatch(1);
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            reading.countDown();
            try {
                pipe.input().read();
                outcome.complete(null);
            } catch (IOException e) {
                outcome.complete(Thread.currentThread().isInterrupted() ? e : new AssertionError("status lost"));
            }
        }, "log-pipe-reader");
        reader.start();
        reading.await();

        // when
        reader.interrupt();
        reader.join();

        // then
        assertThat(outcome.join()).isInstanceOf(InterruptedIOException.class);
    }
}
