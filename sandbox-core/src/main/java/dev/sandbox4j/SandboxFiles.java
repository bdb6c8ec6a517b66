package dev.sandbox4j;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;

/**
 * Files inside a running sandbox, read and written from memory: what an agent's "write file" and "read file"
 * tools need, without a host file per call. Binary-safe; contents larger than {@value #CHUNK_BYTES} bytes move
 * in chunks of that size, so {@link #write(String, InputStream)} and {@link #read(String, OutputStream)} stream
 * files of any size in bounded memory. Every operation is one or a few execs in the sandbox's persistent shell
 * session (no runtime CLI process per call where the sandbox has a session), so it works the same on every
 * runtime and needs only {@code sh}, {@code cat}, {@code dd}, {@code mkdir}, {@code rm} and {@code readlink}
 * in the image.
 *
 * <pre>{@code
 * SandboxFiles files = sandbox.files();
 * files.write("/work/hello.py", "print('hi')\n");
 * String code = files.readString("/work/hello.py");
 * List<SandboxFile> entries = files.list("/work");
 * }</pre>
 *
 * <p>Paths are absolute, or relative to the view's base directory: the sandbox's workdir (else {@code /}) for
 * {@link Sandbox#files()}, the root for a view made with {@link #under(String)}. A view made with
 * {@code under(root)} refuses, with {@link SandboxPathNotAllowedException}, any path that leads out of its root,
 * whether through {@code ..} or through a symbolic link inside the sandbox. A missing path is a
 * {@link SandboxFileNotFoundException}; other refusals (permission denied, a read-only mount) are
 * {@link SandboxFileException}s carrying the sandbox's error text.
 *
 * <p>Writes go to the file in place (its mode and owner are kept when it exists): a reader inside the sandbox may
 * see a file half-written. Operations run as the sandbox's user. Safe for use from several threads.
 */
public final class SandboxFiles {
    /** Contents move in chunks of this many bytes: 4 MiB. */
    public static final int CHUNK_BYTES = 4 * 1024 * 1024;
    private static final Duration CHUNK_TIMEOUT = Duration.ofMinutes(5);

    private static final int NOT_FOUND = 10;
    private static final int OUTSIDE = 11;
    private static final int IS_DIRECTORY = 12;
    private static final int NOT_DIRECTORY = 13;

    /**
     * The shell functions every operation starts with: {@code $1} is the root, {@code $2} the normalised path.
     * {@code s4j_check} finds the nearest existing ancestor of the path, resolves it with {@code readlink -f}
     * and exits 11 when it lies outside the resolved root.
     */
    private static final String PRELUDE = """
            s4j_root=$1; s4j_p=$2
            s4j_a=$s4j_p
            while [ ! -e "$s4j_a" ] && [ ! -L "$s4j_a" ]; do s4j_a=${s4j_a%/*}; [ -n "$s4j_a" ] || s4j_a=/; done
            if [ "$s4j_root" != / ]; then
              case "$s4j_a" in "$s4j_root"|"$s4j_root"/*)
                s4j_r=$(readlink -f "$s4j_root" 2>/dev/null) || s4j_r=$s4j_root
                s4j_c=$(readlink -f "$s4j_a" 2>/dev/null) || exit 11
                case "$s4j_c" in "$s4j_r"|"$s4j_r"/*) ;; *) exit 11 ;; esac ;;
              esac
            fi
            """;
    private static final String WRITE = PRELUDE + """
            [ -d "$s4j_p" ] && exit 12
            if [ "$s4j_a" != "$s4j_p" ]; then [ -d "$s4j_a" ] || exit 13; fi
            s4j_d=${s4j_p%/*}; [ -n "$s4j_d" ] || s4j_d=/
            [ -d "$s4j_d" ] || mkdir -p "$s4j_d" || exit 14
            if [ "$3" = append ]; then exec cat >> "$s4j_p"; else exec cat > "$s4j_p"; fi
            """;
    private static final String READ = PRELUDE + """
            [ -e "$s4j_p" ] || exit 10
            [ -d "$s4j_p" ] && exit 12
            if [ "$3" = 0 ] && [ ! -r "$s4j_p" ]; then echo "$s4j_p: permission denied" >&2; exit 14; fi
            exec dd if="$s4j_p" bs="$4" skip="$3" count=1 2>/dev/null
            """;
    private static final String EXISTS = PRELUDE + """
            [ -e "$s4j_p" ] || [ -L "$s4j_p" ]
            """;
    private static final String DELETE = PRELUDE + """
            [ -e "$s4j_p" ] || [ -L "$s4j_p" ] || exit 10
            exec rm -rf "$s4j_p"
            """;
    private static final String LIST = PRELUDE + """
            [ -e "$s4j_p" ] || exit 10
            [ -d "$s4j_p" ] || exit 13
            cd "$s4j_p" || exit 14
            for f in * .*; do
              [ "$f" = . ] || [ "$f" = .. ] && continue
              [ -e "$f" ] || [ -L "$f" ] || continue
              if [ -L "$f" ]; then t=l; elif [ -d "$f" ]; then t=d; elif [ -f "$f" ]; then t=f; else t=o; fi
              s=0
              if [ "$t" = f ]; then s=$(stat -c %s "$f" 2>/dev/null || wc -c < "$f"); fi
              printf '%s %s %s/' "$t" "$s" "$f"
            done
            """;

    private final Sandbox sandbox;
    private final String root;
    private final String base;

    private SandboxFiles(Sandbox sandbox, String root, String base) {
        this.sandbox = sandbox;
        this.root = root;
        this.base = base;
    }

    /** The files of {@code sandbox}, every path allowed, relative paths against its workdir (else {@code /}). */
    static SandboxFiles of(Sandbox sandbox) {
        return new SandboxFiles(sandbox, "/", sandbox.spec().workdir().orElse("/"));
    }

    /**
     * A view confined to {@code directory} (absolute, or relative to this view's base), which also becomes the
     * base of relative paths. Paths that lead out of it fail with {@link SandboxPathNotAllowedException}.
     *
     * @param directory the directory to confine the new view to; need not exist yet
     * @return the confined view
     * @throws SandboxPathNotAllowedException if {@code directory} lies outside this view's root
     */
    public SandboxFiles under(String directory) {
        String dir = resolve(directory);
        return new SandboxFiles(sandbox, dir, dir);
    }

    /** {@return the directory this view is confined to; {@code /} for {@link Sandbox#files()}} */
    public String root() {
        return root;
    }

    /**
     * Writes {@code content} to {@code path}, creating the file and missing parent directories, replacing what was
     * there.
     *
     * @param path    the file, absolute or relative to this view's base
     * @param content the bytes to write; {@code new byte[0]} for an empty file
     * @throws SandboxConfigException if {@code content} is null
     * @throws SandboxPathNotAllowedException if {@code path} leads outside this view's root
     * @throws SandboxFileException if the sandbox refuses the write (for example a directory is in the way,
     *         permission is denied or the mount is read-only)
     */
    public void write(String path, byte[] content) {
        if (content == null) {
            throw new SandboxConfigException("file content must not be null: use new byte[0] for an empty file");
        }
        write(path, new java.io.ByteArrayInputStream(content));
    }

    /**
     * Writes {@code text} as UTF-8 to {@code path}; see {@link #write(String, byte[])}.
     *
     * @param path the file, absolute or relative to this view's base
     * @param text the text to write; {@code ""} for an empty file
     * @throws SandboxConfigException if {@code text} is null
     * @throws SandboxPathNotAllowedException if {@code path} leads outside this view's root
     * @throws SandboxFileException if the sandbox refuses the write
     */
    public void write(String path, String text) {
        if (text == null) {
            throw new SandboxConfigException("file content must not be null: use \"\" for an empty file");
        }
        write(path, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes everything {@code content} yields to {@code path}, {@value #CHUNK_BYTES} bytes per exec, in bounded
     * memory, creating the file and missing parent directories and replacing what was there. Does not close the
     * stream.
     *
     * @param path    the file, absolute or relative to this view's base
     * @param content the bytes to write, read to its end
     * @throws java.io.UncheckedIOException if reading {@code content} fails
     * @throws SandboxPathNotAllowedException if {@code path} leads outside this view's root
     * @throws SandboxFileException if the sandbox refuses the write
     */
    public void write(String path, InputStream content) {
        String p = resolve(path);
        requireNotRoot(path, p, "write");
        byte[] buf = new byte[CHUNK_BYTES];
        boolean first = true;
        try {
            while (true) {
                int n = content.readNBytes(buf, 0, buf.length);
                if (n == 0 && !first) {
                    return;
                }
                byte[] chunk = n == buf.length ? buf : java.util.Arrays.copyOf(buf, n);
                ExecResult r = run(WRITE, chunk, p, first ? "create" : "append");
                check(r, "write", path, p);
                first = false;
                if (n < buf.length) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the content to write to " + path, e);
        }
    }

    /**
     * The whole content of the file at {@code path}, held in memory; for large files use
     * {@link #read(String, OutputStream)}.
     *
     * @param path the file, absolute or relative to this view's base
     * @return the file's bytes
     * @throws SandboxFileNotFoundException if nothing is at {@code path}
     * @throws SandboxPathNotAllowedException if {@code path} leads outside this view's root
     * @throws SandboxFileException if {@code path} is a directory or the sandbox refuses the read
     */
    public byte[] read(String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        read(path, out);
        return out.toByteArray();
    }

    /**
     * The content of the file at {@code path}, decoded as UTF-8 (malformed bytes become U+FFFD).
     *
     * @param path the file, absolute or relative to this view's base
     * @return the file's text
     * @throws SandboxFileNotFoundException if nothing is at {@code path}
     * @throws SandboxPathNotAllowedException if {@code path} leads outside this view's root
     * @throws SandboxFileException if {@code path} is a directory or the sandbox refuses the read
     */
    public String readString(String path) {
        return new String(read(path), StandardCharsets.UTF_8);
    }

    /**
     * Streams the file at {@code path} to {@code out}, {@value #CHUNK_BYTES} bytes per exec, in bounded memory.
     * Does not close the stream.
     *
     * @param path the file, absolute or relative to this view's base
     * @param out  where the bytes go
     * @throws java.io.UncheckedIOException if writing to {@code out} fails
     * @throws SandboxFileNotFoundException if nothing is at {@code path}
     * @throws SandboxPathNotAllowedException if {@code path} leads outside this view's root
     * @throws SandboxFileException if {@code path} is a directory or the sandbox refuses the read
     */
    public void read(String path, OutputStream out) {
        String p = resolve(path);
        try {
            for (long chunk = 0; ; chunk++) {
                ExecResult r = run(READ, null, p, Long.toString(chunk), Integer.toString(CHUNK_BYTES));
                check(r, "read", path, p);
                byte[] bytes = r.stdoutBytes();
                out.write(bytes);
                if (bytes.length < CHUNK_BYTES) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not pass on the content of " + path, e);
        }
    }

    /**
     * Whether something (a file, directory, link, even a dangling one) exists at {@code path}.
     *
     * @param path the path, absolute or relative to this view's base
     * @return {@code true} if an entry of any kind is there
     * @throws SandboxPathNotAllowedException if {@code path} leads outside this view's root
     */
    public boolean exists(String path) {
        String p = resolve(path);
        ExecResult r = run(EXISTS, null, p);
        if (r.exitCode() == 0 || r.exitCode() == 1) {
            return r.exitCode() == 0;
        }
        check(r, "check", path, p);
        return true;
    }

    /**
     * Deletes the file, link or directory (with everything in it) at {@code path}. A link is removed, not what it
     * points to.
     *
     * @param path the path, absolute or relative to this view's base
     * @throws SandboxFileNotFoundException if nothing is at {@code path}
     * @throws SandboxPathNotAllowedException if {@code path} leads outside this view's root or is the root itself
     * @throws SandboxFileException if the sandbox refuses the deletion
     */
    public void delete(String path) {
        String p = resolve(path);
        requireNotRoot(path, p, "delete");
        check(run(DELETE, null, p), "delete", path, p);
    }

    /**
     * The entries of directory {@code dir}, sorted by name; {@code .} and {@code ..} are left out.
     *
     * @param dir the directory, absolute or relative to this view's base
     * @return the entries; empty for an empty directory
     * @throws SandboxFileNotFoundException if {@code dir} does not exist
     * @throws SandboxPathNotAllowedException if {@code dir} leads outside this view's root
     * @throws SandboxFileException if {@code dir} is not a directory or the sandbox refuses the listing
     */
    public List<SandboxFile> list(String dir) {
        String p = resolve(dir);
        ExecResult r = run(LIST, null, p);
        check(r, "list", dir, p);
        List<SandboxFile> entries = new ArrayList<>();
        String prefix = p.equals("/") ? "/" : p + "/";
        for (String item : r.stdout().split("/")) {
            if (item.isEmpty()) {
                continue;
            }
            String[] parts = item.split(" ", 3);
            if (parts.length < 3) {
                throw new SandboxFileException(dir, "could not list " + dir + ": unexpected output " + item);
            }
            SandboxFile.Type type = switch (parts[0]) {
                case "f" -> SandboxFile.Type.FILE;
                case "d" -> SandboxFile.Type.DIRECTORY;
                case "l" -> SandboxFile.Type.SYMLINK;
                default -> SandboxFile.Type.OTHER;
            };
            long size;
            try {
                size = Long.parseLong(parts[1].strip());
            } catch (NumberFormatException e) {
                size = 0;
            }
            entries.add(new SandboxFile(parts[2], prefix + parts[2], type, size));
        }
        entries.sort(Comparator.comparing(SandboxFile::name));
        return List.copyOf(entries);
    }

    private ExecResult run(String script, byte[] stdin, String... args) {
        List<String> argv = new ArrayList<>(List.of("sh", "-c", script, "sh", root));
        argv.addAll(List.of(args));
        Exec.Builder b = Exec.builder().command(argv)
                .timeout(CHUNK_TIMEOUT)
                .maxOutputBytes(CHUNK_BYTES + 1);
        if (stdin != null) {
            b.stdin(stdin);
        }
        return sandbox.exec(b.build());
    }

    private void check(ExecResult r, String op, String given, String p) {
        switch (r.exitCode()) {
            case 0:
                return;
            case NOT_FOUND:
                throw new SandboxFileNotFoundException(given, "cannot " + op + " " + given + ": no such file or "
                        + "directory in the sandbox" + (given.equals(p) ? "" : " (" + p + ")"));
            case OUTSIDE:
                throw notAllowed(given, "a symbolic link on the way leads out of it");
            case IS_DIRECTORY:
                throw new SandboxFileException(given, "cannot " + op + " " + given + ": it is a directory"
                        + (op.equals("read") ? "; list it with list(\"" + given + "\")" : ""));
            case NOT_DIRECTORY:
                throw new SandboxFileException(given, "cannot " + op + " " + given + ": "
                        + (op.equals("list") ? "it is not a directory" : "a parent of it is a file, not a directory"));
            default:
                String err = r.stderr().strip();
                throw new SandboxFileException(given, "cannot " + op + " " + given + " in the sandbox (exit "
                        + r.exitCode() + ")" + (err.isEmpty() ? "" : ": " + err));
        }
    }

    private SandboxPathNotAllowedException notAllowed(String given, String why) {
        return new SandboxPathNotAllowedException(given, root, "path " + given + " is outside " + root
                + ", the directory these file operations are confined to: " + why
                + ". Use a path under " + root);
    }

    private void requireNotRoot(String given, String p, String op) {
        if (p.equals(root)) {
            throw new SandboxPathNotAllowedException(given, root, "cannot " + op + " " + given + ": it is the root "
                    + root + " of these file operations; name a file under it");
        }
    }

    /** The absolute, normalised form of {@code path}; refuses paths that leave the root lexically. */
    String resolve(String path) {
        if (path == null || path.isEmpty()) {
            throw new SandboxConfigException("a file path must not be empty: give an absolute path such as /work/a.txt");
        }
        if (path.indexOf('\0') >= 0) {
            throw new SandboxConfigException("file path contains a NUL byte, which no file name can hold: "
                    + path.replace("\0", "\\0"));
        }
        String abs = path.startsWith("/") ? path : (base.equals("/") ? "/" : base + "/") + path;
        Deque<String> parts = new ArrayDeque<>();
        for (String segment : abs.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (parts.isEmpty()) {
                    throw notAllowed(path, "it climbs above /");
                }
                parts.removeLast();
            } else {
                parts.addLast(segment);
            }
        }
        String normal = "/" + String.join("/", parts);
        if (!root.equals("/") && !normal.equals(root) && !normal.startsWith(root + "/")) {
            throw notAllowed(path, "it resolves to " + normal);
        }
        return normal;
    }

    @Override
    public String toString() {
        return "SandboxFiles{" + sandbox + ", root=" + root + "}";
    }
}
