package dev.zdd.haproxy;

import dev.zdd.api.CheckResult;
import dev.zdd.api.ConnectionStats;
import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.Plan;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.RouteState;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Step;
import dev.zdd.api.StepOutcome;
import dev.zdd.api.Target;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.Engine;
import dev.zdd.core.Schedulers;
import dev.zdd.core.probe.HttpProbe;
import dev.zdd.core.strategy.BlueGreen;
import dev.zdd.core.strategy.Canary;
import dev.zdd.core.strategy.Rolling;
import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.core.testing.RouterConformance;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.haproxy.testing.LocalHaproxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * End to end through a real HAProxy 2.6 on 127.0.0.1: the router passes {@link RouterConformance} with a verifier that
 * sends real requests through HAProxy, and {@link Engine} deployments (blue-green with preview, canary 1/10/50 %,
 * rolling, rollback of a failing canary, HAProxy down or restarted mid-deployment) run with real {@link TestBackend}s,
 * a real {@link HttpProbe} and real time, every outcome checked with real requests.
 */
class HaproxyEngineIT {
    static final RequestKey KEY = RequestKey.header(RouterConformance.KEY_HEADER);
    static final ProbePolicy POLICY = ProbePolicy.builder().period(Duration.ofMillis(100)).timeout(Duration.ofSeconds(2))
            .deadline(Duration.ofSeconds(20)).build();
    static final Duration RESULT_TIMEOUT = Duration.ofSeconds(90);

    static Path haproxyExe;
    static TestBackend v1a;
    static TestBackend v1b;
    static TestBackend v2a;
    static TestBackend v2b;
    static Target blue;
    static Target green;
    static Target blue2;
    static Target green2;

    @TempDir
    Path dir;
    LocalHaproxy haproxy;
    HaproxyRouter router;
    RoutingMaps maps;
    CountingRouter counting;
    final ConcurrentLinkedQueue<DeploymentEvent> events = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void backends() throws Exception {
        Optional<Path> exe = IntegrationEnvironment.find("haproxy", "apt-get install haproxy");
        assumeTrue(exe.isPresent(), "haproxy is not installed (apt-get install haproxy)");
        haproxyExe = exe.get();
        v1a = TestBackend.start("v1");
        v1b = TestBackend.start("v1");
        v2a = TestBackend.start("v2");
        v2b = TestBackend.start("v2");
        blue = v1a.target("blue");
        green = v2a.target("green");
        blue2 = v1b.target("blue-2");    // dynamic servers: added at runtime by the router
        green2 = v2b.target("green-2");
    }

    @AfterAll
    static void stopBackends() {
        for (TestBackend b : new TestBackend[] {v1a, v1b, v2a, v2b}) {
            if (b != null) {
                b.close();
            }
        }
    }

    @BeforeEach
    void startHaproxy() throws Exception {
        for (TestBackend b : new TestBackend[] {v1a, v1b, v2a, v2b}) {
            b.healthy(true);
            b.failRequests(false);
        }
        Files.writeString(dir.resolve("sticky.map"), "");
        Files.writeString(dir.resolve("rules.map"), "");
        maps = RoutingMaps.builder().sticky(KEY, dir.resolve("sticky.map")).rules(KEY, dir.resolve("rules.map"))
                .build();
        haproxy = LocalHaproxy.builder(haproxyExe, dir).backendLines(maps.backendConfig())
                .server("blue", v1a.endpoint(), 256, true).server("green", v2a.endpoint(), 256, false).start();
        router = HaproxyRouter.builder(haproxy.client(), LocalHaproxy.BACKEND).server("blue", blue).server("green", green)
                .dynamicServers(true).deleteTimeout(Duration.ofSeconds(2)).routingMaps(maps).build();
        counting = new CountingRouter(router);
    }

    @AfterEach
    void stopHaproxy() {
        if (haproxy != null) {
            haproxy.close();
        }
    }

    Engine.Builder engine() {
        return Engine.builder().router(counting).probe(HttpProbe.create()).probePolicy(POLICY)
                .scheduler(Schedulers.system()).listener(events::add);
    }

    int port() {
        return haproxy.frontendPort();
    }

    // ------------------------------------------------------------------ conformance

    @Test
    void passesRouterConformanceWithRealRequestsThroughHaproxy() {
        RouterConformance.Report report = RouterConformance.check(router, List.of(blue, green, blue2),
                RouterConformance.Options.builder().name("HaproxyRouter").verifier(this::verifyDataPath)
                        .newInstance(() -> HaproxyRouter.builder(haproxy.client(), LocalHaproxy.BACKEND).server("blue", blue)
                                .server("green", green).dynamicServers(true).deleteTimeout(Duration.ofSeconds(2))
                                .routingMaps(maps).stateFile(router.stateFile()).build()).build());
        assertEquals(List.of(), report.skipped());
        assertEquals(List.of("one target", "idempotent", "switch", "even split", "uneven split",
                "canary step 0.5% (refused: not declared)", "canary step 1.0%",
                "inexpressible weight (refused: not declared)", "drain", "back from drain", "stickiness", "rules",
                "rules to a weight-0 version", "rollback", "new instance", "restore original"), report.passed());
    }

    /** Real requests through HAProxy agree with {@code table}: weights, stickiness, rules (also to weight-0 servers). */
    void verifyDataPath(Routing table) {
        Map<String, Long> byVersion = new TreeMap<>();
        for (Route r : table.routes()) {
            if (r.serving()) {
                byVersion.merge(r.target().version(), (long) r.weight(), Long::sum);
            }
        }
        // HAProxy's weighted round robin needs a while after a weight change to reach its long-run shares (a server
        // whose weight just rose may answer a few dozen requests in a row), so sample until every version with 10 % or
        // more has answered, at most 600 requests; no request may reach a version without a share
        Map<String, Integer> seen = new TreeMap<>();
        int sent = 0;
        while (sent < 600) {
            seen.putAll(merge(seen, sample(20, Map.of())));
            sent += 20;
            for (String v : seen.keySet()) {
                assertTrue(byVersion.containsKey(v), "answer '" + v + "' for " + table + " (" + sent + " requests: " + seen + ")");
            }
            if (byVersion.entrySet().stream().allMatch(e -> e.getValue() * 10 < table.servingWeight()
                    || seen.containsKey(e.getKey()))) {
                break;
            }
        }
        int total = sent;
        byVersion.forEach((v, w) -> {
            if (w * 10 >= table.servingWeight()) {
                assertTrue(seen.containsKey(v), "no answer from " + v + " for " + table + " (" + total + " requests: " + seen + ")");
            }
        });
        if (table.stickiness() != null) {
            for (int u = 0; u < 10; u++) {
                Map<String, Integer> user = sample(4, Map.of(RouterConformance.KEY_HEADER, "user" + u));
                assertEquals(1, user.size(), "user" + u + " moved between versions: " + user + " for " + table);
                assertTrue(byVersion.keySet().containsAll(user.keySet()), "user" + u + " got " + user + " for " + table);
            }
        }
        for (Rule rule : table.rules()) {
            boolean reachable = table.routes().stream().anyMatch(
                    r -> r.state() == RouteState.ACTIVE && r.target().version().equals(rule.version()));
            assertTrue(reachable, "the conformance check only applies rules to versions with ACTIVE targets: " + table);
            for (String value : rule.values()) {
                Map<String, Integer> matched = sample(10, Map.of(RouterConformance.KEY_HEADER, value));
                assertEquals(Map.of(rule.version(), 10), matched, "requests with " + rule.key() + "=" + value
                        + " for " + table);
            }
        }
    }

    static Map<String, Integer> merge(Map<String, Integer> a, Map<String, Integer> b) {
        Map<String, Integer> out = new TreeMap<>(a);
        b.forEach((k, v) -> out.merge(k, v, Integer::sum));
        return out;
    }

    Map<String, Integer> sample(int n, Map<String, String> headers) {
        Map<String, Integer> seen = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            try {
                seen.merge(Http.get(port(), headers), 1, Integer::sum);
            } catch (Exception e) {
                throw new AssertionError("request through HAProxy failed: " + e, e);
            }
        }
        return seen;
    }

    // ------------------------------------------------------------------ deployments

    @Test
    void blueGreenWithPreviewThroughHaproxyUnderLoad() throws Exception {
        router.apply(Routing.of(Route.active(blue, 10_000)));
        DeploymentSpec spec = DeploymentSpec.builder("svc", "v2").targets(green).build();
        BlueGreen strategy = BlueGreen.builder().preview(KEY, "preview").previewGate("preview-ok", Duration.ofMinutes(2))
                .rollbackWindow(Duration.ZERO).drainTimeout(Duration.ofSeconds(2)).build();
        Plan plan = engine().build().plan(spec, strategy);
        int gate = indexOf(plan, Step.Gate.class);
        try (Http.Load load = new Http.Load(port(), 4, Duration.ofSeconds(90))) {
            Deployment d = engine().build().start(spec, plan);
            awaitStarted(d, gate);

            // preview: testers reach v2 (ACTIVE, weight 0) through the rule, everybody else stays on v1
            assertEquals(Map.of("v2", 20), sample(20, Map.of(RouterConformance.KEY_HEADER, "preview")));
            assertEquals(Map.of("v1", 40), sample(40, Map.of()));
            assertTrue(router.current().sameTrafficAs(Routing.of(Route.active(green, 0), Route.active(blue, 10_000))
                    .withRules(List.of(Rule.match(KEY, Set.of("preview"), "v2")))), router.current().toString());
            long v2Before = v2a.requests();
            assertEquals(Map.of("v1", 40), sample(40, Map.of()));
            assertEquals(v2Before, v2a.requests(), "v2 got traffic without the preview header");

            d.promote();
            DeploymentResult r = d.await(RESULT_TIMEOUT);
            assertEquals(DeploymentStatus.SUCCEEDED, r.status(), r.toString());
            load.stop();
            assertEquals(0, load.failed(), "failed requests during the deployment: " + load.failures);
            assertTrue(load.versions.containsKey("v1") && load.versions.containsKey("v2"), "load saw " + load.versions);
        }
        assertTrue(router.current().sameTrafficAs(Routing.of(Route.active(green, 10_000))), router.current().toString());
        assertEquals(Map.of("v2", 40), sample(40, Map.of()));
        assertEquals(Map.of("v2", 10), sample(10, Map.of(RouterConformance.KEY_HEADER, "preview")));
    }

    @Test
    void canaryStepsOf1And10And50PercentThroughHaproxy() throws Exception {
        router.apply(Routing.of(Route.active(blue, 10_000)));
        DeploymentSpec spec = DeploymentSpec.builder("svc", "v2").targets(green).build();
        Canary canary = Canary.builder().weight(1).gate("at-1", Duration.ofMinutes(2)).weight(10)
                .gate("at-10", Duration.ofMinutes(2)).weight(50).gate("at-50", Duration.ofMinutes(2))
                .drainTimeout(Duration.ofSeconds(2)).build();
        Plan plan = engine().build().plan(spec, canary);
        List<Integer> gates = indexesOf(plan, Step.Gate.class);
        assertEquals(3, gates.size(), plan.render());
        Deployment d = engine().build().start(spec, plan);
        // HAProxy weights out of 256: 1 % -> 3/259 = 1.16 %, 10 % -> 28/284 = 9.86 %, 50 % -> 256/512. Expected of 1036
        // sequential requests: 12, 102, 518; the bounds leave room for round robin's catch-up after a weight change
        int[][] bounds = {{2, 40}, {60, 150}, {430, 610}};
        List<Integer> shares = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            awaitStarted(d, gates.get(i));
            Map<String, Integer> seen = sample(1036, Map.of());
            int v2 = seen.getOrDefault("v2", 0);
            assertEquals(1036, seen.getOrDefault("v1", 0) + v2, "step " + i + ": " + seen);
            shares.add(v2);
            assertTrue(v2 >= bounds[i][0] && v2 <= bounds[i][1], "step " + i + ": v2 answered " + v2 + " of 1036, want "
                    + bounds[i][0] + ".." + bounds[i][1] + " (" + seen + ")");
            d.promote();
        }
        System.out.println("canary v2 answers of 1036 requests at 1/10/50 %: " + shares);
        DeploymentResult r = d.await(RESULT_TIMEOUT);
        assertEquals(DeploymentStatus.SUCCEEDED, r.status(), r.toString());
        assertTrue(router.current().sameTrafficAs(Routing.of(Route.active(green, 10_000))), router.current().toString());
        assertEquals(Map.of("v2", 50), sample(50, Map.of()));
    }

    @Test
    void rollingThroughHaproxyUnderLoadWithDynamicServers() throws Exception {
        Routing before = Routing.of(Route.active(blue, 5000), Route.active(blue2, 5000));
        router.apply(before);
        assertEquals(Map.of("v1", 20), sample(20, Map.of()));
        try (Http.Load load = new Http.Load(port(), 4, Duration.ofSeconds(90))) {
            DeploymentResult r = engine().build().start(DeploymentSpec.builder("svc", "v2").targets(green, green2).build(),
                    Rolling.builder().drainTimeout(Duration.ofSeconds(2)).build()).await(RESULT_TIMEOUT);
            assertEquals(DeploymentStatus.SUCCEEDED, r.status(), r.toString());
            load.stop();
            assertEquals(0, load.failed(), "failed requests during the deployment: " + load.failures);
            assertTrue(load.versions.containsKey("v1") && load.versions.containsKey("v2"), "load saw " + load.versions);
        }
        assertTrue(router.current().sameTrafficAs(Routing.of(Route.active(green, 5000), Route.active(green2, 5000))),
                router.current().toString());
        long a = v2a.requests();
        long b = v2b.requests();
        assertEquals(Map.of("v2", 40), sample(40, Map.of()));
        assertEquals(40, v2a.requests() - a + v2b.requests() - b);
        assertTrue(v2a.requests() - a >= 10 && v2b.requests() - b >= 10, "both new servers serve");
    }

    @Test
    void canaryAnsweringErrorsIsRolledBackAndTrafficReturnsToTheOldVersion() throws Exception {
        Routing before = Routing.of(Route.active(blue, 10_000));
        router.apply(before);
        HaproxyMetrics metrics = HaproxyMetrics.of(haproxy.client(), LocalHaproxy.BACKEND);
        var start = metrics.read();
        // healthy by its probe, but every request fails: only the error-rate check through HAProxy's counters sees it
        v2a.failRequests(true);
        Engine engine = engine().check("error-rate", ctx -> {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                ServerMetrics m = HaproxyMetrics.delta(start, metrics.read()).get("green");
                if (m != null && m.requests() >= 10) {
                    String detail = String.format(java.util.Locale.ROOT, "green: %d of %d requests 5xx (%.0f %%)",
                            m.errors5xx(), m.requests(), 100 * m.errorRate());
                    return m.errorRate() > 0.05 ? CheckResult.fail(detail) : CheckResult.pass(detail);
                }
                if (System.nanoTime() - deadline >= 0) {
                    return CheckResult.inconclusive("fewer than 10 requests reached the canary: " + m);
                }
                Thread.sleep(100);
            }
        }).build();
        DeploymentSpec spec = DeploymentSpec.builder("svc", "v2").targets(green).build();
        Plan plan = engine.plan(spec, Canary.builder().weight(10).check("error-rate").weight(50).build());
        int check = indexOf(plan, Step.Check.class);
        DeploymentResult r;
        try (Http.Load load = new Http.Load(port(), 4, Duration.ofSeconds(90))) {
            r = engine.start(spec, plan).await(RESULT_TIMEOUT);
            load.stop();
            assertEquals(Set.of("status_500"), load.failures.keySet(), "only the canary's own errors: " + load.failures);
        }
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.toString());
        assertTrue(r.reason().matches("step " + (check + 1) + "/" + plan.steps().size() + " \\(check 'error-rate'\\) failed: "
                + "check 'error-rate': FAIL - green: (\\d+) of \\1 requests 5xx \\(100 %\\)"), r.reason());
        assertEquals(List.of(), r.leftovers());
        assertTrue(router.current().sameTrafficAs(before), router.current().toString());
        long v2Requests = v2a.requests();
        assertEquals(Map.of("v1", 100), sample(100, Map.of()));
        assertEquals(v2Requests, v2a.requests(), "the canary still gets traffic after the rollback");

        // a canary failing its health checks never gets traffic: the router is not touched at all
        v2b.healthy(false);
        int applies = counting.applies.get();
        DeploymentResult unhealthy = engine.start(DeploymentSpec.builder("svc", "v2").targets(green2).build(),
                Canary.builder().weight(10).build()).await(RESULT_TIMEOUT);
        assertEquals(DeploymentStatus.ROLLED_BACK, unhealthy.status(), unhealthy.toString());
        assertTrue(unhealthy.reason().contains("target green-2 failed its health checks: 3 consecutive UNHEALTHY answers"),
                unhealthy.reason());
        assertEquals(applies, counting.applies.get(), "no apply for a canary that never became healthy");
        assertTrue(router.current().sameTrafficAs(before), router.current().toString());
        assertEquals(Map.of("v1", 50), sample(50, Map.of()));
    }

    @Test
    void haproxyRestartedMidDeploymentReportsTheErrorThenRollsBack() throws Exception {
        Routing before = Routing.of(Route.active(blue, 10_000));
        router.apply(before);
        DeploymentSpec spec = DeploymentSpec.builder("svc", "v2").targets(green).build();
        Plan plan = engine().build().plan(spec, Canary.builder().weight(10).gate("hold", Duration.ofMinutes(2))
                .weight(50).drainTimeout(Duration.ofSeconds(2)).build());
        int gate = indexOf(plan, Step.Gate.class);
        Deployment d = engine().build().start(spec, plan);
        awaitStarted(d, gate);
        assertTrue(sample(100, Map.of()).getOrDefault("v2", 0) > 0, "the canary gets its 10 %");

        haproxy.stop();
        int failedBefore = counting.failedApplies.get();
        d.promote();
        DeploymentEvent.StepEnded failed = awaitEnded(StepOutcome.Outcome.FAILED, gate + 1);
        assertTrue(failed.detail().startsWith("router.apply failed: apply to HAProxy backend 'app' failed at step 'read servers': "),
                failed.detail());
        assertTrue(failed.detail().contains(haproxy.socket().toString()), failed.detail());
        DeploymentEvent.RollbackStarted rollback = await().atMost(Duration.ofSeconds(60)).until(() -> events.stream()
                .filter(DeploymentEvent.RollbackStarted.class::isInstance).map(DeploymentEvent.RollbackStarted.class::cast)
                .findFirst(), java.util.Optional::isPresent).orElseThrow();
        assertTrue(rollback.reason().contains("apply to HAProxy backend 'app' failed at step 'read servers'"),
                rollback.reason());
        // the shift and the first restore attempt both failed on the dead socket; the engine now backs off
        await().atMost(Duration.ofSeconds(30)).until(() -> counting.failedApplies.get() >= failedBefore + 2);
        assertEquals(DeploymentStatus.ROLLING_BACK, d.status());

        haproxy.restart();
        DeploymentResult r = d.await(RESULT_TIMEOUT);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.toString());
        assertTrue(r.reason().startsWith("step " + (gate + 2) + "/" + plan.steps().size() + " (shift traffic "), r.reason());
        assertTrue(r.reason().contains("failed: apply to HAProxy backend 'app' failed at step 'read servers'"), r.reason());
        StepOutcome restore = rollbackAction(r, "rollback: restore routing");
        assertEquals(StepOutcome.Outcome.SUCCEEDED, restore.outcome(), restore.toString());
        assertTrue(restore.detail().matches("traffic restored to the routing read before the deployment at attempt [234] "
                + "\\(attempt 1: apply to HAProxy backend 'app' failed at step 'read servers'.*"), restore.detail());
        assertEquals(List.of(), r.leftovers());
        assertTrue(router.current().sameTrafficAs(before), router.current().toString());
        assertEquals(Map.of("v1", 100), sample(100, Map.of()));
    }

    @Test
    void haproxyDownForTheWholeRollbackEndsFailedWithPreciseLeftovers() throws Exception {
        Routing before = Routing.of(Route.active(blue, 10_000));
        router.apply(before);
        DeploymentSpec spec = DeploymentSpec.builder("svc", "v2").targets(green).build();
        Plan plan = engine().build().plan(spec, Canary.builder().weight(10).gate("hold", Duration.ofMinutes(2))
                .weight(50).drainTimeout(Duration.ofSeconds(2)).build());
        int gate = indexOf(plan, Step.Gate.class);
        Deployment d = engine().build().start(spec, plan);
        awaitStarted(d, gate);
        Routing canary = router.current();
        assertTrue(canary.sameTrafficAs(Routing.of(Route.active(green, 1000), Route.active(blue, 9000))), canary.toString());

        haproxy.stop();
        d.promote();
        // four restore attempts (backoff 1 s, 2 s, 4 s), then FAILED
        DeploymentResult r = d.await(RESULT_TIMEOUT);
        assertEquals(DeploymentStatus.FAILED, r.status(), r.toString());
        assertEquals(1, r.leftovers().size(), r.leftovers().toString());
        String leftover = r.leftovers().get(0);
        assertTrue(leftover.startsWith("traffic not restored (router said: apply to HAProxy backend 'app' failed at step "
                + "'read servers': "), leftover);
        assertTrue(leftover.endsWith("): apply " + r.routingBefore() + " by hand"), leftover);
        assertTrue(r.routingBefore().sameTrafficAs(before), r.routingBefore().toString());
        assertTrue(r.routingAfter().sameTrafficAs(canary), "unreadable router: the last applied table, " + r.routingAfter());
        StepOutcome restore = rollbackAction(r, "rollback: restore routing");
        assertEquals(StepOutcome.Outcome.FAILED, restore.outcome(), restore.toString());
        assertTrue(restore.detail().startsWith("traffic not restored after 4 attempts: attempt 1: "), restore.detail());
        assertEquals(5, counting.failedApplies.get(), "the shift and four restore attempts");

        // a person follows the leftover: HAProxy back, the table applied by hand
        haproxy.restart();
        router.apply(r.routingBefore());
        assertTrue(router.current().sameTrafficAs(before), router.current().toString());
        assertEquals(Map.of("v1", 100), sample(100, Map.of()));
    }

    // ------------------------------------------------------------------ helpers

    static int indexOf(Plan plan, Class<? extends Step> type) {
        List<Integer> all = indexesOf(plan, type);
        assertEquals(1, all.size(), plan.render());
        return all.get(0);
    }

    static List<Integer> indexesOf(Plan plan, Class<? extends Step> type) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < plan.steps().size(); i++) {
            if (type.isInstance(plan.steps().get(i))) {
                out.add(i);
            }
        }
        return out;
    }

    void awaitStarted(Deployment d, int stepIndex) {
        await().atMost(Duration.ofSeconds(60)).until(() -> d.status().isTerminal() || events.stream().anyMatch(
                e -> e instanceof DeploymentEvent.StepStarted s && s.index() == stepIndex));
        assertFalse(d.status().isTerminal(), () -> "ended before step " + stepIndex + ": " + d.result());
    }

    /** Waits for the end of step {@code stepIndex} with {@code outcome} and returns it. */
    DeploymentEvent.StepEnded awaitEnded(StepOutcome.Outcome outcome, int stepIndex) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> events.stream()
                .filter(DeploymentEvent.StepEnded.class::isInstance).map(DeploymentEvent.StepEnded.class::cast)
                .filter(e -> e.outcome() == outcome && e.index() == stepIndex).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
    }

    static StepOutcome rollbackAction(DeploymentResult r, String name) {
        return r.steps().stream().filter(s -> s.index() == -1 && s.step().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + name + "' in " + r.steps()));
    }

    /** The real router, counting apply calls and failures, so the test can tell where the engine's rollback is. */
    static final class CountingRouter implements TrafficRouter, ConnectionStats {
        final HaproxyRouter delegate;
        final AtomicInteger applies = new AtomicInteger();
        final AtomicInteger failedApplies = new AtomicInteger();

        CountingRouter(HaproxyRouter delegate) {
            this.delegate = delegate;
        }

        @Override
        public RouterCapabilities capabilities() {
            return delegate.capabilities();
        }

        @Override
        public void apply(Routing routing) {
            applies.incrementAndGet();
            try {
                delegate.apply(routing);
            } catch (RuntimeException e) {
                failedApplies.incrementAndGet();
                throw e;
            }
        }

        @Override
        public Routing current() {
            return delegate.current();
        }

        @Override
        public Map<String, Integer> activeConnections() {
            return delegate.activeConnections();
        }
    }
}
