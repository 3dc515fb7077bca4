package dev.zdd.haproxy;

import com.sun.net.httpserver.HttpServer;
import dev.zdd.api.Clock;
import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.Engine;
import dev.zdd.core.analysis.MetricAnalysis;
import dev.zdd.core.analysis.MetricQuery;
import dev.zdd.core.analysis.MetricSample;
import dev.zdd.core.analysis.StandardMetrics;
import dev.zdd.core.analysis.Threshold;
import dev.zdd.core.probe.HttpProbe;
import dev.zdd.core.report.DeploymentRecorder;
import dev.zdd.core.report.DeploymentTimeline;
import dev.zdd.core.strategy.Canary;
import dev.zdd.core.testing.IntegrationEnvironment;
import dev.zdd.core.testing.TestBackend;
import dev.zdd.haproxy.testing.LocalHaproxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Metric analysis against a real HAProxy: {@link HaproxyMetricSource} reads per-server counters from {@code show stat}
 * while real requests go through HAProxy to a healthy v1 and a v2 that answers 500 to every 20th request (5%); the
 * engine runs a canary gated by the analysis, in real time, under load.
 */
class HaproxyAnalysisIT {
    @TempDir
    Path dir;
    TestBackend v1;
    HttpServer v2;
    final AtomicLong v2Requests = new AtomicLong();
    LocalHaproxy haproxy;
    HaproxyRouter router;
    Target t1;
    Target t2;
    final StepClock clock = new StepClock();

    /** A clock the test moves: the analysis windows follow it, HAProxy's counters are real. */
    static final class StepClock implements Clock {
        volatile long nanos = 1;

        @Override
        public Instant now() {
            return Instant.EPOCH.plusNanos(nanos);
        }

        @Override
        public long nanoTime() {
            return nanos;
        }

        void advance(Duration d) {
            nanos += d.toNanos();
        }
    }

    @BeforeEach
    void start() throws Exception {
        Optional<Path> exe = IntegrationEnvironment.find("haproxy", "apt-get install haproxy");
        assumeTrue(exe.isPresent(), "haproxy is not installed (apt-get install haproxy)");
        v1 = TestBackend.start("v1");
        v2 = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        v2.createContext("/health", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        v2.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            boolean fail = v2Requests.incrementAndGet() % 20 == 0;
            byte[] body = (fail ? "error" : "v2").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(fail ? 500 : 200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        v2.start();
        t1 = v1.target("app-1");
        t2 = Target.of("app-2", "v2", "127.0.0.1", v2.getAddress().getPort());
        haproxy = LocalHaproxy.builder(exe.get(), dir).server("app-1", t1.endpoint(), 256, true)
                .server("app-2", t2.endpoint(), 256, false).start();
        router = HaproxyRouter.builder(haproxy.client(), LocalHaproxy.BACKEND).server("app-1", t1).server("app-2", t2).build();
        router.apply(Routing.of(Route.active(t1, 10_000), Route.disabled(t2)));
    }

    @AfterEach
    void stop() {
        if (haproxy != null) {
            haproxy.close();
        }
        if (v2 != null) {
            v2.stop(0);
        }
        if (v1 != null) {
            v1.close();
        }
    }

    void traffic(int requests) throws Exception {
        for (int i = 0; i < requests; i++) {
            Http.get(haproxy.frontendPort());
        }
    }

    @Test
    void sourceReadsWindowsOfRealCounters() throws Exception {
        HaproxyMetricSource source = HaproxyMetricSource.of(HaproxyMetrics.of(haproxy.client(), LocalHaproxy.BACKEND));
        router.apply(Routing.of(Route.active(t1, 5000), Route.active(t2, 5000)));
        MetricQuery q = new MetricQuery(StandardMetrics.ERROR_RATE, List.of(t2), Duration.ofMinutes(1), clock);
        assertFalse(source.read(q).hasData(), "the first reading opens the window");
        traffic(200);
        clock.advance(Duration.ofMinutes(1));
        MetricSample canary = source.read(q);
        assertEquals(v2Requests.get(), canary.requests(), "every request HAProxy sent to v2 is counted");
        assertTrue(canary.requests() >= 60, "round robin 50/50 sent " + canary.requests());
        assertEquals((double) (v2Requests.get() / 20) / v2Requests.get(), canary.value(), 1e-12);
        MetricSample both = source.read(new MetricQuery(StandardMetrics.REQUEST_RATE, List.of(t1, t2), Duration.ofMinutes(1), clock));
        assertEquals(200, both.requests());
        assertEquals(200 / 60.0, both.value(), 1e-9);
    }

    @Test
    void canaryServingFivePercentErrorsIsRolledBackByTheEngineBeforeHalfTheTraffic() throws Exception {
        Routing before = router.current();
        MetricAnalysis analysis = MetricAnalysis.builder("canary-errors")
                .source(HaproxyMetricSource.of(HaproxyMetrics.of(haproxy.client(), LocalHaproxy.BACKEND)))
                .threshold(Threshold.atMost(StandardMetrics.ERROR_RATE, 0.01))
                .schedule(Duration.ofSeconds(1), 2, 0, 1).minRequests(20).build();
        Canary.Builder canary = Canary.builder().weight(10);
        analysis.addTo(canary).weight(25);
        analysis.addTo(canary).weight(50);
        analysis.addTo(canary);
        DeploymentRecorder recorder = new DeploymentRecorder();
        Engine engine = Engine.builder().router(router).probe(HttpProbe.create()).check(analysis.name(), analysis)
                .listener(recorder).build();
        DeploymentResult result;
        try (Http.Load load = new Http.Load(haproxy.frontendPort(), 4, Duration.ofSeconds(90))) {
            Deployment d = engine.start(DeploymentSpec.builder("shop", "v2").targets(t2).build(), canary.build());
            result = d.await(Duration.ofMinutes(2));
            assertTrue(load.ok.get() > 0, "load went through HAProxy");
        }
        assertEquals(DeploymentStatus.ROLLED_BACK, result.status(), result.reason());
        assertTrue(result.reason().contains("error-rate="), result.reason());
        double maxV2 = recorder.timeline().traffic().stream().mapToDouble(p -> p.shares().getOrDefault("v2", 0.0)).max().orElse(0);
        assertTrue(maxV2 > 0 && maxV2 < 0.5, "the canary served, and less than half the traffic: " + maxV2);
        DeploymentTimeline.CheckMark fail = recorder.timeline().checks().stream().filter(c -> c.verdict().equals("FAIL"))
                .findFirst().orElseThrow();
        assertTrue(fail.measurements().get("error-rate") > 0.01, fail.detail());
        assertTrue(fail.measurements().get("error-rate.requests") >= 20, fail.detail());
        assertTrue(router.current().sameTrafficAs(before), "traffic as before: " + router.current());
        for (int i = 0; i < 20; i++) {
            assertEquals("v1", Http.get(haproxy.frontendPort()), "after the rollback only v1 serves");
        }
    }
}
