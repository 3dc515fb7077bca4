package dev.zdd.core.analysis;

import dev.zdd.core.analysis.internal.MannWhitney;

/**
 * How {@link ComparisonAnalysis} compares one metric of the canary with the baseline: which direction is bad, how
 * large a difference is tolerated, and whether a failure alone fails the whole measurement.
 *
 * <p>A metric fails when the Mann-Whitney test finds the canary's values shifted in the bad direction
 * ({@code p < alpha}) and the medians differ by more than {@code max(relativeTolerance x |baseline median|,
 * absoluteTolerance)}; otherwise it passes.
 *
 * <p>Immutable; thread-safe.
 *
 * @param metric            metric name (see {@link StandardMetrics})
 * @param bad               which direction is bad
 * @param relativeTolerance tolerated difference relative to the baseline's median, 0 or more
 * @param absoluteTolerance tolerated difference in the metric's unit, 0 or more
 * @param critical          a failure of this metric fails the measurement whatever the score
 */
public record Comparison(String metric, Direction bad, double relativeTolerance, double absoluteTolerance, boolean critical) {
    /** Default relative tolerance: 10%. */
    public static final double DEFAULT_RELATIVE_TOLERANCE = 0.10;

    /** Which change of a metric is bad. Thread-safe (an enum). */
    public enum Direction {
        /** Larger is worse (error rates, latency). */
        INCREASE,
        /** Smaller is worse (throughput, conversions). */
        DECREASE,
        /** Any change is bad. */
        EITHER
    }

    /** Validates. */
    public Comparison {
        if (metric == null || metric.isBlank()) {
            throw new IllegalArgumentException("comparison.metric must not be blank, was '" + metric + "'");
        }
        if (bad == null) {
            throw new IllegalArgumentException("comparison.bad of " + metric + " must not be null");
        }
        if (!(relativeTolerance >= 0) || Double.isInfinite(relativeTolerance)) {
            throw new IllegalArgumentException("comparison.relativeTolerance of " + metric + " must be finite and >= 0, was " + relativeTolerance);
        }
        if (!(absoluteTolerance >= 0) || Double.isInfinite(absoluteTolerance)) {
            throw new IllegalArgumentException("comparison.absoluteTolerance of " + metric + " must be finite and >= 0, was " + absoluteTolerance);
        }
    }

    /** Larger is worse, {@link #DEFAULT_RELATIVE_TOLERANCE}, not critical. */
    public static Comparison increaseIsBad(String metric) {
        return new Comparison(metric, Direction.INCREASE, DEFAULT_RELATIVE_TOLERANCE, 0, false);
    }

    /** Smaller is worse, {@link #DEFAULT_RELATIVE_TOLERANCE}, not critical. */
    public static Comparison decreaseIsBad(String metric) {
        return new Comparison(metric, Direction.DECREASE, DEFAULT_RELATIVE_TOLERANCE, 0, false);
    }

    /** A copy with other tolerances. */
    public Comparison tolerance(double relative, double absolute) {
        return new Comparison(metric, bad, relative, absolute, critical);
    }

    /** A critical copy. */
    public Comparison asCritical() {
        return new Comparison(metric, bad, relativeTolerance, absoluteTolerance, true);
    }

    /** The Mann-Whitney alternative that looks for a bad change of the canary ({@code x}) against the baseline. */
    MannWhitney.Alternative alternative() {
        return switch (bad) {
            case INCREASE -> MannWhitney.Alternative.GREATER;
            case DECREASE -> MannWhitney.Alternative.LESS;
            case EITHER -> MannWhitney.Alternative.TWO_SIDED;
        };
    }

    /** {@code true} when the change of medians is in the bad direction and beyond the tolerance. */
    boolean beyondTolerance(double canaryMedian, double baselineMedian) {
        double allowed = Math.max(relativeTolerance * Math.abs(baselineMedian), absoluteTolerance);
        double diff = canaryMedian - baselineMedian;
        return switch (bad) {
            case INCREASE -> diff > allowed;
            case DECREASE -> -diff > allowed;
            case EITHER -> Math.abs(diff) > allowed;
        };
    }
}
