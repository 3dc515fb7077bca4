package dev.zdd.haproxy;

import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.RouteState;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Target;
import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.haproxy.testing.LocalHaproxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** HaproxyRouter against a real HAProxy 2.6 on 127.0.0.1 with real HTTP backends. */
class HaproxyRouterIT {
    static Path haproxyExe;
    static TestBackend blue;
    static TestBackend green;
    static TestBackend blue2;
    static TestBackend green2;
    static Target tBlue;
    static Target tGreen;

    @TempDir
    Path dir;
    LocalHaproxy haproxy;
    RoutingMaps maps;
    HaproxyRouter router;

    @BeforeAll
    static void backends() throws Exception {
        Optional<Path> exe = IntegrationEnvironment.find("haproxy", "apt-get install haproxy");
        assumeTrue(exe.isPresent(), "haproxy is not installed (apt-get install haproxy)");
        haproxyExe = exe.get();
        blue = TestBackend.start("v1");
        green = TestBackend.start("v2");
        blue2 = TestBackend.start("v1");
        green2 = TestBackend.start("v2");
        tBlue = blue.target("blue");
        tGreen = green.target("green");
    }

    @AfterAll
    static void stopBackends() {
        for (TestBackend b : new TestBackend[] {blue, green, blue2, green2}) {
            if (b != null) {
                b.close();
            }
        }
    }

    @BeforeEach
    void startHaproxy() throws Exception {
        Files.writeString(dir.resolve("sticky.map"), "");
        Files.writeString(dir.resolve("rules.map"), "");
        maps = RoutingMaps.builder().sticky(RequestKey.header("X-User"), dir.resolve("sticky.map"))
                .rules(RequestKey.header("X-Group"), dir.resolve("rules.map")).build();
        haproxy = LocalHaproxy.builder(haproxyExe, dir).backendLines(maps.backendConfig())
                .server("blue", blue.endpoint(), 256, true).server("green", green.endpoint(), 256, false).start();
        router = routerBuilder().build();
    }

    HaproxyRouter.Builder routerBuilder() {
        return HaproxyRouter.builder(haproxy.client(), LocalHaproxy.BACKEND).server("blue", tBlue).server("green", tGreen)
                .routingMaps(maps);
    }

    @AfterEach
    void stopHaproxy() {
        if (haproxy != null) {
            haproxy.close();
        }
    }

    int port() {
        return haproxy.frontendPort();
    }

    static Routing split(int greenWeight) {
        return Routing.of(Route.active(tGreen, greenWeight), Route.active(tBlue, 10_000 - greenWeight));
    }

    @Test
    void runtimeClientOverUnixAndTcp() throws Exception {
        RuntimeApiClient unix = haproxy.client();
        RuntimeApiClient tcp = RuntimeApiClient.address("ipv4@127.0.0.1:" + haproxy.statsPort()).build();
        assertTrue(unix.version().startsWith("2."), unix.version());
        assertEquals(unix.version(), tcp.version());
        List<ServerState> s = tcp.showServersState("app");
        assertEquals(List.of("blue", "green"), s.stream().map(ServerState::serverName).toList());
        assertTrue(s.get(0).serving());
        assertTrue(s.get(1).inMaintenance());
        tcp.set(List.of("set server app/green weight 100", "set server app/green state drain"));
        ServerState g = unix.showServersState("app").get(1);
        assertTrue(g.draining());
        assertEquals(100, g.userWeight());
        RuntimeApiException e = assertThrows(RuntimeApiException.class, () -> unix.set("set server app/nope weight 1"));
        assertEquals("No such server.", e.answer().strip());
        e = assertThrows(RuntimeApiException.class, () -> unix.set("set server app/blue weight 300"));
        assertTrue(e.getMessage().contains("between 0 and 256"), e.getMessage());
        e = assertThrows(RuntimeApiException.class, () -> unix.showServersState("nope"));
        assertTrue(e.getMessage().contains("Can't find backend."), e.getMessage());
        assertTrue(unix.showStat().stream().anyMatch(r -> r.name().equals("FRONTEND")));
        assertEquals(2, unix.showServerStat("app").size());
    }

    @Test
    void weightOnDrainedServerTrapGives503sButTheRouterNeverProducesIt() throws Exception {
        RuntimeApiClient c = haproxy.client();
        // the trap by hand: weight on a drained server, then drain the only weighted one
        c.set(List.of("set server app/green weight 256", "set server app/green state drain", "set server app/blue state drain"));
        assertEquals("status_503", Http.get(port()));
        c.set(List.of("set server app/blue state ready"));
        // the router: many switches under load, zero failures
        try (Http.Load load = new Http.Load(port(), 8, Duration.ofSeconds(60))) {
            for (int i = 0; i < 20; i++) {
                router.apply(i % 2 == 0 ? Routing.of(Route.active(tGreen, 10_000), Route.draining(tBlue))
                        : Routing.of(Route.active(tBlue, 10_000), Route.draining(tGreen)));
                for (ServerState s : c.showServersState("app")) {
                    assertEquals(s.serving(), s.userWeight() > 0, "state and weight disagree: " + s);
                }
                Thread.sleep(20);
            }
            load.stop();
            assertEquals(0, load.failed(), "failures " + load.failures);
            assertTrue(load.ok.get() > 100, "load ran: " + load.ok.get());
        }
    }

    @Test
    void applyAndCurrentRoundTrip() {
        Routing fresh = router.current();
        assertTrue(fresh.sameTrafficAs(Routing.of(Route.active(tBlue, 10_000))), fresh.toString());
        List<Routing> tables = List.of(split(100), split(1000), split(5000),
                Routing.of(Route.active(tGreen, 10_000), Route.draining(tBlue)),
                Routing.of(Route.active(tGreen, 10_000), Route.active(tBlue, 0)),
                Routing.of(Route.active(tGreen, 10_000), Route.disabled(tBlue)),
                split(3000).withStickiness(Stickiness.on(RequestKey.header("X-User"))),
                split(0).withRules(List.of(Rule.match(RequestKey.header("X-Group"), Set.of("beta", "qa"), "v2"))));
        for (Routing t : tables) {
            router.apply(t);
            router.apply(t);
            Routing now = router.current();
            assertTrue(now.sameTrafficAs(t), "applied " + t + " read " + now);
            // a new router instance (another process) reads the same table, DISABLED routes included, from HAProxy and
            // the state file
            Routing fromScratch = routerBuilder().build().current();
            assertTrue(fromScratch.sameTrafficAs(t), "applied " + t + " fresh router read " + fromScratch);
            assertEquals(t.routes().stream().map(r -> r.target()).toList(),
                    fromScratch.routes().stream().map(r -> r.target()).toList(), "targets with versions and attributes");
        }
        assertEquals(10_000, router.current().servingWeight());
    }

    @Test
    void blueGreenUnderLoadLosesNothing() throws Exception {
        try (Http.Load load = new Http.Load(port(), 8, Duration.ofSeconds(60))) {
            router.apply(Routing.of(Route.active(tGreen, 10_000), Route.draining(tBlue)));
            await().atMost(Duration.ofSeconds(30)).until(() -> load.versions.containsKey("v2"));
            assertEquals("v2", Http.get(port()));
            long v1Before = load.versions.get("v1").get();
            router.apply(Routing.of(Route.active(tBlue, 10_000), Route.draining(tGreen)));
            assertEquals("v1", Http.get(port()));
            await().atMost(Duration.ofSeconds(30)).until(() -> load.versions.get("v1").get() > v1Before);
            load.stop();
            assertEquals(0, load.failed(), "failures " + load.failures);
        }
    }

    @Test
    void canaryStepsSplitAsRequested() throws Exception {
        for (int pct : new int[] {1, 10, 50}) {
            router.apply(split(pct * 100));
            int n = 3000;
            int v2 = 0;
            for (int i = 0; i < n; i++) {
                String v = Http.get(port());
                assertTrue(v.equals("v1") || v.equals("v2"), v);
                if (v.equals("v2")) {
                    v2++;
                }
            }
            double observed = 100.0 * v2 / n;
            assertEquals(pct, observed, 1.5, "canary " + pct + "% observed " + observed + "%");
        }
    }

    @Test
    void rollingReplacesOneServerAtATimeWithDynamicServers() throws Exception {
        HaproxyRouter r = routerBuilder().dynamicServers(true).build();
        Target b2 = blue2.target("blue-2");
        Target g2 = green2.target("green-2");
        r.apply(Routing.of(Route.active(tBlue, 5000), Route.active(b2, 5000)));
        List<Routing> steps = List.of(
                Routing.of(Route.active(tGreen, 3334), Route.active(tBlue, 3333), Route.active(b2, 3333)),
                Routing.of(Route.active(tGreen, 5000), Route.draining(tBlue), Route.active(b2, 5000)),
                Routing.of(Route.active(tGreen, 3334), Route.active(g2, 3333), Route.active(b2, 3333)),
                Routing.of(Route.active(tGreen, 5000), Route.active(g2, 5000), Route.draining(b2)),
                Routing.of(Route.active(tGreen, 5000), Route.active(g2, 5000)));
        try (Http.Load load = new Http.Load(port(), 8, Duration.ofSeconds(60))) {
            for (Routing step : steps) {
                r.apply(step);
                assertTrue(r.current().sameTrafficAs(step), step + " read " + r.current());
                Thread.sleep(150);
            }
            load.stop();
            assertEquals(0, load.failed(), "failures " + load.failures);
        }
        Set<String> left = r.removePending(Duration.ofSeconds(45));
        assertEquals(Set.of(), left);
        List<String> names = haproxy.client().showServersState("app").stream().map(ServerState::serverName).toList();
        assertEquals(List.of("blue", "green", "green-2"), names);
        for (int i = 0; i < 20; i++) {
            assertEquals("v2", Http.get(port()));
        }
    }

    @Test
    void dynamicServerAddedThenDeleted() throws Exception {
        HaproxyRouter r = routerBuilder().dynamicServers(true).deleteTimeout(Duration.ofSeconds(40)).build();
        Target g2 = green2.target("green-2");
        r.apply(Routing.of(Route.active(g2, 10_000), Route.draining(tBlue)));
        ServerState added = haproxy.client().showServersState("app").stream()
                .filter(s -> s.serverName().equals("green-2")).findFirst().orElseThrow();
        assertEquals(green2.port(), added.port());
        assertTrue(added.serving());
        assertEquals("v2", Http.get(port()));
        assertEquals("v2", r.current().route("green-2").orElseThrow().target().version());
        r.apply(Routing.of(Route.active(tBlue, 10_000)));
        assertEquals(Set.of(), r.pendingRemovals());
        assertFalse(haproxy.client().showServersState("app").stream().anyMatch(s -> s.serverName().equals("green-2")));
        assertEquals("v1", Http.get(port()));
        // hostnames cannot be added at runtime
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> r.apply(Routing.of(Route.active(Target.of("x", "v3", "localhost", 8080), 10_000))));
        assertTrue(e.getMessage().contains("IPv4 or IPv6 literal"), e.getMessage());
        // without dynamicServers an unknown target is refused before anything is touched
        e = assertThrows(IllegalArgumentException.class, () -> router.apply(Routing.of(Route.active(g2, 10_000))));
        assertTrue(e.getMessage().contains("is not a server of HAProxy backend 'app'"), e.getMessage());
    }

    @Test
    void overlappingAppliesNeverLeaveADynamicServerServing() throws Exception {
        HaproxyRouter r = routerBuilder().dynamicServers(true).build();
        Target g2 = green2.target("green-2");
        Routing onlyBlue = Routing.of(Route.active(tBlue, 10_000));
        Routing onG2 = Routing.of(Route.active(g2, 10_000), Route.draining(tBlue));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            // one thread keeps adding green-2, one keeps removing it, one retries deletions: every apply must confirm
            List<Future<?>> runs = List.of(
                    pool.submit(() -> repeat(15, () -> r.apply(onlyBlue))),
                    pool.submit(() -> repeat(15, () -> r.apply(onG2))),
                    pool.submit(() -> repeat(30, () -> r.removePending(Duration.ZERO))));
            for (Future<?> f : runs) {
                f.get(180, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        // whichever table came last, HAProxy serves exactly it and current() says so
        Set<String> serving = new java.util.TreeSet<>();
        for (ServerState s : haproxy.client().showServersState("app")) {
            if (s.serving()) {
                serving.add(s.serverName());
            }
        }
        Routing last = serving.equals(Set.of("blue")) ? onlyBlue : onG2;
        assertTrue(serving.equals(Set.of("blue")) || serving.equals(Set.of("green-2")), "HAProxy serves " + serving);
        assertTrue(r.current().sameTrafficAs(last), "serving " + serving + ", current " + r.current());
    }

    private static Void repeat(int times, Runnable action) {
        for (int i = 0; i < times; i++) {
            action.run();
        }
        return null;
    }

    @Test
    void aServerAwaitingDeletionMadeReadyAgainIsReported() throws Exception {
        TestBackend slow = TestBackend.start("v2");
        try {
            HaproxyRouter r = routerBuilder().dynamicServers(true).deleteTimeout(Duration.ZERO).build();
            Target s2 = slow.target("slow-2");
            r.apply(Routing.of(Route.active(s2, 10_000), Route.draining(tBlue)));
            slow.delay(Duration.ofSeconds(120));
            try (Socket s = new Socket("127.0.0.1", port())) {
                OutputStream out = s.getOutputStream();
                out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                await().atMost(Duration.ofSeconds(30)).until(() -> r.activeConnections().getOrDefault("slow-2", 0) == 1);
                Routing onlyBlue = Routing.of(Route.active(tBlue, 10_000));
                r.apply(onlyBlue);
                assertEquals(Set.of("slow-2"), r.pendingRemovals(), "HAProxy refuses to delete it while the request runs");
                assertTrue(r.current().sameTrafficAs(onlyBlue), r.current().toString());

                // someone makes it ready again by hand: current() must show the drift, not hide it
                haproxy.client().set(List.of("set server app/slow-2 weight 256", "set server app/slow-2 state ready"));
                Routing drifted = r.current();
                Route seen = drifted.route("slow-2").orElseThrow(() -> new AssertionError("slow-2 hidden: " + drifted));
                assertTrue(seen.serving(), drifted.toString());
                assertEquals("v2", seen.target().version());
                assertFalse(drifted.sameTrafficAs(onlyBlue), drifted.toString());

                // applying the table again puts it back in maintenance
                r.apply(onlyBlue);
                assertTrue(r.current().sameTrafficAs(onlyBlue), r.current().toString());
                assertTrue(haproxy.client().showServersState("app").stream()
                        .filter(x -> x.serverName().equals("slow-2")).allMatch(ServerState::inMaintenance));
            }
        } finally {
            slow.close();
        }
    }

    @Test
    void drainWaitsForTheOpenConnection() throws Exception {
        // long enough that the request is surely still open after apply, even on a slow machine
        blue.delay(Duration.ofSeconds(6));
        try (Socket s = new Socket("127.0.0.1", port())) {
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> router.activeConnections().getOrDefault("blue", 0) == 1);
            router.apply(Routing.of(Route.active(tGreen, 10_000), Route.draining(tBlue)));
            // the engine's Drain step waits on these counts (ConnectionStats); the router has no drain of its own
            assertEquals(1, router.activeConnections().getOrDefault("blue", 0));
            assertEquals("v2", Http.get(port()));
            await().atMost(Duration.ofSeconds(60)).until(() -> router.activeConnections().getOrDefault("blue", 0) == 0);
            InputStream in = s.getInputStream();
            String answer = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 200", answer, "the drained request completes");
        } finally {
            blue.delay(Duration.ZERO);
        }
    }

    @Test
    void stickySplitKeepsKeysAndNeverMovesThemBack() throws Exception {
        Stickiness sticky = Stickiness.on(RequestKey.header("X-User"));
        Map<String, String> previous = new HashMap<>();
        for (int pct : new int[] {10, 30, 60, 100}) {
            router.apply(split(pct * 100).withStickiness(sticky));
            int onGreen = 0;
            for (int u = 0; u < 300; u++) {
                Map<String, String> h = Map.of("X-User", "user-" + u);
                String v = Http.get(port(), h);
                assertEquals(v, Http.get(port(), h), "same key, same version");
                if ("v2".equals(previous.get("user-" + u))) {
                    assertEquals("v2", v, "user-" + u + " moved back at " + pct + "%");
                }
                previous.put("user-" + u, v);
                if (v.equals("v2")) {
                    onGreen++;
                }
            }
            assertEquals(pct, onGreen / 3.0, 8.0, "sticky share at " + pct + "%");
        }
    }

    @Test
    void headerRuleSendsAllowListToTheNewVersion() throws Exception {
        Routing ab = Routing.of(Route.active(tBlue, 10_000), Route.active(tGreen, 0))
                .withRules(List.of(Rule.match(RequestKey.header("X-Group"), Set.of("beta", "qa"), "v2")));
        router.apply(ab);
        for (int i = 0; i < 20; i++) {
            assertEquals("v2", Http.get(port(), Map.of("X-Group", "beta")));
            assertEquals("v2", Http.get(port(), Map.of("X-Group", "qa")));
            assertEquals("v1", Http.get(port(), Map.of("X-Group", "public")));
            assertEquals("v1", Http.get(port()));
        }
        assertTrue(router.current().sameTrafficAs(ab));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> router.apply(ab.withRules(
                List.of(Rule.match(RequestKey.cookie("group"), Set.of("beta"), "v2")))));
        assertTrue(e.getMessage().contains("differs from the configured rule key"), e.getMessage());

        // a rule whose version has no ACTIVE server does not apply: its requests are routed by weights
        Routing noV2 = Routing.of(Route.active(tBlue, 10_000), Route.disabled(tGreen))
                .withRules(List.of(Rule.match(RequestKey.header("X-Group"), Set.of("beta"), "v2")));
        router.apply(noV2);
        for (int i = 0; i < 10; i++) {
            assertEquals("v1", Http.get(port(), Map.of("X-Group", "beta")));
        }
        assertTrue(router.current().sameTrafficAs(noV2), router.current().toString());
        assertEquals(Map.of(), haproxy.client().showMap(maps.rulesMap().get()));
    }

    @Test
    void haproxyRestartedMidDeploymentGivesAClearErrorThenRollbackRestores() throws Exception {
        Routing snapshot = router.current();
        router.apply(split(1000));
        haproxy.stop();
        RuntimeApiException e = assertThrows(RuntimeApiException.class, () -> router.apply(split(5000)));
        assertTrue(e.getMessage().contains("failed at step"), e.getMessage());
        assertTrue(e.getMessage().contains("cannot reach the HAProxy runtime API"), e.getMessage());
        haproxy.restart();
        // HAProxy serves its configuration again, which is not what we applied: current() says so
        Routing afterRestart = router.current();
        assertTrue(afterRestart.sameTrafficAs(Routing.of(Route.disabled(tGreen), Route.active(tBlue, 10_000))),
                afterRestart.toString());
        assertFalse(afterRestart.sameTrafficAs(split(1000)));
        router.apply(snapshot);
        assertTrue(router.current().sameTrafficAs(snapshot));
        assertEquals("v1", Http.get(port()));
    }

    @Test
    void metricsCountRequestsAndErrorsPerServer() throws Exception {
        HaproxyMetrics metrics = HaproxyMetrics.of(haproxy.client(), "app");
        router.apply(split(5000));
        Map<String, ServerMetrics> before = metrics.read();
        green.failRequests(true);
        try {
            for (int i = 0; i < 40; i++) {
                Http.get(port());
            }
        } finally {
            green.failRequests(false);
        }
        Map<String, ServerMetrics> d = HaproxyMetrics.delta(before, metrics.read());
        assertEquals(20, d.get("green").requests());
        assertEquals(20, d.get("green").errors5xx());
        assertEquals(1.0, d.get("green").errorRate());
        assertEquals(20, d.get("blue").requests());
        assertEquals(0, d.get("blue").errors5xx());
    }

    @Test
    void unreachableSocketIsAClearRouterError() {
        HaproxyRouter r = HaproxyRouter.builder(RuntimeApiClient.unixSocket(dir.resolve("nope.sock")).build(), "app")
                .server("blue", tBlue).build();
        RuntimeApiException e = assertThrows(RuntimeApiException.class, r::current);
        assertTrue(e.getMessage().contains("cannot reach the HAProxy runtime API at unix@"), e.getMessage());
        e = assertThrows(RuntimeApiException.class, () -> r.apply(Routing.of(Route.active(tBlue, 10_000))));
        assertTrue(e.getMessage().contains("failed at step 'raise incoming servers'"), e.getMessage());
    }
}
