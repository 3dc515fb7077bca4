package dev.zdd.core.analysis;

import dev.zdd.api.Target;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A {@link MetricSource} over cumulative per-target {@link RequestTotals}, read through a function (the in-process
 * router's counters, a {@link RequestRecorder}, a user's own counters). Answers {@link StandardMetrics#ERROR_RATE},
 * {@link StandardMetrics#REQUEST_RATE}, {@link StandardMetrics#LATENCY_MEAN} and any {@code latency-pNN}; each read
 * stores a reading per target in a {@link CounterWindow} and reports the difference to the reading a window earlier.
 *
 * <p>Thread-safe when the function is.
 */
public final class RequestMetricSource implements MetricSource {
    private final Function<Target, RequestTotals> counters;
    private final Map<String, CounterWindow<RequestTotals>> windows = new ConcurrentHashMap<>();

    private RequestMetricSource(Function<Target, RequestTotals> counters) {
        this.counters = counters;
    }

    /**
     * A source reading cumulative totals per target through {@code counters}; it may return {@code null} or
     * {@link RequestTotals#ZERO} for a target it does not know.
     */
    public static RequestMetricSource of(Function<Target, RequestTotals> counters) {
        if (counters == null) {
            throw new IllegalArgumentException("counters must not be null");
        }
        return new RequestMetricSource(counters);
    }

    @Override
    public MetricSample read(MetricQuery query) {
        String metric = query.metric();
        double q = StandardMetrics.latencyQuantile(metric);
        if (!metric.equals(StandardMetrics.ERROR_RATE) && !metric.equals(StandardMetrics.REQUEST_RATE)
                && !metric.equals(StandardMetrics.LATENCY_MEAN) && Double.isNaN(q)) {
            throw new IllegalArgumentException("metric '" + metric + "' is not known to the request counters; known: "
                    + StandardMetrics.ERROR_RATE + ", " + StandardMetrics.REQUEST_RATE + ", " + StandardMetrics.LATENCY_MEAN
                    + ", latency-pNN");
        }
        if (query.targets().isEmpty()) {
            return MetricSample.noData(metric, Duration.ZERO, "no targets");
        }
        long now = query.clock().nanoTime();
        RequestTotals all = RequestTotals.ZERO;
        List<Double> values = new ArrayList<>();
        long covered = Long.MAX_VALUE;
        List<String> missing = new ArrayList<>();
        for (Target t : query.targets()) {
            RequestTotals current = counters.apply(t);
            if (current == null) {
                current = RequestTotals.ZERO;
            }
            CounterWindow<RequestTotals> w = windows.computeIfAbsent(t.id(), k -> new CounterWindow<>());
            CounterWindow.Reading<RequestTotals> base = w.base(now, query.window()).orElse(null);
            w.add(now, current);
            if (base == null) {
                missing.add(t.id());
                continue;
            }
            long span = now - base.nanos();
            covered = Math.min(covered, span);
            RequestTotals delta = current.since(base.value());
            all = all.plus(delta);
            double v = value(metric, q, delta, span);
            if (!Double.isNaN(v)) {
                values.add(v);
            }
        }
        if (covered == Long.MAX_VALUE) {
            return MetricSample.noData(metric, Duration.ZERO, "first reading of " + missing + ": the window starts now");
        }
        double value = metric.equals(StandardMetrics.REQUEST_RATE)
                ? values.stream().mapToDouble(Double::doubleValue).sum()
                : value(metric, q, all, covered);
        String note = all.requests() == 0 ? "no requests in the window" : missing.isEmpty() ? "" : "no earlier reading of " + missing;
        return new MetricSample(metric, value, values, all.requests(), Duration.ofNanos(covered), note);
    }

    private static double value(String metric, double q, RequestTotals d, long spanNanos) {
        if (metric.equals(StandardMetrics.REQUEST_RATE)) {
            return spanNanos > 0 ? d.requests() / (spanNanos / 1e9) : Double.NaN;
        }
        if (d.requests() == 0) {
            return Double.NaN;
        }
        if (metric.equals(StandardMetrics.ERROR_RATE)) {
            return (double) d.errors() / d.requests();
        }
        if (metric.equals(StandardMetrics.LATENCY_MEAN)) {
            return d.latencyBuckets().length == 0 ? Double.NaN : d.latencyNanos() / 1e6 / d.requests();
        }
        return d.latencyQuantileMillis(q);
    }
}
