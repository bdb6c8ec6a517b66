package dev.sandbox4j.internal.spawn;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The calls on the output path ({@code poll}, {@code read}, {@code write}) and the exit check ({@code waitpid},
 * behind every {@code isAlive()}) through JNA's direct mapping, which costs a fraction of an interface-mapped
 * call; they run several times per exec. {@code errno} is read with
 * {@link Native#getLastError()} as after any JNA call. Sizes are {@code long}: the loop runs on 64-bit Linux and
 * macOS only, where {@code size_t}, {@code ssize_t} and {@code nfds_t} fit in it ({@code nfds_t} is 32 bits on
 * macOS, passed in a 64-bit register).
 */
final class PosixIo {
    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private PosixIo() {
    }

    static native int poll(Pointer fds, long nfds, int timeout);

    static native long read(int fd, Pointer buf, long count);

    static native long write(int fd, Pointer buf, long count);

    /** {@code status} points at 4 bytes of native memory that receive the exit status. */
    static native int waitpid(int pid, Pointer status, int options);
}
