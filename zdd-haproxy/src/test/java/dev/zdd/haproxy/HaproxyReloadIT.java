package dev.zdd.haproxy;

import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Target;
import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.haproxy.testing.LocalHaproxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Regression (issue 12): switching blue -> green through the runtime API, then reloading HAProxy for an unrelated
 * change ({@code haproxy -sf <pid> -x <socket>}), sent traffic straight back to blue (green is {@code disabled} in
 * haproxy.cfg). With {@link HaproxyRouter.Builder#serverStateFile(Path)} and a configuration that loads it, a reload
 * and a restart keep the table zdd applied, under load, even after blue is stopped. Without the file, the guard
 * notices the drift and applies the committed table again.
 */
class HaproxyReloadIT {
    @TempDir
    Path dir;
    LocalHaproxy haproxy;
    TestBackend blue;
    TestBackend green;
    Target tBlue;
    Target tGreen;
    RoutingMaps maps;

    @BeforeEach
    void start() throws Exception {
        Optional<Path> exe = IntegrationEnvironment.find("haproxy", "apt-get install haproxy");
        assumeTrue(exe.isPresent(), "haproxy is not installed (apt-get install haproxy)");
        blue = TestBackend.start("v1");
        green = TestBackend.start("v2");
        tBlue = blue.target("blue");
        tGreen = green.target("green");
        Files.writeString(dir.resolve("sticky.map"), "");
        maps = RoutingMaps.builder().sticky(RequestKey.header("X-User"), dir.resolve("sticky.map")).build();
        // the documented setup: HAProxy loads the backend's server state that zdd writes
        haproxy = LocalHaproxy.builder(exe.get(), dir).globalLines("server-state-base " + dir)
                .backendLines("load-server-state-from-file local\nserver-state-file-name app.state\n" + maps.backendConfig())
                .server("blue", blue.endpoint(), 256, true).server("green", green.endpoint(), 256, false).start();
    }

    @AfterEach
    void stop() {
        if (haproxy != null) {
            haproxy.close();
        }
        for (TestBackend b : new TestBackend[] {blue, green}) {
            if (b != null) {
                b.close();
            }
        }
    }

    HaproxyRouter router() {
        return HaproxyRouter.builder(haproxy.client(), LocalHaproxy.BACKEND).server("blue", tBlue).server("green", tGreen)
                .routingMaps(maps).stateFile(dir.resolve("zdd.state")).serverStateFile(dir.resolve("app.state")).build();
    }

    @Test
    void aReloadAndARestartUnderLoadKeepTheSwitchToGreen() throws Exception {
        HaproxyRouter router = router();
        Routing green = new Routing(List.of(Route.active(tGreen, 10_000), Route.disabled(tBlue)),
                Stickiness.on(RequestKey.header("X-User")), List.of());
        router.apply(green);
        assertEquals("v2", Http.get(haproxy.frontendPort()));
        String state = Files.readString(dir.resolve("app.state"), StandardCharsets.UTF_8);
        assertTrue(state.startsWith("1\n# be_id"), state);
        assertTrue(Files.readString(dir.resolve("sticky.map"), StandardCharsets.UTF_8).contains(" green"));

        try (Http.Load load = new Http.Load(haproxy.frontendPort(), 4, Duration.ofSeconds(60))) {
            long pid = haproxy.pid();
            haproxy.reload();
            assertTrue(haproxy.pid() != pid);
            for (int i = 0; i < 30; i++) {
                assertEquals("v2", Http.get(haproxy.frontendPort()), "after a reload HAProxy still serves green");
            }
            assertTrue(router().current().sameTrafficAs(green), router().current().toString());
            assertTrue(router.current().sameTrafficAs(green), router.current().toString());
            long failedAtReload = load.failed();

            blue.close(); // blue retired after the switch
            haproxy.restart();
            for (int i = 0; i < 30; i++) {
                assertEquals("v2", Http.get(haproxy.frontendPort(), Map.of("X-User", "u" + i)),
                        "after a restart HAProxy still serves green");
            }
            assertTrue(router().current().sameTrafficAs(green), router().current().toString());
            load.stop();
            assertFalse(load.versions.containsKey("v1"), "no request reached blue after the switch: " + load.versions);
            assertTrue(load.ok.get() > 0);
            System.out.println("HaproxyReloadIT: load during reload and restart: ok " + load.ok.get() + ", failed by the "
                    + "reload " + failedAtReload + ", in all " + load.failures + " (the restart is a stop and a start: "
                    + "requests in its gap fail)");
        }
    }

    @Test
    void withoutTheServerStateFileAReloadUndoesTheSwitch() throws Exception {
        // the bug as a new user saw it: the same set-up without the file zdd writes
        HaproxyRouter router = HaproxyRouter.builder(haproxy.client(), LocalHaproxy.BACKEND).server("blue", tBlue)
                .server("green", tGreen).stateFile(dir.resolve("zdd.state")).build();
        Routing green = Routing.of(Route.active(tGreen, 10_000), Route.disabled(tBlue));
        router.apply(green);
        assertEquals("v2", Http.get(haproxy.frontendPort()));
        haproxy.reload();
        assertEquals("v1", Http.get(haproxy.frontendPort()), "HAProxy serves its configuration file again");
        assertFalse(router.current().sameTrafficAs(green), "current() shows the drift");

        // the guard notices that HAProxy no longer serves the committed table and applies it again
        java.util.List<dev.zdd.core.guard.GuardEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (dev.zdd.core.guard.Guard guard = dev.zdd.core.guard.Guard.builder(router, dev.zdd.core.probe.HttpProbe.create())
                .committed(green).policy(dev.zdd.api.ProbePolicy.builder().period(Duration.ofMillis(100))
                        .timeout(Duration.ofSeconds(1)).build())
                .listener(events::add).build().start()) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> router.current().sameTrafficAs(green));
            for (int i = 0; i < 10; i++) {
                assertEquals("v2", Http.get(haproxy.frontendPort()), "the guard re-applied the switch");
            }
            assertTrue(events.stream().anyMatch(e -> e instanceof dev.zdd.core.guard.GuardEvent.DriftDetected d
                    && d.reapplied() && d.error().isEmpty()), events.toString());
        }
    }
}
