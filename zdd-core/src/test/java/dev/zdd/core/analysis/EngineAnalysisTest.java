package dev.zdd.core.analysis;

import dev.zdd.api.CheckResult;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.RequestKey;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.Engine;
import dev.zdd.core.report.DeploymentRecorder;
import dev.zdd.core.report.DeploymentTimeline;
import dev.zdd.core.router.InProcessRouter;
import dev.zdd.core.router.RequestInfo;
import dev.zdd.core.strategy.Canary;
import dev.zdd.core.testing.FakeLauncher;
import dev.zdd.core.testing.ScriptedProbe;
import dev.zdd.core.testing.VirtualScheduler;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Analyses run by the real engine in virtual time against the real in-process router; traffic is simulated through
 * the router's leases every virtual second, between and during the steps.
 */
class EngineAnalysisTest {
    final VirtualScheduler time = new VirtualScheduler();
    final Target old1 = Target.of("shop-v1-1", "v1", "127.0.0.1", 9001);
    final Target old2 = Target.of("shop-v1-2", "v1", "127.0.0.1", 9002);
    final InProcessRouter router = InProcessRouter.create();
    final FakeLauncher launcher = new FakeLauncher().adopt(old1, old2);
    final DeploymentRecorder recorder = new DeploymentRecorder();
    final List<DeploymentEvent> events = Collections.synchronizedList(new ArrayList<>());
    static final ProbePolicy POLICY = ProbePolicy.builder().period(Duration.ofSeconds(1)).timeout(Duration.ofMillis(500))
            .failureThreshold(3).deadline(Duration.ofMinutes(1)).build();

    /** Who saw which version while the routing split traffic between versions. */
    final Map<String, Set<String>> seenDuringSplit = new HashMap<>();
    final AtomicLong v2Requests = new AtomicLong();
    final AtomicLong v2Errors = new AtomicLong();

    Engine.Builder engine() {
        router.apply(Routing.evenly(List.of(old1, old2)));
        return Engine.builder().router(router).launcher(launcher).probe(ScriptedProbe.healthy()).probePolicy(POLICY)
                .scheduler(time).executor(time.executor()).listener(recorder).listener(events::add);
    }

    /**
     * Every virtual second, {@code perSecond} requests from users u0..u199 through leases: v2 answers every 20th of its
     * requests with an error when {@code v2Fails}, and takes {@code v2Millis} (v1 takes 40 ms).
     */
    void traffic(Deployment d, int perSecond, boolean v2Fails, double v2Millis) {
        long[] n = {0};
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            if (d.status().isTerminal()) {
                return;
            }
            Routing table = router.current();
            boolean split = table.stickiness() != null && table.servingVersions().size() > 1;
            for (int i = 0; i < perSecond; i++) {
                String user = "u" + (n[0]++ % 200);
                InProcessRouter.Lease lease;
                try {
                    lease = router.acquire(RequestInfo.ofAttribute("user", user));
                } catch (RouterException e) {
                    continue;
                }
                try (lease) {
                    boolean isV2 = lease.target().version().equals("v2");
                    boolean ok = true;
                    if (isV2) {
                        ok = !v2Fails || v2Requests.incrementAndGet() % 20 != 0;
                        if (!ok) {
                            v2Errors.incrementAndGet();
                        }
                    }
                    if (split) {
                        seenDuringSplit.computeIfAbsent(user, k -> new TreeSet<>()).add(lease.target().version());
                    }
                    double ms = isV2 ? v2Millis : 40;
                    lease.complete(ok, Duration.ofNanos((long) (ms * (1 + 0.05 * Math.sin(n[0])) * 1e6)));
                }
            }
            time.schedule(Duration.ofSeconds(1), tick[0]);
        };
        time.schedule(Duration.ZERO, tick[0]);
    }

    DeploymentResult finish(Deployment d) {
        assertTrue(time.runUntil(() -> d.status().isTerminal(), Duration.ofDays(1)), () -> "not terminal: " + d.status());
        assertEquals(List.of(), time.failures(), "scheduler task failures");
        return d.result().orElseThrow();
    }

    double maxShare(String version) {
        return recorder.timeline().traffic().stream().mapToDouble(p -> p.shares().getOrDefault(version, 0.0)).max().orElse(0);
    }

    @Test
    void canaryServingFivePercentErrorsIsRolledBackBeforeHalfTheTraffic() throws Exception {
        MetricAnalysis health = MetricAnalysis.builder("canary-health").source(InProcessRouterMetricSource.of(router))
                .threshold(Threshold.atMost(StandardMetrics.ERROR_RATE, 0.01))
                .threshold(Threshold.atMost(StandardMetrics.LATENCY_P99, 300))
                .schedule(Duration.ofMinutes(1), 3, 0, 1).minRequests(50).build();
        Canary.Builder canary = Canary.builder().weight(5);
        health.addTo(canary).weight(25);
        health.addTo(canary).weight(50);
        health.addTo(canary);
        Engine engine = engine().check(health.name(), health).build();
        Routing before = router.current();
        Deployment d = engine.start(DeploymentSpec.builder("shop", "v2").build(), canary.build());
        traffic(d, 40, true, 30);
        DeploymentResult r = finish(d);

        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.reason());
        assertTrue(r.reason().contains("error-rate="), r.reason());
        assertTrue(maxShare("v2") < 0.5, "rolled back before 50%: max v2 share " + maxShare("v2"));
        assertTrue(maxShare("v2") > 0, "the canary served");
        assertTrue(router.current().sameTrafficAs(before), "traffic exactly as before: " + router.current());
        assertEquals(List.of("shop-v2-1"), launcher.retired().stream().map(Target::id).toList());
        // the failing measurement carries the values, and they are the router's own counts
        DeploymentTimeline t = recorder.timeline();
        DeploymentTimeline.CheckMark fail = t.checks().stream().filter(c -> c.verdict().equals("FAIL")).findFirst().orElseThrow();
        assertTrue(fail.measurements().get("error-rate") > 0.01, fail.detail());
        assertTrue(fail.measurements().get("error-rate.requests") >= 50, fail.detail());
        assertEquals("ROLLED_BACK", t.status());
        recorder.writeTo(Path.of("target", "reports"), "engine-canary-rolled-back");
    }

    @Test
    void healthyCanaryIsPromotedThroughEveryAnalysisStep() {
        MetricAnalysis health = MetricAnalysis.builder("canary-health").source(InProcessRouterMetricSource.of(router))
                .threshold(Threshold.atMost(StandardMetrics.ERROR_RATE, 0.01))
                .schedule(Duration.ofMinutes(1), 2, 0, 1).minRequests(20).build();
        Canary.Builder canary = Canary.builder().weight(10);
        health.addTo(canary).weight(50);
        health.addTo(canary);
        Deployment d = engine().check(health.name(), health).build().start(DeploymentSpec.builder("shop", "v2").build(), canary.build());
        traffic(d, 40, false, 30);
        DeploymentResult r = finish(d);
        assertEquals(DeploymentStatus.SUCCEEDED, r.status(), r.reason());
        assertEquals(Set.of("v2"), router.current().servingVersions());
        long passes = recorder.timeline().checks().stream().filter(c -> c.verdict().equals("PASS")).count();
        assertEquals(6, passes, "two openings and four judged measurements");
    }

    @Test
    void noTrafficRollsBackAsInconclusive() {
        MetricAnalysis health = MetricAnalysis.builder("canary-health").source(InProcessRouterMetricSource.of(router))
                .threshold(Threshold.atMost(StandardMetrics.ERROR_RATE, 0.01))
                .schedule(Duration.ofMinutes(1), 3, 0, 1).build();
        Canary.Builder canary = Canary.builder().weight(10);
        health.addTo(canary);
        Deployment d = engine().check(health.name(), health).build().start(DeploymentSpec.builder("shop", "v2").build(), canary.build());
        DeploymentResult r = finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.reason());
        assertTrue(r.reason().contains("INCONCLUSIVE"), r.reason());
    }

    DeploymentResult canaryAgainstBaseline(double v2Millis) {
        ComparisonAnalysis cmp = ComparisonAnalysis.builder("canary-vs-baseline").source(InProcessRouterMetricSource.of(router))
                .baseline(TargetSelector.withAttribute(WithBaseline.ROLE, WithBaseline.BASELINE))
                .compare(Comparison.increaseIsBad(StandardMetrics.LATENCY_P50))
                .compare(Comparison.increaseIsBad(StandardMetrics.ERROR_RATE).tolerance(0, 0.01).asCritical())
                .schedule(Duration.ofMinutes(1), 4, 0, 1).build();
        Canary.Builder canary = Canary.builder().weight(10);
        cmp.addTo(canary).weight(40);
        cmp.addTo(canary);
        Deployment d = engine().check(cmp.name(), cmp).build()
                .start(DeploymentSpec.builder("shop", "v2").build(), WithBaseline.around(canary.build()));
        traffic(d, 60, false, v2Millis);
        return finish(d);
    }

    @Test
    void slowerCanaryLosesAgainstItsBaselineAndBothAreRetired() throws Exception {
        DeploymentResult r = canaryAgainstBaseline(60);
        Routing before = r.routingBefore();
        assertEquals(Set.of("v1"), before.servingVersions());
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.reason());
        assertTrue(r.reason().contains("latency-p50 canary median"), r.reason());
        assertTrue(maxShare("v2") <= 0.1 + 1e-9, "failed at the first step: " + maxShare("v2"));
        assertTrue(router.current().sameTrafficAs(before), router.current().toString());
        assertEquals(Set.of("shop-v2-1", "shop-v1-baseline"), launcher.retired().stream().map(Target::id)
                .collect(java.util.stream.Collectors.toSet()));
        recorder.writeTo(Path.of("target", "reports"), "engine-canary-vs-baseline");
    }

    @Test
    void canaryAsGoodAsItsBaselineIsPromotedAndTheBaselineRetired() {
        DeploymentResult r = canaryAgainstBaseline(40);
        assertEquals(DeploymentStatus.SUCCEEDED, r.status(), r.reason());
        assertEquals(Set.of("v2"), router.current().servingVersions());
        assertTrue(router.current().route(WithBaseline.baselineId("shop", "v1")).isEmpty(), router.current().toString());
        assertTrue(launcher.retired().stream().anyMatch(WithBaseline::isBaseline), "baseline retired");
        // the baseline had the canary's share in each split step
        assertTrue(recorder.timeline().checks().stream().anyMatch(c -> c.measurements().containsKey("score")
                && c.measurements().get("score") == 100.0));
    }

    @Test
    void abTestWithStickyUsersPromotesTheFasterVersionAndEveryUserSawOneVersion() throws Exception {
        AbTest ab = AbTest.builder("checkout-ab").splitBy(RequestKey.attribute("user"))
                .source(InProcessRouterMetricSource.of(router))
                .decideBy(Comparison.increaseIsBad(StandardMetrics.LATENCY_P50))
                .interval(Duration.ofMinutes(1)).duration(Duration.ofMinutes(5)).build();
        Deployment d = engine().check(ab.name(), ab.check()).build()
                .start(DeploymentSpec.builder("shop", "v2").instances(2).build(), ab);
        traffic(d, 40, false, 20);
        DeploymentResult r = finish(d);

        assertEquals(DeploymentStatus.SUCCEEDED, r.status(), r.reason());
        assertEquals(Set.of("v2"), router.current().servingVersions());
        CheckResult decided = decidingVerdict();
        assertEquals(AbReport.Winner.TREATMENT, AbReport.winnerOf(decided).orElseThrow(), decided.detail());
        assertEquals(200, seenDuringSplit.size(), "every user came during the test");
        seenDuringSplit.forEach((user, versions) -> assertEquals(1, versions.size(), user + " saw " + versions));
        long onV2 = seenDuringSplit.values().stream().filter(v -> v.contains("v2")).count();
        assertTrue(onV2 > 60 && onV2 < 140, "about half the users on v2: " + onV2);
        assertTrue(decided.measurements().get("treatment.requests") > 0 && decided.measurements().get("control.requests") > 0,
                decided.detail());
        recorder.writeTo(Path.of("target", "reports"), "engine-ab-test");
    }

    @Test
    void abTestByRequestCountDecidesOnceEachVersionServedEnough() {
        AbTest ab = AbTest.builder("checkout-ab").splitBy(RequestKey.attribute("user"))
                .source(InProcessRouterMetricSource.of(router))
                .decideBy(Comparison.increaseIsBad(StandardMetrics.LATENCY_P50))
                .interval(Duration.ofSeconds(30)).requests(1500, Duration.ofMinutes(10)).build();
        Deployment d = engine().check(ab.name(), ab.check()).build()
                .start(DeploymentSpec.builder("shop", "v2").instances(1).build(), ab);
        traffic(d, 40, false, 20);
        DeploymentResult r = finish(d);
        assertEquals(DeploymentStatus.SUCCEEDED, r.status(), r.reason());
        CheckResult decided = decidingVerdict();
        assertEquals(AbReport.Winner.TREATMENT, AbReport.winnerOf(decided).orElseThrow(), decided.detail());
        Map<String, Double> m = decided.measurements();
        assertTrue(m.get("treatment.requests") >= 1500 && m.get("control.requests") >= 1500, decided.detail());
        // 40 requests a second, half each: 1500 per version after about 75 s, so the third collection decides
        assertTrue(m.get("treatment.points") <= 4, "decided by the count, not at the end: " + decided.detail());
        seenDuringSplit.forEach((user, versions) -> assertEquals(1, versions.size(), user + " saw " + versions));
    }

    @Test
    void manualAbDecisionWaitsForAPersonAndAbortKeepsTheControl() {
        AbTest ab = AbTest.builder("checkout-ab").splitBy(RequestKey.attribute("user"))
                .source(InProcessRouterMetricSource.of(router))
                .decideBy(Comparison.increaseIsBad(StandardMetrics.LATENCY_P50))
                .interval(Duration.ofMinutes(1)).duration(Duration.ofMinutes(3))
                .decision(AbTest.Decision.MANUAL, Duration.ofHours(4)).build();
        Deployment d = engine().check(ab.name(), ab.check()).build().start(DeploymentSpec.builder("shop", "v2").instances(1).build(), ab);
        traffic(d, 40, false, 60);
        assertTrue(time.runUntil(() -> decidingVerdictOrNull() != null, Duration.ofHours(1)));
        time.advance(Duration.ofMinutes(30));
        assertEquals(DeploymentStatus.RUNNING, d.status(), "waiting at the decision gate");
        assertEquals(AbReport.Winner.CONTROL, AbReport.winnerOf(decidingVerdict()).orElseThrow());
        d.abort("the report says v1 is faster");
        DeploymentResult r = finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.reason());
        assertEquals(Set.of("v1"), router.current().servingVersions());
    }

    @Test
    void abTestRegisteredOnceRollsBackFromItsOwnVerdictOnceTheCountIsReachedWhenTheControlIsFaster() {
        AbTest ab = AbTest.builder("checkout-ab").splitBy(RequestKey.attribute("user"))
                .source(InProcessRouterMetricSource.of(router))
                .decideBy(Comparison.increaseIsBad(StandardMetrics.LATENCY_P50)).minPoints(4)
                .interval(Duration.ofSeconds(30)).requests(1500, Duration.ofHours(1)).build();
        Deployment d = engine().check(ab.name(), ab.check()).build()
                .start(DeploymentSpec.builder("shop", "v2").instances(1).build(), ab);
        traffic(d, 40, false, 60);
        DeploymentResult r = finish(d);

        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.reason());
        assertTrue(r.reason().contains("winner CONTROL"), r.reason());
        assertEquals(Set.of("v1"), router.current().servingVersions());
        assertEquals(AbReport.Winner.CONTROL, AbReport.winnerOf(decidingVerdict()).orElseThrow());
        long verdicts = events.stream().filter(e -> e instanceof DeploymentEvent.CheckVerdict).count();
        // the opening check and 4 collections (4 values each, 1500 requests each after ~75 s) of the 120 planned
        assertEquals(5, verdicts, "the engine acted on the deciding verdict at once: " + verdicts);
        seenDuringSplit.forEach((user, versions) -> assertEquals(1, versions.size(), user + " saw " + versions));
    }

    @Test
    void theEngineAsksARegisteredCheckForItsPerRunCheckOncePerDeployment() {
        List<String> runs = Collections.synchronizedList(new ArrayList<>());
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        dev.zdd.api.DeploymentCheck registered = new dev.zdd.api.DeploymentCheck() {
            @Override
            public CheckResult check(dev.zdd.api.DeploymentContext c) {
                throw new AssertionError("the engine runs the per-run check");
            }

            @Override
            public dev.zdd.api.DeploymentCheck forDeployment(String id) {
                runs.add(id);
                int[] n = {0};
                return c -> {
                    calls.add(c.deploymentId() + "#" + ++n[0]);
                    return CheckResult.pass("call " + n[0]);
                };
            }
        };
        Engine engine = engine().check("per-run", registered).build();
        dev.zdd.api.Plan plan = new dev.zdd.api.Plan("checks", List.of(new dev.zdd.api.Step.Check("per-run"),
                new dev.zdd.api.Step.Pause(Duration.ofSeconds(1)), new dev.zdd.api.Step.Check("per-run"),
                new dev.zdd.api.Step.Verify(List.of(), Duration.ofSeconds(3), List.of("per-run"), Duration.ofSeconds(1))));
        Deployment first = engine.start(DeploymentSpec.builder("shop", "v1").build(), plan);
        assertEquals(DeploymentStatus.SUCCEEDED, finish(first).status(), first.result().orElseThrow().reason());
        Deployment second = engine.start(DeploymentSpec.builder("shop", "v1").build(), plan);
        assertEquals(DeploymentStatus.SUCCEEDED, finish(second).status(), second.result().orElseThrow().reason());

        assertEquals(List.of(first.id(), second.id()), runs, "one per-run check per deployment");
        assertEquals(first.id() + "#1", calls.get(0));
        assertEquals(first.id() + "#2", calls.get(1));
        assertTrue(calls.contains(first.id() + "#3") && calls.contains(second.id() + "#3"), calls.toString());
        assertEquals(second.id() + "#1", calls.stream().filter(c -> c.startsWith(second.id() + "#")).findFirst().orElseThrow(),
                "the second run counts from 1: " + calls);
    }

    /** The A/B test's deciding verdict, from the engine's check-verdict events; null before. */
    CheckResult decidingVerdictOrNull() {
        synchronized (events) {
            for (DeploymentEvent e : events) {
                if (e instanceof DeploymentEvent.CheckVerdict v && AbReport.winnerOf(v.result()).isPresent()) {
                    return v.result();
                }
            }
        }
        return null;
    }

    CheckResult decidingVerdict() {
        CheckResult r = decidingVerdictOrNull();
        assertTrue(r != null, "the a/b test decided: " + events);
        return r;
    }
}
