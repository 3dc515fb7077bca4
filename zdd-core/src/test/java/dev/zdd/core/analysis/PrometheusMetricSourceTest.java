package dev.zdd.core.analysis;

import dev.zdd.core.analysis.internal.PrometheusQuery;
import com.sun.net.httpserver.HttpServer;
import dev.zdd.api.Target;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Against a real HTTP server on 127.0.0.1 serving Spring Boot style metrics that the test changes between scrapes. */
class PrometheusMetricSourceTest {
    HttpServer server;
    final AtomicReference<String> body = new AtomicReference<>("");
    final AtomicInteger scrapes = new AtomicInteger();
    final AtomicInteger status = new AtomicInteger(200);
    final ManualClock clock = new ManualClock();
    Target target;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/actuator/prometheus", ex -> {
            scrapes.incrementAndGet();
            byte[] b = body.get().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(status.get(), b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        server.start();
        target = Target.of("app-2", "v2", "127.0.0.1", server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    static String spring(long ok, long errors, long actuator, long[] cumulativeBuckets, double sumSeconds) {
        StringBuilder sb = new StringBuilder("# HELP http_server_requests_seconds  \n# TYPE http_server_requests_seconds histogram\n");
        String[] le = {"0.05", "0.1", "0.3", "1.0", "+Inf"};
        for (int i = 0; i < le.length; i++) {
            sb.append("http_server_requests_seconds_bucket{method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/\",le=\"")
                    .append(le[i]).append("\"} ").append(cumulativeBuckets[i]).append('\n');
        }
        sb.append("http_server_requests_seconds_count{method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/\"} ").append(ok).append('\n');
        sb.append("http_server_requests_seconds_sum{method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/\"} ").append(sumSeconds).append('\n');
        if (errors > 0) {
            sb.append("http_server_requests_seconds_count{method=\"GET\",outcome=\"SERVER_ERROR\",status=\"503\",uri=\"/\"} ")
                    .append(errors).append('\n');
            sb.append("http_server_requests_seconds_sum{method=\"GET\",outcome=\"SERVER_ERROR\",status=\"503\",uri=\"/\"} 0.0\n");
        }
        sb.append("http_server_requests_seconds_count{method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/actuator/prometheus\"} ")
                .append(actuator).append('\n');
        sb.append("jvm_threads_live_threads 42.0\n");
        return sb.toString();
    }

    PrometheusMetricSource source() {
        return PrometheusMetricSource.builder().springBootDefaults()
                .metric("threads", PrometheusQuery.gauge("jvm_threads_live_threads"))
                .timeout(Duration.ofSeconds(10)).build();
    }

    MetricSample read(PrometheusMetricSource s, String metric) throws Exception {
        return s.read(new MetricQuery(metric, List.of(target), Duration.ofMinutes(1), clock));
    }

    @Test
    void computesRatesRatiosAndQuantilesFromTwoScrapes() throws Exception {
        PrometheusMetricSource s = source();
        body.set(spring(1000, 0, 50, new long[] {500, 900, 990, 1000, 1000}, 40.0));
        MetricSample first = read(s, StandardMetrics.ERROR_RATE);
        assertFalse(first.hasData(), "the first scrape opens the window");
        assertTrue(first.note().contains("first scrape"), first.note());

        clock.advance(Duration.ofMinutes(1));
        // 600 more successes (actuator scrapes excluded), 5 errors (a new series), latency buckets grew
        body.set(spring(1600, 5, 70, new long[] {700, 1300, 1580, 1600, 1600}, 70.0));
        MetricSample err = read(s, StandardMetrics.ERROR_RATE);
        assertEquals(605, err.requests());
        assertEquals(5.0 / 605, err.value(), 1e-12);
        assertEquals(Duration.ofMinutes(1), err.window());
        int scrapesAfterFirstMetric = scrapes.get();
        MetricSample rate = read(s, StandardMetrics.REQUEST_RATE);
        assertEquals(605 / 60.0, rate.value(), 1e-9);
        // bucket increases: 200, 400, 590, 600 of 600 -> p50 rank 300 in (0.05, 0.1]: 0.05 + 0.05 * 100/200 s
        MetricSample p50 = read(s, StandardMetrics.LATENCY_P50);
        assertEquals(75.0, p50.value(), 1e-9);
        assertEquals(600, p50.requests());
        MetricSample p99 = read(s, StandardMetrics.LATENCY_P99);
        // rank 594 in (0.3, 1.0]: 300 + 700 * (594 - 590) / 10 ms
        assertEquals(300 + 700 * 4 / 10.0, p99.value(), 1e-9);
        MetricSample mean = read(s, StandardMetrics.LATENCY_MEAN);
        assertEquals(30.0 / 605 * 1000, mean.value(), 1e-9);
        assertEquals(42.0, read(s, "threads").value());
        assertEquals(scrapesAfterFirstMetric, scrapes.get(), "one scrape per target per measurement");
    }

    @Test
    void counterResetCountsFromZeroAndNoTrafficIsNoData() throws Exception {
        PrometheusMetricSource s = source();
        body.set(spring(1000, 10, 0, new long[] {1000, 1000, 1000, 1000, 1000}, 1.0));
        read(s, StandardMetrics.ERROR_RATE);
        clock.advance(Duration.ofMinutes(1));
        body.set(spring(1000, 10, 0, new long[] {1000, 1000, 1000, 1000, 1000}, 1.0));
        MetricSample idle = read(s, StandardMetrics.ERROR_RATE);
        assertEquals(0, idle.requests());
        assertFalse(idle.hasData(), "no traffic is no data");
        clock.advance(Duration.ofMinutes(1));
        // the application restarted: counters went down
        body.set(spring(20, 2, 0, new long[] {20, 20, 20, 20, 20}, 0.1));
        MetricSample afterRestart = read(s, StandardMetrics.ERROR_RATE);
        assertEquals(22, afterRestart.requests());
        assertEquals(2.0 / 22, afterRestart.value(), 1e-12);
    }

    @Test
    void errorsAreReportedWithTheTargetAndUrl() throws Exception {
        PrometheusMetricSource s = source();
        status.set(503);
        body.set("down");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> read(s, StandardMetrics.ERROR_RATE));
        assertTrue(e.getMessage().contains("app-2") && e.getMessage().contains("HTTP 503"), e.getMessage());
        status.set(200);
        body.set("not prometheus {{{");
        e = assertThrows(java.io.IOException.class, () -> read(s, StandardMetrics.ERROR_RATE));
        assertTrue(e.getMessage().contains("not Prometheus text"), e.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> read(s, "nope"));
        assertTrue(unknown.getMessage().contains("'nope'"), unknown.getMessage());
    }

    @Test
    void builderRejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> PrometheusMetricSource.builder().path("/metrics?x=$(id)"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusMetricSource.builder().path("metrics"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusMetricSource.builder().build());
        assertThrows(IllegalArgumentException.class, () -> PrometheusQuery.quantile(0.5, "lat_count"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusQuery.quantile(1.5, "lat_bucket"));
    }
}
