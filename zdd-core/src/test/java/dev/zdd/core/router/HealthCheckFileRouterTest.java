package dev.zdd.core.router;

import dev.zdd.api.LaunchRequest;
import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Target;
import dev.zdd.core.launch.FreePorts;
import dev.zdd.core.launch.ProcessLauncher;
import dev.zdd.core.probe.HttpProbe;
import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.core.testing.RouterConformance;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link HealthCheckFileRouter} on a temporary directory, and against real busybox httpd web servers. */
class HealthCheckFileRouterTest {
    private static final Target A = Target.of("a", "1", "127.0.0.1", 9101);
    private static final Target B = Target.of("b", "2", "127.0.0.1", 9102);
    private static final Target C = Target.of("c", "2", "127.0.0.1", 9103);

    @TempDir
    Path dir;

    private HealthCheckFileRouter router;

    @BeforeEach
    void files() throws IOException {
        for (String id : new String[] {"a", "b", "c"}) {
            Files.writeString(dir.resolve(id + ".health"), "ok");
        }
        router = build();
    }

    private HealthCheckFileRouter build() {
        return HealthCheckFileRouter.builder().target(A, dir.resolve("a.health")).target(B, dir.resolve("b.health"))
                .target(C, dir.resolve("c.health")).build();
    }

    private boolean on(String id) {
        return Files.exists(dir.resolve(id + ".health"));
    }

    @Test
    void switchesByRenamingFiles() {
        Routing onlyA = Routing.of(Route.active(A, 10_000));
        router.apply(onlyA);
        assertTrue(on("a"));
        assertFalse(on("b"));
        assertFalse(on("c"));
        assertTrue(Files.exists(dir.resolve("b.health" + HealthCheckFileRouter.DEFAULT_DISABLED_SUFFIX)));
        assertSame(onlyA, router.current());
        Routing bc = Routing.of(Route.active(B, 5000), Route.active(C, 5000), Route.disabled(A));
        router.apply(bc);
        router.apply(bc); // idempotent
        assertFalse(on("a"));
        assertTrue(on("b") && on("c"));
        assertTrue(router.current().sameTrafficAs(bc));
    }

    @Test
    void freshInstanceReadsTheFilesAndSeesDrift() throws IOException {
        router.apply(Routing.of(Route.active(A, 10_000)));
        HealthCheckFileRouter fresh = build();
        assertEquals(Routing.of(Route.active(A, 10_000), Route.disabled(B), Route.disabled(C)), fresh.current());
        // someone turns b on by hand: both instances report what the files say
        Files.move(dir.resolve("b.health.zdd-disabled"), dir.resolve("b.health"));
        Routing expected = Routing.of(Route.active(A, 5000), Route.active(B, 5000), Route.disabled(C));
        assertEquals(expected, router.current());
        assertEquals(expected, fresh.current());
    }

    /**
     * Issue 12: the balancer's view of a target's health (its check fails because the target's web server is down) is
     * not the router's record of what is on. A target whose process is down stays on in zdd's tables, and restoring a
     * snapshot taken while it was down never turns its file off: the balancer takes it back when its check passes.
     */
    @Test
    void aTargetDownForTheBalancerStaysOnAndARestoreKeepsItsFileOn() throws IOException {
        Routing all = Routing.of(Route.active(A, 3334), Route.active(B, 3333), Route.active(C, 3333));
        router.apply(all);
        // b's web server stops: the balancer's check of b fails; nothing zdd reads changes
        Routing snapshot = build().current();
        assertTrue(snapshot.sameTrafficAs(all), snapshot.toString());
        assertEquals(dev.zdd.api.BalancerHealth.UNCHECKED, snapshot.route("b").orElseThrow().health());
        router.apply(Routing.of(Route.active(A, 10_000), Route.disabled(B), Route.disabled(C)));
        router.apply(snapshot);
        assertTrue(on("b"), "b's health-check file is back in place: the balancer serves b as soon as b answers");
        assertTrue(router.current().sameTrafficAs(all));
    }

    @Test
    void refusesWhatItCannotDo() {
        String drain = assertThrows(IllegalArgumentException.class,
                () -> router.apply(Routing.of(Route.active(A, 10_000), Route.draining(B)))).getMessage();
        assertEquals("health-check-file router cannot drain (target b is DRAINING): it only turns targets on or off; use DISABLED", drain);
        String uneven = assertThrows(IllegalArgumentException.class,
                () -> router.apply(Routing.of(Route.active(A, 4000), Route.active(B, 6000)))).getMessage();
        assertTrue(uneven.contains("cannot serve a share of 40.00%") && uneven.contains("granularity is weight 1 of 1"), uneven);
        assertThrows(IllegalArgumentException.class, () -> router.apply(Routing.of(Route.active(A, 1000), Route.active(B, 9000))));
        assertThrows(IllegalArgumentException.class, () -> router.apply(Routing.of(Route.active(A, 10_000))
                .withStickiness(Stickiness.on(RequestKey.cookie("s")))));
        String unknown = assertThrows(IllegalArgumentException.class,
                () -> router.apply(Routing.of(Route.active(Target.of("x", "1", "127.0.0.1", 1), 10_000)))).getMessage();
        assertEquals("health-check-file router: unknown target 'x': no health-check file configured (known: [a, b, c])", unknown);
        assertThrows(IllegalArgumentException.class,
                () -> router.apply(Routing.of(Route.active(Target.of("a", "1", "127.0.0.1", 1), 10_000))));
        assertTrue(on("a") && on("b") && on("c"), "nothing changed");
    }

    @Test
    void missingFilesAreClearErrors() throws IOException {
        Files.delete(dir.resolve("c.health"));
        String built = assertThrows(IllegalArgumentException.class, this::build).getMessage();
        assertEquals("healthCheckFileRouter.file of c is missing: neither " + dir.resolve("c.health").toAbsolutePath()
                + " nor " + dir.resolve("c.health.zdd-disabled").toAbsolutePath() + " exists", built);
        String read = assertThrows(RouterException.class, router::current).getMessage();
        assertTrue(read.startsWith("health-check-file router: health-check file of target c is missing: neither "), read);
    }

    @Test
    void failedRenameIsUndone() throws IOException {
        router.apply(Routing.of(Route.active(B, 10_000)));
        // make turning b off impossible: its disabled name is taken by a non-empty directory
        Path blocker = Files.createDirectory(dir.resolve("b.health.zdd-disabled"));
        Files.writeString(blocker.resolve("keep"), "x");
        RouterException e = assertThrows(RouterException.class, () -> router.apply(Routing.of(Route.active(A, 10_000))));
        assertTrue(e.getMessage().startsWith("health-check-file router: turning off target b ("), e.getMessage());
        assertTrue(e.getMessage().endsWith("undo succeeded: the 1 rename(s) already done were reversed"), e.getMessage());
        assertFalse(on("a"), "a was turned on first and must be off again");
        assertTrue(on("b"));
    }

    @Test
    void withAStateFileARouterInANewProcessReadsTheVersionsAndAttributesAsApplied() {
        java.util.function.Supplier<HealthCheckFileRouter> fresh = () -> HealthCheckFileRouter.builder()
                .target(A, dir.resolve("a.health")).target(B, dir.resolve("b.health")).target(C, dir.resolve("c.health"))
                .stateFile(dir.resolve("state/hcf.properties")).build();
        // a new version deployed on the machines of a and b, with colours: not what the configuration says
        Target a2 = new Target("a", "7", A.endpoint(), java.util.Map.of("colour", "blue"));
        Target b2 = new Target("b", "7", B.endpoint(), java.util.Map.of("colour", "blue"));
        fresh.get().apply(Routing.evenly(List.of(a2, b2)));
        Routing read = fresh.get().current();
        // the table last applied, as applied: c, which it omitted (and which is off), is not reported
        assertEquals(Routing.evenly(List.of(a2, b2)), read);
        assertFalse(on("c"));
        RouterConformance.Report report = RouterConformance.check(fresh.get(),
                List.of(a2, new Target("b", "8", B.endpoint(), java.util.Map.of("colour", "green", "pid", "9")), C),
                RouterConformance.Options.builder().newInstance(fresh).build());
        assertTrue(report.passed().contains("new instance"), report.toString());
    }

    @Test
    void withAStateFileARouterInANewProcessReadsTheLastTableSoBlueGreenIdsDoNotCollideWithOffTargets() throws IOException {
        java.util.function.Supplier<HealthCheckFileRouter> fresh = () -> HealthCheckFileRouter.builder()
                .target(A, dir.resolve("a.health")).target(B, dir.resolve("b.health")).target(C, dir.resolve("c.health"))
                .stateFile(dir.resolve("state/hcf.properties")).build();
        Target a2 = new Target("a", "7", A.endpoint(), java.util.Map.of("colour", "blue"));
        Routing switchTable = Routing.of(Route.active(a2, 10_000), Route.disabled(B));
        fresh.get().apply(switchTable);
        assertEquals(switchTable, fresh.get().current(), "DISABLED routes the table lists are read back too");
        Routing onlyA = Routing.of(Route.active(a2, 10_000));
        fresh.get().apply(onlyA);
        assertEquals(onlyA, fresh.get().current());
        // someone turns c on by hand: the recorded table no longer matches the files, so every configured target shows
        Files.move(dir.resolve("c.health.zdd-disabled"), dir.resolve("c.health"));
        assertEquals(Routing.of(Route.active(a2, 5000), Route.disabled(B), Route.active(C, 5000)), fresh.get().current());
    }

    @Test
    void refusesATargetWhoseVersionOrAttributesDifferFromTheConfiguredOneBecauseALaterProcessCouldNotReadThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> router.apply(Routing.of(Route.active(A.withAttribute("colour", "blue"), 10_000))));
        assertTrue(e.getMessage().contains("target 'a' has version") && e.getMessage().contains("{colour=blue}"),
                e.getMessage());
    }

    @Test
    void passesTheConformanceCheck() {
        RouterConformance.Report report = RouterConformance.check(router, List.of(A, B, C),
                RouterConformance.Options.builder().newInstance(this::build).build());
        assertTrue(report.passed().contains("new instance"), report.toString());
        assertTrue(report.passed().contains("uneven split (refused: not declared)"), report.toString());
        assertTrue(report.passed().contains("drain (refused: not declared)"), report.toString());
        assertTrue(report.passed().contains("rollback"), report.toString());
    }

    /** Integration: real busybox httpd servers serve the files; an HTTP check (like an L4 balancer's) sees 200 or 404. */
    @Test
    void realWebServersAnswer404WhenTurnedOff() throws Exception {
        Optional<Path> busybox = IntegrationEnvironment.find("busybox", "apt-get install busybox-static");
        Assumptions.assumeTrue(busybox.isPresent(), "busybox is not installed (apt-get install busybox-static)");
        Path www = Files.createDirectories(dir.resolve("www"));
        int first = FreePorts.range(10);
        ProcessLauncher launcher = ProcessLauncher.builder()
                .command(busybox.get().toString(), "httpd", "-f", "-p", "{host}:{port}", "-h", www.resolve("{id}").toString())
                .portRange(first, first + 9).logDirectory(dir.resolve("logs")).startupCheck(Duration.ofMillis(200)).build();
        List<Target> targets = new ArrayList<>();
        HealthCheckFileRouter.Builder b = HealthCheckFileRouter.builder();
        try {
            for (String[] idv : new String[][] {{"blue", "1"}, {"green", "2"}}) {
                Path docroot = Files.createDirectories(www.resolve(idv[0]));
                Files.writeString(docroot.resolve("health.txt"), "ok");
                Target t = launcher.launch(new LaunchRequest("web", idv[0], idv[1], Map.of()));
                targets.add(t);
                b.target(t, docroot.resolve("health.txt"));
            }
            HttpProbe probe = HttpProbe.builder().path("/health.txt").expectStatus(200, 299).build();
            for (Target t : targets) {
                await().atMost(10, TimeUnit.SECONDS).until(() -> probe.check(t, Duration.ofSeconds(1)).isHealthy());
            }
            HealthCheckFileRouter files = b.build();
            RouterConformance.Report report = RouterConformance.check(files, targets, RouterConformance.Options.builder()
                    .verifier(routing -> {
                        for (Target t : targets) {
                            boolean serving = routing.servingTargets().contains(t);
                            String reason = probe.check(t, Duration.ofSeconds(2)).reason();
                            if (serving != reason.isEmpty()) {
                                throw new AssertionError(t.id() + " should be " + (serving ? "on" : "off") + ": " + reason);
                            }
                        }
                    }).build());
            assertTrue(report.passed().contains("switch"), report.toString());
            files.apply(Routing.of(Route.active(targets.get(1), 10_000)));
            String off = probe.check(targets.get(0), Duration.ofSeconds(2)).reason();
            assertEquals("GET http://127.0.0.1:" + targets.get(0).endpoint().port() + "/health.txt -> 404 (expected 200-299)",
                    off.replaceAll(": .*$", ""));
        } finally {
            for (Target t : targets) {
                launcher.retire(t, Duration.ofSeconds(2));
            }
        }
    }
}
