package dev.zdd.core.engine;

import dev.zdd.api.CheckResult;
import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentContext;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentEvent.Kind;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.Plan;
import dev.zdd.api.PlanContext;
import dev.zdd.api.Route;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.StepOutcome;
import dev.zdd.api.StepOutcome.Outcome;
import dev.zdd.api.Target;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.Engine;
import dev.zdd.core.testing.FakeLauncher;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static dev.zdd.core.engine.Fixture.awaitHealthy;
import static dev.zdd.core.engine.Fixture.launch;
import static dev.zdd.core.engine.Fixture.plan;
import static dev.zdd.core.engine.Fixture.shift;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The happy path of every step kind, in virtual time. */
class EngineStepsTest {
    private final Fixture f = new Fixture();

    @Test
    void blueGreenPlanLaunchesProbesShiftsDrainsAndRetires() {
        Deployment d = f.engine().start(f.spec, plan(launch("n1"), launch("n2"), awaitHealthy("n1", "n2"),
                shift("all new", "n1", "n2", "draining:old1", "draining:old2"),
                new Step.Drain(List.of("old1", "old2"), Duration.ofSeconds(30)),
                new Step.Retire(List.of("old1", "old2"), Duration.ofSeconds(5)),
                shift("final", "n1", "n2")));
        assertEquals(DeploymentStatus.PENDING, d.status());
        DeploymentResult r = f.finish(d);

        assertEquals(DeploymentStatus.SUCCEEDED, r.status());
        assertEquals("", r.reason());
        assertEquals(List.of(), r.leftovers());
        Target n1 = Target.of("n1", "v2", "127.0.0.1", FakeLauncher.FIRST_PORT);
        Target n2 = Target.of("n2", "v2", "127.0.0.1", FakeLauncher.FIRST_PORT + 1);
        assertEquals(List.of(n1, n2), r.launched());
        assertEquals(List.of(f.old1, f.old2), r.retired());
        assertEquals(f.before, r.routingBefore());
        assertEquals(Routing.of(Route.active(n1, 5000), Route.active(n2, 5000)), r.routingAfter());
        assertEquals(r.routingAfter(), f.router.table());
        assertEquals(2, f.router.applied().size());
        assertEquals(Map.of("n1", n1, "n2", n2), f.launcher.running());
        assertEquals(7, r.steps().size());
        for (int i = 0; i < 7; i++) {
            assertEquals(i, r.steps().get(i).index());
            assertEquals(Outcome.SUCCEEDED, r.steps().get(i).outcome(), r.steps().get(i).toString());
        }
        assertEquals("healthy: n1 (1 attempt), n2 (1 attempt)", r.steps().get(2).detail());
        assertEquals("drained: no open connections after 0s (1 poll)", r.steps().get(4).detail());
        assertEquals(DeploymentStatus.SUCCEEDED, d.status());
        assertTrue(d.completion().toCompletableFuture().isDone());
    }

    @Test
    void pauseWaitsItsDurationInVirtualTime() {
        Deployment d = f.engine().start(f.spec, plan(new Step.Pause(Duration.ofMinutes(10)), shift("all old", "old1")));
        f.time.advance(Duration.ofMinutes(9));
        assertEquals(DeploymentStatus.RUNNING, d.status());
        assertEquals(0, f.router.applyCalls());
        f.time.advance(Duration.ofMinutes(1));
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.SUCCEEDED, r.status());
        StepOutcome pause = r.steps().get(0);
        assertEquals(Duration.ofMinutes(10), Duration.between(pause.startedAt(), pause.finishedAt()));
        assertEquals("paused 10m", pause.detail());
    }

    @Test
    void gatePassesOnPromote() {
        Deployment d = f.engine().start(f.spec, plan(new Step.Gate("go-live", Duration.ofHours(2)), shift("x", "old2")));
        f.time.advance(Duration.ofMinutes(30));
        assertEquals(DeploymentStatus.RUNNING, d.status());
        assertTrue(d.promote().toCompletableFuture().join().accepted());
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.SUCCEEDED, r.status());
        assertEquals("gate 'go-live' promoted after 30m", r.steps().get(0).detail());
        assertEquals(1, f.events(Kind.PROMOTED).size());
        DeploymentEvent.Promoted promoted = f.events(DeploymentEvent.Promoted.class).get(0);
        assertEquals(0, promoted.index());
        assertEquals(r.steps().get(0).step(), promoted.step());
    }

    @Test
    void passingCheckRecordsMeasurementsAndEvent() {
        AtomicReference<DeploymentContext> seen = new AtomicReference<>();
        Engine engine = f.builder().check("errors", ctx -> {
            seen.set(ctx);
            return new CheckResult(CheckResult.Verdict.PASS, "error rate low", Map.of("errorRate", 0.01));
        }).build();
        DeploymentResult r = f.finish(engine.start(f.spec, plan(launch("n1"), shift("half", "n1", "old1"),
                new Step.Check("errors"))));
        assertEquals(DeploymentStatus.SUCCEEDED, r.status());
        String text = "check 'errors': PASS - error rate low {errorRate=0.01}";
        assertEquals(text, r.steps().get(2).detail());
        DeploymentEvent.CheckVerdict verdict = f.events(DeploymentEvent.CheckVerdict.class).get(0);
        assertEquals("errors", verdict.check());
        assertEquals(2, verdict.index());
        assertEquals(new CheckResult(CheckResult.Verdict.PASS, "error rate low", Map.of("errorRate", 0.01)),
                verdict.result());
        assertEquals(text, verdict.describe());
        DeploymentContext ctx = seen.get();
        assertEquals("shop", ctx.service());
        assertEquals("v2", ctx.version());
        assertEquals(List.of("n1"), ctx.newTargets().stream().map(Target::id).toList());
        assertEquals(List.of(f.old1, f.old2), ctx.oldTargets());
        assertEquals(f.router.table(), ctx.routing());
    }

    @Test
    void inconclusiveCheckRollsBackByDefaultAndPassesWhenConfigured() {
        Engine strict = f.builder().check("c", ctx -> CheckResult.inconclusive("no traffic")).build();
        DeploymentResult r = f.finish(strict.start(f.spec, plan(new Step.Check("c"))));
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertEquals("step 1/1 (check 'c') failed: check 'c': INCONCLUSIVE - no traffic", r.reason());

        Engine lenient = f.builder().check("c", ctx -> CheckResult.inconclusive("no traffic")).inconclusiveAsPass(true)
                .build();
        DeploymentResult r2 = f.finish(lenient.start(f.spec, plan(new Step.Check("c"))));
        assertEquals(DeploymentStatus.SUCCEEDED, r2.status());
        assertEquals("check 'c': INCONCLUSIVE - no traffic (inconclusive counts as a pass)", r2.steps().get(0).detail());
    }

    @Test
    void drainPollsConnectionsEverySecondUntilZero() {
        f.router.setConnections("old1", 5, 3, 0);
        DeploymentResult r = f.run(shift("away", "old2", "draining:old1"),
                new Step.Drain(List.of("old1"), Duration.ofSeconds(30)));
        assertEquals(DeploymentStatus.SUCCEEDED, r.status());
        assertEquals("drained: no open connections after 2s (3 polls)", r.steps().get(1).detail());
    }

    @Test
    void drainGivesUpAfterItsTimeoutWithoutFailing() {
        f.router.setConnections("old1", 7);
        DeploymentResult r = f.run(shift("away", "old2", "draining:old1"),
                new Step.Drain(List.of("old1"), Duration.ofMillis(2500)));
        assertEquals(DeploymentStatus.SUCCEEDED, r.status());
        StepOutcome drain = r.steps().get(1);
        assertEquals("drain timeout of 2s500ms passed; still open: old1=7", drain.detail());
        assertEquals(Duration.ofMillis(2500), Duration.between(drain.startedAt(), drain.finishedAt()));
    }

    @Test
    void drainWaitsTheWholeTimeoutWhenTheRouterCannotCountConnections() {
        TrafficRouter plain = new TrafficRouter() {
            @Override
            public void apply(Routing routing) {
                f.router.apply(routing);
            }

            @Override
            public Routing current() {
                return f.router.current();
            }

            @Override
            public RouterCapabilities capabilities() {
                return RouterCapabilities.WEIGHTS_ONLY;
            }
        };
        Engine engine = f.builder().router(plain).build();
        DeploymentResult r = f.finish(engine.start(f.spec, plan(new Step.Drain(List.of("old1"), Duration.ofSeconds(30)))));
        assertEquals(DeploymentStatus.SUCCEEDED, r.status());
        StepOutcome drain = r.steps().get(0);
        assertTrue(drain.detail().endsWith("cannot count connections: waited the whole timeout of 30s"), drain.detail());
        assertEquals(Duration.ofSeconds(30), Duration.between(drain.startedAt(), drain.finishedAt()));
    }

    @Test
    void retireWithoutLauncherLeavesTargetsRunning() {
        Engine engine = Engine.builder().router(f.router).scheduler(f.time).executor(f.time.executor()).build();
        DeploymentResult r = f.finish(engine.start(f.spec, plan(shift("one", "old2"),
                new Step.Retire(List.of("old1"), Duration.ofSeconds(1)))));
        assertEquals(DeploymentStatus.SUCCEEDED, r.status());
        assertEquals("no launcher: left running old1", r.steps().get(1).detail());
        assertEquals(List.of(), r.retired());
    }

    @Test
    void hookRunsWithTheDeploymentContext() {
        AtomicReference<DeploymentContext> seen = new AtomicReference<>();
        Engine engine = f.builder().hook("notify", seen::set).build();
        DeploymentResult r = f.finish(engine.start(f.spec, plan(launch("n1"), new Step.Hook("notify"))));
        assertEquals(DeploymentStatus.SUCCEEDED, r.status());
        assertEquals("hook 'notify' ran", r.steps().get(1).detail());
        assertEquals(r.id(), seen.get().deploymentId());
        assertEquals(r.launched(), seen.get().newTargets());
        assertEquals(f.before, seen.get().routing());
    }

    @Test
    void pointOfNoReturnAloneSucceeds() {
        DeploymentResult r = f.run(new Step.PointOfNoReturn("schema v2 migrated"));
        assertEquals(DeploymentStatus.SUCCEEDED, r.status());
        assertEquals("past the point of no return (schema v2 migrated): a failure from here on pauses for a person",
                r.steps().get(0).detail());
    }

    @Test
    void dryRunPlansAndValidatesWithoutTouchingAnything() {
        AtomicReference<PlanContext> ctx = new AtomicReference<>();
        Plan plan = f.engine().plan(f.spec, c -> {
            ctx.set(c);
            return new Plan("by-hand", List.of(launch("n1"), awaitHealthy("n1"), shift("all", "n1", "draining:old1",
                    "draining:old2"), new Step.Retire(List.of("old1", "old2"), Duration.ofSeconds(10))));
        });
        assertEquals("""
                plan (by-hand), 4 steps
                1. launch n1 (v2)
                2. await healthy n1
                3. shift traffic [all]: n1=10000 old1=draining old2=draining
                4. retire old1, old2 (grace PT10S)
                """, plan.render());
        assertEquals(f.before, ctx.get().current());
        assertEquals(f.spec, ctx.get().spec());
        assertTrue(ctx.get().launcherAvailable());
        assertEquals(f.router.capabilities(), ctx.get().capabilities());
        assertEquals(0, f.router.applyCalls());
        assertEquals(List.of(), f.launcher.launches());
        assertEquals(List.of(), f.probe.calls());
        assertEquals(0, f.time.pendingTasks());
        assertFalse(f.kinds().contains(Kind.STARTED));
    }
}
