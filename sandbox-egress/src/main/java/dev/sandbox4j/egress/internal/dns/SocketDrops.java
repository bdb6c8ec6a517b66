package dev.sandbox4j.egress.internal.dns;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * How many datagrams the kernel dropped for one of this process's UDP sockets because its receive buffer was full
 * (Linux only). The kernel keeps a per-socket counter ({@code sk_drops}, raised when a datagram cannot be queued:
 * receive buffer or memory limit reached, or a bad checksum) and shows it in the last column ({@code drops}) of
 * {@code /proc/self/net/udp} and {@code udp6}, on the row of the socket's inode. The socket is found once by its
 * local port among the inodes of this process's open file descriptors ({@code /proc/self/fd/N ->
 * socket:[inode]}), so another process's socket on the same port number can never be read. On systems without
 * {@code /proc} (macOS) {@link #find} returns empty: there the count is system-wide only ({@code netstat -s -p
 * udp}, "dropped due to full socket buffers").
 */
final class SocketDrops {
    private static final List<Path> TABLES = List.of(Path.of("/proc/self/net/udp"), Path.of("/proc/self/net/udp6"));
    private static final Path FDS = Path.of("/proc/self/fd");

    private final String inode;

    private SocketDrops(String inode) {
        this.inode = inode;
    }

    /** The counter of this process's UDP socket bound to the local port, when the OS shows one. */
    static Optional<SocketDrops> find(int localPort) {
        Set<String> mine = socketInodes();
        if (mine.isEmpty()) {
            return Optional.empty();
        }
        String hexPort = String.format(Locale.ROOT, ":%04X", localPort);
        for (Path table : TABLES) {
            for (String[] row : rows(table)) {
                if (row[1].toUpperCase(Locale.ROOT).endsWith(hexPort) && mine.contains(row[9])) {
                    return Optional.of(new SocketDrops(row[9]));
                }
            }
        }
        return Optional.empty();
    }

    /** The kernel's drop count for the socket so far; empty once the socket is gone or unreadable. */
    OptionalLong drops() {
        for (Path table : TABLES) {
            for (String[] row : rows(table)) {
                if (row[9].equals(inode)) {
                    try {
                        return OptionalLong.of(Long.parseLong(row[12]));
                    } catch (NumberFormatException e) {
                        return OptionalLong.empty();
                    }
                }
            }
        }
        return OptionalLong.empty();
    }

    /** The data rows of a {@code /proc/net/udp}-style table, split on blanks; rows too short are skipped. */
    private static List<String[]> rows(Path table) {
        List<String> lines;
        try {
            lines = Files.readAllLines(table);
        } catch (IOException | SecurityException e) {
            return List.of();
        }
        return lines.stream().skip(1).map(l -> l.trim().split("\\s+")).filter(f -> f.length >= 13).toList();
    }

    private static Set<String> socketInodes() {
        Set<String> out = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(FDS)) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[") && target.endsWith("]")) {
                        out.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // closed meanwhile, or not a link
                }
            }
        } catch (IOException | SecurityException e) {
            return Set.of();
        }
        return out;
    }
}
