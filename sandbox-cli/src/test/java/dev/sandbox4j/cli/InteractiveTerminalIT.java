package dev.sandbox4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.RunningCommand;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * {@code sandbox run -it} from the packaged jar with a real terminal as its stdin and stdout: a pseudo-terminal
 * this test opens (Linux), whose other side the test types into and reads, as a user's terminal emulator would.
 */
class InteractiveTerminalIT {
    private static final Path JAR = Path.of(System.getProperty("sandbox.cli.jar", "target/missing-all.jar"));
    /** {@code O_RDWR | O_NOCTTY} on Linux. */
    private static final int OPEN_FLAGS = 2 | 0400;

    interface LibC extends Library {
        int posix_openpt(int flags);

        int grantpt(int fd);

        int unlockpt(int fd);

        String ptsname(int fd);

        int open(String path, int flags);

        int read(int fd, byte[] buffer, long count);

        int write(int fd, byte[] buffer, long count);

        int close(int fd);

        int tcgetattr(int fd, byte[] termios);
    }

    @Test
    void interactiveShellGetsRawKeysAndTheTerminalIsRestoredAfterwards() throws Exception {
        // given: a pseudo-terminal pair; the CLI gets the terminal side as stdin, stdout and stderr
        RuntimeRequirement.require("podman");
        assumeTrue(System.getProperty("os.name").equals("Linux"), "opens a pseudo-terminal the Linux way");
        LibC c = Native.load("c", LibC.class);
        int master = c.posix_openpt(OPEN_FLAGS);
        assertThat(master).isNotNegative();
        assertThat(c.grantpt(master)).isZero();
        assertThat(c.unlockpt(master)).isZero();
        String terminal = c.ptsname(master);
        int side = c.open(terminal, OPEN_FLAGS);
        byte[] before = new byte[256];
        c.tcgetattr(side, before);
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[4096];
            int n;
            while ((n = c.read(master, buffer, buffer.length)) > 0) {
                synchronized (screen) {
                    screen.write(buffer, 0, n);
                }
            }
        }, "pty-reader");
        reader.setDaemon(true);
        reader.start();
        String java = ProcessHandle.current().info().command().orElse("java");
        String sandboxScript = "trap 'echo interrupted; exit 42' INT; echo ready; read line; echo \"got:$line\"; "
                + "sleep 30 & wait $!; exit 9";
        List<String> argv = List.of("/bin/sh", "-c", "exec \"$0\" -jar \"$1\" run -it \"$2\" sh -c \"$3\" "
                + "< \"$4\" > \"$4\" 2>&1", java, JAR.toString(), TestImages.busybox(), sandboxScript, terminal);

        // when: a line once the command is ready, then Ctrl-C while it sleeps
        OptionalInt code;
        try (RunningCommand cli = CommandRunner.system().start(Command.builder(argv).build())) {
            waitFor(screen, "ready");
            c.write(master, "hello\r".getBytes(StandardCharsets.US_ASCII), 6);
            waitFor(screen, "got:hello");
            c.write(master, new byte[] {3}, 1);
            code = cli.waitFor(Duration.ofSeconds(120));
        }
        byte[] after = new byte[256];
        c.tcgetattr(side, after);
        c.close(side);
        c.close(master);
        String shown = text(screen);

        // then: the keys went through raw: one echo (by the sandbox's terminal), and Ctrl-C reached the command's
        // trap in the sandbox (a cooked terminal here would have echoed the line itself and eaten the Ctrl-C)
        assertThat(code).as(shown).hasValue(42);
        assertThat(shown.split("hello", -1)).as("'hello' echoed once: " + shown).hasSize(3);  // echo + got:hello
        assertThat(shown).contains("got:hello\r\n").contains("interrupted\r\n");
        assertThat(after).as("terminal settings restored").isEqualTo(before);
    }

    private static String text(ByteArrayOutputStream screen) {
        synchronized (screen) {
            return screen.toString(StandardCharsets.UTF_8);
        }
    }

    private static void waitFor(ByteArrayOutputStream screen, String text) throws InterruptedException {
        for (int i = 0; i < 1200 && !text(screen).contains(text); i++) {
            Thread.sleep(100);
        }
        assertThat(text(screen)).as("shown within 120 s").contains(text);
    }
}
