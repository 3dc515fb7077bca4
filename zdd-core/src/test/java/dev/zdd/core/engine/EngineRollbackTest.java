package dev.zdd.core.engine;

import dev.zdd.api.CheckResult;
import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.HealthResult;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.LaunchException;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.StepOutcome;
import dev.zdd.api.StepOutcome.Outcome;
import dev.zdd.api.Target;
import dev.zdd.api.TargetLauncher;
import dev.zdd.core.Engine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.zdd.core.engine.Fixture.awaitHealthy;
import static dev.zdd.core.engine.Fixture.launch;
import static dev.zdd.core.engine.Fixture.plan;
import static dev.zdd.core.engine.Fixture.shift;
import static dev.zdd.core.engine.Fixture.weights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failures, deadlines and the rollback: traffic back exactly, launched targets retired, leftovers when stuck. */
class EngineRollbackTest {
    private final Fixture f = new Fixture();

    private Target n(int i) {
        return Target.of("n" + i, "v2", "127.0.0.1", 20000 + i - 1);
    }

    @Test
    void probeFailureRollsBackToTheExactRoutingAndRetiresLaunchedTargets() {
        f.probe.alwaysUnhealthy("n2", "HTTP 503");
        DeploymentResult r = f.run(launch("n1"), awaitHealthy("n1"), weights("canary", "n1", 1000, "old1", 4500,
                "old2", 4500), launch("n2"), awaitHealthy("n2"), shift("all", "n1", "n2"));

        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertEquals("step 5/6 (await healthy n2) failed: target n2 failed its health checks: 3 consecutive UNHEALTHY"
                + " answers (last: HTTP 503; HTTP 503; HTTP 503)", r.reason());
        assertEquals(f.before, f.router.table());
        assertEquals(f.before, r.routingAfter());
        assertEquals(3, f.probe.calls("n2"));
        assertEquals(List.of(n(1), n(2)), f.launcher.retired());
        assertEquals(List.of(n(1), n(2)), r.launched());
        assertEquals(List.of(n(1), n(2)), r.retired());
        assertEquals(Map.of("old1", f.old1, "old2", f.old2), f.launcher.running());
        assertEquals(List.of(), r.leftovers());
        List<StepOutcome> rollback = r.steps().stream().filter(s -> s.index() == -1).toList();
        assertEquals(List.of("rollback: restore routing", "rollback: drain launched n1, n2",
                "rollback: retire launched n1, n2"), rollback.stream().map(StepOutcome::step).toList());
        assertTrue(rollback.stream().allMatch(s -> s.outcome() == Outcome.SUCCEEDED));
        // the probe ran every period: 3 attempts take 2 s of virtual time
        StepOutcome await = r.steps().get(4);
        assertEquals(Duration.ofSeconds(2), Duration.between(await.startedAt(), await.finishedAt()));
    }

    @Test
    void probeThatHangsPastItsTimeoutCountsAsUnhealthy() {
        f.probe.hang("n1");
        DeploymentResult r = f.run(launch("n1"), awaitHealthy("n1"));
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertEquals("step 2/2 (await healthy n1) failed: target n1 failed its health checks: 3 consecutive UNHEALTHY"
                + " answers (last: timed out after 500ms; timed out after 500ms; timed out after 500ms)", r.reason());
        assertEquals(List.of(n(1)), f.launcher.retired());
        List<DeploymentEvent.ProbeResult> probes = f.events(DeploymentEvent.ProbeResult.class);
        assertEquals(3, probes.size());
        for (DeploymentEvent.ProbeResult p : probes) {
            assertEquals("n1", p.target().id());
            assertEquals(HealthResult.unhealthy("timed out after 500ms"), p.result());
            assertEquals(1, p.index());
        }
    }

    @Test
    void probeUnknownAnswersCountNeitherWayUntilTheDeadline() {
        f.probe.script("n1", new dev.zdd.api.HealthResult(dev.zdd.api.HealthStatus.UNKNOWN, "starting"));
        DeploymentResult r = f.run(launch("n1"), awaitHealthy("n1"));
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertEquals("step 2/2 (await healthy n1) failed: 1 of 1 targets not healthy within 1m: n1 after 60 attempts"
                + " (last: unknown: starting; unknown: starting; unknown: starting)", r.reason());
    }

    @Test
    void hangingRouterCallFailsAtTheStepDeadlineAndIsInterrupted() {
        f.router.hangOnCall(1);
        Engine engine = f.builder().stepDeadline(Duration.ofSeconds(5)).build();
        DeploymentResult r = f.finish(engine.start(f.spec, plan(launch("n1"), shift("all", "n1"))));
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.toString());
        assertEquals("step 2/2 (shift traffic [all]: n1=10000) failed: deadline of 5s exceeded (router.apply in step 2/2"
                + " (shift traffic [all]: n1=10000))", r.reason());
        StepOutcome shift = r.steps().get(1);
        assertEquals(Duration.ofSeconds(5), Duration.between(shift.startedAt(), shift.finishedAt()));
        assertEquals(f.before, f.router.table());
        assertEquals(List.of(f.before), f.router.applied());
        assertEquals(List.of(n(1)), f.launcher.retired());
    }

    @ParameterizedTest(name = "router apply fails on call {0}")
    @ValueSource(ints = {1, 2, 3})
    void routerThrowingOnFirstSecondOrLastCallRollsBack(int failing) {
        f.router.failOnCall(failing);
        List<Step.ShiftTraffic> shifts = List.of(weights("10%", "n1", 1000, "old1", 4500, "old2", 4500),
                weights("50%", "n1", 5000, "old1", 2500, "old2", 2500), shift("100%", "n1"));
        DeploymentResult r = f.run(launch("n1"), shifts.get(0), shifts.get(1), shifts.get(2));
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertEquals("step " + (failing + 1) + "/4 (" + shifts.get(failing - 1).describe() + ") failed: router.apply"
                + " failed: apply: injected failure of call " + failing, r.reason());
        assertEquals(f.before, f.router.table());
        List<Routing> expected = new ArrayList<>();
        for (int i = 0; i < failing - 1; i++) {
            expected.add(f.router.applied().get(i));
        }
        expected.add(f.before);
        assertEquals(expected, f.router.applied());
        assertEquals(List.of(n(1)), f.launcher.retired());
    }

    @Test
    void routingRestoreIsRetriedWithBackoff() {
        f.router.failOnCall(2).failOnCall(3);
        Engine engine = f.builder().check("bad", c -> CheckResult.fail("errors up")).build();
        DeploymentResult r = f.finish(engine.start(f.spec, plan(launch("n1"), shift("all", "n1"), new Step.Check("bad"))));
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        StepOutcome restore = r.steps().stream().filter(s -> s.step().equals("rollback: restore routing")).findFirst()
                .orElseThrow();
        assertEquals("traffic restored to the routing read before the deployment at attempt 3 (attempt 1: apply:"
                + " injected failure of call 2; attempt 2: apply: injected failure of call 3)", restore.detail());
        // backoff 1 s then 2 s
        assertEquals(Duration.ofSeconds(3), Duration.between(restore.startedAt(), restore.finishedAt()));
        assertEquals(f.before, f.router.table());
    }

    @Test
    void routerDriftFailsTheStep() {
        f.router.reportDrift(t -> t.equals(f.before) ? t : Routing.of(Route.active(f.old1, 1)));
        DeploymentResult r = f.run(launch("n1"), shift("all", "n1"));
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertEquals("step 2/2 (shift traffic [all]: n1=10000) failed: router drift: applied Routing[n1/v2 10000],"
                + " router reports Routing[old1/v1 1]", r.reason());
        assertEquals(f.before, f.router.table());
    }

    @Test
    void launcherFailingToStartRollsBack() {
        f.launcher.failLaunch("n2", "no free port");
        DeploymentResult r = f.run(launch("n1"), launch("n2"), awaitHealthy("n1", "n2"));
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertEquals("step 2/3 (launch n2 (v2)) failed: launch of n2 failed: no free port", r.reason());
        assertEquals(List.of(n(1)), r.launched());
        assertEquals(List.of(n(1)), f.launcher.retired());
        assertEquals("rollback: restore routing", r.steps().get(r.steps().size() - 3).step());
        assertEquals("nothing to restore: this deployment never changed the router", r.steps().get(r.steps().size() - 3)
                .detail());
        assertEquals("rollback: drain launched n1", r.steps().get(r.steps().size() - 2).step());
        assertEquals(0, f.router.applyCalls());
    }

    @Test
    void launcherFailingToStopAnOldTargetEndsFailedNamingIt() {
        // a retire that failed may have stopped the target: the rollback retires it again before relaunching it; when
        // that fails too, the deployment ends FAILED with a leftover naming the target (intended since issue 10)
        f.launcher.failRetire("old1", "permission denied");
        DeploymentResult r = f.run(launch("n1"), shift("all", "n1"), new Step.Retire(List.of("old1", "old2"),
                Duration.ofSeconds(1)));
        assertEquals(DeploymentStatus.FAILED, r.status(), r.toString());
        assertEquals("step 3/3 (retire old1, old2 (grace PT1S)) failed: could not retire old1: permission denied",
                r.reason());
        assertEquals(List.of("target old1 (v1 @ 10.0.0.1:8080) may be stopped (its retire failed: permission denied);"
                + " traffic goes back to it: check it"), r.leftovers());
        // old2 was retired: it is relaunched and the routing restored with its new endpoint
        Target old2Again = Target.of("old2", "v1", "127.0.0.1", 20001);
        assertEquals(List.of(f.old2, n(1)), r.retired());
        assertEquals(Routing.of(Route.active(f.old1, 5000), Route.active(old2Again, 5000)), f.router.table());
        List<StepOutcome> rollback = r.steps().stream().filter(s -> s.index() == -1).toList();
        assertEquals(List.of("rollback: relaunch old2 (v1)",
                "rollback: retire old1 again before relaunching it (its retire failed or was cut off)",
                "rollback: restore routing", "rollback: drain launched n1", "rollback: retire launched n1"),
                rollback.stream().map(StepOutcome::step).toList());
        assertEquals(List.of(Outcome.SUCCEEDED, Outcome.FAILED, Outcome.SUCCEEDED, Outcome.SUCCEEDED, Outcome.SUCCEEDED),
                rollback.stream().map(StepOutcome::outcome).toList());
        assertEquals(java.util.Set.of("old1", "old2"), f.launcher.running().keySet());
    }

    @Test
    void launchedTargetThatCannotBeStoppedIsALeftover() {
        f.launcher.failRetire("n1", "container stuck");
        Engine engine = f.builder().check("bad", c -> CheckResult.fail("p99 2s")).build();
        DeploymentResult r = f.finish(engine.start(f.spec, plan(launch("n1"), shift("all", "n1"), new Step.Check("bad"))));
        assertEquals(DeploymentStatus.FAILED, r.status());
        assertEquals("step 3/3 (check 'bad') failed: check 'bad': FAIL - p99 2s", r.reason());
        assertEquals(List.of("target n1 (v2 @ 127.0.0.1:20000) still running (launcher said: container stuck): stop it"),
                r.leftovers());
        assertEquals(f.before, f.router.table());
        List<DeploymentEvent.Finished> finished = f.events(DeploymentEvent.Finished.class);
        assertEquals(1, finished.size());
        assertEquals(r, finished.get(0).result());
        assertTrue(finished.get(0).describe().startsWith("FAILED: step 3/3 (check 'bad') failed"),
                finished.get(0).describe());
    }

    @Test
    void rollbackThatCannotRestoreTrafficFailsWithPreciseLeftovers() {
        f.router.failApplyWhen(t -> t.equals(f.before));
        Engine engine = f.builder().check("bad", c -> CheckResult.fail("nope")).build();
        DeploymentResult r = f.finish(engine.start(f.spec, plan(launch("n1"), shift("all", "n1"), new Step.Check("bad"))));
        assertEquals(DeploymentStatus.FAILED, r.status());
        assertEquals(List.of("traffic not restored (router said: apply: injected failure for " + f.before + "): apply "
                        + f.before + " by hand",
                "target n1 (v2 @ 127.0.0.1:20000) still running: not retired because traffic was not restored; stop it"
                        + " once traffic is restored"), r.leftovers());
        assertEquals(5, f.router.applyCalls());
        assertEquals(Routing.of(Route.active(n(1), 10000)), r.routingAfter());
        assertEquals(List.of(), f.launcher.retired());
    }

    @Test
    void launchThatNeverAnswersIsALeftover() throws Exception {
        // a launch that ignores its interrupt and never returns (FakeLauncher.hangLaunch answers once interrupted, and
        // since issue 10 the engine waits for that answer): the engine gives up after its bounded wait and reports it
        CountDownLatch released = new CountDownLatch(1);
        TargetLauncher stuck = new TargetLauncher() {
            @Override
            public Target launch(LaunchRequest request) {
                while (released.getCount() > 0) {
                    try {
                        dev.zdd.core.testing.VirtualScheduler.hangUntilInterrupted();
                    } catch (InterruptedException | IllegalStateException ignoredOnPurpose) {
                        // never answers until the test ends
                    }
                }
                throw new LaunchException("released by the test");
            }

            @Override
            public void retire(Target target, Duration grace) {
                f.launcher.retire(target, grace);
            }
        };
        try {
            Engine engine = f.builder().launcher(stuck).stepDeadline(Duration.ofSeconds(20)).build();
            DeploymentResult r = f.finish(engine.start(f.spec, plan(launch("n1"), awaitHealthy("n1"))));
            assertEquals(DeploymentStatus.FAILED, r.status(), r.toString());
            assertEquals("step 1/2 (launch n1 (v2)) failed: deadline of 20s exceeded (launcher.launch in step 1/2"
                    + " (launch n1 (v2)))", r.reason());
            assertEquals(List.of("launch of n1 (v2) was cut off and never answered: an instance may be running: find it"
                    + " and stop it"), r.leftovers());
            assertEquals(f.before, f.router.table());
            assertEquals(0, f.router.applyCalls());
        } finally {
            released.countDown();
        }
    }

    @Test
    void retiredOldTargetsAreRelaunchedNewestFirstAndTrafficPointsAtTheirNewEndpoints() {
        Engine engine = f.builder().check("bad", c -> CheckResult.fail("conversion down")).build();
        Deployment d = engine.start(f.spec, plan(launch("n1"), launch("n2"), awaitHealthy("n1", "n2"),
                shift("all", "n1", "n2", "draining:old1", "draining:old2"),
                new Step.Retire(List.of("old1"), Duration.ofSeconds(1)),
                new Step.Retire(List.of("old2"), Duration.ofSeconds(1)), new Step.Check("bad")));
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        List<LaunchRequest> launches = f.launcher.launches();
        assertEquals(List.of("n1", "n2", "old2", "old1"), launches.stream().map(LaunchRequest::targetId).toList());
        assertEquals(new LaunchRequest("shop", "old2", "v1", Map.of()), launches.get(2));
        Target old2Again = Target.of("old2", "v1", "127.0.0.1", 20002);
        Target old1Again = Target.of("old1", "v1", "127.0.0.1", 20003);
        assertEquals(Routing.of(Route.active(old1Again, 5000), Route.active(old2Again, 5000)), f.router.table());
        assertEquals(List.of("rollback: relaunch old2 (v1)", "rollback: relaunch old1 (v1)", "rollback: restore routing",
                "rollback: drain launched n1, n2", "rollback: retire launched n1, n2"), r.steps().stream()
                .filter(s -> s.index() == -1)
                .map(StepOutcome::step).toList());
        assertEquals("relaunched as " + old2Again + "; healthy: old2 (1 attempt)",
                r.steps().stream().filter(s -> s.step().equals("rollback: relaunch old2 (v1)")).findFirst().orElseThrow()
                        .detail());
        assertEquals(List.of(f.old1, f.old2, n(1), n(2)), r.retired());
        assertEquals(Map.of("old2", old2Again, "old1", old1Again), f.launcher.running());
        assertEquals(2, f.probe.calls("old1") + f.probe.calls("old2"));
    }

    @Test
    void gateRollsBackAfterItsTimeout() {
        Deployment d = f.engine().start(f.spec, plan(launch("n1"), new Step.Gate("approve", Duration.ofHours(1))));
        f.time.advance(Duration.ofMinutes(59));
        assertEquals(DeploymentStatus.RUNNING, d.status());
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertEquals("step 2/2 (manual gate 'approve' (rolls back after PT1H)) failed: gate 'approve' was not promoted"
                + " within 1h", r.reason());
        assertEquals(List.of(n(1)), f.launcher.retired());
    }

    @Test
    void throwingHookVetoesAndHangingHookHitsTheDeadline() {
        Engine engine = f.builder().stepDeadline(Duration.ofSeconds(30))
                .hook("veto", c -> {
                    throw new IllegalStateException("change freeze");
                })
                .hook("slow", c -> dev.zdd.core.testing.VirtualScheduler.hangUntilInterrupted()).build();
        DeploymentResult r = f.finish(engine.start(f.spec, plan(new Step.Hook("veto"))));
        assertEquals("step 1/1 (hook 'veto') failed: hook 'veto' vetoed the deployment: change freeze", r.reason());
        DeploymentResult r2 = f.finish(engine.start(f.spec, plan(new Step.Hook("slow"))));
        assertEquals(DeploymentStatus.ROLLED_BACK, r2.status());
        assertEquals("step 1/1 (hook 'slow') failed: deadline of 30s exceeded (hook 'slow' in step 1/1 (hook 'slow'))",
                r2.reason());
    }

    @Test
    void throwingListenerIsIgnored() {
        List<DeploymentEvent> seen = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        Engine engine = f.builder().listener(e -> {
            calls.incrementAndGet();
            throw new RuntimeException("listener bug");
        }).listener(seen::add).build();
        DeploymentResult r = f.finish(engine.start(f.spec, plan(launch("n1"), awaitHealthy("n1"), shift("all", "n1"))));
        assertEquals(DeploymentStatus.SUCCEEDED, r.status());
        assertEquals(f.events, seen);
        assertEquals(seen.size(), calls.get());
    }

    @Test
    void eventsComeInOrder() {
        Engine engine = f.builder().check("bad", c -> CheckResult.fail("x")).build();
        DeploymentResult r = f.finish(engine.start(f.spec, plan(launch("n1"), awaitHealthy("n1"), shift("all", "n1"),
                new Step.Check("bad"))));
        assertEquals(List.of("STARTED",
                "STEP_STARTED", "STEP_ENDED:SUCCEEDED",
                "STEP_STARTED", "PROBE_RESULT", "STEP_ENDED:SUCCEEDED",
                "STEP_STARTED", "ROUTING_APPLIED", "STEP_ENDED:SUCCEEDED",
                "STEP_STARTED", "CHECK_VERDICT", "STEP_ENDED:FAILED",
                "ROLLBACK_STARTED",
                "STEP_STARTED", "ROUTING_APPLIED", "STEP_ENDED:SUCCEEDED",
                "STEP_STARTED", "STEP_ENDED:SUCCEEDED",
                "STEP_STARTED", "STEP_ENDED:SUCCEEDED",
                "FINISHED"), f.shape());
        List<DeploymentEvent> ev = f.events;
        assertEquals(List.of(-1, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, -1, -1, -1, -1, -1, -1, -1, -1, -1),
                ev.stream().map(Fixture::index).toList());
        DeploymentEvent.Started started = (DeploymentEvent.Started) ev.get(0);
        assertEquals(plan(launch("n1"), awaitHealthy("n1"), shift("all", "n1"), new Step.Check("bad")), started.plan());
        assertEquals("shop", started.service());
        assertEquals("v2", started.version());
        assertEquals(f.before, started.routingBefore());
        assertEquals(false, started.recovery());
        DeploymentEvent.ProbeResult probe = (DeploymentEvent.ProbeResult) ev.get(4);
        assertEquals(n(1), probe.target());
        assertEquals(HealthResult.healthy(), probe.result());
        assertEquals(Routing.of(Route.active(n(1), 10000)), ((DeploymentEvent.RoutingApplied) ev.get(7)).routing());
        DeploymentEvent.CheckVerdict verdict = (DeploymentEvent.CheckVerdict) ev.get(10);
        assertEquals("bad", verdict.check());
        assertEquals(CheckResult.fail("x"), verdict.result());
        assertEquals(f.before, ((DeploymentEvent.RoutingApplied) ev.get(14)).routing());
        assertEquals(r, ((DeploymentEvent.Finished) ev.get(20)).result());
        assertEquals("ROLLED_BACK: step 4/4 (check 'bad') failed: check 'bad': FAIL - x", ev.get(20).describe());
        for (int i = 1; i < ev.size(); i++) {
            assertTrue(!ev.get(i).time().isBefore(ev.get(i - 1).time()));
        }
    }

    @Test
    void pointOfNoReturnPausesOnFailureAndResumeRetriesTheStep() {
        AtomicInteger runs = new AtomicInteger();
        Engine engine = f.builder().check("smoke", c -> runs.incrementAndGet() == 1 ? CheckResult.fail("500s")
                : CheckResult.pass("ok")).build();
        Step.ShiftTraffic all = shift("all", "n1");
        Deployment d = engine.start(f.spec, plan(launch("n1"), all, new Step.PointOfNoReturn("schema migrated"),
                new Step.Check("smoke"), new Step.Retire(List.of("old1", "old2"), Duration.ZERO)));
        f.time.runUntilIdle();
        assertEquals(DeploymentStatus.PAUSED, d.status());
        assertTrue(d.result().isEmpty());
        DeploymentEvent.Paused paused = f.events(DeploymentEvent.Paused.class).get(0);
        assertEquals(3, paused.index());
        assertEquals("step 4/5 (check 'smoke') failed past the point of no return: check 'smoke': FAIL - 500s; resume()"
                + " retries step 4/5 (check 'smoke'), abort(reason) rolls back", paused.reason());
        assertEquals(Routing.of(Route.active(n(1), 10000)), f.router.table());
        assertEquals(List.of(), f.launcher.retired());

        d.resume();
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.SUCCEEDED, r.status());
        assertEquals("", r.reason());
        assertEquals(2, runs.get());
        assertEquals(List.of(Outcome.SUCCEEDED, Outcome.SUCCEEDED, Outcome.SUCCEEDED, Outcome.FAILED, Outcome.SUCCEEDED,
                Outcome.SUCCEEDED), r.steps().stream().map(StepOutcome::outcome).toList());
        assertEquals(List.of(f.old1, f.old2), f.launcher.retired());
    }

    @Test
    void abortAfterPointOfNoReturnForcesTheRollback() {
        Engine engine = f.builder().check("smoke", c -> CheckResult.fail("500s")).build();
        Deployment d = engine.start(f.spec, plan(launch("n1"), shift("all", "n1"), new Step.PointOfNoReturn("emails sent"),
                new Step.Check("smoke")));
        f.time.runUntilIdle();
        assertEquals(DeploymentStatus.PAUSED, d.status());
        d.abort("operator gave up");
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertEquals("aborted: operator gave up", r.reason());
        assertEquals(f.before, f.router.table());
        assertEquals(List.of(n(1)), f.launcher.retired());
    }
}
