package dev.sandbox4j.internal.apple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.SandboxException;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppleTarStreamsTest {
    @TempDir
    Path tmp;

    @Test
    void directoryTreeRoundTripsUnderANewName() throws IOException {
        // given
        Path src = Files.createDirectories(tmp.resolve("src/sub"));
        Files.writeString(src.resolve("a.txt"), "alpha\n");
        String longName = "n".repeat(120) + "-ü.txt";
        Files.writeString(src.resolve(longName), "long\n");

        // when
        byte[] tar = TarStreams.pack(tmp.resolve("src"), "copied");
        List<Path> written = TarStreams.unpack(new ByteArrayInputStream(tar), "copied", tmp.resolve("out"));

        // then
        assertThat(written).isNotEmpty();
        assertThat(tmp.resolve("out/sub/a.txt")).hasContent("alpha");
        assertThat(tmp.resolve("out/sub/" + longName)).hasContent("long");
    }

    @Test
    void hostTarReadsWhatWeWriteAndWeReadWhatItWrites() throws IOException {
        // given
        Path file = Files.writeString(tmp.resolve("in.txt"), "payload\n");
        Files.createDirectories(tmp.resolve("x"));
        CommandRunner runner = CommandRunner.system();

        // when
        CommandResult extract = runner.run(Command.builder(List.of("tar", "-x", "-f", "-", "-C", tmp.resolve("x").toString()))
                .stdin(TarStreams.pack(file, "renamed.txt")).timeout(Duration.ofSeconds(20)).build());
        CommandResult create = runner.run(Command.of(List.of("tar", "-c", "-f", "-", "-C", tmp.toString(), "x"),
                Duration.ofSeconds(20)));
        TarStreams.unpack(new ByteArrayInputStream(create.stdoutBytes()), "x", tmp.resolve("back"));

        // then
        assertThat(extract.exitCode()).as(extract.stderr()).isZero();
        assertThat(tmp.resolve("x/renamed.txt")).hasContent("payload");
        assertThat(tmp.resolve("back/renamed.txt")).hasContent("payload");
    }

    @Test
    void entryOutsideTheCopiedPathIsRefused() throws IOException {
        // given
        Path evil = Files.writeString(tmp.resolve("evil"), "x");
        byte[] tar = TarStreams.pack(evil, "copied/../../escape");

        // when / then
        assertThatThrownBy(() -> TarStreams.unpack(new ByteArrayInputStream(tar), "copied", tmp.resolve("out")))
                .isInstanceOf(SandboxException.class).hasMessageContaining("refused");
        assertThat(tmp.resolve("escape")).doesNotExist();
    }

    @Test
    void entryNamedForAnotherRootIsRefused() throws IOException {
        // given
        byte[] tar = TarStreams.pack(Files.writeString(tmp.resolve("f"), "x"), "other");

        // when / then
        assertThatThrownBy(() -> TarStreams.unpack(new ByteArrayInputStream(tar), "copied", tmp.resolve("out")))
                .isInstanceOf(SandboxException.class).hasMessageContaining("outside copied");
        assertThat(new String(tar, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("other");
    }

    @Test
    void permissionBitsSurviveTheRoundTripEvenForAReadOnlyDirectory() throws IOException {
        // given: an executable, a private file, and a directory nobody may write to (filled before it is locked)
        Path src = Files.createDirectories(tmp.resolve("src/locked"));
        Files.writeString(src.resolve("tool"), "x");
        Files.setPosixFilePermissions(src.resolve("tool"),
                PosixFilePermissions.fromString("rwxr-x--x"));
        Files.writeString(src.getParent().resolve("secret"), "s");
        Files.setPosixFilePermissions(src.getParent().resolve("secret"),
                PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(src, PosixFilePermissions.fromString("r-xr-xr-x"));
        byte[] tar = TarStreams.pack(src.getParent(), "src");

        // when
        Path out = tmp.resolve("out");
        TarStreams.unpack(new ByteArrayInputStream(tar), "src", out);

        // then
        assertThat(mode(out.resolve("locked/tool"))).isEqualTo("rwxr-x--x");
        assertThat(mode(out.resolve("secret"))).isEqualTo("rw-------");
        assertThat(mode(out.resolve("locked"))).isEqualTo("r-xr-xr-x");
        assertThat(out.resolve("locked/tool")).hasContent("x");
        Files.setPosixFilePermissions(out.resolve("locked"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(src, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
