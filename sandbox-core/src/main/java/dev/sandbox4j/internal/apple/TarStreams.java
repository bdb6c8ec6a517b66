package dev.sandbox4j.internal.apple;

import dev.sandbox4j.SandboxException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The tar streams behind copying on container releases before 1.0.0, which have no {@code container copy}: the
 * host side writes or reads a POSIX ustar stream (PAX records for long names) and the container side runs
 * {@code tar} through {@code container exec}. Only regular files and directories are carried; symbolic links
 * and special files from the container are skipped, and no entry may land outside the target (the stream
 * comes from an untrusted workload).
 */
public final class TarStreams {
    private static final int BLOCK = 512;

    private TarStreams() {
    }

    /** A tar stream holding {@code source} (a file or a directory tree) under the name {@code entryName}. */
    public static byte[] pack(Path source, String entryName) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                List<Path> all;
                try (Stream<Path> walk = Files.walk(source)) {
                    all = walk.sorted().toList();
                }
                for (Path p : all) {
                    String rel = source.relativize(p).toString().replace('\\', '/');
                    String name = rel.isEmpty() ? entryName : entryName + "/" + rel;
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        entry(out, name + "/", '5', mode(p, 0755), new byte[0]);
                    } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        entry(out, name, '0', mode(p, 0644), Files.readAllBytes(p));
                    }
                }
            } else {
                entry(out, entryName, '0', mode(source, 0644), Files.readAllBytes(source));
            }
            out.write(new byte[2 * BLOCK]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source + " to copy it: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private static int mode(Path p, int fallback) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
            int m = 0;
            for (PosixFilePermission perm : perms) {
                m |= 1 << (8 - perm.ordinal());
            }
            return m;
        } catch (UnsupportedOperationException | IOException e) {
            return fallback;
        }
    }

    private static void entry(OutputStream out, String name, char type, int mode, byte[] data) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        boolean ascii = nameBytes.length == name.length();
        if (nameBytes.length > 99 || !ascii) {
            String record = " path=" + name + "\n";
            int len = record.getBytes(StandardCharsets.UTF_8).length;
            int digits = 1;
            while (Integer.toString(len + digits).length() != digits) {
                digits++;
            }
            int total = len + digits;
            byte[] pax = (total + record).getBytes(StandardCharsets.UTF_8);
            out.write(header("PaxHeaders/entry", 'x', 0644, pax.length));
            out.write(pax);
            pad(out, pax.length);
            name = "long-name";
        }
        out.write(header(name, type, mode, data.length));
        out.write(data);
        pad(out, data.length);
    }

    private static void pad(OutputStream out, long size) throws IOException {
        int rest = (int) (size % BLOCK);
        if (rest != 0) {
            out.write(new byte[BLOCK - rest]);
        }
    }

    private static byte[] header(String name, char type, int mode, long size) {
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, name.getBytes(StandardCharsets.UTF_8));
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, System.currentTimeMillis() / 1000);
        h[156] = (byte) type;
        put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        byte[] chk = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(chk, 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    private static void put(byte[] h, int off, int len, byte[] value) {
        System.arraycopy(value, 0, h, off, Math.min(len, value.length));
    }

    private static void octal(byte[] h, int off, int len, long value) {
        String s = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, len - 1 - s.length())) + s;
        put(h, off, len - 1, padded.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Unpacks a tar stream whose entries all start with {@code rootName} (what {@code tar -C dir -c rootName}
     * writes) so that {@code rootName} becomes {@code target}, with the permission bits of each entry (as
     * {@code podman cp} keeps them; directories get theirs last, so a read-only directory can still be filled).
     * Returns the paths written.
     */
    public static List<Path> unpack(InputStream in, String rootName, Path target) {
        List<Path> written = new ArrayList<>();
        List<Map.Entry<Path, Integer>> directoryModes = new ArrayList<>();
        Path root = target.toAbsolutePath().normalize();
        String paxPath = null;
        String longName = null;
        try {
            while (true) {
                byte[] h = in.readNBytes(BLOCK);
                if (h.length < BLOCK || isZero(h)) {
                    break;
                }
                long size = parseOctal(h, 124, 12);
                char type = (char) h[156];
                byte[] data = in.readNBytes((int) size);
                in.skipNBytes((BLOCK - size % BLOCK) % BLOCK);
                if (type == 'x') {
                    paxPath = paxValue(data, "path");
                    continue;
                }
                if (type == 'g') {
                    continue;
                }
                if (type == 'L') {
                    longName = new String(data, StandardCharsets.UTF_8).replace("\0", "");
                    continue;
                }
                String name = paxPath != null ? paxPath : longName != null ? longName : name(h);
                paxPath = null;
                longName = null;
                Path dest = destination(root, rootName, name);
                int mode = (int) (parseOctal(h, 100, 8) & 07777);
                if (type == '5') {
                    Files.createDirectories(dest);
                    directoryModes.add(Map.entry(dest, mode));
                    written.add(dest);
                } else if (type == '0' || type == '\0' || type == '7') {
                    Files.createDirectories(dest.getParent());
                    Files.write(dest, data);
                    setMode(dest, mode);
                    written.add(dest);
                }
            }
            for (int i = directoryModes.size() - 1; i >= 0; i--) {
                setMode(directoryModes.get(i).getKey(), directoryModes.get(i).getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack a copy into " + target + ": " + e.getMessage(), e);
        }
        return written;
    }

    /** Sets the permission bits where the file system has them (setuid/setgid/sticky are not carried). */
    private static void setMode(Path p, int mode) throws IOException {
        Set<PosixFilePermission> perms = java.util.EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission perm : PosixFilePermission.values()) {
            if ((mode & (1 << (8 - perm.ordinal()))) != 0) {
                perms.add(perm);
            }
        }
        try {
            Files.setPosixFilePermissions(p, perms);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the default permissions
        }
    }

    private static Path destination(Path root, String rootName, String entry) {
        String name = entry.startsWith("./") ? entry.substring(2) : entry;
        while (name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        String rest;
        if (name.equals(rootName)) {
            rest = "";
        } else if (name.startsWith(rootName + "/")) {
            rest = name.substring(rootName.length() + 1);
        } else {
            throw new SandboxException("the copy stream holds \"" + entry + "\", outside " + rootName + ": refused");
        }
        Path dest = rest.isEmpty() ? root : root.resolve(rest).normalize();
        if (!dest.startsWith(root) || rest.startsWith("/")) {
            throw new SandboxException("the copy stream holds \"" + entry + "\", which points outside " + root
                    + ": refused");
        }
        return dest;
    }

    private static String name(byte[] h) {
        String name = cString(h, 0, 100);
        String magic = cString(h, 257, 6);
        String prefix = magic.startsWith("ustar") ? cString(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String cString(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return new String(h, off, end - off, StandardCharsets.UTF_8);
    }

    private static long parseOctal(byte[] h, int off, int len) {
        if ((h[off] & 0x80) != 0) {
            throw new SandboxException("the copy stream has a file larger than 8 GiB, which is not supported");
        }
        String s = cString(h, off, len).strip();
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    }

    private static String paxValue(byte[] data, String key) {
        int i = 0;
        while (i < data.length) {
            int space = i;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            if (space >= data.length) {
                break;
            }
            int len;
            try {
                len = Integer.parseInt(new String(data, i, space - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                break;
            }
            if (len <= space - i || i + len > data.length) {
                break;
            }
            String record = new String(data, space + 1, i + len - 1 - (space + 1), StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq > 0 && record.substring(0, eq).equals(key)) {
                return record.substring(eq + 1);
            }
            i += len;
        }
        return null;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
