package dev.sandbox4j.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.ExecResult;
import dev.sandbox4j.PullPolicy;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.egress.EgressPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime on a real cluster: runs only where {@value #CLUSTER} is set (the kind workflow in
 * {@code .github/workflows/kubernetes.yml}), with {@code -Dsandbox4j.kubeconfig} pointing at the cluster and the
 * enforcer image loaded into it. Skipped elsewhere, with this reason: no cluster can run on the development
 * machines. Probes stay inside the cluster (the API server's service address).
 */
class KubernetesClusterTest {
    /** Environment variable that says a throwaway cluster is there to use. */
    static final String CLUSTER = "SANDBOX4J_KUBE_CLUSTER";
    private static final String IMAGE = System.getenv().getOrDefault("SANDBOX4J_KUBE_TEST_IMAGE",
            "docker.io/library/busybox:1.36.1");

    @BeforeAll
    static void requireCluster() {
        Assumptions.assumeTrue(System.getenv(CLUSTER) != null, "no cluster: set " + CLUSTER
                + "=true and -Dsandbox4j.kubeconfig=PATH (the kind workflow does)");
    }

    private static SandboxSpec.Builder builder() {
        return Sandbox.builder().image(IMAGE).runtime("kubernetes").pullPolicy(PullPolicy.MISSING);
    }

    @Test
    void execReturnsExitCodeAndStreamsInBothExecModes() {
        try (Sandbox sandbox = builder().egress(EgressPolicy.allowAll()).start()) {
            ExecResult session = sandbox.exec("sh", "-c", "echo hi; echo oops >&2; exit 3");
            ExecResult plain = sandbox.exec(dev.sandbox4j.Exec.builder("sh", "-c", "echo hi; echo oops >&2; exit 3")
                    .mode(dev.sandbox4j.ExecMode.PLAIN).build());

            for (ExecResult r : new ExecResult[] {session, plain}) {
                assertThat(r.exitCode()).isEqualTo(3);
                assertThat(r.stdout()).isEqualTo("hi\n");
                assertThat(r.stderr()).isEqualTo("oops\n");
            }
        }
    }

    @Test
    void filesGoInAndComeBackOut(@TempDir Path tmp) throws IOException {
        Path in = Files.writeString(tmp.resolve("in.txt"), "payload\n");
        try (Sandbox sandbox = builder().egress(EgressPolicy.allowAll()).start()) {
            sandbox.copyTo(in, "/tmp/work/in.txt");
            sandbox.exec("sh", "-c", "tr a-z A-Z < /tmp/work/in.txt > /tmp/work/out.txt").requireSuccess();
            sandbox.copyFrom("/tmp/work/out.txt", tmp.resolve("out.txt"));
        }
        assertThat(Files.readString(tmp.resolve("out.txt"))).isEqualTo("PAYLOAD\n");
    }

    @Test
    void aPolicedPodCannotReachTheApiServerWhileAnOpenPodCan() {
        String probe = "nc -z -w 3 \"$KUBERNETES_SERVICE_HOST\" \"$KUBERNETES_SERVICE_PORT\"; echo rc=$?";
        try (Sandbox open = builder().egress(EgressPolicy.allowAll()).start();
             Sandbox policed = builder().egress(EgressPolicy.denyAll()).start()) {
            ExecResult control = open.exec("sh", "-c", probe);
            ExecResult denied = policed.exec("sh", "-c", probe);

            assertThat(control.stdout()).contains("rc=0");
            assertThat(denied.stdout()).doesNotContain("rc=0");
        }
    }
}
