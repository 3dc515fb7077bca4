package dev.zdd.core.analysis;

import java.time.Duration;
import java.util.List;

/**
 * The value of one metric over one window, with what it stands on: the individual values behind it (one per target,
 * or one per observation when the source has them) and the number of requests counted in the window, so that "no
 * traffic" is visible and never mistaken for a good value.
 *
 * <p>Immutable; thread-safe.
 *
 * @param metric   metric name
 * @param value    the aggregate over all targets ({@link Double#NaN} when there is no data)
 * @param values   the values behind it (may be empty); used by comparisons (Mann-Whitney)
 * @param requests requests (or observations) counted in the window; 0 means no traffic
 * @param window   the window actually covered (shorter than asked when the source's history is shorter; zero when
 *                 there was no earlier reading)
 * @param note     why there is no data, or other remarks for a person; empty when none
 */
public record MetricSample(String metric, double value, List<Double> values, long requests, Duration window, String note) {
    /** Validates and copies. */
    public MetricSample {
        if (metric == null || metric.isBlank()) {
            throw new IllegalArgumentException("sample.metric must not be blank, was '" + metric + "'");
        }
        if (requests < 0) {
            throw new IllegalArgumentException("sample.requests must not be negative, was " + requests);
        }
        values = values == null ? List.of() : List.copyOf(values);
        window = window == null ? Duration.ZERO : window;
        note = note == null ? "" : note;
    }

    /** A sample with no data, and why. */
    public static MetricSample noData(String metric, Duration window, String why) {
        return new MetricSample(metric, Double.NaN, List.of(), 0, window, why);
    }

    /** A sample with data. */
    public static MetricSample of(String metric, double value, List<Double> values, long requests, Duration window) {
        return new MetricSample(metric, value, values, requests, window, "");
    }

    /** {@code true} when there were requests in the window and the value is a number. */
    public boolean hasData() {
        return requests > 0 && !Double.isNaN(value);
    }
}
