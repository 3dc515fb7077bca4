package dev.zdd.core.engine;

import dev.zdd.api.CheckResult;
import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.HealthProbe;
import dev.zdd.api.HealthResult;
import dev.zdd.api.Plan;
import dev.zdd.api.PlanContext;
import dev.zdd.api.Step;
import dev.zdd.core.strategy.BlueGreen;
import dev.zdd.core.strategy.Canary;
import dev.zdd.core.strategy.Rolling;
import dev.zdd.core.strategy.VerificationWindow;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The post-switch verification window (issue 12) in virtual time. */
class VerificationWindowTest {
    final Fixture f = new Fixture();
    final AtomicBoolean newFails = new AtomicBoolean();
    final HealthProbe probe = (t, timeout) -> newFails.get() && t.version().equals("v2")
            ? HealthResult.unhealthy("500 from /health") : HealthResult.healthy();

    Deployment start(dev.zdd.api.Strategy s) {
        return f.builder().probe(probe).check("errors", ctx -> CheckResult.pass("fine")).build().start(f.spec, s);
    }

    /** Runs until the new version serves everything, then makes it fail; returns the time it started failing. */
    Instant switchThenFail(Deployment d, Duration after) {
        assertTrue(f.time.runUntil(() -> f.router.table().servingVersions().equals(Set.of("v2")), Duration.ofHours(1)));
        f.time.advance(after);
        newFails.set(true);
        return f.time.now();
    }

    @Test
    void blueGreenRollsBackWhenTheNewColourFailsDuringTheWindowWithTheOldColourWarm() {
        Deployment d = start(BlueGreen.builder().initialColour("blue")
                .verify(VerificationWindow.builder(Duration.ofMinutes(10)).check("errors").build()).build());
        Instant failing = switchThenFail(d, Duration.ofMinutes(2));
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.reason());
        assertTrue(r.reason().contains("verification window: target"), r.reason());
        assertTrue(f.router.table().sameTrafficAs(f.before), f.router.table().toString());
        assertEquals(List.of(), f.launcher.retired().stream().filter(t -> t.version().equals("v1")).toList(),
                "the old colour was never stopped");
        Instant back = f.events(DeploymentEvent.RoutingApplied.class).stream().filter(e -> e.index() == -1)
                .findFirst().orElseThrow().time();
        Duration took = Duration.between(failing, back);
        assertTrue(took.compareTo(Duration.ofSeconds(4)) <= 0, "3 failed probes 1 s apart, then the switch back: " + took);
        assertEquals(Set.of(), Set.copyOf(f.launcher.running().values().stream().filter(t -> t.version().equals("v2")).toList()));
    }

    @Test
    void aWindowWithoutFailureSucceedsAndOnlyThenRetiresTheOldColour() {
        Deployment d = start(BlueGreen.builder().initialColour("blue")
                .verify(VerificationWindow.builder(Duration.ofMinutes(10)).check("errors")
                        .checkInterval(Duration.ofMinutes(1)).build()).build());
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.SUCCEEDED, r.status(), r.reason());
        long verdicts = f.events(DeploymentEvent.CheckVerdict.class).size();
        assertTrue(verdicts >= 10, "the check ran every minute of the window: " + verdicts);
        Instant verified = f.events(DeploymentEvent.StepEnded.class).stream().filter(e -> e.step().startsWith("verify"))
                .findFirst().orElseThrow().time();
        Instant retired = f.events(DeploymentEvent.StepStarted.class).stream().filter(e -> e.step().startsWith("retire"))
                .findFirst().orElseThrow().time();
        assertTrue(!retired.isBefore(verified), "retire after the window");
    }

    @Test
    void aFailingCheckDuringTheWindowRollsBack() {
        AtomicInteger runs = new AtomicInteger();
        Deployment d = f.builder().probe(probe).check("errors", ctx -> runs.incrementAndGet() < 4
                ? CheckResult.pass("error rate 0.1%") : CheckResult.fail("error rate 7%")).build()
                .start(f.spec, BlueGreen.builder().initialColour("blue").verify(VerificationWindow
                        .builder(Duration.ofMinutes(10)).check("errors").checkInterval(Duration.ofSeconds(30)).build()).build());
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status());
        assertTrue(r.reason().contains("error rate 7%"), r.reason());
        assertTrue(f.router.table().sameTrafficAs(f.before));
    }

    @Test
    void withoutKeepingTheOldColourWarmItIsRetiredFirstAndRelaunchedOnRollback() {
        Deployment d = start(BlueGreen.builder().initialColour("blue")
                .verify(VerificationWindow.builder(Duration.ofMinutes(10)).keepOldWarm(false).build()).build());
        assertTrue(f.time.runUntil(() -> f.launcher.retired().size() == 2, Duration.ofHours(1)), "old colour retired");
        newFails.set(true);
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.reason());
        assertTrue(f.router.table().sameTrafficAs(f.before) || f.router.table().servingVersions().equals(Set.of("v1")),
                f.router.table().toString());
        assertEquals(Set.of("v1"), f.router.table().servingVersions());
    }

    @Test
    void canaryAndRollingPlaceTheWindowAfterTheLastShift() {
        PlanContext ctx = new PlanContext(f.spec, f.before, dev.zdd.core.testing.RecordingRouter.ALL_CAPABILITIES, true);
        Plan canary = Canary.builder().weight(10).weight(50).verify(VerificationWindow.of(Duration.ofMinutes(5))).build()
                .plan(ctx);
        int verify = indexOf(canary, Step.Verify.class);
        assertTrue(verify > indexOf(canary, Step.ShiftTraffic.class, "promote"), canary.render());
        assertTrue(verify < indexOf(canary, Step.Retire.class), canary.render());
        Plan rolling = Rolling.builder().verify(VerificationWindow.of(Duration.ofMinutes(5))).build().plan(ctx);
        int v = indexOf(rolling, Step.Verify.class);
        for (int i = 0; i < rolling.steps().size(); i++) {
            if (rolling.steps().get(i) instanceof Step.Retire) {
                assertTrue(i > v, "old targets stay warm until the window has passed: " + rolling.render());
            }
        }
        Plan cold = Rolling.builder().verify(VerificationWindow.builder(Duration.ofMinutes(5)).keepOldWarm(false).build())
                .build().plan(ctx);
        assertTrue(cold.steps().get(cold.steps().size() - 1) instanceof Step.Verify, cold.render());
        assertThrows(IllegalArgumentException.class, () -> VerificationWindow.of(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> VerificationWindow.builder(Duration.ofMinutes(1)).check("bad name"));
    }

    @Test
    void rollingWithTheWindowRollsBackWithoutRelaunching() {
        Deployment d = start(Rolling.builder().verify(VerificationWindow.of(Duration.ofMinutes(10))).build());
        switchThenFail(d, Duration.ofMinutes(1));
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.reason());
        assertTrue(f.router.table().sameTrafficAs(f.before), f.router.table().toString());
        assertEquals(List.of(), f.launcher.retired().stream().filter(t -> t.version().equals("v1")).toList());
    }

    @Test
    void aGradualRollbackStepsTrafficBackInEqualShares() {
        Deployment d = f.builder().probe(probe).gradualRollback(dev.zdd.core.GradualRollback.of(4, Duration.ofSeconds(30)))
                .build().start(f.spec, Rolling.builder().verify(VerificationWindow.of(Duration.ofMinutes(10))).build());
        switchThenFail(d, Duration.ofMinutes(1));
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.reason());
        List<DeploymentEvent.RoutingApplied> back = f.events(DeploymentEvent.RoutingApplied.class).stream()
                .filter(e -> e.index() == -1).toList();
        assertEquals(4, back.size(), back.toString());
        double[] expected = {0.25, 0.5, 0.75, 1.0};
        for (int i = 0; i < 4; i++) {
            double v1 = back.get(i).routing().versionShares().getOrDefault("v1", 0.0);
            assertEquals(expected[i], v1, 0.01, "step " + (i + 1) + ": " + back.get(i).routing());
        }
        for (int i = 1; i < 4; i++) {
            Duration gap = Duration.between(back.get(i - 1).time(), back.get(i).time());
            assertTrue(gap.compareTo(Duration.ofSeconds(30)) >= 0, "30 s between steps: " + gap);
        }
        assertTrue(f.router.table().sameTrafficAs(f.before));
    }

    @Test
    void promoteEndsTheWindowEarly() {
        Deployment d = start(BlueGreen.builder().initialColour("blue").verify(VerificationWindow.of(Duration.ofHours(1))).build());
        assertTrue(f.time.runUntil(() -> d.progress().toString().contains("verify"), Duration.ofHours(1)), d.progress().toString());
        d.promote();
        DeploymentResult r = f.finish(d);
        assertEquals(DeploymentStatus.SUCCEEDED, r.status(), r.reason());
        assertTrue(f.time.elapsed().compareTo(Duration.ofMinutes(30)) < 0, "did not wait the hour: " + f.time.elapsed());
    }

    static int indexOf(Plan p, Class<? extends Step> type) {
        for (int i = 0; i < p.steps().size(); i++) {
            if (type.isInstance(p.steps().get(i))) {
                return i;
            }
        }
        return -1;
    }

    static int indexOf(Plan p, Class<? extends Step> type, String label) {
        for (int i = 0; i < p.steps().size(); i++) {
            if (p.steps().get(i) instanceof Step.ShiftTraffic s && s.label().equals(label)) {
                return i;
            }
        }
        return -1;
    }
}
