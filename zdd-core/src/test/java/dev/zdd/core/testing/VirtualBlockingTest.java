package dev.zdd.core.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.FutureTask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blocking helpers of {@link VirtualScheduler}: calls of its executor that take virtual time, ignore interrupts or
 * let another thread act meanwhile, all deterministic: every assertion below holds right after the driving call returns,
 * with no wall-clock wait.
 */
class VirtualBlockingTest {
    private final VirtualScheduler time = new VirtualScheduler();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void shutDown() {
        time.shutdown();
    }

    private String at() {
        return "@" + time.elapsed().toSeconds();
    }

    @Test
    void blockForTakesVirtualTimeWhileTimeGoesOn() {
        time.executor().execute(() -> {
            try {
                log.add("start" + at());
                VirtualScheduler.blockFor(Duration.ofSeconds(5));
                log.add("end" + at());
            } catch (InterruptedException e) {
                log.add("interrupted" + at());
            }
        });
        time.schedule(Duration.ofSeconds(2), () -> log.add("timer" + at()));
        time.advance(Duration.ofSeconds(4));
        assertEquals(List.of("start@0", "timer@2"), log);
        time.advance(Duration.ofSeconds(1));
        assertEquals(List.of("start@0", "timer@2", "end@5"), log);
        assertEquals(List.of(), time.failures());
    }

    @Test
    void anInterruptedBlockEndsBeforeTheNextTaskRuns() {
        FutureTask<String> call = new FutureTask<>(() -> {
            try {
                VirtualScheduler.blockFor(Duration.ofMinutes(10));
                log.add("end" + at());
            } catch (InterruptedException e) {
                log.add("interrupted" + at());
            }
            return "done";
        });
        time.executor().execute(call);
        time.schedule(Duration.ofSeconds(3), () -> call.cancel(true));
        time.schedule(Duration.ofSeconds(3), () -> log.add("next task" + at()));
        time.advance(Duration.ofSeconds(3));
        assertEquals(List.of("interrupted@3", "next task@3"), log, "the interrupted call settles before the next task");
        time.advance(Duration.ofMinutes(20));
        assertEquals(2, log.size());
    }

    @Test
    void anUninterruptibleBlockTakesItsTimeThenReturnsInterrupted() {
        Thread[] caller = new Thread[1];
        time.executor().execute(() -> {
            caller[0] = Thread.currentThread();
            VirtualScheduler.blockUninterruptiblyFor(Duration.ofSeconds(10));
            log.add("end" + at() + (Thread.interrupted() ? " interrupted" : ""));
        });
        time.schedule(Duration.ofSeconds(1), () -> caller[0].interrupt());
        time.schedule(Duration.ofSeconds(1), () -> log.add("after interrupt" + at()));
        time.advance(Duration.ofSeconds(9));
        assertEquals(List.of("after interrupt@1"), log);
        time.advance(Duration.ofSeconds(1));
        assertEquals(List.of("after interrupt@1", "end@10 interrupted"), log);
    }

    @Test
    void aBlockCanBlockAgainAfterItsRelease() {
        time.executor().execute(() -> {
            try {
                VirtualScheduler.blockFor(Duration.ofSeconds(1));
                log.add("a" + at());
                VirtualScheduler.blockUninterruptiblyFor(Duration.ofSeconds(2));
                log.add("b" + at());
                VirtualScheduler.hangUntilInterrupted();
            } catch (InterruptedException e) {
                log.add("c" + at());
            }
        });
        time.runUntilIdle();
        assertEquals(List.of("a@1", "b@3"), log);
        assertEquals(0, time.pendingTasks(), "a hang has no release task: it waits for an interrupt");
    }

    @Test
    void meanwhileRunsOnTheDrivingThreadAndMayInterruptTheCall() {
        Thread driver = Thread.currentThread();
        Thread[] caller = new Thread[1];
        time.executor().execute(() -> {
            caller[0] = Thread.currentThread();
            VirtualScheduler.meanwhile(() -> {
                log.add("action on driver: " + (Thread.currentThread() == driver));
                caller[0].interrupt();
            });
            log.add("call goes on, interrupted: " + Thread.currentThread().isInterrupted());
            try {
                VirtualScheduler.blockFor(Duration.ofSeconds(1));
                log.add("not interrupted");
            } catch (InterruptedException e) {
                log.add("blockFor threw at once" + at());
            }
        });
        time.runUntilIdle();
        assertEquals(List.of("action on driver: true", "call goes on, interrupted: true", "blockFor threw at once@0"), log);
    }

    @Test
    void meanwhileSettlesTheCallsItsActionInterrupted() {
        FutureTask<Void> hanging = new FutureTask<>(() -> {
            try {
                VirtualScheduler.hangUntilInterrupted();
            } catch (InterruptedException e) {
                log.add("hang interrupted");
            }
            return null;
        });
        time.executor().execute(hanging);
        time.schedule(Duration.ofSeconds(1), () -> time.executor().execute(() -> {
            VirtualScheduler.meanwhile(() -> hanging.cancel(true));
            log.add("asker goes on");
        }));
        time.runUntilIdle();
        assertEquals(List.of("hang interrupted", "asker goes on"), log);
    }

    @Test
    void theSameCallsGiveTheSameOrderEveryTime() {
        List<String> first = null;
        for (int round = 0; round < 20; round++) {
            VirtualScheduler t = new VirtualScheduler();
            List<String> out = Collections.synchronizedList(new ArrayList<>());
            List<FutureTask<Void>> calls = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = i;
                FutureTask<Void> f = new FutureTask<>(() -> {
                    out.add("start " + n + "@" + t.elapsed().toMillis());
                    try {
                        VirtualScheduler.blockFor(Duration.ofMillis(100L * (5 - n)));
                        out.add("end " + n + "@" + t.elapsed().toMillis());
                        t.executor().execute(() -> out.add("follow-up " + n + "@" + t.elapsed().toMillis()));
                    } catch (InterruptedException e) {
                        out.add("interrupted " + n + "@" + t.elapsed().toMillis());
                        t.schedule(Duration.ZERO, () -> out.add("after interrupt " + n));
                    }
                    return null;
                });
                calls.add(f);
                t.executor().execute(f);
            }
            t.schedule(Duration.ofMillis(250), () -> calls.forEach(c -> c.cancel(true)));
            t.runUntilIdle();
            t.shutdown();
            if (first == null) {
                first = out;
            } else {
                assertEquals(first, out, "round " + round);
            }
        }
        assertTrue(first.contains("interrupted 0@250"));
        assertTrue(first.contains("follow-up 4@100"));
    }

    @Test
    void blockingHelpersWorkOnlyInsideCallsOfTheExecutor() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> VirtualScheduler.blockFor(Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("only inside a call of VirtualScheduler.executor()"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> VirtualScheduler.blockUninterruptiblyFor(Duration.ofSeconds(1)));
        assertFalse(VirtualScheduler.inCall());
        time.inlineExecutor().execute(() -> VirtualScheduler.blockUninterruptiblyFor(Duration.ofSeconds(1)));
        time.runUntilIdle();
        assertTrue(time.failures().get(0).getMessage().contains("cannot block"));
        boolean[] ran = {false};
        VirtualScheduler.meanwhile(() -> ran[0] = true);
        assertTrue(ran[0], "outside a call, meanwhile runs the action at once");
    }

    @Test
    void shutdownReleasesBlockedCalls() throws Exception {
        FutureTask<String> call = new FutureTask<>(() -> {
            VirtualScheduler.blockUninterruptiblyFor(Duration.ofDays(1));
            return "released";
        });
        time.executor().execute(call);
        time.runUntil(() -> false, Duration.ofSeconds(1));
        assertFalse(call.isDone());
        time.shutdown();
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> call.get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("the virtual scheduler was shut down", e.getCause().getMessage());
        assertThrows(java.util.concurrent.RejectedExecutionException.class, () -> time.executor().execute(() -> { }));
    }
}
