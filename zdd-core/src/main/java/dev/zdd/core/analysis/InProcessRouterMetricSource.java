package dev.zdd.core.analysis;

import dev.zdd.core.router.InProcessRouter;

/**
 * A {@link MetricSource} over the {@link InProcessRouter}'s counting: the {@link RequestRecorder} its leases fill
 * ({@code lease.complete(ok, latency)}), {@link InProcessRouter#requests()}. All {@link StandardMetrics} over time
 * windows: error and request rates exact from the increase of the cumulative counts, latency quantiles from the
 * recorder's histogram (bucket upper bounds, see {@link RequestTotals}). No requests in the window is "no data".
 *
 * <p>Thread-safe.
 */
public final class InProcessRouterMetricSource implements MetricSource {
    private final RequestRecorder requests;

    private InProcessRouterMetricSource(InProcessRouter router) {
        this.requests = router.requests();
    }

    /** A source over {@code router}'s counters. */
    public static InProcessRouterMetricSource of(InProcessRouter router) {
        if (router == null) {
            throw new IllegalArgumentException("router must not be null");
        }
        return new InProcessRouterMetricSource(router);
    }

    @Override
    public MetricSample read(MetricQuery query) {
        return requests.read(query);
    }
}
