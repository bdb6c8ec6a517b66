package dev.sandbox4j.internal.spawn;

import com.sun.jna.Library;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/**
 * The libc functions the process loop calls, through JNA, and the constants that differ between Linux (glibc)
 * and macOS. The opaque {@code posix_spawn_*_t} and {@code sigset_t} values live in {@link com.sun.jna.Memory}
 * blocks of {@link #OPAQUE_SIZE} bytes, more than either libc needs.
 */
interface Posix extends Library {
    int OPAQUE_SIZE = 512;

    boolean MAC = Platform.isMac();

    short POSIX_SPAWN_SETPGROUP = 0x02;
    short POSIX_SPAWN_SETSIGDEF = 0x04;
    short POSIX_SPAWN_SETSIGMASK = 0x08;
    /** macOS only: every descriptor not named in a file action is closed in the child. */
    short POSIX_SPAWN_CLOEXEC_DEFAULT = 0x4000;

    int F_SETFD = 2;
    int F_GETFL = 3;
    int F_SETFL = 4;
    int FD_CLOEXEC = 1;
    int O_NONBLOCK = MAC ? 0x0004 : 0x0800;
    int O_CLOEXEC = MAC ? 0x0100_0000 : 0x8_0000;

    short POLLIN = 0x001;
    short POLLERR = 0x008;
    short POLLHUP = 0x010;
    short POLLNVAL = 0x020;

    int WNOHANG = 1;

    int EINTR = 4;
    int ECHILD = 10;
    int EAGAIN = MAC ? 35 : 11;

    int SIGHUP = 1;
    int SIGINT = 2;
    int SIGQUIT = 3;
    int SIGKILL = 9;
    int SIGPIPE = 13;
    int SIGTERM = 15;
    int SIGXFSZ = 25;
    int SIGUSR1 = MAC ? 30 : 10;
    int SIGUSR2 = MAC ? 31 : 12;
    int SIGCHLD = MAC ? 20 : 17;

    int posix_spawnp(IntByReference pid, String file, Pointer fileActions, Pointer attr, String[] argv,
                     String[] envp);

    int posix_spawn_file_actions_init(Pointer fileActions);

    int posix_spawn_file_actions_destroy(Pointer fileActions);

    int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);

    /** glibc 2.34 and later. */
    int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

    /** glibc 2.29 and later, macOS 10.15 and later. */
    int posix_spawn_file_actions_addchdir_np(Pointer fileActions, String path);

    int posix_spawnattr_init(Pointer attr);

    int posix_spawnattr_destroy(Pointer attr);

    int posix_spawnattr_setflags(Pointer attr, short flags);

    int posix_spawnattr_setpgroup(Pointer attr, int pgroup);

    int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);

    int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);

    int sigemptyset(Pointer sigset);

    int sigaddset(Pointer sigset, int signal);

    /** Linux only. */
    int pipe2(int[] fds, int flags);

    int pipe(int[] fds);

    int fcntl(int fd, int cmd, Object... args);

    int close(int fd);

    int kill(int pid, int signal);

    String strerror(int errno);
}
