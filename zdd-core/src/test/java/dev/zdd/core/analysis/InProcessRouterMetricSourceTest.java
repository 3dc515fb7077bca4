package dev.zdd.core.analysis;

import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;
import dev.zdd.core.router.InProcessRouter;
import dev.zdd.core.router.RequestInfo;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Against the real in-process router, counting through its leases. */
class InProcessRouterMetricSourceTest {
    final ManualClock clock = new ManualClock();
    final Target a = Target.of("a", "v1", "127.0.0.1", 1001);
    final Target b = Target.of("b", "v2", "127.0.0.1", 1002);

    @Test
    void readsErrorRatesAndLatenciesFromLeases() {
        InProcessRouter router = InProcessRouter.create();
        router.apply(Routing.of(Route.active(a, 5000), Route.active(b, 5000)));
        InProcessRouterMetricSource source = InProcessRouterMetricSource.of(router);
        MetricQuery err = new MetricQuery(StandardMetrics.ERROR_RATE, List.of(b), Duration.ofMinutes(1), clock);
        assertFalse(source.read(new MetricQuery(StandardMetrics.ERROR_RATE, List.of(a, b), Duration.ofMinutes(1), clock)).hasData(),
                "the first reading of each target opens its window");
        int toB = 0;
        int errorsOfB = 0;
        for (int i = 0; i < 400; i++) {
            try (InProcessRouter.Lease lease = router.acquire(RequestInfo.EMPTY)) {
                boolean isB = lease.target().id().equals("b");
                boolean ok = !isB || toB % 10 != 0;
                if (isB) {
                    errorsOfB += ok ? 0 : 1;
                    toB++;
                }
                lease.complete(ok, Duration.ofMillis(isB ? 30 : 10));
            }
        }
        clock.advance(Duration.ofMinutes(1));
        MetricSample e = source.read(err);
        assertEquals(toB, e.requests());
        assertEquals((double) errorsOfB / toB, e.value(), 1e-12);
        MetricSample p99 = source.read(new MetricQuery(StandardMetrics.LATENCY_P99, List.of(a, b), Duration.ofMinutes(1), clock));
        assertEquals(30.0, p99.value(), 3.0, "the largest of the targets' p99, from the recorder's 10% buckets");
        assertEquals(2, p99.values().size());
        assertEquals(10.0, p99.values().get(0), 1.0);
        assertEquals(30.0, p99.values().get(1), 3.0);
        assertEquals(400, p99.requests());
        MetricSample mean = source.read(new MetricQuery(StandardMetrics.LATENCY_MEAN, List.of(b), Duration.ofMinutes(1), clock));
        assertEquals(30.0, mean.value(), 1e-9, "the mean is exact");
        assertEquals(toB, router.requests().totals("b").requests(), "the source reads the router's one recorder");
        clock.advance(Duration.ofMinutes(1));
        assertFalse(source.read(new MetricQuery(StandardMetrics.LATENCY_P99, List.of(a, b), Duration.ofMinutes(1), clock)).hasData(),
                "no requests in the window is no data");
        assertThrows(IllegalArgumentException.class,
                () -> source.read(new MetricQuery("queue-depth", List.of(a), Duration.ofMinutes(1), clock)));
    }
}
