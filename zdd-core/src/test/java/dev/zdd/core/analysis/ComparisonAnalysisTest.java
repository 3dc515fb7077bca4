package dev.zdd.core.analysis;

import dev.zdd.api.CheckResult;
import dev.zdd.api.CheckResult.Verdict;
import dev.zdd.api.DeploymentContext;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComparisonAnalysisTest {
    static final Target OLD = Target.of("app-1", "v1", "127.0.0.1", 8080);
    static final Target BASE_1 = Target.of("base-1", "v1", "127.0.0.1", 8091).withAttribute("role", "baseline");
    static final Target BASE_2 = Target.of("base-2", "v1", "127.0.0.1", 8092).withAttribute("role", "baseline");
    static final Target CAN_1 = Target.of("canary-1", "v2", "127.0.0.1", 8093);
    static final Target CAN_2 = Target.of("canary-2", "v2", "127.0.0.1", 8094);
    final ManualClock clock = new ManualClock();
    final RequestRecorder recorder = new RequestRecorder();
    final Random random = new Random(7);

    DeploymentContext ctx() {
        Routing r = Routing.of(Route.active(OLD, 9000), Route.active(BASE_1, 250), Route.active(BASE_2, 250),
                Route.active(CAN_1, 250), Route.active(CAN_2, 250));
        return new DeploymentContext("d1", "shop", "v2", r, List.of(CAN_1, CAN_2), List.of(OLD), clock);
    }

    ComparisonAnalysis analysis(int measurements) {
        return ComparisonAnalysis.builder("canary-vs-baseline").source(recorder)
                .baseline(TargetSelector.withAttribute("role", "baseline"))
                .compare(Comparison.increaseIsBad(StandardMetrics.LATENCY_P50))
                .compare(Comparison.increaseIsBad(StandardMetrics.ERROR_RATE).tolerance(0, 0.01).asCritical())
                .schedule(Duration.ofMinutes(1), measurements, 0, 1)
                .minPoints(4)
                .build();
    }

    /** One minute of traffic: 200 requests per target, latency ~ N(mean, 10%) ms, errors with a probability. */
    void traffic(Target t, double meanMillis, double errorRate) {
        for (int i = 0; i < 200; i++) {
            double ms = Math.max(0.5, meanMillis * (1 + 0.1 * random.nextGaussian()));
            recorder.record(t.id(), (long) (ms * 1e6), random.nextDouble() < errorRate);
        }
    }

    List<CheckResult> run(ComparisonAnalysis a, int windows, double canaryMillis, double canaryErrors) throws Exception {
        List<CheckResult> out = new ArrayList<>();
        a.check(ctx());
        for (int w = 0; w < windows; w++) {
            for (Target b : List.of(BASE_1, BASE_2)) {
                traffic(b, 40, 0.0);
            }
            for (Target c : List.of(CAN_1, CAN_2)) {
                traffic(c, canaryMillis, canaryErrors);
            }
            clock.advance(Duration.ofMinutes(1));
            CheckResult r = a.check(ctx());
            out.add(r);
            if (r.verdict() != Verdict.PASS) {
                break;
            }
        }
        return out;
    }

    @Test
    void sameBehaviourPassesWithFullScore() throws Exception {
        List<CheckResult> results = run(analysis(4), 4, 40, 0.0);
        assertEquals(4, results.size());
        results.forEach(r -> assertEquals(Verdict.PASS, r.verdict(), r.detail()));
        CheckResult first = results.get(0);
        assertTrue(first.detail().contains("collecting"), first.detail());
        CheckResult last = results.get(3);
        assertEquals(100.0, last.measurements().get("score"));
        assertTrue(last.measurements().get("latency-p50.pValue") > 0.05);
        assertEquals(3.0, last.measurements().get("passed"), "window 1 only collects (2 points of 4)");
        assertEquals(200.0 * 2, last.measurements().get("latency-p50.canary.requests"));
    }

    @Test
    void slowerCanaryFailsOnceEnoughPointsAreIn() throws Exception {
        List<CheckResult> results = run(analysis(5), 5, 60, 0.0);
        CheckResult last = results.get(results.size() - 1);
        assertEquals(Verdict.FAIL, last.verdict(), last.detail());
        assertEquals(2, results.size(), "judged as soon as each side has 4 points (2 windows x 2 targets)");
        assertEquals(50.0, last.measurements().get("score"));
        assertTrue(last.measurements().get("latency-p50.pValue") < 0.05);
        assertTrue(last.detail().contains("failed: latency-p50 canary median"), last.detail());
    }

    @Test
    void criticalErrorRateFailsWithScoreZero() throws Exception {
        List<CheckResult> results = run(analysis(5), 5, 40, 0.08);
        CheckResult last = results.get(results.size() - 1);
        assertEquals(Verdict.FAIL, last.verdict(), last.detail());
        assertEquals(0.0, last.measurements().get("score"));
        assertTrue(last.detail().contains("critical metric failed"), last.detail());
    }

    @Test
    void baselineWithoutTrafficIsInconclusive() throws Exception {
        ComparisonAnalysis a = analysis(3);
        a.check(ctx());
        List<Verdict> verdicts = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            traffic(CAN_1, 40, 0);
            traffic(CAN_2, 40, 0);
            clock.advance(Duration.ofMinutes(1));
            CheckResult r = a.check(ctx());
            verdicts.add(r.verdict());
            assertTrue(r.detail().contains("no data for baseline"), r.detail());
        }
        assertEquals(List.of(Verdict.PASS, Verdict.INCONCLUSIVE), verdicts);
    }

    @Test
    void builderNamesBadValues() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ComparisonAnalysis.builder("c").source(recorder)
                .compare(Comparison.increaseIsBad("x")).build()).getMessage().contains("baseline is required"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ComparisonAnalysis.builder("c").alpha(1.5))
                .getMessage().contains("alpha must be in (0, 1), was 1.5"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ComparisonAnalysis.builder("c").source(recorder)
                .baseline(TargetSelector.oldTargets()).compare(Comparison.increaseIsBad("x")).passScore(50).marginalScore(60).build())
                .getMessage().contains("marginalScore 60.0 must not exceed passScore 50.0"));
        assertThrows(IllegalArgumentException.class, () -> Comparison.increaseIsBad("x").tolerance(-1, 0));
    }
}
