package dev.sandbox4j.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API as the README shows it, on the published jars: no extension, a policed sandbox, files in and out. */
class ApiTest {
    /** Built by scripts/consumer-check.sh from src/test/image/Containerfile. */
    static final String IMAGE = "localhost/sandbox4j-consumer/busybox:latest";

    @TempDir
    Path dir;

    @Test
    void aSandboxRunsCommandsAndExitCodesAreResults() throws Exception {
        // given
        Path work = Files.createDirectories(dir.resolve("work"));
        Files.writeString(dir.resolve("input.txt"), "from the host\n");

        try (Sandbox sandbox = Sandbox.builder()
                .image(IMAGE)
                .mount(work, "/work")
                .workdir("/work")
                .env("MODE", "test")
                .egress(EgressPolicy.denyAll().allow("allowed.example"))
                .start()) {
            // when
            ExecResult r = sandbox.exec("sh", "-c", "echo hi; echo oops >&2; exit 3");
            sandbox.copyTo(dir.resolve("input.txt"), "/work/input.txt");
            sandbox.exec("sh", "-c", "tr a-z A-Z < input.txt > out.txt").requireSuccess();
            sandbox.copyFrom("/work/out.txt", dir.resolve("out.txt"));

            // then
            assertEquals(3, r.exitCode());
            assertEquals("hi\n", r.stdout());
            assertEquals("oops\n", r.stderr());
            assertEquals("FROM THE HOST\n", Files.readString(dir.resolve("out.txt")));
            assertEquals("test\n", sandbox.exec("sh", "-c", "echo $MODE").stdout());
        }
    }

    @Test
    void theDefaultPolicyDeniesNamesAndTheAuditLogSaysSo() {
        // given: no egress(...) at all, so EgressPolicy.DEFAULT (deny all) from the published sandbox-egress
        try (Sandbox sandbox = Sandbox.builder().image(IMAGE).start()) {
            // when
            ExecResult denied = sandbox.exec("nslookup", "denied.example");
            ExecResult control = sandbox.exec("echo", "still running");

            // then
            assertTrue(denied.exitCode() != 0, () -> "nslookup should fail: " + denied);
            assertEquals("still running\n", control.stdout());
            assertTrue(sandbox.egressLog().events().stream().anyMatch(e -> e instanceof EgressEvent.DnsDecision d
                            && d.qname().equals("denied.example.") && d.verdict() == EgressEvent.Verdict.DENIED),
                    () -> "no DENIED decision for denied.example in " + sandbox.egressLog().events());
        }
    }

    @Test
    void aWildcardOnAPublicSuffixIsRejectedWhenThePolicyIsBuilt() {
        // given / when
        SandboxConfigException e = assertThrows(SandboxConfigException.class,
                () -> EgressPolicy.denyAll().allow("**.hf.space"));

        // then
        assertTrue(e.getMessage().contains("public suffix 'hf.space'"), e::getMessage);
        assertEquals(1, EgressPolicy.denyAll().allow("**.my-space.hf.space").rules().size());
    }
}
