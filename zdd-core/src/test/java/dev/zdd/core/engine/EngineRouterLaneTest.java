package dev.zdd.core.engine;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.StepOutcome.Outcome;
import dev.zdd.api.Target;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.Engine;
import dev.zdd.core.testing.RecordingRouter;
import dev.zdd.core.testing.VirtualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.zdd.core.engine.Fixture.plan;
import static dev.zdd.core.engine.Fixture.shift;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One router call at a time per deployment, even after a deadline: a router call that ignores its interrupt keeps the
 * router until it returns, the rollback's restore waits for it (bounded), and a call that outlives that wait makes the
 * deployment end FAILED with a leftover saying so. Also: a call stuck in one deployment never delays another one.
 */
class EngineRouterLaneTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final Fixture f = new Fixture();
    private final StubbornRouter stubborn = new StubbornRouter(f.router);
    private final List<StubbornRouter> toRelease = new CopyOnWriteArrayList<>(List.of(stubborn));
    private final Step.ShiftTraffic forward = shift("old1 only", "old1", "draining:old2");

    @AfterEach
    void releaseStuckCalls() throws InterruptedException {
        for (StubbornRouter s : toRelease) {
            s.release();
        }
    }

    private Deployment start() {
        // the engine runs its calls on the virtual scheduler's own executor (the only one it accepts with virtual time)
        Engine engine = f.builder().router(stubborn).stepDeadline(DEADLINE).build();
        return engine.start(f.spec, plan(forward));
    }

    @Test
    void restoreWaitsForARouterCallThatOutlivedItsDeadlineAndLandsAfterIt() throws Exception {
        Deployment d = start();
        f.time.advance(Duration.ofSeconds(15));
        // the deadline passed at 10 s and the rollback began, but the restore waits: the first apply is still running
        assertEquals(DeploymentStatus.ROLLING_BACK, d.status());
        assertEquals(1, stubborn.applies.get());
        assertEquals(f.before, f.router.table());

        int queued = f.time.pendingTasks();
        stubborn.release(); // the late forward apply lands now, 5 s after its deadline
        assertEquals(1, f.router.applied().size());
        assertFalse(f.router.table().sameTrafficAs(f.before));
        // the lane moved on: the stuck call's thread handed the next work to the (virtual) scheduler
        await().atMost(30, TimeUnit.SECONDS).until(() -> f.time.pendingTasks() > queued);
        DeploymentResult r = f.finish(d);

        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.toString());
        assertEquals(List.of(), r.leftovers());
        assertEquals(f.before, f.router.table(), "the restore landed after the late forward apply");
        assertEquals(2, f.router.applied().size());
        assertEquals(f.before, f.router.applied().get(1));
        assertEquals(1, stubborn.maxConcurrent.get(), "router calls overlapped");
        assertEquals("step 1/1 (" + forward.describe() + ") failed: deadline of 10s exceeded (router.apply in step 1/1 ("
                + forward.describe() + "))", r.reason());
    }

    @Test
    void routerCallOutlivingTheBoundedWaitEndsFailedAndSaysToCheckTheRouter() throws Exception {
        Deployment d = start();
        DeploymentResult r = f.finish(d);

        assertEquals(DeploymentStatus.FAILED, r.status(), r.toString());
        assertEquals(List.of("a router call (router.apply in step 1/1 (" + forward.describe() + ")) did not return within"
                + " its deadline and 10s more and may still be running: if it completes it changes the routing this"
                + " deployment left; check the router"), r.leftovers());
        // the restore waited one more step deadline (after the deadline at 10 s), then went ahead and was applied
        assertEquals(f.before, f.router.table());
        assertEquals(List.of(f.before), f.router.applied());
        assertEquals("rollback: restore routing", r.steps().get(1).step());
        assertEquals(Outcome.SUCCEEDED, r.steps().get(1).outcome());
        assertEquals(Duration.ofSeconds(20), Duration.between(r.startedAt(), r.steps().get(1).finishedAt()));

        // the stuck call returns later and changes the routing: exactly what the FAILED status and leftover warned of
        stubborn.release();
        assertEquals(2, f.router.applied().size());
        assertFalse(f.router.table().sameTrafficAs(f.before));
    }

    @Test
    void stuckRouterCallsOfManyDeploymentsDoNotDelayAnotherDeployment() throws Exception {
        // more stuck deployments than the shared pool of probes, checks and hooks has threads
        int stuck = 70;
        List<Deployment> stuckOnes = new ArrayList<>();
        Target a = Target.of("a", "v1", "10.0.0.1", 8080);
        Target b = Target.of("b", "v1", "10.0.0.2", 8080);
        for (int i = 0; i < stuck; i++) {
            StubbornRouter router = new StubbornRouter(RecordingRouter.serving(a, b));
            toRelease.add(router);
            Engine engine = Engine.builder().router(router).stepDeadline(Duration.ofMillis(200)).build();
            stuckOnes.add(engine.start(DeploymentSpec.builder("stuck" + i, "v2").build(), plan(shift("a", "a"))));
        }
        for (StubbornRouter router : toRelease.subList(1, toRelease.size())) {
            assertTrue(router.entered.await(30, TimeUnit.SECONDS), "a stuck deployment never called its router");
        }
        RecordingRouter healthy = RecordingRouter.serving(a, b);
        Deployment other = Engine.builder().router(healthy).stepDeadline(Duration.ofSeconds(30)).build()
                .start(DeploymentSpec.builder("other", "v2").build(), plan(shift("a", "a")));

        DeploymentResult r = other.await(Duration.ofSeconds(60));
        assertEquals(DeploymentStatus.SUCCEEDED, r.status(), r.toString());
        assertEquals(Routing.evenly(List.of(a)), healthy.table());
        for (Deployment d : stuckOnes) {
            assertTrue(d.status() == DeploymentStatus.RUNNING || d.status() == DeploymentStatus.ROLLING_BACK
                    || d.status() == DeploymentStatus.FAILED, d.toString());
        }
        // once the stuck calls are abandoned the stuck deployments finish their rollbacks: FAILED, check the router
        for (Deployment d : stuckOnes) {
            DeploymentResult s = d.await(Duration.ofSeconds(60));
            assertEquals(DeploymentStatus.FAILED, s.status(), s.toString());
            assertTrue(s.leftovers().get(0).endsWith("check the router"), s.leftovers().toString());
        }
    }

    /**
     * Wraps a router: its first apply ignores interrupts and blocks until {@link #release()}, then applies. Counts how
     * many of its calls overlap.
     */
    private static final class StubbornRouter implements TrafficRouter {
        final TrafficRouter inner;
        final AtomicInteger applies = new AtomicInteger();
        final AtomicInteger concurrent = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();
        final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        private final CountDownLatch returned = new CountDownLatch(1);
        private volatile Thread stuckThread;

        StubbornRouter(TrafficRouter inner) {
            this.inner = inner;
        }

        @Override
        public RouterCapabilities capabilities() {
            return inner.capabilities();
        }

        @Override
        public void apply(Routing routing) {
            int n = applies.incrementAndGet();
            enter();
            try {
                if (n == 1) {
                    stuckThread = Thread.currentThread();
                    entered.countDown();
                    while (released.getCount() > 0) {
                        try {
                            VirtualScheduler.hangUntilInterrupted(); // lets virtual time go on; we ignore the interrupt
                        } catch (InterruptedException | IllegalStateException ignoredOnPurpose) {
                            // keep waiting until released
                        }
                    }
                }
                inner.apply(routing);
            } finally {
                concurrent.decrementAndGet();
                if (n == 1) {
                    returned.countDown();
                }
            }
        }

        @Override
        public Routing current() {
            enter();
            try {
                return inner.current();
            } finally {
                concurrent.decrementAndGet();
            }
        }

        private void enter() {
            int now = concurrent.incrementAndGet();
            maxConcurrent.accumulateAndGet(now, Math::max);
        }

        /** Lets the stuck first apply go on and waits until it returned (it applies its routing first). */
        void release() throws InterruptedException {
            if (released.getCount() == 0) {
                return;
            }
            released.countDown();
            Thread t = stuckThread;
            if (t != null) {
                t.interrupt();
                assertTrue(returned.await(30, TimeUnit.SECONDS), "the stuck apply did not return");
            }
        }
    }
}
