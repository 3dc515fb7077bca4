package dev.zdd.core.analysis;

import dev.zdd.api.Clock;
import dev.zdd.api.Target;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What to read from a {@link MetricSource}: a metric name, the targets, the window ending now, and the clock that says
 * what "now" is (the engine's clock, virtual in tests).
 *
 * <p>Immutable; thread-safe.
 *
 * @param metric  metric name, for example {@link StandardMetrics#ERROR_RATE}
 * @param targets targets to aggregate over; may be empty (then the sample has no data)
 * @param window  length of the window ending now, positive
 * @param clock   the clock
 */
public record MetricQuery(String metric, List<Target> targets, Duration window, Clock clock) {
    /** Validates and copies; throws {@link IllegalArgumentException} naming the field and the bad value. */
    public MetricQuery {
        if (metric == null || metric.isBlank()) {
            throw new IllegalArgumentException("query.metric must not be blank, was '" + metric + "'");
        }
        if (targets == null || targets.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("query.targets must not be null or contain null");
        }
        if (window == null || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("query.window must be positive, was " + window);
        }
        if (clock == null) {
            throw new IllegalArgumentException("query.clock must not be null");
        }
        targets = List.copyOf(targets);
    }
}
