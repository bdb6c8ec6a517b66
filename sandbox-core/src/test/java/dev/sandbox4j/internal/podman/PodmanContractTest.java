package dev.sandbox4j.internal.podman;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecMode;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.contract.PodmanContract;

/** The runtime contract, run against real Podman through the one-CLI-process-per-exec path. */
class PodmanContractTest extends PodmanContract {
    @Override
    protected ExecResult exec(Sandbox sandbox, Exec exec, ExecListener listener) {
        return sandbox.exec(exec.toBuilder().mode(ExecMode.PLAIN).build(), listener);
    }

    @Override
    protected boolean limitsEnforced() {
        return PodmanMode.current().enforcesLimits();
    }
}
