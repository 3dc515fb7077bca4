package dev.zdd.haproxy;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.Engine;
import dev.zdd.core.Schedulers;
import dev.zdd.core.probe.HttpProbe;
import dev.zdd.core.strategy.BlueGreen;
import dev.zdd.core.strategy.VerificationWindow;
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
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The post-switch verification window with real parts (issue 12): a blue-green switch through a real HAProxy with real
 * backends and a real HTTP probe; green starts failing during the window, and the deployment rolls back by itself to
 * blue, which stayed warm.
 */
class HaproxyVerificationIT {
    @TempDir
    Path dir;
    LocalHaproxy haproxy;
    TestBackend blueBackend;
    TestBackend greenBackend;

    @BeforeEach
    void start() throws Exception {
        Optional<Path> exe = IntegrationEnvironment.find("haproxy", "apt-get install haproxy");
        assumeTrue(exe.isPresent(), "haproxy is not installed (apt-get install haproxy)");
        blueBackend = TestBackend.start("v1");
        greenBackend = TestBackend.start("v2");
        haproxy = LocalHaproxy.builder(exe.get(), dir).server("blue", blueBackend.endpoint(), 256, true)
                .server("green", greenBackend.endpoint(), 256, false).start();
    }

    @AfterEach
    void stop() {
        if (haproxy != null) {
            haproxy.close();
        }
        for (TestBackend b : new TestBackend[] {blueBackend, greenBackend}) {
            if (b != null) {
                b.close();
            }
        }
    }

    @Test
    void greenFailingDuringTheWindowRollsBackToTheWarmBlue() throws Exception {
        Target blue = blueBackend.target("blue", java.util.Map.of(Target.COLOUR, "blue"));
        Target green = greenBackend.target("green", java.util.Map.of(Target.COLOUR, "green"));
        HaproxyRouter router = HaproxyRouter.builder(haproxy.client(), LocalHaproxy.BACKEND).server("blue", blue)
                .server("green", green).stateFile(dir.resolve("zdd.state")).build();
        router.apply(Routing.of(Route.active(blue, 10_000), Route.disabled(green)));
        ProbePolicy policy = ProbePolicy.builder().period(Duration.ofMillis(200)).timeout(Duration.ofSeconds(1))
                .failureThreshold(3).deadline(Duration.ofSeconds(20)).build();
        Engine engine = Engine.builder().router(router).probe(HttpProbe.create()).probePolicy(policy)
                .scheduler(Schedulers.system()).build();
        BlueGreen strategy = BlueGreen.builder().drainTimeout(Duration.ofSeconds(1))
                .verify(VerificationWindow.of(Duration.ofMinutes(2))).build();
        try (Http.Load load = new Http.Load(haproxy.frontendPort(), 2, Duration.ofSeconds(60))) {
            Deployment d = engine.start(DeploymentSpec.builder("svc", "v2").targets(green).build(), strategy);
            await().atMost(Duration.ofSeconds(30)).until(() -> router.current().servingVersions().equals(Set.of("v2")));
            assertEquals("v2", Http.get(haproxy.frontendPort()));
            long failedAt = System.nanoTime();
            greenBackend.healthy(false);
            DeploymentResult r = d.await(Duration.ofSeconds(30));
            long backMs = (System.nanoTime() - failedAt) / 1_000_000;
            assertEquals(DeploymentStatus.ROLLED_BACK, r.status(), r.toString());
            assertTrue(r.reason().contains("verification window"), r.reason());
            for (int i = 0; i < 20; i++) {
                assertEquals("v1", Http.get(haproxy.frontendPort()), "traffic is back on blue");
            }
            assertTrue(router.current().servingVersions().equals(Set.of("v1")));
            assertFalse(d.status() == DeploymentStatus.FAILED);
            load.stop();
            System.out.println("HaproxyVerificationIT: first failure to traffic back on blue " + backMs + " ms; load ok "
                    + load.ok.get() + ", failed " + load.failures);
        }
    }
}
