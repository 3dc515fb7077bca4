package dev.zdd.core.analysis;

import dev.zdd.api.Target;
import dev.zdd.core.router.InProcessRouter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@link MetricSource} over the {@link InProcessRouter}'s per-target counters, which its leases fill
 * ({@code lease.complete(ok, latency)}).
 *
 * <ul>
 *   <li>{@link StandardMetrics#ERROR_RATE} and {@link StandardMetrics#REQUEST_RATE}: exact, from the increase of the
 *       cumulative request and error counts over the window;</li>
 *   <li>{@code latency-pNN}: the router keeps the most recent latencies per target (a window of
 *       {@code latencyWindow} samples, not of time), so the value is each target's quantile of those, and the
 *       aggregate is the largest over the targets (conservative for "at most" thresholds). It is reported only when the
 *       target served requests in the window, so no traffic is still "no data".</li>
 * </ul>
 * For exact latency quantiles over time windows, record requests in a {@link RequestRecorder} instead.
 *
 * <p>Thread-safe.
 */
public final class InProcessRouterMetricSource implements MetricSource {
    private final InProcessRouter router;
    private final RequestMetricSource counts;

    private InProcessRouterMetricSource(InProcessRouter router) {
        this.router = router;
        this.counts = RequestMetricSource.of(t -> router.stats(t.id())
                .map(s -> new RequestTotals(s.requests(), Math.min(s.errors(), s.requests()), 0, new long[0]))
                .orElse(RequestTotals.ZERO));
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
        String metric = query.metric();
        if (metric.equals(StandardMetrics.ERROR_RATE) || metric.equals(StandardMetrics.REQUEST_RATE)) {
            return counts.read(query);
        }
        double q = StandardMetrics.latencyQuantile(metric);
        if (Double.isNaN(q)) {
            throw new IllegalArgumentException("metric '" + metric + "' is not known to the in-process router; known: "
                    + StandardMetrics.ERROR_RATE + ", " + StandardMetrics.REQUEST_RATE + ", latency-pNN");
        }
        List<Double> values = new ArrayList<>();
        long requests = 0;
        Duration window = null;
        for (Target t : query.targets()) {
            // the request count of this target in the window, through the same counters
            MetricSample c = counts.read(new MetricQuery(StandardMetrics.ERROR_RATE, List.of(t), query.window(), query.clock()));
            window = window == null || c.window().compareTo(window) < 0 ? c.window() : window;
            Optional<InProcessRouter.TargetStats> stats = router.stats(t.id());
            if (c.requests() > 0 && stats.isPresent() && stats.get().latencySamples() > 0) {
                requests += c.requests();
                values.add(stats.get().latencyPercentile(q).toNanos() / 1e6);
            }
        }
        if (values.isEmpty()) {
            return MetricSample.noData(metric, window, "no requests in the window");
        }
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        return new MetricSample(metric, max, values, requests, window, "quantile of the router's most recent latencies");
    }
}
