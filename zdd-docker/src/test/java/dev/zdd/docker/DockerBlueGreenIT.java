package dev.zdd.docker;

import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.Target;
import dev.zdd.core.Engine;
import dev.zdd.core.router.InProcessRouter;
import dev.zdd.core.router.RequestInfo;
import dev.zdd.core.strategy.BlueGreen;
import dev.zdd.docker.testing.TestImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Blue-green of real containers with {@link Engine} and {@link BlueGreen}: traffic through an {@link InProcessRouter}
 * from a client loop that sends real HTTP requests to the chosen container the whole time.
 */
class DockerBlueGreenIT {
    private static final String SERVICE = Docker.uniqueService("bg");
    private static DockerClient client;

    @BeforeAll
    static void setUp() {
        client = DockerClient.connect(Docker.host());
        Docker.images(client);
    }

    @AfterAll
    static void tearDown() {
        if (client != null) {
            Docker.removeAll(client, DockerLauncher.SERVICE_LABEL, SERVICE);
            assertTrue(client.listContainers(Map.of(DockerLauncher.SERVICE_LABEL, SERVICE), true).isEmpty());
            client.close();
        }
    }

    /** Sends GETs through the router until stopped; counts answers per version and failures. */
    private static final class Traffic implements AutoCloseable {
        final InProcessRouter router;
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong failed = new AtomicLong();
        final Map<String, AtomicLong> versions = new ConcurrentHashMap<>();
        final Thread thread;
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

        Traffic(InProcessRouter router) {
            this.router = router;
            thread = new Thread(this::loop, "zdd-it-traffic");
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (running.get() && System.nanoTime() < deadline) {
                // no serving target (RouterException) counts as a failed request too
                try (InProcessRouter.Lease lease = router.acquire(RequestInfo.EMPTY)) {
                    Target t = lease.target();
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                            URI.create("http://" + t.endpoint().authority() + "/")).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    boolean ok = r.statusCode() == 200;
                    lease.complete(ok);
                    if (ok) {
                        versions.computeIfAbsent(r.body().trim(), k -> new AtomicLong()).incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                } catch (Exception e) {
                    failed.incrementAndGet();
                }
            }
        }

        long served(String version) {
            AtomicLong n = versions.get(version);
            return n == null ? 0 : n.get();
        }

        @Override
        public void close() {
            running.set(false);
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Engine engine(InProcessRouter router, DockerClient docker) {
        DockerLauncher launcher = DockerLauncher.builder(docker, Docker.REPO + ":{version}").containerPort(TestImage.PORT)
                .healthcheck(TestImage.healthcheck(Duration.ofMillis(250))).build();
        return Engine.builder().router(router).launcher(launcher).probe(DockerHealthProbe.of(docker))
                .probePolicy(ProbePolicy.builder().period(Duration.ofMillis(100)).timeout(Duration.ofSeconds(2))
                        .failureThreshold(2).deadline(Duration.ofSeconds(60)).build())
                .build();
    }

    private static final BlueGreen STRATEGY = BlueGreen.builder().initialColour("blue").rollbackWindow(Duration.ZERO)
            .drainTimeout(Duration.ofSeconds(5)).retireGrace(Duration.ofSeconds(5)).build();

    @Test
    void deployThenRollBackABrokenVersionUnderTraffic() throws Exception {
        InProcessRouter router = InProcessRouter.create();
        DeploymentResult first = engine(router, client).start(DeploymentSpec.builder(SERVICE, "1").instances(1).build(),
                STRATEGY).await(Duration.ofMinutes(2));
        assertEquals(DeploymentStatus.SUCCEEDED, first.status(), first.reason());
        assertEquals("blue", router.current().servingTargets().get(0).attribute(Target.COLOUR));

        try (Traffic traffic = new Traffic(router)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> traffic.served("1") > 5);

            // a new deployer process: new client, new launcher; the live colour comes from the router and the daemon
            try (DockerClient second = DockerClient.connect(Docker.host())) {
                List<Target> live = DockerLauncher.builder(second, Docker.REPO + ":{version}").build().discover(SERVICE);
                assertEquals(1, live.size());
                assertEquals("blue", live.get(0).attribute(Target.COLOUR));

                DeploymentResult good = engine(router, second).start(DeploymentSpec.builder(SERVICE, "2").build(), STRATEGY)
                        .await(Duration.ofMinutes(2));
                assertEquals(DeploymentStatus.SUCCEEDED, good.status(), good.reason());
                await().atMost(Duration.ofSeconds(10)).until(() -> traffic.served("2") > 5);
                List<Target> afterGood = DockerLauncher.builder(second, Docker.REPO + ":{version}").build().discover(SERVICE);
                assertEquals(1, afterGood.size(), afterGood.toString());
                assertEquals("2", afterGood.get(0).version());
                assertEquals("green", afterGood.get(0).attribute(Target.COLOUR));

                DeploymentResult broken = engine(router, second).start(DeploymentSpec.builder(SERVICE, "broken").build(),
                        STRATEGY).await(Duration.ofMinutes(2));
                assertEquals(DeploymentStatus.ROLLED_BACK, broken.status(), broken.reason());
                assertTrue(broken.reason().contains("unhealthy"), broken.reason());
                assertEquals(Set.of("2"), router.current().servingVersions());
                long before = traffic.served("2");
                await().atMost(Duration.ofSeconds(10)).until(() -> traffic.served("2") > before + 5);
                List<ContainerSummary> all = second.listContainers(Map.of(DockerLauncher.SERVICE_LABEL, SERVICE), true);
                assertEquals(1, all.size(), "the broken container is removed: " + all);
                assertEquals("2", all.get(0).labels().get(DockerLauncher.VERSION_LABEL));
            }
            assertEquals(0, traffic.failed.get(), "failed requests during the deployments");
            assertEquals(0, traffic.served("broken"));
        }
    }
}
