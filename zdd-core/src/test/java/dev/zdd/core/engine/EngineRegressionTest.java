package dev.zdd.core.engine;

import dev.zdd.api.CommandReply;
import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentProgress;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.Engine;
import dev.zdd.core.journal.JournalException;
import dev.zdd.core.journal.JournalRecord;
import dev.zdd.core.journal.JournalStore;
import dev.zdd.core.lock.DeploymentLock;
import dev.zdd.core.lock.LockHeldException;
import dev.zdd.core.lock.LockOwner;
import dev.zdd.core.strategy.Canary;
import dev.zdd.core.testing.VirtualScheduler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.zdd.core.engine.Fixture.awaitHealthy;
import static dev.zdd.core.engine.Fixture.launch;
import static dev.zdd.core.engine.Fixture.plan;
import static dev.zdd.core.engine.Fixture.shift;
import static dev.zdd.core.engine.Fixture.weights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regression tests of issue 10: each bug found by the review and the simulation, reproduced with the test kit, plus what
 * users tripped over (handle answers, progress, a second start, virtual-time misuse, a deadline for the whole deployment).
 */
class EngineRegressionTest {
    private final Fixture f = new Fixture();

    /** An in-memory lock shared by engines (as a file or a database would be shared by processes). */
    static final class MemoryLock implements DeploymentLock {
        private final Map<String, LockOwner> held = new HashMap<>();

        @Override
        public synchronized Lease tryAcquire(String service, LockOwner owner) {
            LockOwner h = held.get(service);
            if (h != null) {
                throw new LockHeldException(service, h, "held");
            }
            held.put(service, owner);
            return new Lease() {
                @Override
                public LockOwner owner() {
                    return owner;
                }

                @Override
                public void close() {
                    synchronized (MemoryLock.this) {
                        held.remove(service, owner);
                    }
                }
            };
        }

        synchronized boolean free(String service) {
            return !held.containsKey(service);
        }
    }

    /** A router that runs a hook inside {@code current()}: a person's call arriving while the read is in flight. */
    static final class HookedRouter implements TrafficRouter {
        final TrafficRouter delegate;
        volatile Runnable duringRead = () -> { };

        HookedRouter(TrafficRouter delegate) {
            this.delegate = delegate;
        }

        @Override
        public RouterCapabilities capabilities() {
            return delegate.capabilities();
        }

        @Override
        public void apply(Routing routing) {
            delegate.apply(routing);
        }

        @Override
        public Routing current() {
            duringRead.run();
            return delegate.current();
        }
    }

    // ------------------------------------------------------------------------------------------------ bug 1

    @Test
    void abortDuringTheRouterReadAfterTheLockWaitTouchesNothing() {
        MemoryLock lock = new MemoryLock();
        HookedRouter router = new HookedRouter(f.router);
        Engine first = Engine.builder().router(router).launcher(f.launcher).probe(f.probe).probePolicy(Fixture.POLICY)
                .scheduler(f.time).lock(lock).build();
        Engine second = Engine.builder().router(router).launcher(f.launcher).probe(f.probe).probePolicy(Fixture.POLICY)
                .scheduler(f.time).lock(lock).lockWait(Duration.ofHours(1)).listener(f.events::add).build();
        Deployment a = first.start(f.spec, plan(launch("n1"), awaitHealthy("n1"), new Step.Gate("go", Duration.ofHours(2)),
                shift("all", "n1")));
        f.time.runUntil(() -> a.progress().phase() == DeploymentProgress.Phase.AT_GATE, Duration.ofHours(1));
        Deployment b = second.start(f.spec, plan(launch("m1"), awaitHealthy("m1"), shift("all", "m1")));
        assertEquals(DeploymentProgress.Phase.WAITING, b.progress().phase());
        AtomicReference<CommandReply> reply = new AtomicReference<>();
        router.duringRead = () -> {
            if (b.progress().phase() == DeploymentProgress.Phase.PLANNING && reply.get() == null) {
                reply.set(b.abort("changed my mind").toCompletableFuture().join());
            }
        };
        a.promote();
        f.time.runUntil(() -> b.status().isTerminal(), Duration.ofHours(1));
        f.time.advance(Duration.ofHours(2));

        assertTrue(reply.get().accepted(), reply.get().toString());
        DeploymentResult r = b.result().orElseThrow();
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertEquals(DeploymentStatus.ROLLED_BACK, b.status(), "the acknowledged abort holds");
        assertTrue(r.reason().startsWith("not started: aborted while planning: changed my mind"), r.reason());
        assertEquals(r, b.completion().toCompletableFuture().join());
        assertTrue(f.launcher.launches().stream().noneMatch(l -> l.targetId().equals("m1")), "b launched nothing");
        assertTrue(f.router.applied().stream().noneMatch(t -> t.route("m1").isPresent()), "b routed nothing");
        assertTrue(lock.free("shop"), "the lease b got is released");
        List<DeploymentEvent> bEvents = f.events.stream().filter(e -> e.deploymentId().equals(b.id())).toList();
        assertEquals(1, bEvents.size(), "only Finished: " + bEvents);
        assertEquals(DeploymentEvent.Kind.FINISHED, bEvents.get(0).kind());
    }

    @Test
    void abortWhileWaitingForTheLockEndsAtOnceAndTheLaterLeaseIsReleased() {
        MemoryLock lock = new MemoryLock();
        LockOwner other = LockOwner.current("someone-else", f.time);
        DeploymentLock.Lease held = lock.tryAcquire("shop", other);
        Engine engine = f.builder().lock(lock).lockWait(Duration.ofHours(1)).build();
        Deployment d = engine.start(f.spec, plan(launch("n1"), awaitHealthy("n1"), shift("all", "n1")));
        f.time.advance(Duration.ofSeconds(5));
        CommandReply r = d.abort("no").toCompletableFuture().join();
        assertTrue(r.accepted());
        assertEquals(DeploymentStatus.ROLLED_BACK, d.status());
        held.close();
        f.time.advance(Duration.ofMinutes(5));
        assertTrue(lock.free("shop"));
        assertEquals(List.of(), f.launcher.launches());
        assertEquals(List.of(), f.router.applied());
    }

    // ------------------------------------------------------------------------------------------------ bugs 2 and 3

    /** A launcher whose calls take virtual time and, like a real {@code docker stop}, finish even when interrupted. */
    static class SlowLauncher extends InventoryLauncher {
        volatile Duration launchTakes = Duration.ZERO;
        volatile Duration retireTakes = Duration.ZERO;

        SlowLauncher(dev.zdd.core.testing.FakeLauncher fake) {
            super(fake);
        }

        @Override
        public dev.zdd.api.Target launch(dev.zdd.api.LaunchRequest request) {
            VirtualScheduler.blockUninterruptiblyFor(launchTakes);
            return super.launch(request);
        }

        @Override
        public void retire(dev.zdd.api.Target target, Duration grace) {
            VirtualScheduler.blockUninterruptiblyFor(retireTakes);
            super.retire(target, grace);
        }

        @Override
        public List<dev.zdd.api.Target> discover(String service) {
            throw new UnsupportedOperationException("not used here");
        }
    }

    @Test
    void abortDuringARetireThatStopsTheTargetAnywayRelaunchesItBeforeTrafficGoesBack() {
        SlowLauncher launcher = new SlowLauncher(f.launcher);
        Engine engine = f.builder().launcher(launcher).build();
        Deployment d = engine.start(f.spec, plan(launch("n1"), awaitHealthy("n1"), weights("most", "n1", 9000, "old2",
                1000), new Step.Retire(List.of("old1"), Duration.ofSeconds(5))));
        f.time.runUntil(() -> d.progress().stepIndex() == 3, Duration.ofMinutes(5));
        launcher.retireTakes = Duration.ofSeconds(30);
        f.time.runUntil(() -> f.launcher.retired().isEmpty() && d.progress().stepIndex() == 3
                && f.time.elapsed().compareTo(Duration.ofSeconds(1)) > 0, Duration.ofSeconds(2));
        launcher.retireTakes = Duration.ZERO;
        assertTrue(d.abort("stop").toCompletableFuture().join().accepted());
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.leftovers().toString());
        assertTrue(f.launcher.running().containsKey("old1"), "old1 runs again: it was relaunched");
        assertTrue(f.launcher.retired().stream().anyMatch(t -> t.id().equals("old1")), "the cut-off stop did happen");
        assertTrue(r.steps().stream().anyMatch(o -> o.step().equals("rollback: relaunch old1 (v1)")
                && o.outcome() == dev.zdd.api.StepOutcome.Outcome.SUCCEEDED), r.steps().toString());
        for (dev.zdd.api.Route route : f.router.table().routes()) {
            dev.zdd.api.Target live = f.launcher.running().get(route.target().id());
            assertEquals(route.target().endpoint(), live == null ? null : live.endpoint(),
                    "traffic goes to a live instance: " + route);
        }
        assertEquals(List.of("old1", "old2"), f.router.table().routes().stream().map(x -> x.target().id()).toList());
        assertFalse(f.launcher.running().containsKey("n1"));
    }

    @Test
    void abortDuringALaunchThatSucceedsAnywayRetiresTheInstance() {
        SlowLauncher launcher = new SlowLauncher(f.launcher);
        launcher.launchTakes = Duration.ofSeconds(40);
        Engine engine = f.builder().launcher(launcher).build();
        Deployment d = engine.start(f.spec, plan(launch("n1"), awaitHealthy("n1"), shift("all", "n1")));
        f.time.advance(Duration.ofSeconds(3));
        assertEquals(0, d.progress().stepIndex());
        assertTrue(d.abort("stop").toCompletableFuture().join().accepted());
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.leftovers().toString());
        assertEquals(List.of("n1"), r.launched().stream().map(dev.zdd.api.Target::id).toList(), "the late answer counts");
        assertFalse(f.launcher.running().containsKey("n1"), "what the cut-off launch started is retired");
        assertEquals(f.before, f.router.table());
    }

    // ------------------------------------------------------------------------------------------------ bug 4

    @Test
    void foreverDurationsSaturateInsteadOfHangingTheEngine() {
        Duration forever = ChronoUnit.FOREVER.getDuration();
        Engine engine = f.builder().stepDeadline(forever).build();
        Canary canary = Canary.builder().weight(10).pause(Duration.ofMinutes(1)).retireGrace(forever).build();
        Deployment d = engine.start(f.spec, canary);
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.SUCCEEDED, r.status(), r.reason());
        assertTrue(f.launcher.running().keySet().stream().noneMatch(id -> id.startsWith("old")), "old ones retired");
    }

    @Test
    void aForeverPauseEndsByPromoteAndForeverDrainAndGraceAreFine() {
        Duration forever = ChronoUnit.FOREVER.getDuration();
        Deployment d = f.engine().start(f.spec, plan(launch("n1"), awaitHealthy("n1"), shift("all", "n1", "draining:old1",
                "draining:old2"), new Step.Drain(List.of("old1", "old2"), forever), new Step.Pause(forever),
                new Step.Retire(List.of("old1", "old2"), forever)));
        assertTrue(f.time.runUntil(() -> d.progress().stepIndex() == 4, Duration.ofHours(1)), d.progress()::toString);
        f.time.advance(Duration.ofDays(3650));
        assertEquals(4, d.progress().stepIndex(), "still pausing after ten years");
        CommandReply r = d.promote().toCompletableFuture().join();
        assertTrue(r.accepted(), r.toString());
        DeploymentResult result = f.finish(d);
        assertEquals(DeploymentStatus.SUCCEEDED, result.status(), result.reason());
        assertEquals(List.of("n1"), List.copyOf(f.launcher.running().keySet()));
    }

    // ------------------------------------------------------------------------------------------------ bug 5

    @Test
    void anUnwritableJournalAtStartSaysNothingWasChangedAndNothingElse() {
        JournalStore broken = new JournalStore() {
            @Override
            public void write(JournalRecord record) {
                throw new JournalException("disk full");
            }

            @Override
            public Optional<JournalRecord> read(String service) {
                return Optional.empty();
            }
        };
        Deployment d = f.builder().journal(broken).build().start(f.spec, plan(launch("n1"), shift("all", "n1")));
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertEquals("not started: journal write failed (disk full); nothing was changed and nothing was journaled",
                r.reason());
        assertEquals(List.of(), f.launcher.launches());
        assertEquals(List.of(), f.router.applied());
    }

    @Test
    void stepsRefuseDuplicateTargetIds() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Step.Retire(List.of("a", "b", "a"), Duration.ZERO));
        assertEquals("retire.targetIds has duplicate target id 'a'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Step.AwaitHealthy(List.of("a", "a")));
        assertEquals("awaitHealthy.targetIds has duplicate target id 'a'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Step.Drain(List.of("x", "x"), Duration.ZERO));
        assertEquals("drain.targetIds has duplicate target id 'x'", e.getMessage());
    }

    // ------------------------------------------------------------------------------------------------ users

    @Test
    void promoteBeforeTheGateIsRefusedAndSaysWhereTheDeploymentIs() {
        Deployment d = f.engine().start(f.spec, plan(launch("n1"), awaitHealthy("n1"),
                new Step.Gate("go", Duration.ofMinutes(30)), shift("all", "n1")));
        f.time.runUntil(() -> d.progress().phase() == DeploymentProgress.Phase.RUNNING, Duration.ofMinutes(1));
        CommandReply early = d.promote().toCompletableFuture().join();
        assertFalse(early.accepted());
        assertTrue(early.detail().startsWith("no manual gate or pause step is running; now RUNNING RUNNING step 1/4"),
                early.detail());
        f.time.runUntil(() -> d.progress().phase() == DeploymentProgress.Phase.AT_GATE, Duration.ofMinutes(10));
        assertEquals(2, d.progress().stepIndex());
        assertEquals("manual gate 'go' (rolls back after PT30M)", d.progress().step());
        CommandReply ok = d.promote().toCompletableFuture().join();
        assertTrue(ok.accepted(), ok.toString());
        assertEquals(DeploymentStatus.SUCCEEDED, f.finish(d).status());
        assertFalse(d.pause().toCompletableFuture().join().accepted(), "nothing to pause once finished");
    }

    @Test
    void oneEngineRefusesASecondDeploymentOfTheSameServiceLockOrNot() {
        Engine engine = f.engine();
        Deployment d = engine.start(f.spec, plan(launch("n1"), new Step.Gate("go", Duration.ofHours(1)), shift("all", "n1")));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> engine.start(f.spec, plan(launch("n2"), shift("all", "n2"))));
        assertTrue(e.getMessage().startsWith("this engine is already deploying shop (deployment " + d.id()), e.getMessage());
        d.abort("done");
        f.finish(d);
        Deployment again = engine.start(f.spec, plan(launch("n3"), awaitHealthy("n3"), shift("all", "n3")));
        assertEquals(DeploymentStatus.SUCCEEDED, f.finish(again).status());
    }

    @Test
    void aVirtualSchedulerRefusesAForeignExecutorAndDefaultsToItsOwn() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Engine.builder()
                .router(f.router).scheduler(f.time).executor(Executors.newSingleThreadExecutor()).build());
        assertTrue(e.getMessage().contains("outside virtual time"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Engine.builder().router(f.router)
                .executor(new VirtualScheduler().executor()).build());
        assertTrue(e.getMessage().contains("give the engine that scheduler too"), e.getMessage());
        Engine engine = Engine.builder().router(f.router).launcher(f.launcher).probe(f.probe).probePolicy(Fixture.POLICY)
                .scheduler(f.time).build();
        Deployment d = engine.start(f.spec, plan(launch("n1"), awaitHealthy("n1"), shift("all", "n1")));
        assertEquals(DeploymentStatus.SUCCEEDED, f.finish(d).status());
    }

    @Test
    void theDeploymentDeadlineRollsBackWhateverStepIsRunning() {
        Engine engine = f.builder().deploymentDeadline(Duration.ofMinutes(20)).build();
        Deployment d = engine.start(f.spec, plan(launch("n1"), awaitHealthy("n1"), shift("all", "n1", "draining:old1",
                "draining:old2"), new Step.Pause(Duration.ofHours(1)), new Step.Retire(List.of("old1", "old2"),
                Duration.ZERO)));
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertTrue(r.reason().contains("the deployment deadline of 20m passed"), r.reason());
        assertEquals(f.before, f.router.table());
        assertFalse(f.launcher.running().containsKey("n1"));
    }

    @Test
    void thePlanningReadIsBoundedThroughTheScheduler() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        TrafficRouter stuck = new TrafficRouter() {
            @Override
            public RouterCapabilities capabilities() {
                return f.router.capabilities();
            }

            @Override
            public void apply(Routing routing) {
            }

            @Override
            public Routing current() {
                try {
                    never.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new RouterException("read interrupted");
                }
                return f.before;
            }
        };
        Engine engine = Engine.builder().router(stuck).stepDeadline(Duration.ofMillis(200)).build();
        CompletableFuture<Throwable> thrown = CompletableFuture.supplyAsync(() -> {
            try {
                engine.plan(f.spec, Canary.builder().weight(10).build());
                return null;
            } catch (RuntimeException e) {
                boolean interruptedLeft = Thread.currentThread().isInterrupted();
                return interruptedLeft ? new AssertionError("the caller kept the engine's interrupt") : e;
            }
        });
        Throwable t = thrown.get(20, TimeUnit.SECONDS);
        assertTrue(t instanceof RouterException, String.valueOf(t));
        assertTrue(t.getMessage().startsWith("deadline of 200ms exceeded reading the current routing"), t.getMessage());
    }

    // ------------------------------------------------------------------------------------------------ inventory

    /** The fake launcher with an inventory: it finds the instances it runs, as Docker labels or a state directory do. */
    static class InventoryLauncher implements dev.zdd.api.TargetLauncher, dev.zdd.api.TargetInventory {
        final dev.zdd.core.testing.FakeLauncher fake;

        InventoryLauncher(dev.zdd.core.testing.FakeLauncher fake) {
            this.fake = fake;
        }

        @Override
        public dev.zdd.api.Target launch(dev.zdd.api.LaunchRequest request) {
            return fake.launch(request);
        }

        @Override
        public void retire(dev.zdd.api.Target target, Duration grace) {
            fake.retire(target, grace);
        }

        @Override
        public List<dev.zdd.api.Target> discover(String service) {
            return List.copyOf(fake.running().values());
        }
    }

    /** A journal in memory. */
    static final class MemoryJournal implements JournalStore {
        private final Map<String, JournalRecord> records = new HashMap<>();

        @Override
        public synchronized void write(JournalRecord record) {
            records.put(record.service(), record);
        }

        @Override
        public synchronized Optional<JournalRecord> read(String service) {
            return Optional.ofNullable(records.get(service));
        }
    }

    @Test
    void aRecoveryFindsTheInstanceOfALaunchTheCrashInterruptedAndRetiresIt() {
        MemoryJournal journal = new MemoryJournal();
        dev.zdd.api.Plan p = plan(launch("n1"), awaitHealthy("n1"), shift("all", "n1"));
        journal.write(JournalRecord.start("crashed-1", f.spec, p, f.before, f.time.now()).stepStarted(0, f.time.now()));
        // the crashed process had started n1 before it died, but never journaled it
        f.launcher.launch(new dev.zdd.api.LaunchRequest("shop", "n1", "v2", Map.of()));
        Engine engine = f.builder().launcher(new InventoryLauncher(f.launcher)).journal(journal).build();
        Deployment d = engine.recover("shop").orElseThrow();
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.leftovers().toString());
        assertFalse(f.launcher.running().containsKey("n1"), "the instance the crash left is stopped");
        assertEquals(f.before, f.router.table());
        assertTrue(r.steps().stream().anyMatch(o -> o.step().startsWith("rollback: look for n1 in the launcher's inventory")
                && o.detail().equals("found n1: retiring")), r.steps().toString());
    }

    @Test
    void withoutAnInventoryTheSameCrashLeavesALeftoverNamingTheLaunch() {
        MemoryJournal journal = new MemoryJournal();
        dev.zdd.api.Plan p = plan(launch("n1"), awaitHealthy("n1"), shift("all", "n1"));
        journal.write(JournalRecord.start("crashed-1", f.spec, p, f.before, f.time.now()).stepStarted(0, f.time.now()));
        Engine engine = f.builder().journal(journal).build();
        DeploymentResult r = f.finish(engine.recover("shop").orElseThrow());
        assertEquals(DeploymentStatus.FAILED, r.status());
        assertEquals(List.of("launch of n1 (v2) was interrupted by a crash: an instance may be running: find it and stop"
                + " it"), r.leftovers());
    }

    @Test
    void aCrashedLaunchThatAnInventoryRecordingBeforeStartingDoesNotListNeverStarted() {
        // ProcessLauncher's contract since the spawn-to-record gap was closed: a deployer killed after recording the
        // launch as pending but before spawning leaves nothing running, and discover does not list it
        MemoryJournal journal = new MemoryJournal();
        dev.zdd.api.Plan p = plan(launch("n1"), awaitHealthy("n1"), shift("all", "n1"));
        journal.write(JournalRecord.start("crashed-1", f.spec, p, f.before, f.time.now()).stepStarted(0, f.time.now()));
        InventoryLauncher recordsFirst = new InventoryLauncher(f.launcher) {
            @Override
            public boolean recordsBeforeStarting() {
                return true;
            }
        };
        Engine engine = f.builder().launcher(recordsFirst).journal(journal).build();
        DeploymentResult r = f.finish(engine.recover("shop").orElseThrow());
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.leftovers().toString());
        assertEquals(List.of(), r.leftovers());
        assertEquals(f.before, f.router.table());
        assertTrue(r.steps().stream().anyMatch(o -> o.detail().equals(
                "none of them runs (the launcher records every launch before starting it)")), r.steps().toString());
    }

    @Test
    void aLaunchThatNeverAnswersAndIsNotInTheInventoryStaysALeftover() {
        InventoryLauncher launcher = new InventoryLauncher(f.launcher) {
            @Override
            public dev.zdd.api.Target launch(dev.zdd.api.LaunchRequest request) {
                VirtualScheduler.blockUninterruptiblyFor(ChronoUnit.FOREVER.getDuration());
                return super.launch(request);
            }
        };
        Engine engine = f.builder().launcher(launcher).stepDeadline(Duration.ofMinutes(1)).build();
        DeploymentResult r = f.finish(engine.start(f.spec, plan(launch("n1"), awaitHealthy("n1"), shift("all", "n1"))));
        assertEquals(DeploymentStatus.FAILED, r.status());
        assertEquals(List.of("launch of n1 (v2) was cut off and never answered and the launcher's inventory does not list"
                + " it: an instance may be running: find it and stop it"), r.leftovers());
        assertTrue(r.steps().stream().anyMatch(o -> o.detail().equals("none of them is listed")), r.steps().toString());
        f.time.shutdown();
    }
}
