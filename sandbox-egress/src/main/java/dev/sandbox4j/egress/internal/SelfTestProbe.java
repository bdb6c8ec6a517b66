package dev.sandbox4j.egress.internal;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.SandboxStartException;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressLog;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * The probe of the start-up self-test that every policed sandbox runs, whatever enforces its policy: from inside,
 * a lookup of a random name, which must reach the sandbox's own interceptor, then a TCP connection to
 * {@link #ADDRESS}, outside every policy. Each enforcement checks its own evidence that the connection was
 * stopped; this class checks the lookup. Needs {@code nslookup} and {@code nc} in the image (busybox has both).
 */
public final class SelfTestProbe {
    /** Link-local, denied by every policy, never routed off the link: the probe's forbidden destination. */
    public static final String ADDRESS = "169.254.0.9";
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final SecureRandom RANDOM = new SecureRandom();

    private SelfTestProbe() {
    }

    /**
     * Whether the self-test runs: unless the system property {@code sandbox4j.egress.selfTest} is {@code false}.
     *
     * @return whether to run it
     */
    public static boolean enabled() {
        return Boolean.parseBoolean(System.getProperty("sandbox4j.egress.selfTest", "true"));
    }

    /**
     * Runs the probe in the sandbox and checks that its lookup was decided by the sandbox's interceptor.
     *
     * @param sandbox   the sandbox's name, for messages
     * @param exec      runs a command in the sandbox
     * @param log       the sandbox's egress log, where the interceptor records its decisions
     * @param dnsPath   what the lookup must reach, as a message says it ("its interceptor")
     * @param dnsHint   what to check when it did not, appended to the message ({@code ""} for nothing)
     * @return the probe's output, ending with {@code tcp=} and the exit status of its connection; empty when the
     *         image has no {@code nslookup} or {@code nc}, so nothing was probed
     * @throws SandboxStartException if the lookup did not reach the interceptor
     */
    public static Optional<String> run(String sandbox, Function<Exec, ExecResult> exec, EgressLog log, String dnsPath,
            String dnsHint) {
        String probe = "sb4j-selftest-" + Long.toHexString(RANDOM.nextLong()) + ".invalid";
        ExecResult r = exec.apply(Exec.builder("/bin/sh", "-c",
                "command -v nslookup >/dev/null 2>&1 && command -v nc >/dev/null 2>&1 || { echo missing; exit 0; }; "
                        + "nslookup " + probe + " >/dev/null 2>&1; "
                        + "nc -w 2 " + ADDRESS + " 9 </dev/null >/dev/null 2>&1; echo tcp=$?")
                .timeout(TIMEOUT).build());
        String out = r.stdout().strip();
        if (out.equals("missing") || r.exitCode() == 127) {
            return Optional.empty();
        }
        boolean dnsSeen = log.events().stream().anyMatch(e -> e instanceof EgressEvent.DnsDecision d
                && d.qname().startsWith(probe));
        if (!dnsSeen) {
            throw new SandboxStartException("egress self-test of " + sandbox + " failed: a DNS query from inside "
                    + "did not reach " + dnsPath + " (" + out + r.stderr().strip() + ")" + dnsHint);
        }
        return Optional.of(out);
    }
}
