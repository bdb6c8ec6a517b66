package dev.sandbox4j.egress.internal.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared engine's scheduling contract, with real threads; no timing is asserted. */
class DnsEngineTest {
    private final DnsEngine engine = DnsEngine.shared();
    /** Tasks that block take a permit; the test hands them out one by one. */
    private final Semaphore go = new Semaphore(0);
    private final List<DnsEngine.Lane> lanes = new ArrayList<>();

    @AfterEach
    void release() {
        go.release(100_000);
        lanes.forEach(DnsEngine.Lane::close);
    }

    private DnsEngine.Lane lane(int capacity, int maxRunning) {
        DnsEngine.Lane l = engine.lane(capacity, maxRunning);
        lanes.add(l);
        return l;
    }

    private Runnable blocking(List<String> started, String name) {
        return () -> {
            started.add(name);
            go.acquireUninterruptibly();
        };
    }

    @Test
    void aLaneWithNothingOnAWorkerIsServedBeforeTheQueuedWorkOfBusyLanes() throws Exception {
        // given: every worker, quick ones included, busy with one query of its own flooded lane; then more queries
        // for each of those lanes, which have room under their cap, so all of them wait on the ready list
        List<String> started = new CopyOnWriteArrayList<>();
        int all = DnsEngine.WORKERS + DnsEngine.QUICK_WORKERS;
        List<DnsEngine.Lane> flooded = new ArrayList<>();
        for (int i = 0; i < all; i++) {
            flooded.add(lane(100, 2));
            assertThat(flooded.get(i).offer(blocking(started, "flooded-" + i))).isTrue();
        }
        await(() -> started.size() == all);
        for (int i = 0; i < all; i++) {
            for (int q = 0; q < 5; q++) {
                assertThat(flooded.get(i).offer(blocking(started, "flooded-" + i))).isTrue();
            }
        }
        DnsEngine.Lane victim = lane(100, 2);

        // when: the victim asks, then one worker comes free
        assertThat(victim.offer(blocking(started, "victim"))).isTrue();
        go.release();
        await(() -> started.size() == all + 1);

        // then
        assertThat(started).hasSize(all + 1);
        assertThat(started.get(all)).isEqualTo("victim");
        assertThat(started.subList(0, all)).allSatisfy(s -> assertThat(s).startsWith("flooded-"));
    }

    @Test
    void aFloodedLaneHoldsAtMostItsCapOfWorkersAndShedsBeyondItsQueue() throws Exception {
        // given
        DnsEngine.Lane flooded = lane(5, 2);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<String> started = new CopyOnWriteArrayList<>();
        Runnable task = () -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            started.add("flooded");
            go.acquireUninterruptibly();
            running.decrementAndGet();
        };

        // when: two queries go to workers, then eight more than its cap arrive for a queue of five
        List<Boolean> accepted = new ArrayList<>();
        accepted.add(flooded.offer(task));
        accepted.add(flooded.offer(task));
        await(() -> started.size() == 2);
        for (int i = 0; i < 8; i++) {
            accepted.add(flooded.offer(task));
        }
        DnsEngine.Lane other = lane(5, 2);
        List<String> otherStarted = new CopyOnWriteArrayList<>();
        assertThat(other.offer(() -> otherStarted.add("other"))).isTrue();
        await(() -> otherStarted.size() == 1);

        // then: two on workers, five queued, three refused; another lane still got a worker
        assertThat(accepted.stream().filter(a -> a).count()).isEqualTo(7);
        assertThat(most.get()).isEqualTo(2);
        assertThat(started).hasSize(2);
        assertThat(otherStarted).containsExactly("other");
        go.release(7);
        await(() -> started.size() == 7);
        assertThat(most.get()).as("never more than the cap at once").isEqualTo(2);
    }

    @Test
    void aGateHoldsItsPermitsUntilTheSinkReturnsEvenWhenTheCallerGaveUp() throws Exception {
        // given: a gate of 2 whose two calls hang
        DnsEngine.Gate gate = engine.gate(2);
        AtomicInteger running = new AtomicInteger();
        Future<?> first = gate.submit(() -> running.incrementAndGet() > 0 && go.tryAcquire(30, TimeUnit.SECONDS));
        Future<?> second = gate.submit(() -> running.incrementAndGet() > 0 && go.tryAcquire(30, TimeUnit.SECONDS));
        await(() -> running.get() == 2);

        // when: the callers give up waiting (as after the gate timeout)
        first.cancel(false);
        second.cancel(false);

        // then: no third call until one returns; after that, calls run again
        assertThatThrownBy(() -> gate.submit(() -> null)).isInstanceOf(RejectedExecutionException.class);
        go.release(2);
        Future<?>[] third = {null};
        await(() -> {
            try {
                third[0] = gate.submit(() -> "ran");
                return true;
            } catch (RejectedExecutionException e) {
                return false;
            }
        });
        assertThat(third[0]).isNotNull();
        assertThat(third[0].get(30, TimeUnit.SECONDS)).isEqualTo("ran");
        gate.close();
        assertThatThrownBy(() -> gate.submit(() -> null)).as("closed").isInstanceOf(RejectedExecutionException.class);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }
}
