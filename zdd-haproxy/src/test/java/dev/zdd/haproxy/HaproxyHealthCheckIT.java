package dev.zdd.haproxy;

import dev.zdd.api.BalancerHealth;
import dev.zdd.api.Route;
import dev.zdd.api.RouteState;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.haproxy.testing.LocalHaproxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Regression (issue 12): a server that is down only because HAProxy's own health check fails ({@code option httpchk}
 * + {@code check}) was read as DISABLED and restored as {@code state maint}, so it never came back. Real HAProxy, real
 * HTTP backends; one backend is stopped and started again on the same port.
 */
class HaproxyHealthCheckIT {
    @TempDir
    Path dir;
    LocalHaproxy haproxy;
    TestBackend blue1;
    TestBackend blue2;
    TestBackend green;
    Target tBlue1;
    Target tBlue2;
    Target tGreen;

    @BeforeEach
    void start() throws Exception {
        Optional<Path> exe = IntegrationEnvironment.find("haproxy", "apt-get install haproxy");
        assumeTrue(exe.isPresent(), "haproxy is not installed (apt-get install haproxy)");
        blue1 = TestBackend.start("v1");
        blue2 = TestBackend.start("v1");
        green = TestBackend.start("v2");
        tBlue1 = blue1.target("blue1");
        tBlue2 = blue2.target("blue2");
        tGreen = green.target("green");
        haproxy = LocalHaproxy.builder(exe.get(), dir).backendLines("option httpchk GET " + TestBackend.HEALTH_PATH)
                .serverOptions("check inter 100 fall 2 rise 1")
                .server("blue1", blue1.endpoint(), 256, true).server("blue2", blue2.endpoint(), 256, true)
                .server("green", green.endpoint(), 256, false).start();
    }

    @AfterEach
    void stop() {
        if (haproxy != null) {
            haproxy.close();
        }
        for (TestBackend b : new TestBackend[] {blue1, blue2, green}) {
            if (b != null) {
                b.close();
            }
        }
    }

    HaproxyRouter router() {
        return HaproxyRouter.builder(haproxy.client(), LocalHaproxy.BACKEND).server("blue1", tBlue1).server("blue2", tBlue2)
                .server("green", tGreen).stateFile(dir.resolve("zdd.state")).build();
    }

    ServerState server(String name) {
        return haproxy.client().showServersState(LocalHaproxy.BACKEND).stream()
                .filter(s -> s.serverName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void downByHealthCheckStaysServingInZddsTablesAndComesBackAfterARestore() throws Exception {
        HaproxyRouter router = router();
        Routing blue = Routing.of(Route.active(tBlue1, 5000), Route.active(tBlue2, 5000), Route.disabled(tGreen));
        router.apply(blue);
        await().atMost(Duration.ofSeconds(10)).until(() -> server("blue2").operState() == ServerState.OP_RUNNING);

        int port = blue2.port();
        blue2.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> server("blue2").downByCheck());

        // what a deployment reads first: intent unchanged, health visible
        Routing snapshot = router.current();
        Route r2 = snapshot.route("blue2").orElseThrow();
        assertEquals(RouteState.ACTIVE, r2.state(), snapshot.toString());
        assertEquals(5000, r2.weight(), snapshot.toString());
        assertEquals(BalancerHealth.DOWN, r2.health(), snapshot.toString());
        assertEquals(BalancerHealth.UP, snapshot.route("blue1").orElseThrow().health());
        assertTrue(snapshot.sameTrafficAs(blue), snapshot.toString());
        assertEquals(java.util.List.of(tBlue2), snapshot.downByBalancer());
        // a router of a later process reads the same
        Routing fresh = router().current();
        assertEquals(RouteState.ACTIVE, fresh.route("blue2").orElseThrow().state(), fresh.toString());
        assertTrue(fresh.sameTrafficAs(blue), fresh.toString());

        // switch to green, then roll back to the snapshot: the confirm must not wait for blue2 to be up
        router.apply(Routing.of(Route.disabled(tBlue1), Route.disabled(tBlue2), Route.active(tGreen, 10_000)));
        assertTrue(server("blue2").inMaintenance());
        router.apply(snapshot);
        ServerState s2 = server("blue2");
        assertFalse(s2.inMaintenance(), "a restore must never put a server down by its check in maintenance: " + s2);
        assertTrue(s2.userWeight() > 0, s2.toString());
        assertTrue(router.current().sameTrafficAs(blue));

        // the process comes back: HAProxy's own check takes it back into rotation
        blue2 = TestBackend.start("v1", port);
        await().atMost(Duration.ofSeconds(15)).until(() -> server("blue2").operState() == ServerState.OP_RUNNING);
        long before = blue2.requests();
        for (int i = 0; i < 20; i++) {
            Http.get(haproxy.frontendPort());
        }
        assertTrue(blue2.requests() > before, "blue2 takes traffic again after its check passes");
        assertEquals(BalancerHealth.UP, router.current().route("blue2").orElseThrow().health());
    }

    @Test
    void applyDoesNotWaitForAServerDownByItsCheck() throws Exception {
        blue2.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> server("blue2").downByCheck());
        HaproxyRouter router = HaproxyRouter.builder(haproxy.client(), LocalHaproxy.BACKEND).server("blue1", tBlue1)
                .server("blue2", tBlue2).server("green", tGreen).stateFile(dir.resolve("zdd.state"))
                .confirmTimeout(Duration.ofSeconds(2)).build();
        Routing table = Routing.of(Route.active(tBlue2, 5000), Route.active(tGreen, 5000), Route.disabled(tBlue1));
        router.apply(table); // would time out if the confirm waited for blue2 to serve
        Routing now = router.current();
        assertTrue(now.sameTrafficAs(table), now.toString());
        assertEquals(BalancerHealth.DOWN, now.route("blue2").orElseThrow().health());
        for (int i = 0; i < 10; i++) {
            assertEquals("v2", Http.get(haproxy.frontendPort()), "HAProxy sends everything to green while blue2 is down");
        }
    }
}
