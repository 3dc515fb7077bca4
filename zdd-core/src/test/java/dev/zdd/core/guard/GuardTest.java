package dev.zdd.core.guard;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.HealthProbe;
import dev.zdd.api.HealthResult;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.Route;
import dev.zdd.api.RouteState;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.Engine;
import dev.zdd.core.strategy.BlueGreen;
import dev.zdd.core.testing.FakeLauncher;
import dev.zdd.core.testing.RecordingRouter;
import dev.zdd.core.testing.VirtualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The guard's logic in virtual time: ejection, floor, reinstatement, drift, and its hand-over to a deployment. */
class GuardTest {
    static final ProbePolicy POLICY = ProbePolicy.builder().period(Duration.ofSeconds(1)).timeout(Duration.ofMillis(500))
            .failureThreshold(2).successThreshold(2).build();

    final VirtualScheduler time = new VirtualScheduler();
    final Target a = Target.of("a", "v1", "10.0.0.1", 8080).withAttribute(Target.COLOUR, "blue");
    final Target b = Target.of("b", "v1", "10.0.0.2", 8080).withAttribute(Target.COLOUR, "blue");
    final Target c = Target.of("c", "v1", "10.0.0.3", 8080).withAttribute(Target.COLOUR, "blue");
    final Map<String, Boolean> down = new ConcurrentHashMap<>();
    final HealthProbe probe = (t, timeout) -> down.getOrDefault(t.id(), false)
            ? HealthResult.unhealthy("connection refused") : HealthResult.healthy();
    final List<GuardEvent> events = Collections.synchronizedList(new ArrayList<>());
    Guard guard;

    @AfterEach
    void close() {
        if (guard != null) {
            guard.close();
        }
        time.shutdown();
    }

    Guard.Builder guard(RecordingRouter router) {
        return Guard.builder(router, probe).policy(POLICY).scheduler(time).executor(time.executor()).listener(events::add);
    }

    <T extends GuardEvent> List<T> events(Class<T> type) {
        synchronized (events) {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    @Test
    void ejectsAFailingTargetAfterItsThresholdAndReinstatesItAfterItsSuccessThreshold() {
        RecordingRouter router = RecordingRouter.serving(a, b, c);
        Routing all = router.table();
        guard = guard(router).build().start();
        time.advance(Duration.ofSeconds(3));
        assertEquals(0, router.applyCalls(), "nothing applied while all are healthy");

        down.put("b", true);
        time.advance(Duration.ofSeconds(1));
        assertTrue(router.table().route("b").orElseThrow().serving(), "one failure is below the threshold of 2");
        time.advance(Duration.ofSeconds(1));
        Routing t = router.table();
        assertEquals(RouteState.DISABLED, t.route("b").orElseThrow().state(), t.toString());
        assertEquals(10_000, t.servingWeight(), "b's weight went to a and c");
        assertEquals(Set.of("b"), guard.ejected());
        GuardEvent.TargetEjected ej = events(GuardEvent.TargetEjected.class).get(0);
        assertEquals("b", ej.target().id());
        assertEquals("connection refused", ej.reason());

        down.put("b", false);
        time.advance(Duration.ofSeconds(1));
        assertEquals(Set.of("b"), guard.ejected(), "one success is below the success threshold of 2");
        time.advance(Duration.ofSeconds(1));
        assertTrue(router.table().sameTrafficAs(all), router.table().toString());
        assertEquals(Set.of(), guard.ejected());
        assertEquals(1, events(GuardEvent.TargetReinstated.class).size());
        assertEquals(List.of(), time.failures());
    }

    @Test
    void neverTakesOutTheLastServingTargetOfAVersionAndSaysSo() {
        Target canary = Target.of("g1", "v2", "10.0.0.9", 8080);
        RecordingRouter router = new RecordingRouter(Routing.of(Route.active(a, 4500), Route.active(b, 4500),
                Route.active(canary, 1000)));
        guard = guard(router).build().start();
        down.put("g1", true);
        down.put("a", true);
        down.put("b", true);
        time.advance(Duration.ofSeconds(5));
        Routing t = router.table();
        assertTrue(t.route("g1").orElseThrow().serving(), "the only v2 target stays: " + t);
        assertEquals(1, t.servingTargets().stream().filter(x -> x.version().equals("v1")).count(),
                "one of a and b is out, the last v1 target stays: " + t);
        assertEquals(Map.of("v1", 0.9, "v2", 0.1), rounded(t.versionShares()), "versions keep their shares");
        List<GuardEvent.FloorHeld> floor = events(GuardEvent.FloorHeld.class);
        assertEquals(2, floor.size(), "said once per kept target: " + floor);
        assertTrue(floor.get(0).describe().contains("last serving target of version"));

        // the v1 target that was ejected recovers: the one kept by the floor is ejected in its place
        String out = guard.ejected().iterator().next();
        down.put(out, false);
        time.advance(Duration.ofSeconds(3));
        assertEquals(Set.of(out.equals("a") ? "b" : "a"), guard.ejected());
    }

    static Map<String, Double> rounded(Map<String, Double> m) {
        Map<String, Double> out = new java.util.TreeMap<>();
        m.forEach((k, v) -> out.put(k, Math.round(v * 100) / 100.0));
        return out;
    }

    @Test
    void reappliesTheCommittedTableWhenTheRouterDrifted() {
        RecordingRouter router = RecordingRouter.serving(a, b);
        Routing committed = router.table();
        guard = guard(router).build().start();
        time.advance(Duration.ofSeconds(1));
        router.apply(Routing.of(Route.active(c, 10_000))); // a reload served the configuration file again
        time.advance(Duration.ofSeconds(1));
        assertTrue(router.table().sameTrafficAs(committed), router.table().toString());
        GuardEvent.DriftDetected d = events(GuardEvent.DriftDetected.class).get(0);
        assertTrue(d.reapplied());
        assertEquals("", d.error());
    }

    @Test
    void onlyReportsDriftWhenAskedToOncePerDriftedTable() {
        RecordingRouter router = RecordingRouter.serving(a, b);
        guard = guard(router).onDrift(Guard.DriftAction.REPORT).build().start();
        Routing edited = Routing.of(Route.active(a, 10_000), Route.disabled(b));
        router.apply(edited); // a hand edit
        time.advance(Duration.ofSeconds(5));
        assertEquals(edited, router.table());
        assertEquals(1, events(GuardEvent.DriftDetected.class).size());
        assertFalse(events(GuardEvent.DriftDetected.class).get(0).reapplied());
    }

    Engine engine(RecordingRouter router, FakeLauncher launcher) {
        return Engine.builder().router(router).launcher(launcher).probe(probe)
                .probePolicy(ProbePolicy.builder().period(Duration.ofSeconds(1)).timeout(Duration.ofMillis(500)).build())
                .scheduler(time).executor(time.executor()).build();
    }

    @Test
    void whileADeploymentRunsTheGuardAppliesNothingAndAbortsItWhenATargetItBroughtFails() {
        RecordingRouter router = RecordingRouter.serving(a, b);
        FakeLauncher launcher = new FakeLauncher().adopt(a, b);
        Engine engine = engine(router, launcher);
        guard = guard(router).build().start();
        time.advance(Duration.ofSeconds(2));
        Deployment d = guard.deploy(() -> engine.start(DeploymentSpec.builder("shop", "v2").instances(2).build(),
                BlueGreen.builder().rollbackWindow(Duration.ofMinutes(10)).build()));
        assertTrue(guard.deferring());
        // green is live and in its rollback window; then green starts failing
        time.runUntil(() -> router.table().servingVersions().equals(Set.of("v2")), Duration.ofMinutes(5));
        int appliedBefore = router.applyCalls();
        for (Target t : router.table().servingTargets()) {
            down.put(t.id(), true);
        }
        time.runUntil(() -> d.status().isTerminal(), Duration.ofMinutes(30));
        assertEquals(DeploymentStatus.ROLLED_BACK, d.status(), d.result().orElseThrow().reason());
        assertTrue(d.result().orElseThrow().reason().contains("guard"), d.result().orElseThrow().reason());
        GuardEvent.ReportedToDeployment r = events(GuardEvent.ReportedToDeployment.class).get(0);
        assertTrue(r.aborted());
        assertEquals("v2", r.target().version());
        assertTrue(router.applyCalls() > appliedBefore, "the rollback applied");
        time.advance(Duration.ofSeconds(3));
        assertFalse(guard.deferring());
        assertEquals(Set.of("v1"), router.table().servingVersions());
        assertEquals(List.of(), events(GuardEvent.TargetEjected.class), "the guard itself applied nothing");
        assertEquals(List.of(), events(GuardEvent.DriftDetected.class), "a deployment's changes are not drift");
    }

    @Test
    void anOldTargetFailingDuringADeploymentIsReportedAndEjectedAfterIt() {
        Target a2 = Target.of("a2", "v1", "10.0.0.4", 8080).withAttribute(Target.COLOUR, "blue");
        RecordingRouter router = RecordingRouter.serving(a, b, a2);
        FakeLauncher launcher = new FakeLauncher().adopt(a, b, a2);
        Engine engine = engine(router, launcher);
        guard = guard(router).build().start();
        // a manual gate keeps the deployment running while blue b fails
        Deployment d = guard.deploy(() -> engine.start(DeploymentSpec.builder("shop", "v2").instances(1).build(),
                dev.zdd.core.strategy.Canary.builder().weight(10).gate("look", Duration.ofMinutes(30)).weight(100).build()));
        time.advance(Duration.ofMinutes(1));
        List<Routing> appliedDuring = new ArrayList<>(router.applied());
        down.put("b", true);
        time.advance(Duration.ofSeconds(5));
        assertFalse(d.status().isTerminal());
        GuardEvent.ReportedToDeployment r = events(GuardEvent.ReportedToDeployment.class).get(0);
        assertEquals("b", r.target().id());
        assertFalse(r.aborted(), "b was serving before the deployment: reported only");
        assertEquals(appliedDuring, router.applied(), "the guard applied nothing while the deployment owns the routing");
        d.abort("by hand");
        time.runUntil(() -> d.status().isTerminal(), Duration.ofMinutes(30));
        assertEquals(DeploymentStatus.ROLLED_BACK, d.status(), d.result().orElseThrow().reason());
        time.advance(Duration.ofSeconds(2));
        assertFalse(guard.deferring());
        // the guard has the routing back and acts on what it was told: b, still failing, is ejected
        assertEquals(Set.of("b"), guard.ejected());
        Routing t = router.table();
        assertEquals(RouteState.DISABLED, t.route("b").orElseThrow().state(), t.toString());
        assertEquals(Set.of("v1"), t.servingVersions());
        assertEquals(1, events(GuardEvent.TargetEjected.class).size());
    }

    @Test
    void refusesASecondOwner() {
        RecordingRouter router = RecordingRouter.serving(a, b);
        guard = guard(router).build();
        assertThrows(IllegalStateException.class, () -> guard.deploy(() -> null));
        guard.start();
        assertThrows(IllegalArgumentException.class, () -> guard.deploy(() -> null));
        assertFalse(guard.deferring(), "a failed start gives the routing back");
    }
}
