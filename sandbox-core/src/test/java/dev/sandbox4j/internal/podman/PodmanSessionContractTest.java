package dev.sandbox4j.internal.podman;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecMode;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxTimeoutException;
import dev.sandbox4j.contract.PodmanContract;
import dev.sandbox4j.internal.DefaultSandbox;
import dev.sandbox4j.internal.session.ExecSessions;

/**
 * The runtime contract, run against real Podman through exec sessions (the default path). Every exec the
 * session can serve must really go through it: the hook checks the session's exec count, so a silent fallback
 * to the plain path fails the suite. Execs for another user than the sandbox's take the plain path by design.
 */
class PodmanSessionContractTest extends PodmanContract {
    @Override
    protected ExecResult exec(Sandbox sandbox, Exec exec, ExecListener listener) {
        Exec session = exec.toBuilder().mode(ExecMode.SESSION).build();
        boolean servable = exec.user().isEmpty() || exec.user().equals(sandbox.spec().user());
        ExecSessions sessions = ((DefaultSandbox) sandbox).sessions();
        long before = sessions.execCount();
        try {
            ExecResult r = sandbox.exec(session, listener);
            if (servable) {
                assertThat(sessions.execCount()).as("execs served by a session").isGreaterThan(before);
            }
            return r;
        } catch (SandboxTimeoutException e) {
            assertThat(sessions.openChannels()).as("session channels after a timeout").isPositive();
            throw e;
        }
    }

    @Override
    protected boolean limitsEnforced() {
        return PodmanMode.current().enforcesLimits();
    }
}
