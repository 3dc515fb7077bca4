package dev.zdd.core.analysis;

/**
 * Where an analysis reads metrics from: per-target request counters of the in-process router
 * ({@link RequestRecorder}), a Prometheus text endpoint on each target ({@link PrometheusMetricSource}), HAProxy's
 * {@code show stat} (in zdd-haproxy), or anything a user writes.
 *
 * <p>One method: read one named metric (see {@link StandardMetrics} for the names every built-in source understands)
 * over the targets of a {@link MetricQuery}, aggregated over the query's window that ends now. Sources built on
 * cumulative counters compute the window from two readings ({@link CounterWindow}); the very first read of a target
 * therefore has no window yet and answers a sample with no requests, which analyses count as "no data", never as a
 * pass.
 *
 * <p>Implementations must be thread-safe. They must not wait without a timeout.
 */
@FunctionalInterface
public interface MetricSource {
    /**
     * Reads one metric.
     *
     * @return the sample; {@link MetricSample#requests()} is 0 when there was no traffic in the window
     * @throws IllegalArgumentException when the source does not know {@link MetricQuery#metric()}
     * @throws Exception                when the source cannot be read (the analysis counts the measurement as
     *                                  inconclusive and logs the reason)
     */
    MetricSample read(MetricQuery query) throws Exception;
}
