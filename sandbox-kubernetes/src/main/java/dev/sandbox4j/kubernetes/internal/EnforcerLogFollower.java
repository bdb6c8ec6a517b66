package dev.sandbox4j.kubernetes.internal;

import dev.sandbox4j.egress.EgressEvent;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ContainerResource;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the enforcer sidecar's log of one pod through the API ({@code pods/log}, {@code follow=true}) on a thread
 * of its own, turning audit lines into events, for as long as the sandbox lives. When a log stream ends or breaks
 * while the enforcer still runs (API server restart, idle timeout, network trouble) it opens another one, asking for
 * the log from a little before the newest event it has ({@code sinceTime}, see {@link AuditCursor}), and lets
 * through only lines it has not seen, so no event is lost (while the node still holds the log) and none is
 * repeated. Between attempts it waits, from {@link #FIRST_BACKOFF} doubling up to {@link #MAX_BACKOFF} while
 * streams bring nothing. It stops when closed, when the pod is gone, or after reading the log once more once the
 * enforcer has ended; {@link #close()} returns only when its thread has ended.
 */
public final class EnforcerLogFollower implements AutoCloseable {
    /** The wait before the first reconnect, and after any stream that brought lines. */
    public static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    /** The longest wait between two attempts. */
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** The name of the follower's thread is this prefix and the pod's name. */
    public static final String THREAD_PREFIX = "sandbox4j-enforcer-log-";
    private static final Duration JOIN = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(EnforcerLogFollower.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String pod;
    private final AuditCursor cursor;
    private final Consumer<EgressEvent> events;
    private final Thread thread;
    private final Object lock = new Object();
    private boolean closed;
    private LogWatch current;

    /**
     * A follower that has not started.
     *
     * @param client    the API client
     * @param namespace the pod's namespace
     * @param pod       the pod's name
     * @param sandbox   the sandbox name on the audit lines that count
     * @param events    receives each event once, in the order of the log, on the follower's thread
     */
    public EnforcerLogFollower(KubernetesClient client, String namespace, String pod, String sandbox,
                               Consumer<EgressEvent> events) {
        this.client = client;
        this.namespace = namespace;
        this.pod = pod;
        this.cursor = new AuditCursor(sandbox);
        this.events = events;
        this.thread = new Thread(this::run, THREAD_PREFIX + pod);
        this.thread.setDaemon(true);
    }

    /**
     * Starts following.
     *
     * @return this follower
     */
    public EnforcerLogFollower start() {
        thread.start();
        return this;
    }

    private void run() {
        Duration backoff = FIRST_BACKOFF;
        boolean ended = false;
        int attempt = 0;
        while (!isClosed()) {
            attempt++;
            boolean delivered;
            try {
                delivered = readOnce(attempt);
            } catch (KubernetesClientException e) {
                delivered = false;
                LOG.debug("could not open the log of the {} container of pod {}/{} (attempt {}): {}",
                        PodManifest.ENFORCER, namespace, pod, attempt, KubeErrors.explain(e));
            }
            if (isClosed() || ended) {
                break;
            }
            try {
                Pod p = client.pods().inNamespace(namespace).withName(pod).get();
                if (p == null) {
                    LOG.debug("pod {}/{} is gone: its enforcer log is followed no more", namespace, pod);
                    break;
                }
                ended = PodStates.enforcerEnded(p);
            } catch (KubernetesClientException e) {
                LOG.debug("could not read pod {}/{}: {}", namespace, pod, KubeErrors.explain(e));
            }
            backoff = delivered ? FIRST_BACKOFF : backoff;
            Duration wait = ended ? Duration.ZERO : backoff;
            LOG.debug("the enforcer log stream of pod {}/{} ended; asking again in {} ms from {}", namespace, pod,
                    wait.toMillis(), cursor.resumeFrom().map(Instant::toString).orElse("its start"));
            if (!pause(wait)) {
                break;
            }
            if (!delivered) {
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /** Reads one log stream to its end; true if it brought at least one line. */
    private boolean readOnce(int attempt) {
        ContainerResource container = client.pods().inNamespace(namespace).withName(pod)
                .inContainer(PodManifest.ENFORCER);
        Optional<Instant> from = cursor.resumeFrom();
        // the client's own InputStream waits for the response head without a timeout and deaf to interrupts, so
        // close() could not stop a reconnect the API server does not answer; writing to a pipe returns at once
        LogPipe pipe = new LogPipe();
        LogWatch watch = from.isPresent() ? container.sinceTime(from.get().toString()).watchLog(pipe)
                : container.watchLog(pipe);
        watch.onClose().whenComplete((failure, error) -> pipe.end(failure != null ? failure : error));
        synchronized (lock) {
            if (closed) {
                watch.close();
                return false;
            }
            current = watch;
        }
        boolean delivered = false;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(pipe.input(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                delivered = true;
                long gapsBefore = cursor.gaps();
                long seqBefore = cursor.lastSeq();
                Optional<EgressEvent> event = cursor.accept(line);
                if (cursor.gaps() > gapsBefore) {
                    LOG.warn("audit lines {} to {} of the enforcer of pod {}/{} were no longer in its log when the"
                            + " stream was resumed (attempt {}): those events are missing from egressLog()",
                            seqBefore + 1, cursor.lastSeq() - 1, namespace, pod, attempt);
                }
                event.ifPresent(events);
            }
        } catch (IOException e) {
            if (!isClosed()) {
                // a refused request (e.g. the container not started yet) ends the stream the same way
                LOG.debug("the enforcer log stream of pod {}/{} broke (attempt {}): {}", namespace, pod, attempt,
                        e.getCause() instanceof KubernetesClientException k ? KubeErrors.explain(k) : e.toString());
            }
        } finally {
            synchronized (lock) {
                current = null;
            }
            watch.close();
        }
        return delivered;
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** Waits {@code d} unless closed first; false if closed. */
    private boolean pause(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        synchronized (lock) {
            long left;
            while (!closed && (left = end - System.nanoTime()) > 0) {
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    return false;
                }
            }
            return !closed;
        }
    }

    /**
     * Stops following: closes the open stream, stops reconnecting, and waits for the thread to end. Idempotent.
     */
    @Override
    public void close() {
        LogWatch open;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            open = current;
            lock.notifyAll();
        }
        if (open != null) {
            open.close();
        }
        if (Thread.currentThread() == thread || !thread.isAlive()) {
            return;
        }
        thread.interrupt();
        try {
            thread.join(JOIN.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("the enforcer log follower of pod {}/{} did not stop within {}", namespace, pod, JOIN);
        }
    }
}
