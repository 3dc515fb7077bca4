package dev.zdd.nginx;

import dev.zdd.api.Endpoint;
import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Target;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.nginx.testing.TestNginx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link NginxRouter} against a real nginx started by the test, with real HTTP backends. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NginxRouterIT {
    private NginxFixture fixture;
    private TestBackend blue1;
    private TestBackend blue2;
    private TestBackend green1;
    private TestBackend green2;
    private TestNginx nginx;
    private NginxRouter router;
    private Routing allBlue;

    @BeforeAll
    void startNginxAndBackends() throws Exception {
        fixture = new NginxFixture();
        blue1 = fixture.backend("blue");
        blue2 = fixture.backend("blue");
        green1 = fixture.backend("green");
        green2 = fixture.backend("green");
        allBlue = Routing.of(Route.active(blue1.target("blue-1"), 5000), Route.active(blue2.target("blue-2"), 5000));
        NginxFixture.Running running = fixture.start("app", allBlue);
        nginx = running.nginx();
        router = running.router();
    }

    @AfterAll
    void stopAll() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @BeforeEach
    void backToBlue() {
        router.apply(allBlue);
    }

    private Target b1() {
        return blue1.target("blue-1");
    }

    private Target b2() {
        return blue2.target("blue-2");
    }

    private Target g1() {
        return green1.target("green-1");
    }

    private Target g2() {
        return green2.target("green-2");
    }

    @Test
    void blueGreenSwitchServesOnlyTheNewColourWhenApplyReturns() throws Exception {
        assertEquals(Map.of("blue", 20), Http.count(nginx.port(), 20, Map.of()));
        Routing green = Routing.of(Route.active(g1(), 5000), Route.active(g2(), 5000), Route.disabled(b1()),
                Route.disabled(b2()));
        router.apply(green);
        assertEquals(Map.of("green", 40), Http.count(nginx.port(), 40, Map.of()),
                "right after apply() every fresh connection reaches the new colour");
        assertTrue(router.current().sameTrafficAs(green));
        assertEquals(green, router.current());
    }

    @Test
    void applyingTheSameTableTwiceIsHarmlessAndDoesNotReload() throws Exception {
        long size = Files.size(nginx.errorLog());
        router.apply(allBlue);
        router.apply(allBlue);
        assertEquals(allBlue, router.current());
        String log = Files.readString(nginx.errorLog(), StandardCharsets.UTF_8);
        assertFalse(log.substring((int) size).contains("reconfiguring"), "an unchanged table must not reload nginx");
        router.apply(Routing.of(Route.active(b1(), 10000)));
        String after = Files.readString(nginx.errorLog(), StandardCharsets.UTF_8);
        assertTrue(after.substring(log.length()).contains("reconfiguring"), "a changed table reloads nginx");
    }

    @Test
    void canaryWeightsSplitTrafficInProportion() throws Exception {
        router.apply(Routing.of(Route.active(b1(), 8000), Route.active(g1(), 2000)));
        Map<String, Integer> seen = Http.count(nginx.port(), 500, Map.of());
        int green = seen.getOrDefault("green", 0);
        // nginx's smooth weighted round-robin is deterministic per worker: 20% within a small tolerance
        assertTrue(green >= 80 && green <= 120, "green share of 500 was " + green);
        assertEquals(500, green + seen.getOrDefault("blue", 0));
    }

    @Test
    void stickySplitKeepsUsersAndGrowingWeightNeverMovesAUserBack() throws Exception {
        Stickiness sticky = Stickiness.on(RequestKey.header("X-User"));
        Map<String, String> previous = new HashMap<>();
        for (int greenWeight : new int[] {1000, 3000, 6000, 9000}) {
            router.apply(new Routing(List.of(Route.active(g1(), greenWeight), Route.active(b1(), 10000 - greenWeight)),
                    sticky, List.of()));
            int onGreen = 0;
            for (int u = 0; u < 200; u++) {
                Map<String, String> h = Map.of("X-User", "user-" + u);
                String v = Http.version(nginx.port(), h);
                assertEquals(v, Http.version(nginx.port(), h), "user-" + u + " must always land on the same version");
                if ("green".equals(previous.get("user-" + u))) {
                    assertEquals("green", v, "user-" + u + " moved back from green at green weight " + greenWeight);
                }
                previous.put("user-" + u, v);
                onGreen += "green".equals(v) ? 1 : 0;
            }
            double share = onGreen / 200.0;
            assertTrue(Math.abs(share - greenWeight / 10000.0) < 0.15,
                    "green share " + share + " at weight " + greenWeight);
        }
        // requests without the key fall back to the weighted choice (both versions serve)
        Map<String, Integer> keyless = Http.count(nginx.port(), 20, Map.of());
        assertEquals(20, keyless.getOrDefault("green", 0) + keyless.getOrDefault("blue", 0));
        assertTrue(keyless.containsKey("green") && keyless.containsKey("blue"), keyless.toString());
    }

    @Test
    void stickyOnACookie() throws Exception {
        router.apply(new Routing(List.of(Route.active(g1(), 5000), Route.active(b1(), 5000)),
                Stickiness.on(RequestKey.cookie("uid")), List.of()));
        Map<String, Integer> byVersion = new HashMap<>();
        for (int u = 0; u < 100; u++) {
            Map<String, String> h = Map.of("Cookie", "theme=dark; uid=u" + u);
            String v = Http.version(nginx.port(), h);
            assertEquals(v, Http.version(nginx.port(), h));
            byVersion.merge(v, 1, Integer::sum);
        }
        assertEquals(2, byVersion.size(), "both versions get some users: " + byVersion);
    }

    @Test
    void headerRuleSendsTestersToTheNewVersion() throws Exception {
        Routing r = new Routing(List.of(Route.active(b1(), 10000), Route.active(g1(), 0)), null,
                List.of(Rule.match(RequestKey.header("X-Group"), Set.of("beta", "qa"), "green")));
        router.apply(r);
        // green is ACTIVE with weight 0 (a blue-green preview): only the rule reaches it
        assertEquals(Map.of("green", 10), Http.count(nginx.port(), 10, Map.of("X-Group", "beta")));
        assertEquals(Map.of("blue", 20), Http.count(nginx.port(), 20, Map.of()));
        router.apply(new Routing(List.of(Route.active(b1(), 10000), Route.draining(g1())), null, r.rules()));
        assertEquals(Map.of("blue", 10), Http.count(nginx.port(), 10, Map.of("X-Group", "beta")),
                "no ACTIVE target of green: the rule does not apply");

        Routing withGreen = new Routing(List.of(Route.active(b1(), 9999), Route.active(g1(), 1)), null, r.rules());
        router.apply(withGreen);
        assertEquals(Map.of("green", 10), Http.count(nginx.port(), 10, Map.of("X-Group", "beta")));
        assertEquals(Map.of("green", 10), Http.count(nginx.port(), 10, Map.of("X-Group", "qa")));
        assertEquals(Map.of("blue", 10), Http.count(nginx.port(), 10, Map.of("X-Group", "Beta")),
                "rule values match exactly, case included");
        Map<String, Integer> others = Http.count(nginx.port(), 30, Map.of("X-Group", "other"));
        assertTrue(others.getOrDefault("blue", 0) >= 29, others.toString());
        assertEquals(withGreen, router.current());
    }

    @Test
    void rollingReplacesInstancesOneByOne() throws Exception {
        List<Routing> steps = List.of(
                Routing.of(Route.draining(b1()), Route.active(b2(), 5000), Route.active(g1(), 5000)),
                Routing.of(Route.disabled(b1()), Route.draining(b2()), Route.active(g1(), 5000), Route.active(g2(), 5000)),
                Routing.of(Route.active(g1(), 5000), Route.active(g2(), 5000)));
        long b1Before = blue1.requests();
        for (Routing step : steps) {
            router.apply(step);
            assertEquals(step, router.current());
            long b1 = blue1.requests();
            Map<String, Integer> seen = Http.count(nginx.port(), 20, Map.of());
            assertEquals(b1, blue1.requests(), "blue-1 is down and gets nothing");
            assertTrue(seen.containsKey("green"), seen.toString());
        }
        assertEquals(Map.of("green", 20), Http.count(nginx.port(), 20, Map.of()));
        assertTrue(blue1.requests() >= b1Before);
    }

    @Test
    void rollbackRestoresTheSnapshotExactly() throws Exception {
        Routing snapshot = router.current();
        router.apply(Routing.of(Route.active(b1(), 5000), Route.active(g1(), 5000)));
        router.apply(snapshot);
        assertEquals(snapshot, router.current());
        assertEquals(Map.of("blue", 20), Http.count(nginx.port(), 20, Map.of()));
    }

    @Test
    void aConfigThatNginxRejectsChangesNothingAndCarriesNginxsMessage() throws Exception {
        String before = Files.readString(router.includeFile());
        Routing bad = Routing.of(Route.active(Target.of("x", "green", "no-such-host.invalid", 8080), 10000));
        RouterException e = assertThrows(RouterException.class, () -> router.apply(bad));
        // the default (ON_RELOAD) lets the reload find it: refused at the reload or confirm step, nginx's words
        assertTrue(e.getMessage().matches("(?s).*step '(validate|reload|confirm)' failed.*"), e.getMessage());
        assertTrue(e.getMessage().contains("host not found in upstream"), "nginx's own words: " + e.getMessage());
        assertTrue(e.getMessage().contains("previous file was restored"), e.getMessage());
        assertEquals(before, Files.readString(router.includeFile()));
        assertEquals(allBlue, router.current());
        assertEquals(Map.of("blue", 10), Http.count(nginx.port(), 10, Map.of()));
    }

    @Test
    void aReloadThatIsNotConfirmedIsUndone() throws Exception {
        // a control that claims to reload but never signals nginx: the new generation never answers
        NginxControl real = nginx.control();
        NginxControl lazy = new NginxControl() {
            @Override
            public Result test() {
                return real.test();
            }

            @Override
            public Result reload() {
                return new Result(0, "");
            }
        };
        NginxRouter r = nginx.routerBuilder().control(lazy).confirmTimeout(java.time.Duration.ofMillis(500)).build();
        String before = Files.readString(router.includeFile());
        RouterException e = assertThrows(RouterException.class,
                () -> r.apply(Routing.of(Route.active(g1(), 10000))));
        assertTrue(e.getMessage().contains("step 'confirm' failed"), e.getMessage());
        assertTrue(e.getMessage().contains("nginx did not serve generation"), e.getMessage());
        assertTrue(e.getMessage().contains("serves the previous configuration"), e.getMessage());
        assertEquals(before, Files.readString(router.includeFile()));
        assertEquals(allBlue, router.current());
    }

    /** A control that runs the real one but lets a test change what one call does. */
    private NginxControl control(java.util.function.Supplier<NginxControl.Result> test,
                                 java.util.function.Supplier<NginxControl.Result> reload) {
        return new NginxControl() {
            @Override
            public Result test() {
                return test.get();
            }

            @Override
            public Result reload() {
                return reload.get();
            }
        };
    }

    @Test
    void aControlThatThrowsAtValidateChangesNothing() throws Exception {
        NginxControl real = nginx.control();
        IllegalStateException boom = new IllegalStateException("ssh: connection refused");
        NginxRouter r = nginx.routerBuilder().validation(NginxRouter.Validation.ALWAYS).control(control(() -> {
            throw boom;
        }, real::reload)).build();
        String before = Files.readString(router.includeFile());
        RouterException e = assertThrows(RouterException.class, () -> r.apply(Routing.of(Route.active(g1(), 10000))));
        assertTrue(e.getMessage().contains("step 'validate' failed: the control threw"), e.getMessage());
        assertTrue(e.getMessage().contains("ssh: connection refused"), e.getMessage());
        assertTrue(e.getMessage().contains("nginx was not reloaded"), e.getMessage());
        assertSame(boom, e.getCause());
        assertEquals(before, Files.readString(router.includeFile()));
        assertEquals(allBlue, router.current());
    }

    @Test
    void aControlThatThrowsAfterTheReloadReachedNginxIsReloadedBack() throws Exception {
        // like an ssh runner whose connection drops after the remote reload: nginx DID load the new file
        NginxControl real = nginx.control();
        AtomicInteger reloads = new AtomicInteger();
        NginxRouter r = nginx.routerBuilder().control(control(real::test, () -> {
            NginxControl.Result done = real.reload();
            if (reloads.incrementAndGet() == 1) {
                assertTrue(done.ok(), done.output());
                throw new IllegalStateException("ssh: connection lost");
            }
            return done;
        })).build();
        String before = Files.readString(router.includeFile());
        RouterException e = assertThrows(RouterException.class, () -> r.apply(Routing.of(Route.active(g1(), 10000))));
        assertTrue(e.getMessage().contains("step 'reload' failed: the control threw"), e.getMessage());
        assertTrue(e.getMessage().contains("ssh: connection lost"), e.getMessage());
        assertTrue(e.getMessage().contains("nginx was reloaded back and serves the previous configuration"),
                e.getMessage());
        assertEquals(2, reloads.get(), "reloaded, then reloaded back");
        assertEquals(before, Files.readString(router.includeFile()));
        assertEquals(allBlue, router.current(), "file and served generation agree: no drift");
        assertEquals(Map.of("blue", 10), Http.count(nginx.port(), 10, Map.of()));
    }

    @Test
    void aReloadThatTimedOutAfterTheSignalReachedNginxIsReloadedBack() throws Exception {
        NginxControl real = nginx.control();
        AtomicInteger reloads = new AtomicInteger();
        NginxRouter r = nginx.routerBuilder().control(control(real::test, () -> {
            NginxControl.Result done = real.reload();
            return reloads.incrementAndGet() == 1 ? new NginxControl.Result(NginxControl.Result.TIMED_OUT, "timed out")
                    : done;
        })).build();
        String before = Files.readString(router.includeFile());
        RouterException e = assertThrows(RouterException.class, () -> r.apply(Routing.of(Route.active(g1(), 10000))));
        assertTrue(e.getMessage().contains("step 'reload' failed: exit 124"), e.getMessage());
        assertTrue(e.getMessage().contains("nginx was reloaded back and serves the previous configuration"),
                e.getMessage());
        assertEquals(before, Files.readString(router.includeFile()));
        assertEquals(allBlue, router.current(), "no false drift: nginx serves what the file holds");
        assertEquals(Map.of("blue", 10), Http.count(nginx.port(), 10, Map.of()));
    }

    @Test
    void anUnconfirmedReloadOverAForeignFileReloadsBackToThatFile() throws Exception {
        Path file = router.includeFile();
        String original = Files.readString(file);
        String edited = original + "# a note added by hand\n";
        Files.writeString(file, edited);
        try {
            NginxControl real = nginx.control();
            AtomicInteger reloads = new AtomicInteger();
            // the first reload is lost on its way (nothing happens), the reload back is real
            NginxRouter force = nginx.routerBuilder().overwriteDrift(true).confirmTimeout(Duration.ofMillis(500))
                    .control(control(real::test, () -> reloads.incrementAndGet() == 1
                            ? new NginxControl.Result(0, "") : real.reload())).build();
            RouterException e = assertThrows(RouterException.class,
                    () -> force.apply(Routing.of(Route.active(g1(), 10000))));
            assertTrue(e.getMessage().contains("step 'confirm' failed"), e.getMessage());
            assertTrue(e.getMessage().contains("reloaded back to the file that was there before"), e.getMessage());
            assertEquals(2, reloads.get());
            assertEquals(edited, Files.readString(file), "the foreign file is back");
            assertEquals(Map.of("blue", 10), Http.count(nginx.port(), 10, Map.of()));
        } finally {
            Files.writeString(file, original);
        }
    }

    @Test
    void anUnconfirmedReloadWithNoFileBeforeKeepsTheValidatedFile() throws Exception {
        Path file = router.includeFile();
        Files.delete(file); // nginx still serves allBlue, but cannot reload without its include
        NginxControl real = nginx.control();
        NginxRouter r = nginx.routerBuilder().confirmTimeout(Duration.ofMillis(500))
                .control(control(real::test, () -> new NginxControl.Result(0, ""))).build();
        Routing green = Routing.of(Route.active(g1(), 10000));
        RouterException e = assertThrows(RouterException.class, () -> r.apply(green));
        assertTrue(e.getMessage().contains("step 'confirm' failed"), e.getMessage());
        assertTrue(e.getMessage().contains("the new file was kept"), e.getMessage());
        assertEquals(green, dev.zdd.nginx.internal.IncludeFile.parse(Files.readString(file)).routing());
        assertTrue(real.test().ok(), "the main configuration stays valid, so later reloads work");
        DriftException drift = assertThrows(DriftException.class, router::current);
        assertTrue(drift.getMessage().contains("a reload failed or is pending"), drift.getMessage());
        router.apply(allBlue);
        assertEquals(allBlue, router.current(), "the next apply reconciles");
    }

    @Test
    void aHandEditIsReportedAsDriftAndNotOverwritten() throws Exception {
        Path file = router.includeFile();
        String original = Files.readString(file);
        String edited = original.replace("weight=5000;  # blue-2", "weight=1;  # blue-2");
        assertFalse(original.equals(edited));
        Files.writeString(file, edited);
        try {
            DriftException read = assertThrows(DriftException.class, router::current);
            assertTrue(read.getMessage().contains("edited by hand"), read.getMessage());
            DriftException write = assertThrows(DriftException.class,
                    () -> router.apply(Routing.of(Route.active(g1(), 10000))));
            assertTrue(write.getMessage().contains("overwriteDrift"), write.getMessage());
            assertEquals(edited, Files.readString(file), "the hand edit is left alone");
            assertEquals(Map.of("blue", 10), Http.count(nginx.port(), 10, Map.of()));

            NginxRouter force = nginx.routerBuilder().overwriteDrift(true).build();
            force.apply(Routing.of(Route.active(g1(), 10000)));
            assertEquals(Routing.of(Route.active(g1(), 10000)), router.current());
            assertEquals(Map.of("green", 10), Http.count(nginx.port(), 10, Map.of()));
        } finally {
            if (Files.readString(file).equals(edited)) {
                Files.writeString(file, original);
            }
        }
    }

    @Test
    void aFileNotYetLoadedIsReportedAsDrift() throws Exception {
        Path file = router.includeFile();
        String original = Files.readString(file);
        // a valid zdd file that nginx has not loaded (as after a crash between write and reload)
        String pending = dev.zdd.nginx.internal.IncludeFile.render("app", Routing.of(Route.active(g1(), 10000)),
                nginx.statusEndpoint()).text();
        Files.writeString(file, pending);
        try {
            DriftException e = assertThrows(DriftException.class, router::current);
            assertTrue(e.getMessage().contains("a reload failed or is pending"), e.getMessage());
            router.apply(allBlue);
            assertEquals(allBlue, router.current());
        } finally {
            if (Files.readString(file).equals(pending)) {
                Files.writeString(file, original);
            }
        }
    }

    @Test
    void injectionAttemptsAreRejectedBeforeAnythingIsTouched() throws Exception {
        String before = Files.readString(router.includeFile());
        assertThrows(IllegalArgumentException.class, () -> NginxRouter.builder().name("app; include /etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> NginxRouter.builder().name("app$x"));
        assertThrows(IllegalArgumentException.class, () -> NginxRouter.builder().name("app}"));
        assertThrows(IllegalArgumentException.class, () -> new Endpoint("127.0.0.1;", 80));
        assertThrows(IllegalArgumentException.class, () -> Target.of("a b", "v", "127.0.0.1", 80));
        assertThrows(IllegalArgumentException.class, () -> RequestKey.header("X-User\n"));
        assertThrows(IllegalArgumentException.class,
                () -> Rule.match(RequestKey.header("X-G"), Set.of("beta\"; }"), "green"));
        IllegalArgumentException cookie = assertThrows(IllegalArgumentException.class, () -> router.apply(
                new Routing(List.of(Route.active(b1(), 1)), Stickiness.on(RequestKey.cookie("user-id")), List.of())));
        assertTrue(cookie.getMessage().contains("'user-id'"), cookie.getMessage());
        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class, () -> router.apply(null));
        assertTrue(nul.getMessage().contains("routing"), nul.getMessage());
        assertEquals(before, Files.readString(router.includeFile()));
    }

    @Test
    void builderNamesMissingFields() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NginxRouter.builder().name("app").build());
        assertEquals("includeFile is required", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> NginxRouter.builder().confirmTimeout(java.time.Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> NginxRouter.builder().confirmSettle(java.time.Duration.ofMillis(-1)));
        IllegalArgumentException log = assertThrows(IllegalArgumentException.class,
                () -> NginxRouter.builder().errorLog(null));
        assertTrue(log.getMessage().startsWith("errorLog must not be null"), log.getMessage());
        assertEquals("name must not be null", assertThrows(IllegalArgumentException.class,
                () -> NginxRouter.builder().name(null)).getMessage());
        assertEquals("confirmTimeout must be positive, was null", assertThrows(IllegalArgumentException.class,
                () -> NginxRouter.builder().confirmTimeout(null)).getMessage());
        for (String field : List.of("prefix", "config", "pidFile")) {
            LocalNginxControl.Builder b = LocalNginxControl.builder();
            IllegalArgumentException c = assertThrows(IllegalArgumentException.class, () -> {
                switch (field) {
                    case "prefix" -> b.prefix(null);
                    case "config" -> b.config(null);
                    default -> b.pidFile(null);
                }
            });
            assertTrue(c.getMessage().startsWith(field + " must not be null"), c.getMessage());
        }
    }
}
