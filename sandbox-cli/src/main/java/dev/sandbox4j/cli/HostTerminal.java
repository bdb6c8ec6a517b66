package dev.sandbox4j.cli;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.Optional;

/**
 * This process's own terminal, through the C library (Linux and macOS): whether a standard stream is one, and raw
 * mode for the time a command in a sandbox reads the keyboard through {@code -it}. Raw mode passes every key
 * (Ctrl-C included) to the sandbox's terminal, which does the echoing and line editing, as {@code docker run -it}
 * does. No process is started.
 */
final class HostTerminal {
    /** Standard input's file descriptor. */
    static final int STDIN = 0;
    /** Standard output's file descriptor. */
    static final int STDOUT = 1;

    /** {@code TCSANOW}: 0 on Linux and macOS. */
    private static final int TCSANOW = 0;
    /** Larger than {@code struct termios} on every supported platform (60 bytes on Linux, 72 on macOS arm64). */
    private static final int TERMIOS_BYTES = 256;

    private HostTerminal() {
    }

    /** Puts the terminal back as it was; idempotent. */
    interface Restore extends AutoCloseable {
        @Override
        void close();
    }

    /** The C library calls used here; the termios structure is passed as opaque bytes, never read. */
    interface LibC extends Library {
        int isatty(int fd);

        int tcgetattr(int fd, byte[] termios);

        int tcsetattr(int fd, int optionalActions, byte[] termios);

        void cfmakeraw(byte[] termios);
    }

    private static Optional<LibC> libc() {
        try {
            return Optional.of(Holder.LIBC);
        } catch (LinkageError e) {
            return Optional.empty();
        }
    }

    private static final class Holder {
        static final LibC LIBC = Native.load("c", LibC.class);
    }

    /** Whether file descriptor {@code fd} of this process is a terminal; false where that cannot be told. */
    static boolean isTerminal(int fd) {
        return libc().map(c -> c.isatty(fd) == 1).orElse(false);
    }

    /**
     * Puts standard input's terminal in raw mode until the returned handle is closed (also at JVM exit); a no-op
     * handle when standard input is not a terminal.
     */
    static Restore rawStdin() {
        Optional<LibC> c = libc();
        if (c.isEmpty() || c.get().isatty(STDIN) != 1) {
            return () -> { };
        }
        LibC libc = c.get();
        byte[] saved = new byte[TERMIOS_BYTES];
        if (libc.tcgetattr(STDIN, saved) != 0) {
            return () -> { };
        }
        byte[] raw = saved.clone();
        libc.cfmakeraw(raw);
        Thread restoreAtExit = new Thread(() -> libc.tcsetattr(STDIN, TCSANOW, saved), "sandbox-terminal-restore");
        Runtime.getRuntime().addShutdownHook(restoreAtExit);
        libc.tcsetattr(STDIN, TCSANOW, raw);
        return new Restore() {
            private boolean closed;

            @Override
            public synchronized void close() {
                if (closed) {
                    return;
                }
                closed = true;
                libc.tcsetattr(STDIN, TCSANOW, saved);
                try {
                    Runtime.getRuntime().removeShutdownHook(restoreAtExit);
                } catch (IllegalStateException e) {
                    // the JVM is exiting: the hook restores it again, harmlessly
                }
            }
        };
    }
}
