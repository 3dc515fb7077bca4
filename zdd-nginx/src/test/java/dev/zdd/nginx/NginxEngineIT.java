package dev.zdd.nginx;

import dev.zdd.api.CheckResult;
import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.HealthStatus;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.api.TrafficRouter;
import dev.zdd.core.Engine;
import dev.zdd.core.Schedulers;
import dev.zdd.core.probe.HttpProbe;
import dev.zdd.core.router.CompositeRouter;
import dev.zdd.core.strategy.BlueGreen;
import dev.zdd.core.strategy.Canary;
import dev.zdd.core.strategy.Rolling;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.nginx.testing.TestNginx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine and the shipped strategies deploying through a real nginx (or two) to real HTTP backends, probed with the
 * real {@link HttpProbe}, in real time. Every traffic claim is checked with real requests through nginx.
 */
class NginxEngineIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration GATE = Duration.ofMinutes(2);
    private static final Duration SHORT = Duration.ofMillis(200);
    private static final ProbePolicy FAST = ProbePolicy.builder().period(Duration.ofMillis(100))
            .timeout(Duration.ofSeconds(1)).successThreshold(1).failureThreshold(2).deadline(Duration.ofSeconds(20))
            .build();
    private NginxFixture fixture;
    private final List<DeploymentEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void findNginx() {
        fixture = new NginxFixture();
    }

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private TestBackend backend(String version) throws IOException {
        return fixture.backend(version);
    }

    /** A started nginx whose router serves {@code initial}. */
    private NginxRouter nginx(Routing initial, List<TestNginx> into) throws IOException {
        NginxFixture.Running running = fixture.start("app", initial);
        into.add(running.nginx());
        return running.router();
    }

    private Engine.Builder engine(TrafficRouter router) {
        return Engine.builder().router(router).probe(HttpProbe.create()).probePolicy(FAST)
                .scheduler(Schedulers.system()).stepDeadline(Duration.ofSeconds(30)).listener(events::add);
    }

    private DeploymentResult finish(Deployment d) throws Exception {
        return d.await(WAIT);
    }

    /** Waits until the deployment has started the step whose description starts with {@code prefix}. */
    private void awaitStep(String prefix) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> events.stream().anyMatch(
                e -> e instanceof DeploymentEvent.StepStarted s && s.step().startsWith(prefix)));
    }

    private static Map<String, Integer> count(TestNginx n, int requests, Map<String, String> headers) throws IOException {
        return Http.count(n.port(), requests, headers);
    }

    private static int share(Map<String, Integer> counts, String version) {
        return counts.getOrDefault(version, 0);
    }

    @Test
    void blueGreenWithPreviewThroughTheRule() throws Exception {
        TestBackend blue = backend("v1");
        TestBackend green = backend("v2");
        Target blue1 = blue.target("blue-1", Map.of(Target.COLOUR, "blue"));
        Routing before = Routing.of(Route.active(blue1, 10000));
        List<TestNginx> ns = new ArrayList<>();
        NginxRouter router = nginx(before, ns);
        TestNginx n = ns.get(0);

        Deployment d = engine(router).build().start(
                DeploymentSpec.builder("app", "v2").targets(green.target("green-1", Map.of(Target.COLOUR, "green")))
                        .build(),
                BlueGreen.builder().preview().previewGate("qa", GATE).rollbackWindow(SHORT).drainTimeout(SHORT).build());
        awaitStep("manual gate 'qa'");
        assertEquals(Map.of("v2", 20), count(n, 20, Map.of("X-Preview", "1")), "the preview rule reaches green");
        assertEquals(Map.of("v1", 20), count(n, 20, Map.of()), "everybody else stays on blue");
        assertEquals(Map.of("v1", 20), count(n, 20, Map.of("X-Preview", "0")), "the rule matches exactly");
        d.promote();

        DeploymentResult r = finish(d);
        assertEquals(DeploymentStatus.SUCCEEDED, r.status(), r.reason());
        assertEquals(Routing.of(Route.active(green.target("green-1", Map.of(Target.COLOUR, "green")), 10000)),
                router.current());
        assertEquals(Map.of("v2", 20), count(n, 20, Map.of()));
        assertEquals(Map.of("v2", 20), count(n, 20, Map.of("X-Preview", "1")));
    }

    @Test
    void stickyCanaryMovesUsersOnlyFromOldToNew() throws Exception {
        TestBackend old = backend("v1");
        TestBackend canary = backend("v2");
        Routing before = Routing.of(Route.active(old.target("old-1"), 10000));
        List<TestNginx> ns = new ArrayList<>();
        NginxRouter router = nginx(before, ns);
        TestNginx n = ns.get(0);

        Deployment d = engine(router).build().start(
                DeploymentSpec.builder("app", "v2").targets(canary.target("canary-1")).build(),
                Canary.builder().stickyOn(RequestKey.header("X-User"))
                        .weight(10).gate("at-10", GATE)
                        .weight(50).gate("at-50", GATE)
                        .drainTimeout(SHORT).build());
        int users = 300;
        awaitStep("manual gate 'at-10'");
        Map<String, String> at10 = versionsOf(n, users);
        d.promote();
        awaitStep("manual gate 'at-50'");
        Map<String, String> at50 = versionsOf(n, users);
        d.promote();
        DeploymentResult r = finish(d);
        assertEquals(DeploymentStatus.SUCCEEDED, r.status(), r.reason());
        Map<String, String> after = versionsOf(n, users);

        long new10 = at10.values().stream().filter("v2"::equals).count();
        long new50 = at50.values().stream().filter("v2"::equals).count();
        // 300 users hashed by MurmurHash2: about 30 and 150; the bounds are several standard deviations wide
        assertTrue(new10 >= 10 && new10 <= 60, "users on v2 at 10%: " + new10);
        assertTrue(new50 >= 110 && new50 <= 190, "users on v2 at 50%: " + new50);
        for (int u = 0; u < users; u++) {
            String key = "user-" + u;
            if (at10.get(key).equals("v2")) {
                assertEquals("v2", at50.get(key), key + " reached v2 at 10% and must stay there at 50%");
            }
            assertEquals("v2", after.get(key), key + " after the promotion");
        }
    }

    /** Each user's version, asked twice: a user must get the same version both times. */
    private static Map<String, String> versionsOf(TestNginx n, int users) throws IOException {
        Map<String, String> out = new HashMap<>();
        for (int u = 0; u < users; u++) {
            String key = "user-" + u;
            String first = Http.version(n.port(), Map.of("X-User", key));
            String second = Http.version(n.port(), Map.of("X-User", key));
            assertEquals(first, second, key + " is sticky within one step");
            out.put(key, first);
        }
        return out;
    }

    @Test
    void rollingUnderLoadLosesNoRequest() throws Exception {
        TestBackend o1 = backend("v1");
        TestBackend o2 = backend("v1");
        TestBackend n1 = backend("v2");
        TestBackend n2 = backend("v2");
        Routing before = Routing.of(Route.active(o1.target("old-1"), 5000), Route.active(o2.target("old-2"), 5000));
        List<TestNginx> ns = new ArrayList<>();
        NginxRouter router = nginx(before, ns);
        TestNginx n = ns.get(0);

        // one request per connection (Connection: close, as Http does): such clients lose nothing to a reload
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong ok = new AtomicLong();
        List<String> failures = new CopyOnWriteArrayList<>();
        Map<String, AtomicLong> seen = Map.of("v1", new AtomicLong(), "v2", new AtomicLong());
        Thread load = new Thread(() -> {
            while (running.get() && failures.size() < 10) {
                try {
                    seen.get(Http.version(n.port(), Map.of())).incrementAndGet();
                    ok.incrementAndGet();
                } catch (IOException | RuntimeException e) {
                    failures.add(e.toString());
                }
            }
        }, "load");
        load.setDaemon(true);
        load.start();
        try {
            Deployment d = engine(router).build().start(
                    DeploymentSpec.builder("app", "v2").targets(n1.target("new-1"), n2.target("new-2")).build(),
                    Rolling.builder().batchSize(1).pauseBetweenBatches(Duration.ofMillis(300)).drainTimeout(SHORT)
                            .build());
            DeploymentResult r = finish(d);
            assertEquals(DeploymentStatus.SUCCEEDED, r.status(), r.reason());
        } finally {
            running.set(false);
            load.join(10_000);
        }
        assertEquals(List.of(), failures, "failed requests during the rolling deployment");
        assertTrue(ok.get() > 20, "the load ran: " + ok.get() + " requests");
        assertTrue(seen.get("v1").get() > 0 && seen.get("v2").get() > 0, "both versions served: " + seen);
        assertEquals(Routing.of(Route.active(n1.target("new-1"), 5000), Route.active(n2.target("new-2"), 5000)),
                router.current());
        assertEquals(Map.of("v2", 20), count(n, 20, Map.of()));
        assertTrue(n1.requests() > 0 && n2.requests() > 0, "both new backends served");
        long oldServed = o1.requests() + o2.requests();
        count(n, 20, Map.of());
        assertEquals(oldServed, o1.requests() + o2.requests(), "the old backends get nothing any more");
    }

    @Test
    void unhealthyCanaryRollsBackToTheOldVersion() throws Exception {
        TestBackend old = backend("v1");
        TestBackend canary = backend("v2");
        Routing before = Routing.of(Route.active(old.target("old-1"), 10000));
        List<TestNginx> ns = new ArrayList<>();
        NginxRouter router = nginx(before, ns);
        TestNginx n = ns.get(0);
        Target canaryTarget = canary.target("canary-1");
        HttpProbe probe = HttpProbe.create();

        Deployment d = engine(router)
                .check("canary-healthy", ctx -> {
                    var h = probe.check(canaryTarget, Duration.ofSeconds(1));
                    return h.status() == HealthStatus.HEALTHY ? CheckResult.pass("canary healthy")
                            : CheckResult.fail("canary unhealthy: " + h.reason());
                })
                .build().start(
                        DeploymentSpec.builder("app", "v2").targets(canaryTarget).build(),
                        Canary.builder().weight(10).gate("look", GATE).check("canary-healthy").weight(50)
                                .drainTimeout(SHORT).build());
        awaitStep("manual gate 'look'");
        Map<String, Integer> at10 = count(n, 100, Map.of());
        assertEquals(100, share(at10, "v1") + share(at10, "v2"), at10.toString());
        assertTrue(share(at10, "v2") >= 3 && share(at10, "v2") <= 25, "about 10% on the canary: " + at10);

        canary.healthy(false);
        d.promote();
        DeploymentResult r = finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.reason());
        assertTrue(r.reason().contains("canary unhealthy"), r.reason());
        assertEquals(before, router.current(), "exactly the routing from before the deployment");
        long canaryServed = canary.requests();
        assertEquals(Map.of("v1", 100), count(n, 100, Map.of()), "all traffic back on the old version");
        assertEquals(canaryServed, canary.requests(), "the canary gets nothing any more");
    }

    @Test
    void twoNginxAllOrNothingRollBackWhenTheSecondBreaksBeforeTheFirstShift() throws Exception {
        TestBackend old = backend("v1");
        TestBackend next = backend("v2");
        Routing before = Routing.of(Route.active(old.target("old-1"), 10000));
        List<TestNginx> ns = new ArrayList<>();
        TrafficRouter both = CompositeRouter.allOrNothing(nginx(before, ns), nginx(before, ns));
        TestNginx second = ns.get(1);

        // the deployment has checked the new version; then someone breaks the second host's main configuration
        Deployment d = engine(both).hook("ops-edit", ctx -> breakConfig(second)).build().start(
                DeploymentSpec.builder("app", "v2").targets(next.target("new-1", Map.of(Target.COLOUR, "green"))).build(),
                BlueGreen.builder().initialColour("blue").beforeSwitch("ops-edit").rollbackWindow(SHORT)
                        .drainTimeout(SHORT).build());
        DeploymentResult r = finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.reason());
        // the default (ON_RELOAD) lets the reload find it: refused at the reload or confirm step, nginx's words
        assertTrue(r.reason().matches("(?s).*step '(validate|reload|confirm)' failed.*"), r.reason());
        assertTrue(r.reason().contains("broken_directive"), r.reason());
        // the first nginx had switched and was put back by the composite; the second never left the old version, so
        // restoring it needs no reload (which its broken configuration would refuse)
        assertEquals(before, both.current());
        for (TestNginx n : ns) {
            assertEquals(Map.of("v1", 20), count(n, 20, Map.of()), n + " serves the old version");
        }
    }

    @Test
    void twoNginxAllOrNothingRollBackWhenTheSecondBreaksMidCanary() throws Exception {
        TestBackend old = backend("v1");
        TestBackend next = backend("v2");
        Routing before = Routing.of(Route.active(old.target("old-1"), 10000));
        List<TestNginx> ns = new ArrayList<>();
        NginxRouter r1 = nginx(before, ns);
        NginxRouter r2 = nginx(before, ns);
        TrafficRouter both = CompositeRouter.allOrNothing(r1, r2);
        TestNginx first = ns.get(0);
        TestNginx second = ns.get(1);

        Deployment d = engine(both).build().start(
                DeploymentSpec.builder("app", "v2").targets(next.target("new-1")).build(),
                Canary.builder().weight(10).gate("look", GATE).weight(50).drainTimeout(SHORT).build());
        awaitStep("manual gate 'look'");
        for (TestNginx n : ns) {
            Map<String, Integer> c = count(n, 100, Map.of());
            assertTrue(share(c, "v2") >= 3 && share(c, "v2") <= 25, n + " sends about 10% to v2: " + c);
        }
        String good = breakConfig(second);
        d.promote();
        // 50% fails on the second nginx (nginx -t); the composite puts the first back to 10%; the engine then restores
        // the old routing on both, which the broken second nginx refuses until the configuration is repaired
        await().atMost(WAIT).until(() -> d.status() != DeploymentStatus.RUNNING);
        assertTrue(d.status() == DeploymentStatus.ROLLING_BACK || d.status() == DeploymentStatus.ROLLED_BACK,
                "status " + d.status());
        Files.writeString(second.mainConfig(), good);   // the operator repairs it; the rollback retries
        DeploymentResult r = finish(d);
        assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.reason() + " " + r.leftovers());
        // the default (ON_RELOAD) lets the reload find it: refused at the reload or confirm step, nginx's words
        assertTrue(r.reason().matches("(?s).*step '(validate|reload|confirm)' failed.*"), r.reason());
        assertEquals(before, r1.current());
        assertEquals(before, r2.current());
        assertEquals(Map.of("v1", 50), count(first, 50, Map.of()));
        assertEquals(Map.of("v1", 50), count(second, 50, Map.of()));
    }

    /** Appends an unknown directive to the main configuration (nginx keeps serving; nginx -t now fails). */
    private static String breakConfig(TestNginx n) throws IOException {
        String good = Files.readString(n.mainConfig());
        Files.writeString(n.mainConfig(), good + "broken_directive on;\n");
        return good;
    }
}
