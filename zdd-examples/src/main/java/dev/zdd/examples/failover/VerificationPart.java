package dev.zdd.examples.failover;

import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.Engine;
import dev.zdd.core.Schedulers;
import dev.zdd.core.probe.HttpProbe;
import dev.zdd.core.strategy.BlueGreen;
import dev.zdd.core.strategy.VerificationWindow;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.examples.support.LoadGenerator;
import dev.zdd.haproxy.HaproxyRouter;
import dev.zdd.haproxy.testing.LocalHaproxy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The second part of {@code failover}: a blue-green switch through a real HAProxy under load, with a verification
 * window of one minute; one second after the switch the new colour starts failing (500s and a failing /health). Reports
 * the time from the first failure to traffic back on the old colour and the requests that failed. Not thread-safe.
 */
final class VerificationPart {
    private final Path haproxy;
    private final Path dir;
    private final Duration period;

    VerificationPart(Path haproxy, Path dir, Duration period) {
        this.haproxy = haproxy;
        this.dir = dir;
        this.period = period;
    }

    Map<String, Object> run() throws Exception {
        Files.createDirectories(dir);
        Map<String, Object> out = new LinkedHashMap<>();
        try (TestBackend blueBackend = TestBackend.start("v1"); TestBackend greenBackend = TestBackend.start("v2");
             LocalHaproxy h = LocalHaproxy.builder(haproxy, dir).server("blue", blueBackend.endpoint(), 256, true)
                     .server("green", greenBackend.endpoint(), 256, false).start()) {
            Target blue = blueBackend.target("blue", Map.of(Target.COLOUR, "blue"));
            Target green = greenBackend.target("green", Map.of(Target.COLOUR, "green"));
            HaproxyRouter router = HaproxyRouter.builder(h.client(), LocalHaproxy.BACKEND).server("blue", blue)
                    .server("green", green).stateFile(dir.resolve("zdd.state")).build();
            router.apply(Routing.of(Route.active(blue, 10_000), Route.disabled(green)));
            ProbePolicy policy = ProbePolicy.builder().period(period).timeout(Duration.ofSeconds(1)).failureThreshold(3)
                    .deadline(Duration.ofSeconds(30)).build();
            Engine engine = Engine.builder().router(router).probe(HttpProbe.create()).probePolicy(policy)
                    .scheduler(Schedulers.system()).build();
            VerificationWindow window = VerificationWindow.of(Duration.ofMinutes(1));
            LoadGenerator load = LoadGenerator.builder("127.0.0.1", h.frontendPort()).connections(8)
                    .mode(LoadGenerator.Mode.KEEP_ALIVE).maxDuration(Duration.ofMinutes(2)).maxRequests(50_000_000)
                    .build().start();
            try {
                Deployment d = engine.start(DeploymentSpec.builder("svc", "v2").targets(green).build(),
                        BlueGreen.builder().drainTimeout(Duration.ofSeconds(1)).verify(window).build());
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!router.current().servingVersions().equals(Set.of("v2")) && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                Thread.sleep(1000);
                long failedBefore = load.failed();
                load.mark();
                greenBackend.failRequests(true);
                greenBackend.healthy(false);
                long backNanos = -1;
                long waitUntil = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                // traffic is back when every answer is blue again: wait for the rollback, then for the first blue answer
                DeploymentResult r = d.await(Duration.ofSeconds(30));
                if (System.nanoTime() < waitUntil) {
                    backNanos = load.awaitVersion("v1", Duration.ofSeconds(5));
                }
                Thread.sleep(500);
                load.stop();
                out.put("status", r.status().name());
                out.put("reason", r.reason());
                out.put("verificationWindowMs", window.window().toMillis());
                out.put("probePeriodMs", period.toMillis());
                out.put("failureToOldColourMs", backNanos < 0 ? -1 : backNanos / 1_000_000);
                out.put("failedRequests", load.failed() - failedBefore);
                out.put("load", load.summary());
            } finally {
                load.stop();
            }
        }
        return out;
    }
}
