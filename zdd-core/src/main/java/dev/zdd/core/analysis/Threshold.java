package dev.zdd.core.analysis;

/**
 * A limit on one metric, for {@link MetricAnalysis}: {@code error-rate <= 0.01}, {@code latency-p99 <= 300}.
 *
 * <p>Immutable; thread-safe.
 *
 * @param metric the metric name (see {@link StandardMetrics})
 * @param atMost {@code true}: the value must be at most {@code limit}; {@code false}: at least
 * @param limit  the limit, a finite number
 */
public record Threshold(String metric, boolean atMost, double limit) {
    /** Validates. */
    public Threshold {
        if (metric == null || metric.isBlank()) {
            throw new IllegalArgumentException("threshold.metric must not be blank, was '" + metric + "'");
        }
        if (!Double.isFinite(limit)) {
            throw new IllegalArgumentException("threshold.limit of " + metric + " must be finite, was " + limit);
        }
    }

    /** {@code metric <= limit}. */
    public static Threshold atMost(String metric, double limit) {
        return new Threshold(metric, true, limit);
    }

    /** {@code metric >= limit}. */
    public static Threshold atLeast(String metric, double limit) {
        return new Threshold(metric, false, limit);
    }

    /** {@code true} when {@code value} satisfies the limit (NaN never does). */
    public boolean accepts(double value) {
        return atMost ? value <= limit : value >= limit;
    }

    @Override
    public String toString() {
        return metric + (atMost ? " <= " : " >= ") + limit;
    }
}
