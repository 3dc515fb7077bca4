package dev.zdd.core.analysis;

import dev.zdd.api.CheckResult;
import dev.zdd.api.CheckResult.Verdict;
import dev.zdd.api.DeploymentCheck;
import dev.zdd.api.DeploymentContext;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.Plan;
import dev.zdd.api.PlanContext;
import dev.zdd.api.RequestKey;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Target;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AbTestTest {
    static final Target A1 = Target.of("shop-v1-1", "v1", "127.0.0.1", 9001);
    static final Target A2 = Target.of("shop-v1-2", "v1", "127.0.0.1", 9002);
    static final Target B1 = Target.of("shop-v2-1", "v2", "127.0.0.1", 9003);
    static final Target B2 = Target.of("shop-v2-2", "v2", "127.0.0.1", 9004);
    static final RouterCapabilities STICKY = new RouterCapabilities(Routing.MAX_WEIGHT, true, true, true, true);
    final ManualClock clock = new ManualClock();
    final RequestRecorder recorder = new RequestRecorder();
    final Random random = new Random(11);

    AbTest.Builder base() {
        return AbTest.builder("checkout-ab").splitBy(RequestKey.header("X-User")).source(recorder)
                .decideBy(Comparison.increaseIsBad(StandardMetrics.LATENCY_P50))
                .interval(Duration.ofMinutes(1));
    }

    AbTest.Builder builder() {
        return base().duration(Duration.ofMinutes(4));
    }

    PlanContext planContext(List<Target> newTargets) {
        DeploymentSpec spec = DeploymentSpec.builder("shop", "v2").targets(newTargets).build();
        return new PlanContext(spec, Routing.evenly(List.of(A1, A2)), STICKY, false);
    }

    @Test
    void plansAStickySplitCollectionWindowsAndThePromotionOfTheWinner() {
        Plan plan = builder().treatmentShare(2000).build().plan(planContext(List.of(B1, B2)));
        List<Step> s = plan.steps();
        assertEquals("a/b", plan.strategy());
        assertEquals(new Step.AwaitHealthy(List.of("shop-v2-1", "shop-v2-2")), s.get(0));
        Step.ShiftTraffic split = (Step.ShiftTraffic) s.get(1);
        assertEquals(Stickiness.on(RequestKey.header("X-User")), split.stickiness());
        assertEquals(List.of(Step.Allocation.active("shop-v2-1", 1000), Step.Allocation.active("shop-v2-2", 1000),
                Step.Allocation.active("shop-v1-1", 4000), Step.Allocation.active("shop-v1-2", 4000)), split.allocations());
        assertEquals(new Step.Check("checkout-ab"), s.get(2));
        for (int i = 0; i < 4; i++) {
            assertEquals(new Step.Pause(Duration.ofMinutes(1)), s.get(3 + 2 * i));
            assertEquals(new Step.Check("checkout-ab"), s.get(4 + 2 * i));
        }
        Step.ShiftTraffic winner = (Step.ShiftTraffic) s.get(11);
        assertEquals(List.of(Step.Allocation.active("shop-v2-1", 5000), Step.Allocation.active("shop-v2-2", 5000),
                Step.Allocation.draining("shop-v1-1"), Step.Allocation.draining("shop-v1-2")), winner.allocations());
        assertInstanceOf(Step.Drain.class, s.get(12));
        assertEquals(new Step.Retire(List.of("shop-v1-1", "shop-v1-2"), AbTest.DEFAULT_RETIRE_GRACE), s.get(13));
        assertEquals(14, s.size());
    }

    @Test
    void manualModeAddsTheDecisionGateAndRequestCountModeCollectsUpToItsLongestDuration() {
        AbTest manual = AbTest.builder("ab").splitBy(RequestKey.cookie("uid")).source(recorder)
                .decideBy(Comparison.increaseIsBad(StandardMetrics.ERROR_RATE)).requests(1000, Duration.ofHours(2))
                .decision(AbTest.Decision.MANUAL, Duration.ofHours(8)).build();
        List<Step> s = manual.plan(planContext(List.of(B1))).steps();
        assertEquals(new Step.Check("ab"), s.get(2));
        // the default interval of 1 minute, 120 windows within the 2 hours; no gate but the person's decision
        for (int i = 0; i < 120; i++) {
            assertEquals(new Step.Pause(Duration.ofMinutes(1)), s.get(3 + 2 * i));
            assertEquals(new Step.Check("ab"), s.get(4 + 2 * i));
        }
        assertEquals(new Step.Gate("ab-decision", Duration.ofHours(8)), s.get(243));
        assertEquals(1, s.stream().filter(x -> x instanceof Step.Gate).count());
    }

    @Test
    void refusesWhatCannotBePlanned() {
        AbTest ab = builder().build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ab.plan(new PlanContext(
                DeploymentSpec.builder("shop", "v2").targets(B1).build(), Routing.evenly(List.of(A1)), RouterCapabilities.WEIGHTS_ONLY, false)));
        assertTrue(e.getMessage().contains("supports stickiness"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ab.plan(new PlanContext(
                DeploymentSpec.builder("shop", "v2").targets(B1).build(), Routing.EMPTY, STICKY, false)));
        assertTrue(e.getMessage().contains("needs a serving version"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ab.plan(planContext(List.of())));
        assertTrue(e.getMessage().contains("no launcher"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> builder().requests(10, Duration.ofMinutes(1)).build())
                .getMessage().contains("exactly one of duration"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> builder().treatmentShare(10_000))
                .getMessage().contains("treatmentShare must be in [1, 9999] basis points, was 10000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AbTest.builder("a b")).getMessage().contains("'a b'"));
    }

    DeploymentContext ctx() {
        return new DeploymentContext("ab-1", "shop", "v2", Routing.evenly(List.of(B1, A1)), List.of(B1), List.of(A1), clock);
    }

    List<CheckResult> run(AbTest ab, double treatmentMillis, double controlMillis, int requestsPerMinute) throws Exception {
        List<CheckResult> out = new ArrayList<>();
        DeploymentCheck run = ab.check().forDeployment("ab-1");
        out.add(run.check(ctx()));
        for (int w = 0; w < 4; w++) {
            for (int i = 0; i < requestsPerMinute; i++) {
                recorder.record(B1.id(), (long) (treatmentMillis * (1 + 0.05 * random.nextGaussian()) * 1e6), false);
                recorder.record(A1.id(), (long) (controlMillis * (1 + 0.05 * random.nextGaussian()) * 1e6), false);
            }
            clock.advance(Duration.ofMinutes(1));
            out.add(run.check(ctx()));
        }
        return out;
    }

    @Test
    void fasterTreatmentWinsAndIsPromoted() throws Exception {
        AbTest ab = builder().build();
        List<CheckResult> r = run(ab, 20, 40, 300);
        for (int i = 0; i < 4; i++) {
            assertEquals(Verdict.PASS, r.get(i).verdict(), r.get(i).detail());
        }
        CheckResult last = r.get(4);
        assertEquals(Verdict.PASS, last.verdict(), last.detail());
        assertEquals(1.0, last.measurements().get("winner"));
        assertEquals(AbReport.Winner.TREATMENT, AbReport.winnerOf(last).orElseThrow());
        assertTrue(AbReport.winnerOf(r.get(1)).isEmpty(), "a collecting verdict names no winner");
        Map<String, Double> m = last.measurements();
        assertEquals(1200, m.get("treatment.requests"));
        assertEquals(4, m.get("treatment.points"));
        assertEquals(20, m.get(StandardMetrics.LATENCY_P50 + ".treatment.median"), 2);
        assertEquals(40, m.get(StandardMetrics.LATENCY_P50 + ".control.median"), 4);
        assertTrue(m.get(StandardMetrics.LATENCY_P50 + ".pValue") < 0.05, "p=" + m);
        assertTrue(last.detail().contains("winner: TREATMENT"), "the report's text: " + last.detail());
    }

    @Test
    void slowerTreatmentLosesAndTheControlStays() throws Exception {
        CheckResult last = run(builder().build(), 60, 40, 300).get(4);
        assertEquals(Verdict.FAIL, last.verdict(), last.detail());
        assertTrue(last.detail().contains("winner CONTROL - v1 is better"), last.detail());
    }

    @Test
    void noDifferenceIsInconclusiveAndManualModeLeavesItToAPerson() throws Exception {
        CheckResult same = run(builder().build(), 40, 40, 300).get(4);
        assertEquals(Verdict.INCONCLUSIVE, same.verdict(), same.detail());
        assertTrue(same.detail().contains("no significant difference"), same.detail());

        AbTest manual = builder().decision(AbTest.Decision.MANUAL, Duration.ofHours(1)).build();
        CheckResult m = run(manual, 60, 40, 300).get(4);
        assertEquals(Verdict.PASS, m.verdict(), m.detail());
        assertTrue(m.detail().contains("waiting for a person at gate 'checkout-ab-decision'"), m.detail());
        assertEquals(AbReport.Winner.CONTROL, AbReport.winnerOf(m).orElseThrow());
    }

    @Test
    void eachDeploymentCollectsInItsOwnRunAndTheRegisteredCheckKeepsNoState() throws Exception {
        AbTest ab = builder().build();
        DeploymentCheck registered = ab.check();
        assertSame(registered, ab.check());
        assertNotSame(registered.forDeployment("ab-1"), registered.forDeployment("ab-1"), "a fresh run each time");
        assertTrue(assertThrows(IllegalStateException.class, () -> registered.check(ctx())).getMessage()
                .contains("forDeployment"));
        // a first deployment decided; a second one starts from nothing (its second call is a collecting one)
        run(ab, 20, 40, 300);
        DeploymentCheck second = registered.forDeployment("ab-2");
        second.check(ctx());
        clock.advance(Duration.ofMinutes(1));
        CheckResult c = second.check(ctx());
        assertTrue(c.detail().contains("collecting 1/4"), c.detail());
    }

    @Test
    void requestCountModeDecidesOnceEachVersionServedTheCountAndRepeatsItsVerdict() throws Exception {
        AbTest ab = base().requests(500, Duration.ofMinutes(10)).minPoints(4).build();
        List<CheckResult> r = run(ab, 20, 40, 300);
        // 300 a minute each: 600 after the second window, but 4 values each are needed: the fourth collecting call of
        // the ten planned decides
        assertTrue(AbReport.winnerOf(r.get(3)).isEmpty(), r.get(3).detail());
        assertTrue(r.get(3).detail().contains("collecting 3/10"), r.get(3).detail());
        assertTrue(r.get(4).detail().contains("winner TREATMENT"), r.get(4).detail());
        assertEquals(Verdict.PASS, r.get(4).verdict());

        AbTest never = base().requests(100_000, Duration.ofMinutes(4)).build();
        CheckResult last = run(never, 20, 40, 300).get(4);
        assertEquals(Verdict.INCONCLUSIVE, last.verdict(), last.detail());
        assertTrue(last.detail().contains("did not serve 100000 requests"), last.detail());
    }

    @Test
    void noTrafficIsNeverAPassEvenInManualMode() throws Exception {
        AbTest manual = builder().decision(AbTest.Decision.MANUAL, Duration.ofHours(1)).build();
        CheckResult last = run(manual, 40, 40, 0).get(4);
        assertEquals(Verdict.INCONCLUSIVE, last.verdict(), last.detail());
        assertTrue(last.detail().contains("not enough data"), last.detail());
    }
}
