package dev.sandbox4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code sandbox gc} against real Podman: dead owners' containers go, live owners' stay. */
class CliGcTest {
    private static String image;
    private final String tag = "gc-test-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void setUp() {
        image = Cli.busybox();
    }

    @AfterEach
    void cleanUp() {
        for (String name : Cli.containersLabelled("gc-test=" + tag)) {
            Cli.host("podman", "rm", "-f", "-t", "0", name);
        }
    }

    private String container(String owner) {
        String name = "sb4j-" + tag + "-" + UUID.randomUUID().toString().substring(0, 6);
        Cli.host("podman", "run", "-d", "--pull=never", "--name", name, "--label", "dev.sandbox4j.managed=true",
                "--label", "dev.sandbox4j.owner=" + owner, "--label", "dev.sandbox4j.sandbox=" + name,
                "--label", "gc-test=" + tag, image, "sleep", "300").requireSuccess();
        return name;
    }

    /** An owner id of this (live) JVM: pid, start millis, any instance. */
    private static String thisProcess() {
        ProcessHandle self = ProcessHandle.current();
        return self.pid() + "-" + self.info().startInstant().orElseThrow().toEpochMilli() + "-cafe0000";
    }

    @Test
    void gcRemovesAContainerWhoseOwnerIsGoneAndKeepsALiveOwnersOne() {
        String dead = container("1-0-dead");
        String alive = container(thisProcess());

        Cli.Outcome r = Cli.run("gc");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("removed container " + dead).doesNotContain(alive);
        assertThat(Cli.containersLabelled("gc-test=" + tag)).containsExactly(alive);
    }

    @Test
    void dryRunOnlySaysWhatItWouldRemove() {
        String dead = container("1-0-dead");

        Cli.Outcome r = Cli.run("gc", "--dry-run");

        assertThat(r.out()).contains("would remove container " + dead);
        assertThat(Cli.containersLabelled("gc-test=" + tag)).containsExactly(dead);
    }

    @Test
    void lsShowsADeadOwner() {
        String dead = container("1-0-dead");

        Cli.Outcome r = Cli.run("ls");

        assertThat(r.out().lines().filter(l -> l.contains(dead)).findFirst().orElseThrow()).contains("(dead)");
    }
}
