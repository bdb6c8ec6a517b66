package dev.sandbox4j.egress.internal.nft;

import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.RunningCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Optional;

/**
 * A network namespace of the test's own, held by one {@code unshare --user --map-root-user --net sleep}
 * process: nft runs inside it with {@code nsenter} (user and network namespace), so the test works as root and
 * as an ordinary user alike and never touches the host's ruleset. Closing it kills the holder, and the
 * namespace goes with it.
 */
final class PrivateNetns implements AutoCloseable {
    private final RunningCommand holder;
    private final String nft;

    private PrivateNetns(RunningCommand holder, String nft) {
        this.holder = holder;
        this.nft = nft;
    }

    /** A new namespace, or empty when unshare, nsenter or nft is missing. */
    static Optional<PrivateNetns> create() {
        HostEnvironment host = HostEnvironment.current();
        Optional<String> nft = host.findExecutable("nft").map(Object::toString)
                .or(() -> host.findExecutable("/usr/sbin/nft").map(Object::toString));
        if (nft.isEmpty() || host.findExecutable("unshare").isEmpty() || host.findExecutable("nsenter").isEmpty()) {
            return Optional.empty();
        }
        RunningCommand holder = CommandRunner.system().start(Command.builder(
                List.of("unshare", "--user", "--map-root-user", "--net", "sleep", "3600")).build());
        awaitOwnNamespace(holder);
        return Optional.of(new PrivateNetns(holder, nft.get()));
    }

    /** Until unshare has made the namespace, entering the holder's would enter the test's own: wait for it. */
    private static void awaitOwnNamespace(RunningCommand holder) {
        Path ours = Path.of("/proc/self/ns/net");
        Path theirs = Path.of("/proc", String.valueOf(holder.pid()), "ns", "net");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try {
                if (!Files.readSymbolicLink(theirs).equals(Files.readSymbolicLink(ours))) {
                    return;
                }
                Thread.sleep(10);
            } catch (IOException e) {
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        holder.close();
        throw new IllegalStateException("unshare made no network namespace within 10 s");
    }

    /** The argument list that runs nft in the namespace. */
    List<String> nft() {
        return List.of("nsenter", "-t", String.valueOf(holder.pid()), "-U", "-n", "--preserve-credentials", nft);
    }

    @Override
    public void close() {
        holder.close();
    }
}
