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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import dev.zdd.api.Strategy;

/**
 * A first deployment (nothing serves: nginx's include holds an empty routing) with every shipped strategy, through the
 * engine and a real nginx, to real HTTP backends: each brings the service up and all traffic reaches the new version.
 */
class NginxFirstDeploymentIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ProbePolicy FAST = ProbePolicy.builder().period(Duration.ofMillis(100))
            .timeout(Duration.ofSeconds(1)).successThreshold(1).failureThreshold(2).deadline(Duration.ofSeconds(20))
            .build();
    private NginxFixture fixture;

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

    private void firstDeployment(Strategy strategy, Map<String, String> attributes) throws Exception {
        TestBackend a = fixture.backend("v1");
        TestBackend b = fixture.backend("v1");
        NginxFixture.Running running = fixture.start("app", Routing.EMPTY);
        NginxRouter router = running.router();
        assertEquals(Routing.EMPTY, router.current());
        Target t1 = a.target("app-v1-1", attributes);
        Target t2 = b.target("app-v1-2", attributes);
        Deployment d = Engine.builder().router(router).probe(HttpProbe.create()).probePolicy(FAST)
                .scheduler(Schedulers.system()).stepDeadline(Duration.ofSeconds(30)).build()
                .start(DeploymentSpec.builder("app", "v1").targets(t1, t2).build(), strategy);
        DeploymentResult r = d.await(WAIT);
        assertEquals(DeploymentStatus.SUCCEEDED, r.status(), strategy + ": " + r.reason());
        assertEquals(Routing.of(Route.active(t1, 5000), Route.active(t2, 5000)), router.current(), strategy.toString());
        assertEquals(Map.of("v1", 20), Http.count(running.nginx().port(), 20, Map.of()), strategy.toString());
        assertTrue(a.requests() > 0 && b.requests() > 0, "both new targets serve");
    }

    @Test
    void canary() throws Exception {
        firstDeployment(Canary.builder().weight(10).pause(Duration.ofMinutes(10)).weight(50).build(), Map.of());
    }

    @Test
    void rolling() throws Exception {
        firstDeployment(Rolling.builder().batchSize(1).build(), Map.of());
    }

    @Test
    void blueGreenWithoutAnInitialColour() throws Exception {
        firstDeployment(BlueGreen.builder().rollbackWindow(Duration.ofMillis(200)).build(),
                Map.of(Target.COLOUR, "blue"));
    }
}
