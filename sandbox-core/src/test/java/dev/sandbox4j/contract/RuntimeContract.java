package dev.sandbox4j.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxClosedException;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxFile;
import dev.sandbox4j.SandboxFileException;
import dev.sandbox4j.SandboxFileNotFoundException;
import dev.sandbox4j.SandboxFiles;
import dev.sandbox4j.SandboxPathNotAllowedException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.SandboxTimeoutException;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.internal.Runtimes;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.RuntimeBackend;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every runtime backend must show. A backend's test extends this class and names its runtime;
 * nothing here knows which runtime runs. Most exec tests share one sandbox; lifecycle tests start their own.
 * Every sandbox carries the label {@code contract-run=<uuid>} so a test can prove it left nothing behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class RuntimeContract {
    protected final String run = UUID.randomUUID().toString().substring(0, 8);
    protected Sandbox shared;
    @TempDir
    protected Path temp;

    /** The runtime under test, e.g. "podman". */
    protected abstract String runtime();

    /** The image the suite runs: a busybox image the backend can start offline. */
    protected abstract String image();

    /** Runs {@code exec} in {@code sandbox} through the path under test (plain CLI exec or a session). */
    protected ExecResult exec(Sandbox sandbox, Exec exec, ExecListener listener) {
        return sandbox.exec(exec, listener);
    }

    protected ExecResult exec(Sandbox sandbox, String... command) {
        return exec(sandbox, Exec.of(command), ExecListener.NONE);
    }

    /**
     * The spec every test starts from. The runtime contract is about the runtime, so egress is unrestricted here;
     * the egress module runs this same suite again under a deny-all policy.
     */
    protected SandboxSpec.Builder spec() {
        return Sandbox.builder().image(image()).runtime(runtime()).label("contract-run", run)
                .egress(EgressPolicy.allowAll());
    }

    protected RuntimeBackend backend() {
        return Runtimes.backend(Optional.of(runtime()));
    }

    @BeforeAll
    void startShared() {
        RuntimeRequirement.require(runtime());
        shared = spec().env("GREETING", "hello world").workdir("/work").start();
    }

    @AfterAll
    void closeShared() {
        if (shared != null) {
            shared.close();
            assertThat(backend().list(Map.of("contract-run", run), Duration.ofSeconds(30)))
                    .as("containers left behind by this suite").isEmpty();
            assertThat(backend().listNetworks(Map.of("contract-run", run), Duration.ofSeconds(30)))
                    .as("networks left behind by this suite").isEmpty();
        }
    }

    @Test
    void successfulCommandExitsWithZeroAndItsOutput() {
        ExecResult r = exec(shared, "echo", "hi");

        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo("hi\n");
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void exitCodesAreResultsNotExceptions() {
        assertThat(exec(shared, "sh", "-c", "exit 1").exitCode()).isEqualTo(1);
        assertThat(exec(shared, "sh", "-c", "exit 3").exitCode()).isEqualTo(3);
    }

    @Test
    void missingCommandExitsWith127() {
        ExecResult r = exec(shared, "no-such-command-here");

        assertThat(r.exitCode()).isEqualTo(127);
    }

    @Test
    void commandKilledBySigkillExitsWith137() {
        ExecResult r = exec(shared, "sh", "-c", "kill -9 $$");

        assertThat(r.exitCode()).isEqualTo(137);
    }

    @Test
    void stdoutAndStderrAreKeptApart() {
        ExecResult r = exec(shared, "sh", "-c", "echo hi; echo oops >&2; exit 3");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("hi\n");
        assertThat(r.stderr()).isEqualTo("oops\n");
    }

    @Test
    void argumentsReachTheProgramLiterallyWithoutAShell() {
        String tricky = "$(touch /tmp/pwned); `id` 'quoted' \"double\" ; | & > < * ? \\ \n newline";

        ExecResult r = exec(shared, "printf", "%s", tricky);

        assertThat(r.stdout()).isEqualTo(tricky);
        assertThat(exec(shared, "test", "-e", "/tmp/pwned").exitCode()).isEqualTo(1);
    }

    @Test
    void largeOutputOfFiftyMegabytesArrivesWhole() {
        ExecResult r = exec(shared, "sh", "-c", "head -c 52428800 /dev/zero | tr '\\000' 'x'; echo done >&2");

        assertThat(r.exitCode()).isZero();
        assertThat(r.stdoutBytes()).hasSize(52_428_800);
        assertThat(r.stderr()).isEqualTo("done\n");
        assertThat(r.truncated()).isFalse();
    }

    @Test
    void outputBeyondTheLimitIsDroppedAndCounted() {
        Exec exec = Exec.builder("sh", "-c", "head -c 10000 /dev/zero").maxOutputBytes(1000).build();

        ExecResult r = exec(shared, exec, ExecListener.NONE);

        assertThat(r.stdoutBytes()).hasSize(1000);
        assertThat(r.droppedBytes()).isEqualTo(9000);
        assertThat(r.truncated()).isTrue();
    }

    @Test
    void outputLinesStreamWhileTheCommandRuns() {
        CollectedLines listener = new CollectedLines();
        List<String> out = listener.out();
        List<String> err = listener.err();

        exec(shared, Exec.of("sh", "-c", "echo one; echo two >&2; printf 'three\\xc3\\xa9'"), listener);

        assertThat(out).containsExactly("one", "threeé");
        assertThat(err).containsExactly("two");
    }

    @Test
    void stdinIsFedToTheCommand() {
        byte[] input = "line one\nline two\n".getBytes(StandardCharsets.UTF_8);

        ExecResult r = exec(shared, Exec.builder("wc", "-l").stdin(input).build(), ExecListener.NONE);

        assertThat(r.stdout().strip()).isEqualTo("2");
    }

    @Test
    void commandWithoutStdinSeesEndOfFile() {
        ExecResult r = exec(shared, Exec.of("cat"), ExecListener.NONE);

        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void execTimeoutKillsTheCommandAndTheSandboxStaysUsable() {
        Exec slow = Exec.builder("sh", "-c", "sleep 37; echo never").timeout(Duration.ofSeconds(1)).build();
        long t0 = System.nanoTime();

        assertThatThrownBy(() -> exec(shared, slow, ExecListener.NONE)).isInstanceOf(SandboxTimeoutException.class);

        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
        assertThat(exec(shared, "sh", "-c", "ps -o args | grep -c '^sleep 37' || true").stdout().strip())
                .isEqualTo("0");
        assertThat(exec(shared, "echo", "still here").stdout()).isEqualTo("still here\n");
    }

    @Test
    void sandboxEnvironmentAndWorkdirApplyToExecs() {
        ExecResult r = exec(shared, "sh", "-c", "echo \"$GREETING\"; pwd");

        assertThat(r.stdout()).isEqualTo("hello world\n/work\n");
    }

    @Test
    void execEnvironmentWorkdirAndUserOverrideTheSandboxDefaults() {
        Exec exec = Exec.builder("sh", "-c", "echo \"$GREETING $EXTRA\"; pwd; id -u")
                .env("GREETING", "bonjour").env("EXTRA", "x y").workdir("/tmp").user("1000").build();

        ExecResult r = exec(shared, exec, ExecListener.NONE);

        assertThat(r.stdout()).isEqualTo("bonjour x y\n/tmp\n1000\n");
    }

    @Test
    void sandboxUserIsTheDefaultUserOfExecs() {
        try (Sandbox sandbox = spec().user("1000").start()) {
            assertThat(exec(sandbox, "id", "-u").stdout()).isEqualTo("1000\n");
        }
    }

    @Test
    void filesCopyInAndOutByteForByte() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(42).nextBytes(data);
        for (int i = 0; i < 256; i++) {
            data[i] = (byte) i;
        }
        Path in = Files.write(temp.resolve("blob.bin"), data);
        Path out = temp.resolve("back.bin");

        shared.copyTo(in, "/tmp/blob.bin");
        String inside = exec(shared, "sha256sum", "/tmp/blob.bin").stdout().split(" ")[0];
        shared.copyFrom("/tmp/blob.bin", out);

        assertThat(inside).isEqualTo(sha256(data));
        assertThat(Files.readAllBytes(out)).isEqualTo(data);
    }

    @Test
    void copiedFilesKeepTheirPermissionBitsBothWays() throws Exception {
        Path script = Files.writeString(temp.resolve("run.sh"), "#!/bin/sh\necho ran\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path secret = Files.writeString(temp.resolve("secret.txt"), "s\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        exec(shared, "sh", "-c", "rm -rf /tmp/modes && mkdir /tmp/modes && printf x > /tmp/modes/tool "
                + "&& chmod 751 /tmp/modes/tool").requireSuccess();

        shared.copyTo(script, "/tmp/modes/run.sh");
        shared.copyTo(secret, "/tmp/modes/secret.txt");
        Path back = temp.resolve("tool.back");
        shared.copyFrom("/tmp/modes/tool", back);

        assertThat(exec(shared, "stat", "-c", "%a", "/tmp/modes/run.sh", "/tmp/modes/secret.txt").stdout())
                .isEqualTo("755\n600\n");
        assertThat(exec(shared, "/tmp/modes/run.sh").stdout()).isEqualTo("ran\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(back))).isEqualTo("rwxr-x--x");
    }

    @Test
    void directoryCopiedOntoAnExistingDirectoryLandsInsideItAndOntoANewPathTakesThatName() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("tree/sub"));
        Files.writeString(dir.resolve("f.txt"), "leaf\n");
        Path tree = temp.resolve("tree");
        Path file = Files.writeString(temp.resolve("one.txt"), "one\n");
        exec(shared, "sh", "-c", "rm -rf /tmp/nest && mkdir -p /tmp/nest/existing && mkdir -p /tmp/nest/out/d "
                + "&& echo o > /tmp/nest/out/d/g.txt").requireSuccess();

        shared.copyTo(tree, "/tmp/nest/existing");
        shared.copyTo(tree, "/tmp/nest/fresh");
        shared.copyTo(file, "/tmp/nest/existing");
        Path hostExisting = Files.createDirectories(temp.resolve("host-existing"));
        shared.copyFrom("/tmp/nest/out/d", hostExisting);
        shared.copyFrom("/tmp/nest/out/d", temp.resolve("host-fresh"));

        assertThat(exec(shared, "sh", "-c", "cd /tmp/nest && find existing fresh | sort").stdout()).isEqualTo("""
                existing
                existing/one.txt
                existing/tree
                existing/tree/sub
                existing/tree/sub/f.txt
                fresh
                fresh/sub
                fresh/sub/f.txt
                """);
        assertThat(hostExisting.resolve("d/g.txt")).hasContent("o");
        assertThat(temp.resolve("host-fresh/g.txt")).hasContent("o");
    }

    @Test
    void hostPathsWithAColonCopyBothWays() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("with:colon"));
        Path in = Files.writeString(dir.resolve("in:put.txt"), "colon in\n");
        Path out = dir.resolve("out:put.txt");

        shared.copyTo(in, "/tmp/colon-in.txt");
        exec(shared, "sh", "-c", "echo colon out > /tmp/colon-out.txt").requireSuccess();
        shared.copyFrom("/tmp/colon-out.txt", out);

        assertThat(exec(shared, "cat", "/tmp/colon-in.txt").stdout()).isEqualTo("colon in\n");
        assertThat(out).hasContent("colon out");
    }

    @Test
    void copyingIntoADirectoryThatDoesNotExistFailsAndCreatesNothing() throws Exception {
        Path file = Files.writeString(temp.resolve("lost.txt"), "lost\n");
        exec(shared, "sh", "-c", "echo x > /tmp/here.txt").requireSuccess();

        assertThatThrownBy(() -> shared.copyTo(file, "/tmp/no-such-dir/deeper/lost.txt"))
                .isInstanceOf(SandboxException.class);
        assertThatThrownBy(() -> shared.copyFrom("/tmp/here.txt", temp.resolve("no-such-dir/deeper/here.txt")))
                .isInstanceOf(SandboxException.class);

        assertThat(exec(shared, "test", "-e", "/tmp/no-such-dir").exitCode()).isEqualTo(1);
        assertThat(temp.resolve("no-such-dir")).doesNotExist();
    }

    @Test
    void readOnlyMountIsReallyReadOnlyAndTwoMountsWorkAtOnce() throws IOException {
        Path src = Files.createDirectories(temp.resolve("src"));
        Path work = Files.createDirectories(temp.resolve("work"));
        Files.writeString(src.resolve("input.txt"), "from the host\n");
        try (Sandbox sandbox = spec().mountReadOnly(src, "/src").mount(work, "/work").start()) {
            ExecResult read = exec(sandbox, "cat", "/src/input.txt");
            ExecResult writeRo = exec(sandbox, "sh", "-c", "echo x > /src/new.txt");
            ExecResult writeRw = exec(sandbox, "sh", "-c", "cp /src/input.txt /work/output.txt");

            assertThat(read.stdout()).isEqualTo("from the host\n");
            assertThat(writeRo.exitCode()).isNotZero();
            assertThat(writeRo.stderr()).containsIgnoringCase("read-only");
            assertThat(src.resolve("new.txt")).doesNotExist();
            assertThat(writeRw.exitCode()).isZero();
            assertThat(work.resolve("output.txt")).hasContent("from the host");
        }
    }

    @Test
    void publishedPortIsReachableFromTheHost() throws Exception {
        try (Sandbox sandbox = spec().publish(8080).start()) {
            exec(sandbox, "sh", "-c", "echo served-from-sandbox > /var/www/index.html && httpd -p 8080 -h /var/www")
                    .requireSuccess();
            int port = sandbox.hostPort(8080);

            String body = httpGet("http://127.0.0.1:" + port + "/index.html");

            assertThat(port).isPositive().isNotEqualTo(8080);
            assertThat(body).isEqualTo("served-from-sandbox\n");
        }
    }

    @Test
    void unpublishedPortHasNoHostPort() {
        assertThatThrownBy(() -> shared.hostPort(9999)).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("publish(9999)");
    }

    /**
     * Whether the runtime can enforce CPU and memory limits on this host (rootless Podman on a cgroup v1 host
     * cannot). Where it cannot, the contract is that a spec asking for limits is refused before anything starts.
     */
    protected boolean limitsEnforced() {
        return true;
    }

    @Test
    void limitsTheRuntimeCannotEnforceAreRefusedBeforeAnythingStarts() {
        Assumptions.assumeFalse(limitsEnforced(), "this runtime enforces limits here");

        String attempt = UUID.randomUUID().toString();

        Throwable refused = catchThrowable(() -> spec().label("attempt", attempt).cpus(0.5).memory("96m").start()
                .close());

        assertThat(refused).isInstanceOf(SandboxConfigException.class).hasMessageContaining("cannot be enforced");
        assertThat(backend().list(Map.of("attempt", attempt), Duration.ofSeconds(30))).isEmpty();
    }

    @Test
    void cpuAndMemoryLimitsAreVisibleInside() {
        Assumptions.assumeTrue(limitsEnforced(), "this runtime cannot enforce limits here; the refusal is tested");
        try (Sandbox sandbox = spec().cpus(0.5).memory("96m").start()) {
            String memory = exec(sandbox, "sh", "-c",
                    "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes")
                    .stdout().strip();
            String cpu = exec(sandbox, "sh", "-c",
                    "cat /sys/fs/cgroup/cpu.max 2>/dev/null || echo $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) "
                            + "$(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)").stdout().strip();

            assertThat(memory).isEqualTo(Long.toString(96L * 1024 * 1024));
            String[] quota = cpu.split(" ");
            assertThat(Double.parseDouble(quota[0]) / Double.parseDouble(quota[1])).isEqualTo(0.5);
        }
    }

    @Test
    void logsHoldTheMainProcessOutput() throws InterruptedException {
        try (Sandbox sandbox = spec().command("sh", "-c", "echo started; echo warned >&2; exec sleep 600").start()) {
            String logs = "";
            for (int i = 0; i < 50 && !(logs.contains("started") && logs.contains("warned")); i++) {
                Thread.sleep(100);
                logs = sandbox.logs();
            }

            assertThat(logs).contains("started").contains("warned");
        }
    }

    @Test
    void labelsAreStoredOnTheContainer() {
        try (Sandbox sandbox = spec().label("team", "agents").start()) {
            List<ContainerInfo> found = backend().list(Map.of("team", "agents", "contract-run", run),
                    Duration.ofSeconds(30));

            assertThat(found).extracting(ContainerInfo::id).containsExactly(sandbox.id());
            assertThat(found.get(0).labels()).containsEntry("dev.sandbox4j.managed", "true")
                    .containsKey("dev.sandbox4j.owner");
        }
    }

    @Test
    void closeIsIdempotentAndRemovesTheContainer() {
        Sandbox sandbox = spec().label("case", "close").start();
        assertThat(exec(sandbox, "true").exitCode()).isZero();

        sandbox.close();
        sandbox.close();

        assertThat(sandbox.isClosed()).isTrue();
        assertThat(backend().list(Map.of("case", "close", "contract-run", run), Duration.ofSeconds(30))).isEmpty();
    }

    @Test
    void execOnAClosedSandboxIsATypedError() {
        Sandbox sandbox = spec().start();
        sandbox.close();

        assertThatThrownBy(() -> sandbox.exec("true")).isInstanceOf(SandboxClosedException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void failedStartLeavesNoContainer() {
        SandboxSpec broken = spec().label("case", "failed-start").command("/no/such/program").build();

        assertThatThrownBy(broken::start).isInstanceOf(SandboxException.class);

        assertThat(backend().list(Map.of("case", "failed-start", "contract-run", run), Duration.ofSeconds(30)))
                .isEmpty();
    }

    @Test
    void startupTimeoutIsATypedErrorAndLeavesNoContainer() {
        SandboxSpec tooShort = spec().label("case", "timeout").startupTimeout(Duration.ofMillis(1)).build();

        assertThatThrownBy(tooShort::start).isInstanceOf(SandboxTimeoutException.class)
                .hasMessageContaining("startupTimeout");

        assertThat(backend().list(Map.of("case", "timeout", "contract-run", run), Duration.ofSeconds(30))).isEmpty();
    }

    @Test
    void missingImageIsATypedErrorThatSaysHowToGetIt() {
        SandboxSpec missing = spec().image("localhost/sandbox4j-test/does-not-exist:1").label("case", "no-image").build();

        assertThatThrownBy(missing::start).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("not available locally");

        assertThat(backend().list(Map.of("case", "no-image", "contract-run", run), Duration.ofSeconds(30))).isEmpty();
    }

    @Test
    void emptyExecArgvIsATypedError() {
        assertThatThrownBy(() -> shared.exec()).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("needs a command");
    }

    @Test
    void filesWriteAndReadBinaryContentByteForByte() {
        byte[] data = new byte[4096];
        new Random(7).nextBytes(data);
        for (int i = 0; i < 256; i++) {
            data[i] = (byte) i;
        }
        String path = "/tmp/files-" + run + "/bin/blob.bin";

        shared.files().write(path, data);
        byte[] back = shared.files().read(path);

        assertThat(back).isEqualTo(data);
        assertThat(exec(shared, "wc", "-c", path).stdout().trim()).startsWith("4096");
    }

    @Test
    void filesStreamAFileLargerThanSeveralChunksInBothDirections() throws Exception {
        byte[] data = new byte[2 * SandboxFiles.CHUNK_BYTES + 12345];
        new Random(11).nextBytes(data);
        String path = "/tmp/files-" + run + "-large.bin";

        shared.files().write(path, new java.io.ByteArrayInputStream(data));
        String inside = exec(shared, "sha256sum", path).stdout().split(" ")[0];
        java.io.ByteArrayOutputStream back = new java.io.ByteArrayOutputStream();
        shared.files().read(path, back);

        assertThat(inside).isEqualTo(sha256(data));
        assertThat(back.toByteArray()).isEqualTo(data);
    }

    @Test
    void filesTakeRelativePathsAgainstTheWorkdirAndTextAsUtf8() {
        shared.files().write("notes-" + run + ".txt", "grüße\nno newline at the end");

        String text = shared.files().readString("/work/notes-" + run + ".txt");

        assertThat(text).isEqualTo("grüße\nno newline at the end");
    }

    @Test
    void filesOverwriteAnExistingFileWhole() {
        String path = "/tmp/files-" + run + "-over.txt";
        shared.files().write(path, "a long first version\n");

        shared.files().write(path, "short\n");

        assertThat(shared.files().readString(path)).isEqualTo("short\n");
    }

    @Test
    void filesListADirectorySortedWithTypesAndSizes() {
        String dir = "/tmp/files-" + run + "-list";
        shared.files().write(dir + "/b.txt", "12345");
        shared.files().write(dir + "/a dir/inner.txt", "x");
        shared.files().write(dir + "/.hidden", "");
        exec(shared, "ln", "-s", "b.txt", dir + "/link").requireSuccess();

        List<SandboxFile> entries = shared.files().list(dir);

        assertThat(entries).containsExactly(
                new SandboxFile(".hidden", dir + "/.hidden", SandboxFile.Type.FILE, 0),
                new SandboxFile("a dir", dir + "/a dir", SandboxFile.Type.DIRECTORY, 0),
                new SandboxFile("b.txt", dir + "/b.txt", SandboxFile.Type.FILE, 5),
                new SandboxFile("link", dir + "/link", SandboxFile.Type.SYMLINK, 0));
    }

    @Test
    void filesDeleteFilesAndWholeDirectoriesAndExistsSeesIt() {
        String dir = "/tmp/files-" + run + "-delete";
        shared.files().write(dir + "/sub/f.txt", "x");
        shared.files().write(dir + "/g.txt", "y");
        assertThat(shared.files().exists(dir + "/g.txt")).isTrue();

        shared.files().delete(dir + "/g.txt");
        shared.files().delete(dir + "/sub");

        assertThat(shared.files().exists(dir + "/g.txt")).isFalse();
        assertThat(shared.files().exists(dir + "/sub")).isFalse();
        assertThat(shared.files().list(dir)).isEmpty();
    }

    @Test
    void filesReportAMissingPathAsATypedError() {
        String missing = "/tmp/files-" + run + "-missing/nothing.txt";

        assertThatThrownBy(() -> shared.files().read(missing)).isInstanceOf(SandboxFileNotFoundException.class)
                .hasMessageContaining(missing).hasMessageContaining("no such file");
        assertThatThrownBy(() -> shared.files().list(missing)).isInstanceOf(SandboxFileNotFoundException.class);
        assertThatThrownBy(() -> shared.files().delete(missing)).isInstanceOf(SandboxFileNotFoundException.class);
        assertThat(shared.files().exists(missing)).isFalse();
    }

    @Test
    void filesRefuseToReadADirectoryOrWriteUnderAFile() {
        String dir = "/tmp/files-" + run + "-kinds";
        shared.files().write(dir + "/plain", "x");

        assertThatThrownBy(() -> shared.files().read(dir)).isInstanceOf(SandboxFileException.class)
                .hasMessageContaining("is a directory");
        assertThatThrownBy(() -> shared.files().write(dir + "/plain/child", "y"))
                .isInstanceOf(SandboxFileException.class).hasMessageContaining("not a directory");
        assertThatThrownBy(() -> shared.files().list(dir + "/plain")).isInstanceOf(SandboxFileException.class)
                .hasMessageContaining("not a directory");
    }

    @Test
    void filesConfinedToADirectoryRefusePathsThatLeaveItByDotDotOrSymlink() {
        String root = "/tmp/files-" + run + "-jail";
        shared.files().write(root + "/inside.txt", "in");
        shared.files().write("/tmp/files-" + run + "-secret.txt", "secret");
        exec(shared, "ln", "-s", "/tmp", root + "/escape").requireSuccess();
        SandboxFiles jail = shared.files().under(root);

        String inside = jail.readString("inside.txt");
        jail.write("made/here.txt", "ok");

        assertThat(inside).isEqualTo("in");
        assertThat(shared.files().readString(root + "/made/here.txt")).isEqualTo("ok");
        assertThatThrownBy(() -> jail.readString("../files-" + run + "-secret.txt"))
                .isInstanceOf(SandboxPathNotAllowedException.class).hasMessageContaining(root);
        assertThatThrownBy(() -> jail.readString("escape/files-" + run + "-secret.txt"))
                .isInstanceOf(SandboxPathNotAllowedException.class);
        assertThatThrownBy(() -> jail.write("escape/planted.txt", "x"))
                .isInstanceOf(SandboxPathNotAllowedException.class);
        assertThat(shared.files().exists("/tmp/planted.txt")).isFalse();
        assertThatThrownBy(() -> jail.delete("/")).isInstanceOf(SandboxPathNotAllowedException.class);
    }

    @Test
    void filesCannotBeWrittenThroughAReadOnlyMount() throws IOException {
        Path src = Files.createDirectories(temp.resolve("files-ro"));
        Files.writeString(src.resolve("kept.txt"), "host\n");
        try (Sandbox sandbox = spec().mountReadOnly(src, "/src").start()) {
            String read = sandbox.files().readString("/src/kept.txt");

            assertThatThrownBy(() -> sandbox.files().write("/src/kept.txt", "changed"))
                    .isInstanceOf(SandboxFileException.class).hasMessageContainingAll("/src/kept.txt", "ead-only");
            assertThat(read).isEqualTo("host\n");
            assertThat(src.resolve("kept.txt")).hasContent("host");
        }
    }

    protected static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    protected static String httpGet(String url) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Exception last = null;
        for (int i = 0; i < 40; i++) {
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return r.body();
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no HTTP 200 from " + url, last);
    }
}
