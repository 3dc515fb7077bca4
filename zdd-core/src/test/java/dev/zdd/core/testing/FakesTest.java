package dev.zdd.core.testing;

import dev.zdd.api.HealthResult;
import dev.zdd.api.HealthStatus;
import dev.zdd.api.LaunchException;
import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Route;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.RouterException;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The scripted probe, the recording router and the fake launcher. */
class FakesTest {
    private final Target t1 = Target.of("t1", "v1", "10.0.0.1", 80);
    private final Target t2 = Target.of("t2", "v1", "10.0.0.2", 80);
    private static final Duration T = Duration.ofSeconds(1);

    @Test
    void scriptedProbeAnswersInOrderAndRepeatsTheLast() throws Exception {
        ScriptedProbe probe = ScriptedProbe.healthy().script("t1", HealthStatus.UNHEALTHY, HealthStatus.UNKNOWN,
                HealthStatus.HEALTHY);
        assertEquals(HealthResult.unhealthy("scripted UNHEALTHY"), probe.check(t1, T));
        assertEquals(HealthStatus.UNKNOWN, probe.check(t1, T).status());
        assertEquals(HealthResult.healthy(), probe.check(t1, T));
        assertEquals(HealthResult.healthy(), probe.check(t1, T));
        assertEquals(HealthResult.healthy(), probe.check(t2, T));
        assertEquals(List.of("t1", "t1", "t1", "t1", "t2"), probe.calls());
        assertEquals(4, probe.calls("t1"));
    }

    @Test
    void scriptedProbeFailuresAndDefaults() throws Exception {
        ScriptedProbe probe = ScriptedProbe.unhealthy("down").alwaysUnhealthy("t1", "HTTP 503").fail("t2", "refused");
        assertEquals(HealthResult.unhealthy("HTTP 503"), probe.check(t1, T));
        assertEquals("refused", assertThrows(IOException.class, () -> probe.check(t2, T)).getMessage());
        assertEquals(HealthResult.unhealthy("down"), probe.check(Target.of("t3", "v1", "h", 1), T));
        assertThrows(IllegalArgumentException.class, () -> probe.script("t1", new HealthResult[0]));
    }

    @Test
    void recordingRouterRecordsAppliedTablesAndInjectsFaults() {
        RecordingRouter router = RecordingRouter.serving(t1, t2);
        Routing one = Routing.of(Route.active(t1, 1));
        Routing two = Routing.of(Route.active(t2, 1));
        router.failOnCall(2).failApplyWhen(r -> r.routes().isEmpty());
        router.apply(one);
        assertEquals("apply: injected failure of call 2", assertThrows(RouterException.class, () -> router.apply(two))
                .getMessage());
        assertSame(one, router.current());
        assertThrows(RouterException.class, () -> router.apply(Routing.EMPTY));
        router.apply(two);
        assertEquals(List.of(one, two), router.applied());
        assertEquals(4, router.applyCalls());
        router.reportDrift(r -> one);
        assertEquals(one, router.current());
        assertEquals(two, router.table());
        router.reportDrift(null).failCurrentOnCall(3);
        assertEquals("current: injected failure of call 3", assertThrows(RouterException.class, router::current)
                .getMessage());
        assertEquals(RecordingRouter.ALL_CAPABILITIES, router.capabilities());
        assertEquals(RouterCapabilities.WEIGHTS_ONLY, new RecordingRouter(one, RouterCapabilities.WEIGHTS_ONLY)
                .capabilities());
    }

    @Test
    void recordingRouterReportsScriptedConnectionCounts() {
        RecordingRouter router = RecordingRouter.serving(t1, t2).setConnections("t1", 4, 2, 0);
        assertEquals(Map.of("t1", 4, "t2", 0), router.activeConnections());
        assertEquals(Map.of("t1", 2, "t2", 0), router.activeConnections());
        assertEquals(Map.of("t1", 0, "t2", 0), router.activeConnections());
        assertEquals(Map.of("t1", 0, "t2", 0), router.activeConnections());
    }

    @Test
    void fakeLauncherHandsOutPortsAndRecords() {
        FakeLauncher launcher = new FakeLauncher().adopt(t1);
        Target a = launcher.launch(new LaunchRequest("svc", "n1", "v2", Map.of("colour", "green")));
        Target b = launcher.launch(new LaunchRequest("svc", "n2", "v2", Map.of()));
        assertEquals(new Target("n1", "v2", new dev.zdd.api.Endpoint("127.0.0.1", FakeLauncher.FIRST_PORT),
                Map.of("colour", "green")), a);
        assertEquals(FakeLauncher.FIRST_PORT + 1, b.endpoint().port());
        launcher.retire(t1, Duration.ZERO);
        assertEquals(List.of("t1"), launcher.retired().stream().map(Target::id).toList());
        assertEquals(List.of("n1", "n2"), List.copyOf(launcher.running().keySet()));
        launcher.failLaunch("n3", "image not found").failRetire("n1", "stuck");
        assertEquals("image not found", assertThrows(LaunchException.class,
                () -> launcher.launch(new LaunchRequest("svc", "n3", "v2", Map.of()))).getMessage());
        assertEquals("stuck", assertThrows(LaunchException.class, () -> launcher.retire(a, Duration.ZERO)).getMessage());
        assertEquals(3, launcher.launches().size());
        assertEquals(List.of(a, b), launcher.launched());
        launcher.clearFaults();
        launcher.retire(a, Duration.ZERO);
        assertEquals(List.of("n2"), List.copyOf(launcher.running().keySet()));
    }
}
