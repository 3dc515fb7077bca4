package dev.zdd.core.testing;

import dev.zdd.api.Cancellable;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VirtualSchedulerTest {
    private final VirtualScheduler time = new VirtualScheduler();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @Test
    void startsAtAFixedInstantAndMovesOnlyWhenAdvanced() {
        assertEquals(VirtualScheduler.DEFAULT_START, time.now());
        assertEquals(0, time.nanoTime());
        assertEquals(Instant.parse("2030-05-01T10:00:00Z"), new VirtualScheduler(Instant.parse("2030-05-01T10:00:00Z")).now());
        time.advance(Duration.ofMinutes(90));
        assertEquals(VirtualScheduler.DEFAULT_START.plus(Duration.ofMinutes(90)), time.now());
        assertEquals(Duration.ofMinutes(90).toNanos(), time.nanoTime());
        assertEquals(Duration.ofMinutes(90), time.elapsed());
        assertEquals(time, time.clock());
    }

    @Test
    void runsDueTasksInTimeOrderThenSchedulingOrder() {
        time.schedule(Duration.ofSeconds(3), () -> log.add("c@" + time.elapsed().toSeconds()));
        time.schedule(Duration.ofSeconds(1), () -> log.add("a@" + time.elapsed().toSeconds()));
        time.schedule(Duration.ofSeconds(1), () -> {
            log.add("b@" + time.elapsed().toSeconds());
            time.schedule(Duration.ofSeconds(1), () -> log.add("d@" + time.elapsed().toSeconds()));
        });
        time.schedule(Duration.ofSeconds(5), () -> log.add("e"));
        time.advance(Duration.ofSeconds(3));
        assertEquals(List.of("a@1", "b@1", "d@2", "c@3"), log);
        assertEquals(1, time.pendingTasks());
        assertEquals(Duration.ofSeconds(3), time.elapsed());
    }

    @Test
    void cancelPreventsATaskOnlyBeforeItRuns() {
        Cancellable a = time.schedule(Duration.ofSeconds(1), () -> log.add("a"));
        Cancellable b = time.schedule(Duration.ofSeconds(2), () -> log.add("b"));
        assertTrue(a.cancel());
        assertFalse(a.cancel());
        time.advance(Duration.ofSeconds(5));
        assertFalse(b.cancel());
        assertEquals(List.of("b"), log);
        assertEquals(0, time.pendingTasks());
    }

    @Test
    void runUntilStopsWhenTheConditionHoldsOrAtTheBound() {
        time.schedule(Duration.ofMinutes(10), () -> log.add("x"));
        assertTrue(time.runUntil(() -> !log.isEmpty(), Duration.ofHours(1)));
        assertEquals(Duration.ofMinutes(10), time.elapsed());
        assertFalse(time.runUntil(() -> log.size() > 1, Duration.ofMinutes(5)));
        assertEquals(Duration.ofMinutes(15), time.elapsed());
    }

    @Test
    void runUntilIdleRunsEverythingAndCounts() {
        for (int i = 1; i <= 3; i++) {
            time.schedule(Duration.ofDays(i), () -> log.add("t"));
        }
        assertEquals(3, time.runUntilIdle());
        assertEquals(Duration.ofDays(3), time.elapsed());
        assertEquals(0, time.runUntilIdle());
    }

    @Test
    void throwingTaskIsRecordedAndDoesNotStopTheScheduler() {
        time.schedule(Duration.ZERO, () -> {
            throw new IllegalStateException("boom");
        });
        time.schedule(Duration.ZERO, () -> log.add("after"));
        time.runUntilIdle();
        assertEquals(List.of("after"), log);
        assertEquals("boom", time.failures().get(0).getMessage());
    }

    @Test
    void tasksScheduledFromOtherThreadsAreAccepted() throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(() -> {
                for (int k = 0; k < 250; k++) {
                    time.schedule(Duration.ofMillis(k), () -> log.add("x"));
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertEquals(1000, time.runUntilIdle());
        assertEquals(1000, log.size());
    }

    @Test
    void executorRunsBlockingCallsInVirtualTimeOrderOneAtATime() {
        time.executor().execute(() -> log.add("call1@" + time.elapsed().toMillis()));
        time.schedule(Duration.ofMillis(5), () -> time.executor().execute(() -> log.add("call2@" + time.elapsed().toMillis())));
        time.inlineExecutor().execute(() -> log.add("inline@" + time.elapsed().toMillis()));
        assertTrue(log.isEmpty(), "nothing runs until time is driven");
        time.advance(Duration.ofMillis(10));
        assertEquals(List.of("call1@0", "inline@0", "call2@5"), log);
    }

    @Test
    void aHangingCallLetsTimeGoOnUntilItIsInterrupted() throws Exception {
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch ended = new CountDownLatch(1);
        Thread[] caller = new Thread[1];
        time.executor().execute(() -> {
            caller[0] = Thread.currentThread();
            try {
                VirtualScheduler.hangUntilInterrupted();
            } catch (InterruptedException e) {
                interrupted.set(true);
            } finally {
                ended.countDown();
            }
        });
        time.schedule(Duration.ofSeconds(30), () -> caller[0].interrupt());
        time.advance(Duration.ofSeconds(29));
        assertFalse(interrupted.get());
        time.advance(Duration.ofSeconds(1));
        assertTrue(ended.await(10, TimeUnit.SECONDS));
        assertTrue(interrupted.get());
    }

    @Test
    void inlineCallsCannotHang() {
        time.inlineExecutor().execute(() -> {
            try {
                VirtualScheduler.hangUntilInterrupted();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        time.runUntilIdle();
        assertTrue(time.failures().get(0).getMessage().startsWith("a call run by VirtualScheduler.inlineExecutor() cannot"
                + " hang"));
    }

    @Test
    void cannotBeDrivenFromItsOwnTasks() {
        time.schedule(Duration.ZERO, () -> time.advance(Duration.ofSeconds(1)));
        time.runUntilIdle();
        assertEquals("the virtual scheduler cannot be driven from inside one of its tasks",
                time.failures().get(0).getMessage());
        assertThrows(IllegalArgumentException.class, () -> time.advance(Duration.ofSeconds(-1)));
    }

    @Test
    void anHourOfTimersRunsInMilliseconds() {
        int[] ticks = {0};
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            ticks[0]++;
            time.schedule(Duration.ofSeconds(1), tick[0]);
        };
        time.schedule(Duration.ZERO, tick[0]);
        time.advance(Duration.ofHours(1));
        assertEquals(3601, ticks[0]);
    }
}
