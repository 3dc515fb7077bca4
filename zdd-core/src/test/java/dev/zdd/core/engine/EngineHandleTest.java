package dev.zdd.core.engine;

import dev.zdd.api.CheckResult;
import dev.zdd.api.CommandReply;
import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentEvent.Kind;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.Step;
import dev.zdd.api.StepOutcome;
import dev.zdd.api.StepOutcome.Outcome;
import dev.zdd.api.Target;
import dev.zdd.core.Engine;
import dev.zdd.core.testing.VirtualScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.zdd.core.engine.Fixture.awaitHealthy;
import static dev.zdd.core.engine.Fixture.launch;
import static dev.zdd.core.engine.Fixture.plan;
import static dev.zdd.core.engine.Fixture.shift;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The deployment handle: pause, resume, promote, abort, await, from the test thread and from other threads. */
class EngineHandleTest {
    private final Fixture f = new Fixture();

    private boolean stepStarted(int index) {
        return f.stepStarted(index);
    }

    private static void assertRefused(CompletionStage<CommandReply> reply) {
        CommandReply r = assertDoesNotThrow(() -> reply.toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertFalse(r.accepted(), r::toString);
    }

    @Test
    void pauseStopsARunningPauseFromCountingAndResumeContinuesIt() {
        Deployment d = f.engine().start(f.spec, plan(new Step.Pause(Duration.ofMinutes(10)), shift("x", "old1")));
        f.time.advance(Duration.ofMinutes(4));
        d.pause();
        assertEquals(DeploymentStatus.PAUSED, d.status());
        f.time.advance(Duration.ofHours(1));
        assertEquals(DeploymentStatus.PAUSED, d.status());
        assertEquals(0, f.router.applyCalls());
        d.resume();
        assertEquals(DeploymentStatus.RUNNING, d.status());
        f.time.advance(Duration.ofMinutes(5));
        assertEquals(0, f.router.applyCalls());
        f.time.advance(Duration.ofMinutes(1));
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.SUCCEEDED, r.status());
        StepOutcome pause = r.steps().get(0);
        assertEquals(Duration.ofMinutes(70), Duration.between(pause.startedAt(), pause.finishedAt()));
        assertEquals(List.of("STARTED", "STEP_STARTED", "PAUSED", "RESUMED", "STEP_ENDED:SUCCEEDED"),
                f.shape().subList(0, 5));
        DeploymentEvent.Paused paused = f.events(DeploymentEvent.Paused.class).get(0);
        assertEquals(0, paused.index());
        assertEquals("paused during step 1/2 (pause PT10M): its time stops counting", paused.reason());
        assertEquals(0, f.events(DeploymentEvent.Resumed.class).get(0).index());
    }

    @Test
    void pauseTakesEffectBetweenSteps() {
        AtomicReference<Deployment> handle = new AtomicReference<>();
        AtomicInteger second = new AtomicInteger();
        Engine engine = f.builder().hook("first", c -> handle.get().pause()).hook("second", c -> second.incrementAndGet())
                .build();
        Deployment d = engine.start(f.spec, plan(new Step.Hook("first"), new Step.Hook("second")));
        handle.set(d);
        f.time.runUntilIdle();
        assertEquals(DeploymentStatus.PAUSED, d.status());
        assertEquals(0, second.get());
        assertEquals(1, f.ended(Outcome.SUCCEEDED).size());
        d.resume();
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.SUCCEEDED, r.status());
        assertEquals(1, second.get());
    }

    @Test
    void promoteEndsAPauseEarlyAndDoesNothingElsewhere() {
        Deployment d = f.engine().start(f.spec, plan(shift("a", "old1"), new Step.Pause(Duration.ofHours(1)),
                shift("b", "old2")));
        f.time.advance(Duration.ofMinutes(5));
        d.promote();
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.SUCCEEDED, r.status());
        assertEquals(Outcome.SKIPPED, r.steps().get(1).outcome());
        assertEquals("ended early by promote after 5m", r.steps().get(1).detail());
        assertEquals(Duration.ofMinutes(5), f.time.elapsed());
        assertRefused(d.promote());
        assertRefused(d.pause());
        assertRefused(d.abort("too late"));
        f.time.runUntilIdle();
        assertEquals(1, f.events(Kind.PROMOTED).size());
        assertEquals(DeploymentStatus.SUCCEEDED, d.status());
        assertEquals(r, d.result().orElseThrow());
    }

    @Test
    void abortBeforeTheFirstStepRollsBackWithNothingToUndo() {
        Deployment d = f.engine().start(f.spec, plan(launch("n1")));
        d.abort("changed my mind");
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        // the run had not started (it plans on the scheduler's first turn): it ends before touching anything
        assertEquals("not started: aborted while planning: changed my mind", r.reason());
        assertEquals(List.of(Kind.FINISHED), f.kinds(), "no STARTED event: nothing ran");
        assertEquals(List.of(), f.launcher.launches());
        assertEquals(0, f.router.applyCalls());
    }

    @ParameterizedTest(name = "abort during {0}")
    @ValueSource(strings = {"pause", "gate", "await healthy", "check", "drain", "hook"})
    void abortDuringAStepCancelsItAtOnceAndRollsBack(String kind) {
        AtomicBoolean interrupted = new AtomicBoolean();
        f.probe.alwaysUnhealthy("n1", "booting");
        f.router.setConnections("old1", 9);
        Engine engine = f.builder().probePolicy(Fixture.POLICY.toBuilder().startupGrace(Duration.ofHours(1))
                        .deadline(Duration.ofHours(2)).build())
                .check("slow", c -> {
                    try {
                        VirtualScheduler.hangUntilInterrupted();
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                        throw e;
                    }
                    return CheckResult.pass("");
                })
                .hook("slow", c -> {
                    try {
                        VirtualScheduler.hangUntilInterrupted();
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                        throw e;
                    }
                }).build();
        Step step = switch (kind) {
            case "pause" -> new Step.Pause(Duration.ofHours(1));
            case "gate" -> new Step.Gate("ok", Duration.ofHours(1));
            case "await healthy" -> awaitHealthy("n1");
            case "check" -> new Step.Check("slow");
            case "drain" -> new Step.Drain(List.of("old1"), Duration.ofHours(1));
            default -> new Step.Hook("slow");
        };
        Deployment d = engine.start(f.spec, plan(launch("n1"), shift("half", "n1", "old2", "draining:old1"), step,
                shift("never", "n1")));
        f.time.advance(Duration.ofMinutes(1));
        assertEquals(DeploymentStatus.RUNNING, d.status());
        assertTrue(stepStarted(2));
        d.abort("pager went off");
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertEquals("aborted: pager went off", r.reason());
        StepOutcome aborted = r.steps().get(2);
        assertEquals(Outcome.SKIPPED, aborted.outcome());
        assertEquals("aborted: pager went off", aborted.detail());
        assertEquals(f.time.now(), r.finishedAt());
        assertEquals(Duration.ofMinutes(1), f.time.elapsed(), "the rollback itself takes no virtual time");
        assertEquals(f.before, f.router.table());
        assertEquals(List.of(Target.of("n1", "v2", "127.0.0.1", 20000)), f.launcher.retired());
        if (kind.equals("check") || kind.equals("hook")) {
            await().atMost(10, TimeUnit.SECONDS).untilTrue(interrupted);
        }
        assertEquals(0, f.time.pendingTasks(), "every timer of the aborted step was cancelled");
    }

    @Test
    void handleCommandsFromAnotherThreadWhileTimeAdvances() throws Exception {
        Deployment d = f.engine().start(f.spec, plan(launch("n1"), awaitHealthy("n1"), shift("canary", "n1", "old1"),
                new Step.Gate("go", Duration.ofHours(8)), new Step.Pause(Duration.ofHours(1)), shift("all", "n1")));
        assertTrue(f.time.runUntil(() -> stepStarted(3), Duration.ofMinutes(5)));
        CountDownLatch done = new CountDownLatch(1);
        List<Throwable> errors = new ArrayList<>();
        Thread operator = new Thread(() -> {
            try {
                d.pause();
                await().atMost(10, TimeUnit.SECONDS).until(() -> d.status() == DeploymentStatus.PAUSED);
                d.resume();
                await().atMost(10, TimeUnit.SECONDS).until(() -> d.status() == DeploymentStatus.RUNNING);
                d.promote();
                await().atMost(10, TimeUnit.SECONDS).until(() -> stepStarted(4));
                d.promote();
            } catch (Throwable e) {
                errors.add(e);
            } finally {
                done.countDown();
            }
        }, "operator");
        operator.start();
        await().atMost(30, TimeUnit.SECONDS).until(() -> {
            f.time.advance(Duration.ofSeconds(1));
            return d.status().isTerminal() || errors.size() > 0;
        });
        assertTrue(done.await(30, TimeUnit.SECONDS));
        assertEquals(List.of(), errors);
        assertEquals(DeploymentStatus.SUCCEEDED, d.status());
        assertEquals(2, f.events(Kind.PROMOTED).size());
        List<Kind> handleEvents = f.kinds().stream().filter(t -> t == Kind.PAUSED || t == Kind.RESUMED
                || t == Kind.PROMOTED).toList();
        assertEquals(List.of(Kind.PAUSED, Kind.RESUMED, Kind.PROMOTED, Kind.PROMOTED), handleEvents);
        assertTrue(f.time.elapsed().compareTo(Duration.ofHours(1)) < 0, "the pause was ended by promote");
        assertEquals(d.result().orElseThrow(), d.await(Duration.ofSeconds(1)));
    }

    @Test
    void abortFromAnotherThreadDuringAHangingProbe() throws Exception {
        f.probe.hang("n1");
        Engine engine = f.builder().probePolicy(Fixture.POLICY.toBuilder().timeout(Duration.ofMinutes(1))
                .period(Duration.ofMinutes(1)).deadline(Duration.ofHours(1)).build()).build();
        Deployment d = engine.start(f.spec, plan(launch("n1"), awaitHealthy("n1")));
        assertTrue(f.time.runUntil(() -> stepStarted(1), Duration.ofMinutes(1)));
        Thread operator = new Thread(() -> d.abort("from another thread"), "operator");
        operator.start();
        operator.join(TimeUnit.SECONDS.toMillis(30));
        await().atMost(30, TimeUnit.SECONDS).until(() -> {
            f.time.advance(Duration.ofMillis(100));
            return d.status().isTerminal();
        });
        DeploymentResult r = d.result().orElseThrow();
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertEquals("aborted: from another thread", r.reason());
        assertTrue(f.time.elapsed().compareTo(Duration.ofMinutes(1)) < 0, "aborted before the probe timed out");
    }

    @Test
    void concurrentCommandsFromManyThreadsLeaveAConsistentEnd() throws Exception {
        Deployment d = f.engine().start(f.spec, plan(launch("n1"), new Step.Gate("g1", Duration.ofHours(1)),
                new Step.Pause(Duration.ofMinutes(30)), new Step.Gate("g2", Duration.ofHours(1)), shift("all", "n1")));
        // bounded work: each commander sends a fixed number of commands while this thread moves time on
        int commands = 2_000;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int n = i;
            Thread t = new Thread(() -> {
                for (int k = 0; k < commands && !d.status().isTerminal(); k++) {
                    switch (n) {
                        case 0 -> d.pause();
                        case 1 -> d.resume();
                        default -> d.promote();
                    }
                }
            }, "commander-" + i);
            threads.add(t);
            t.start();
        }
        for (int step = 0; step < 10_000 && threads.stream().anyMatch(Thread::isAlive); step++) {
            f.time.advance(Duration.ofSeconds(10));
        }
        for (Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(5));
            assertFalse(t.isAlive(), t.getName() + " still running");
        }
        // the last command may have been a pause: resume, then gates time out (rolled back) unless promoted before
        d.resume();
        DeploymentResult r = f.finish(d);
        assertTrue(r.status() == DeploymentStatus.SUCCEEDED || r.status() == DeploymentStatus.ROLLED_BACK, r.toString());
        assertEquals(Kind.FINISHED, f.kinds().get(f.kinds().size() - 1));
        assertEquals(1, f.events(Kind.FINISHED).size());
    }

    @Test
    void awaitTimesOutWithTheStatusAndCompletionCompletes() throws Exception {
        Deployment d = f.engine().start(f.spec, plan(new Step.Pause(Duration.ofMinutes(1))));
        TimeoutException e = assertThrows(TimeoutException.class, () -> d.await(Duration.ofMillis(50)));
        assertEquals("deployment " + d.id() + " is still PENDING after 50ms", e.getMessage());
        assertFalse(d.completion().toCompletableFuture().isDone());
        f.time.advance(Duration.ofMinutes(1));
        assertEquals(DeploymentStatus.SUCCEEDED, d.await(Duration.ofSeconds(5)).status());
        assertEquals(DeploymentStatus.SUCCEEDED, d.completion().toCompletableFuture().get(5, TimeUnit.SECONDS).status());
    }
}
