package dev.sandbox4j.egress.internal.macos;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Mount;
import dev.sandbox4j.SandboxStartException;
import dev.sandbox4j.egress.EgressLog;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRecorder;
import dev.sandbox4j.egress.internal.SelfTestProbe;
import dev.sandbox4j.egress.internal.audit.AuditFile;
import dev.sandbox4j.egress.internal.audit.JsonLinesAuditWriter;
import dev.sandbox4j.egress.internal.relay.RelayEgress;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.EgressSession;
import dev.sandbox4j.spi.RuntimeBackend;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Egress enforcement for one Apple {@code container} sandbox, as the user the JVM runs as. Made before the
 * container exists: the relay ({@link RelayEgress}: DNS interceptor on loopback, learned-address table, unix
 * socket in a private directory) and the init image ({@link MacInitImage}). The container then starts with
 * <ul>
 *   <li>{@code --network none}: the VM has no NIC, so nothing leaves it except through the socket;</li>
 *   <li>{@code --init-image}: Sandbox4j's guest piece runs as the VM's first process, brings up a loopback
 *       default route, loads nftables rules that redirect every TCP connection and all DNS to its relay, starts
 *       the relay and execs Apple's {@code vminitd};</li>
 *   <li>{@code --volume <socket>:/run/sandbox4j/egress.sock}: container relays a host socket into the VM (it
 *       appears under {@code /run/sockets/} in the VM, where the relay finds it by a HELLO exchange);</li>
 *   <li>{@code --cap-drop NET_ADMIN --cap-drop NET_RAW}, and {@code --dns 127.0.0.1} (every port-53 packet is
 *       redirected anyway).</li>
 * </ul>
 * Fail closed: without the relay or without this JVM the sandbox has no network at all.
 */
final class MacEgressSession implements EgressSession {
    private static final Logger LOG = LoggerFactory.getLogger(MacEgressSession.class);
    /** Where the relay socket appears inside the container; the guest relay finds its copy in the VM. */
    static final String GUEST_SOCKET = "/run/sandbox4j/egress.sock";
    /** Link-local, denied by every policy: the self-test's forbidden destination. */
    static final String PROBE_ADDRESS = SelfTestProbe.ADDRESS;

    private final String sandbox;
    private final EgressRecorder recorder;
    private final AtomicBoolean closed = new AtomicBoolean();
    private RelayEgress relay;
    private String initImage;
    private JsonLinesAuditWriter auditFile;

    private MacEgressSession(String sandbox) {
        this.sandbox = sandbox;
        this.recorder = new EgressRecorder(sandbox);
    }

    static MacEgressSession open(EgressPolicy policy, RuntimeBackend backend, String sandbox,
                                 MacInitImage.Source images) {
        MacEgressSession s = new MacEgressSession(sandbox);
        try {
            s.auditFile = AuditFile.attach(s.recorder, sandbox).orElse(null);
            s.initImage = images.image(backend);
            s.relay = RelayEgress.start(policy, sandbox, s.recorder, null);
            LOG.debug("egress for {}: relay socket {}, interceptor {}, init image {}", sandbox, s.relay.socket(),
                    s.relay.interceptorAddress(), s.initImage);
            return s;
        } catch (RuntimeException | Error e) {
            try {
                s.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The relay behind this session (for tests). */
    RelayEgress relay() {
        return relay;
    }

    @Override
    public Optional<String> network() {
        return Optional.of("none");
    }

    @Override
    public List<String> dns() {
        return List.of("127.0.0.1");
    }

    @Override
    public List<String> capDrop() {
        return List.of("NET_ADMIN", "NET_RAW");
    }

    @Override
    public List<Mount> mounts() {
        return List.of(new Mount(relay.socket(), GUEST_SOCKET, false));
    }

    @Override
    public Optional<String> initImage() {
        return Optional.of(initImage);
    }

    @Override
    public void attached(ContainerInfo container, RuntimeBackend backend) {
        attached(container, backend, exec -> backend.exec(container.id(), exec, ExecListener.NONE));
    }

    /**
     * The start-up self-test, as on Linux: a lookup of a random name from inside must reach this sandbox's
     * interceptor (so the relay runs and found the socket), and a connection to a link-local address must be
     * refused by this JVM. Either failing refuses the start. Needs {@code nslookup} and {@code nc} in the image;
     * switched off with {@code -Dsandbox4j.egress.selfTest=false}.
     */
    @Override
    public void attached(ContainerInfo container, RuntimeBackend backend, Function<Exec, ExecResult> exec) {
        if (!SelfTestProbe.enabled()) {
            return;
        }
        long deniedBefore = relay.counters().denied();
        long relayedBefore = relay.counters().relayed();
        if (SelfTestProbe.run(sandbox, exec, recorder, "this JVM through the relay",
                "; check `container logs --boot` for sb4j-guest lines").isEmpty()) {
            LOG.info("egress self-test of {} skipped: the image has no nslookup or nc; the sandbox has no network "
                    + "interface, so it has no egress unless the relay carries it", sandbox);
            return;
        }
        // nc's exit status proves nothing here: the guest relay accepts every connection before the JVM decides,
        // so a refused one looks "connected, then reset"; the JVM's own count of refusals is the evidence
        if (relay.counters().denied() <= deniedBefore || relay.counters().relayed() > relayedBefore) {
            throw new SandboxStartException("egress self-test of " + sandbox + " failed: the probe connection to "
                    + PROBE_ADDRESS + ", outside every policy, was not refused by this JVM");
        }
        LOG.debug("egress self-test of {} passed", sandbox);
    }

    @Override
    public EgressLog log() {
        return relay == null ? recorder : relay.log();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RuntimeException failure = null;
        if (relay != null) {
            try {
                relay.close();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        if (auditFile != null) {
            try {
                auditFile.close();
            } catch (java.io.IOException e) {
                LOG.warn("could not close the egress audit file of {}", sandbox, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
