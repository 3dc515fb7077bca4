package dev.zdd.haproxy;

import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.Engine;
import dev.zdd.core.probe.HttpProbe;
import dev.zdd.core.strategy.BlueGreen;
import dev.zdd.core.strategy.Canary;
import dev.zdd.core.strategy.Rolling;
import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.core.testing.RouterConformance;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.haproxy.testing.LocalHaproxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The router passes RouterConformance, and Engine deployments run end to end through a real HAProxy. */
class HaproxyEngineIntegrationTest {
    @TempDir
    Path dir;
    TestBackend v1a;
    TestBackend v1b;
    TestBackend v2a;
    TestBackend v2b;
    LocalHaproxy haproxy;
    HaproxyRouter router;

    @BeforeEach
    void start() throws Exception {
        Optional<Path> exe = IntegrationEnvironment.find("haproxy", "apt-get install haproxy");
        assumeTrue(exe.isPresent(), "haproxy is not installed");
        v1a = TestBackend.start("v1");
        v1b = TestBackend.start("v1");
        v2a = TestBackend.start("v2");
        v2b = TestBackend.start("v2");
        Files.writeString(dir.resolve("sticky.map"), "");
        Files.writeString(dir.resolve("rules.map"), "");
        RequestKey key = RequestKey.header(RouterConformance.KEY_HEADER);
        RoutingMaps maps = RoutingMaps.builder().sticky(key, dir.resolve("sticky.map")).rules(key, dir.resolve("rules.map")).build();
        haproxy = LocalHaproxy.builder(exe.get(), dir).backendLines(maps.backendConfig())
                .server("blue", v1a.endpoint(), 256, true).server("green", v2a.endpoint(), 256, false).start();
        router = HaproxyRouter.builder(haproxy.client(), LocalHaproxy.BACKEND).server("blue", v1a.target("blue"))
                .server("green", v2a.target("green")).dynamicServers(true).routingMaps(maps).build();
    }

    @AfterEach
    void stop() {
        if (haproxy != null) {
            haproxy.close();
        }
        for (TestBackend b : new TestBackend[] {v1a, v1b, v2a, v2b}) {
            if (b != null) {
                b.close();
            }
        }
    }

    Engine engine() {
        return Engine.builder().router(router).probe(HttpProbe.create())
                .probePolicy(ProbePolicy.builder().period(Duration.ofMillis(100)).deadline(Duration.ofSeconds(10)).build())
                .build();
    }

    static DeploymentResult await(dev.zdd.api.Deployment d) throws Exception {
        return d.completion().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Test
    void passesRouterConformance() {
        RouterConformance.Report report = RouterConformance.check(router, List.of(v1a.target("blue"), v2a.target("green")),
                RouterConformance.Options.builder().name("HaproxyRouter").verifier(t -> {
                    if (t.servingVersions().size() == 1 && t.rules().isEmpty()) {
                        String want = t.servingVersions().iterator().next();
                        try {
                            assertEquals(want, Http.get(haproxy.frontendPort()));
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    }
                }).build());
        assertTrue(report.skipped().isEmpty(), "skipped: " + report.skipped());
    }

    @Test
    void blueGreenThroughHaproxy() throws Exception {
        router.apply(Routing.of(Route.active(v1a.target("blue"), 10_000)));
        try (Http.Load load = new Http.Load(haproxy.frontendPort(), 8, Duration.ofSeconds(60))) {
            DeploymentResult r = await(engine().start(DeploymentSpec.builder("svc", "v2").targets(v2a.target("green")).build(),
                    BlueGreen.builder().rollbackWindow(Duration.ZERO).drainTimeout(Duration.ofSeconds(5)).build()));
            assertEquals(DeploymentStatus.SUCCEEDED, r.status(), r.toString());
            load.close();
            assertEquals(0, load.failed(), "failures " + load.failures);
        }
        assertEquals("v2", Http.get(haproxy.frontendPort()));
    }

    @Test
    void canaryThroughHaproxyAndRollbackOfAnUnhealthyCanary() throws Exception {
        router.apply(Routing.of(Route.active(v1a.target("blue"), 10_000)));
        Routing before = router.current();
        DeploymentResult ok = await(engine().start(DeploymentSpec.builder("svc", "v2").targets(v2a.target("green")).build(),
                Canary.builder().weight(1).pause(Duration.ofMillis(200)).weight(10).pause(Duration.ofMillis(200))
                        .weight(50).pause(Duration.ofMillis(200)).drainTimeout(Duration.ofSeconds(5)).build()));
        assertEquals(DeploymentStatus.SUCCEEDED, ok.status(), ok.toString());
        assertEquals("v2", Http.get(haproxy.frontendPort()));

        router.apply(before);
        v2b.healthy(false);
        DeploymentResult bad = await(engine().start(DeploymentSpec.builder("svc", "v3").targets(
                        new Target("canary-2", "v3", v2b.endpoint(), Map.of())).build(),
                Canary.builder().weight(10).pause(Duration.ofMillis(200)).build()));
        assertEquals(DeploymentStatus.ROLLED_BACK, bad.status(), bad.toString());
        assertTrue(router.current().sameTrafficAs(before), router.current().toString());
        assertEquals("v1", Http.get(haproxy.frontendPort()));
    }

    @Test
    void rollingThroughHaproxy() throws Exception {
        Target a = v1a.target("blue");
        Target b = new Target("v1-b", "v1", v1b.endpoint(), Map.of());
        router.apply(Routing.of(Route.active(a, 5000), Route.active(b, 5000)));
        try (Http.Load load = new Http.Load(haproxy.frontendPort(), 8, Duration.ofSeconds(60))) {
            DeploymentResult r = await(engine().start(DeploymentSpec.builder("svc", "v2").targets(
                            v2a.target("green"), new Target("v2-b", "v2", v2b.endpoint(), Map.of())).build(),
                    Rolling.builder().drainTimeout(Duration.ofSeconds(5)).build()));
            assertEquals(DeploymentStatus.SUCCEEDED, r.status(), r.toString());
            load.close();
            assertEquals(0, load.failed(), "failures " + load.failures);
        }
        assertEquals("v2", Http.get(haproxy.frontendPort()));
    }
}
