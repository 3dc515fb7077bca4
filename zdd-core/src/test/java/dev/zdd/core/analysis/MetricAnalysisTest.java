package dev.zdd.core.analysis;

import dev.zdd.api.CheckResult;
import dev.zdd.api.CheckResult.Verdict;
import dev.zdd.api.DeploymentContext;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.Target;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricAnalysisTest {
    static final Target OLD = Target.of("app-1", "v1", "127.0.0.1", 8080);
    static final Target NEW = Target.of("app-2", "v2", "127.0.0.1", 8081);
    final ManualClock clock = new ManualClock();

    /** Answers scripted samples per metric, in order; records what it was asked. */
    static final class ScriptedSource implements MetricSource {
        final Map<String, ArrayDeque<Object>> script = new HashMap<>();
        final List<MetricQuery> queries = new ArrayList<>();

        ScriptedSource then(String metric, Object sampleOrException) {
            script.computeIfAbsent(metric, k -> new ArrayDeque<>()).add(sampleOrException);
            return this;
        }

        /** One window per value: value with {@code requests} requests ({@code NaN}, 0 requests: no data). */
        ScriptedSource series(String metric, long requests, double... values) {
            for (double v : values) {
                then(metric, Double.isNaN(v) ? MetricSample.noData(metric, Duration.ofMinutes(1), "no traffic")
                        : MetricSample.of(metric, v, List.of(v), requests, Duration.ofMinutes(1)));
            }
            return this;
        }

        @Override
        public synchronized MetricSample read(MetricQuery query) throws Exception {
            queries.add(query);
            Object next = script.getOrDefault(query.metric(), new ArrayDeque<>()).poll();
            if (next == null) {
                throw new AssertionError("no scripted sample left for " + query.metric());
            }
            if (next instanceof Exception e) {
                throw e;
            }
            return (MetricSample) next;
        }
    }

    DeploymentContext ctx(String id) {
        return new DeploymentContext(id, "shop", "v2", Routing.evenly(List.of(OLD, NEW)), List.of(NEW), List.of(OLD), clock);
    }

    MetricAnalysis analysis(MetricSource source, int measurements, int failureLimit, int inconclusiveLimit) {
        return MetricAnalysis.builder("canary-health").source(source)
                .threshold(Threshold.atMost(StandardMetrics.ERROR_RATE, 0.01))
                .schedule(Duration.ofMinutes(1), measurements, failureLimit, inconclusiveLimit)
                .build();
    }

    /** Runs the opening call and then one call per judged window; returns the verdicts of the judged calls. */
    List<Verdict> run(MetricAnalysis a, String deployment, int calls) throws Exception {
        List<Verdict> out = new ArrayList<>();
        CheckResult open = a.check(ctx(deployment));
        assertEquals(Verdict.PASS, open.verdict(), open.detail());
        for (int i = 0; i < calls; i++) {
            clock.advance(Duration.ofMinutes(1));
            out.add(a.check(ctx(deployment)).verdict());
        }
        return out;
    }

    @Test
    void passesWhileEveryWindowIsGood() throws Exception {
        ScriptedSource s = new ScriptedSource().series(StandardMetrics.ERROR_RATE, 200, 0.0, 0.0, 0.005, 0.0, 0.01, 0.0);
        MetricAnalysis a = analysis(s, 5, 0, 1);
        assertEquals(List.of(Verdict.PASS, Verdict.PASS, Verdict.PASS, Verdict.PASS, Verdict.PASS), run(a, "d1", 5));
        // the new version's targets were measured, over the interval
        assertEquals(List.of(NEW), s.queries.get(1).targets());
        assertEquals(Duration.ofMinutes(1), s.queries.get(1).window());
    }

    @Test
    void failsAtTheFirstBadWindowWithLimitZero() throws Exception {
        ScriptedSource s = new ScriptedSource().series(StandardMetrics.ERROR_RATE, 400, 0.0, 0.0, 0.05);
        MetricAnalysis a = analysis(s, 5, 0, 1);
        a.check(ctx("d1"));
        clock.advance(Duration.ofMinutes(1));
        assertEquals(Verdict.PASS, a.check(ctx("d1")).verdict());
        clock.advance(Duration.ofMinutes(1));
        CheckResult r = a.check(ctx("d1"));
        assertEquals(Verdict.FAIL, r.verdict());
        assertTrue(r.detail().contains("error-rate=0.05000 > 0.01000 over 400 requests"), r.detail());
        assertEquals(0.05, r.measurements().get("error-rate"));
        assertEquals(400.0, r.measurements().get("error-rate.requests"));
        assertEquals(0.01, r.measurements().get("error-rate.limit"));
        assertEquals(1.0, r.measurements().get("failed"));
        assertEquals(2.0, r.measurements().get("measurement"));
    }

    @Test
    void flappingFailsOnceTheFailureLimitIsExceeded() throws Exception {
        ScriptedSource s = new ScriptedSource().series(StandardMetrics.ERROR_RATE, 100, 0.0, 0.02, 0.0, 0.03, 0.0);
        MetricAnalysis a = analysis(s, 4, 1, 0);
        assertEquals(List.of(Verdict.PASS, Verdict.PASS, Verdict.FAIL), run(a, "d1", 3));
    }

    @Test
    void noTrafficIsInconclusiveNeverAPass() throws Exception {
        ScriptedSource s = new ScriptedSource().series(StandardMetrics.ERROR_RATE, 0, Double.NaN, Double.NaN, Double.NaN);
        MetricAnalysis a = analysis(s, 3, 0, 1);
        List<Verdict> v = run(a, "d1", 2);
        assertEquals(List.of(Verdict.PASS, Verdict.INCONCLUSIVE), v);
    }

    @Test
    void allWindowsWithoutDataEndInconclusiveEvenWithinTheLimit() throws Exception {
        ScriptedSource s = new ScriptedSource().series(StandardMetrics.ERROR_RATE, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        MetricAnalysis a = analysis(s, 3, 0, 10);
        assertEquals(List.of(Verdict.PASS, Verdict.PASS, Verdict.INCONCLUSIVE), run(a, "d1", 3));
    }

    @Test
    void tooFewRequestsAndBrokenSourcesAreInconclusive() throws Exception {
        ScriptedSource s = new ScriptedSource().series(StandardMetrics.ERROR_RATE, 100, 0.0)
                .series(StandardMetrics.ERROR_RATE, 3, 0.0)
                .then(StandardMetrics.ERROR_RATE, new java.io.IOException("connection refused"));
        MetricAnalysis a = analysis(s, 3, 0, 1);
        a.check(ctx("d1"));
        clock.advance(Duration.ofMinutes(1));
        CheckResult few = a.check(ctx("d1"));
        assertEquals(Verdict.PASS, few.verdict());
        assertTrue(few.detail().contains("only 3 requests, fewer than 10"), few.detail());
        clock.advance(Duration.ofMinutes(1));
        CheckResult broken = a.check(ctx("d1"));
        assertEquals(Verdict.INCONCLUSIVE, broken.verdict());
        assertTrue(broken.detail().contains("source failed: connection refused"), broken.detail());
    }

    @Test
    void everyThresholdIsMeasuredAndOneFailureFailsTheWindow() throws Exception {
        ScriptedSource s = new ScriptedSource().series(StandardMetrics.ERROR_RATE, 500, 0.0, 0.001)
                .series(StandardMetrics.LATENCY_P99, 500, 120, 450);
        MetricAnalysis a = MetricAnalysis.builder("canary-health").source(s)
                .threshold(Threshold.atMost(StandardMetrics.ERROR_RATE, 0.01))
                .threshold(Threshold.atMost(StandardMetrics.LATENCY_P99, 300))
                .schedule(Duration.ofSeconds(30), 3, 0, 0).build();
        a.check(ctx("d"));
        clock.advance(Duration.ofSeconds(30));
        CheckResult r = a.check(ctx("d"));
        assertEquals(Verdict.FAIL, r.verdict());
        assertEquals(0.001, r.measurements().get("error-rate"));
        assertEquals(450.0, r.measurements().get("latency-p99"));
        assertTrue(r.detail().contains("latency-p99=450 > 300"), r.detail());
    }

    @Test
    void deploymentsHaveSeparateTallies() throws Exception {
        ScriptedSource s = new ScriptedSource().series(StandardMetrics.ERROR_RATE, 100, 0.0, 0.5, 0.0, 0.0);
        MetricAnalysis a = analysis(s, 2, 0, 0);
        a.check(ctx("d1"));
        clock.advance(Duration.ofMinutes(1));
        assertEquals(Verdict.FAIL, a.check(ctx("d1")).verdict());
        a.check(ctx("d2"));
        clock.advance(Duration.ofMinutes(1));
        assertEquals(Verdict.PASS, a.check(ctx("d2")).verdict());
    }

    @Test
    void aNewTrafficStepOpensANewWindow() throws Exception {
        ScriptedSource s = new ScriptedSource().series(StandardMetrics.ERROR_RATE, 100, 0.0, 0.0, 0.0, 0.0);
        MetricAnalysis a = analysis(s, 1, 0, 0);
        Routing tenPercent = Routing.of(dev.zdd.api.Route.active(NEW, 1000), dev.zdd.api.Route.active(OLD, 9000));
        Routing quarter = Routing.of(dev.zdd.api.Route.active(NEW, 2500), dev.zdd.api.Route.active(OLD, 7500));
        CheckResult open1 = a.check(ctxWith(tenPercent));
        assertTrue(open1.detail().contains("window opened"), open1.detail());
        clock.advance(Duration.ofMinutes(1));
        assertEquals(1.0, a.check(ctxWith(tenPercent)).measurements().get("measurement"));
        CheckResult open2 = a.check(ctxWith(quarter));
        assertTrue(open2.detail().contains("window opened"), open2.detail());
        assertEquals(1.0, open2.measurements().get("measurement"), "opening is not a measurement");
        clock.advance(Duration.ofMinutes(1));
        assertEquals(2.0, a.check(ctxWith(quarter)).measurements().get("measurement"));
    }

    DeploymentContext ctxWith(Routing r) {
        return new DeploymentContext("d", "shop", "v2", r, List.of(NEW), List.of(OLD), clock);
    }

    @Test
    void stepsAreTheAgreedFragment() {
        MetricAnalysis a = analysis(new ScriptedSource(), 3, 0, 1);
        List<Step> steps = a.steps();
        assertEquals(7, steps.size());
        assertEquals(new Step.Check("canary-health"), steps.get(0));
        for (int i = 0; i < 3; i++) {
            assertEquals(new Step.Pause(Duration.ofMinutes(1)), steps.get(1 + 2 * i));
            assertInstanceOf(Step.Check.class, steps.get(2 + 2 * i));
        }
        assertEquals(Duration.ofMinutes(3), a.schedule().duration());
    }

    @Test
    void badConfigurationNamesTheField() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AnalysisSchedule(Duration.ZERO, 1, 0, 0))
                .getMessage().contains("schedule.interval"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AnalysisSchedule(Duration.ofSeconds(1), 0, 0, 0))
                .getMessage().contains("schedule.measurements"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AnalysisSchedule(Duration.ofSeconds(1), 1, -1, 0))
                .getMessage().contains("schedule.failureLimit must not be negative, was -1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MetricAnalysis.builder("bad name").source(new ScriptedSource())
                .threshold(Threshold.atMost("x", 1)).build()).getMessage().contains("'bad name'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MetricAnalysis.builder("a").source(new ScriptedSource()).build())
                .getMessage().contains("thresholds"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Threshold.atMost("x", Double.NaN))
                .getMessage().contains("threshold.limit of x"));
    }
}
