package dev.zdd.core.router;

import dev.zdd.api.Arguments;
import dev.zdd.api.Clock;

import java.time.Duration;

/**
 * Passive outlier detection for the {@link InProcessRouter}, as Envoy does it: the calls themselves are the health
 * check. A target whose leases complete with {@link #consecutiveFailures()} failures in a row is ejected (gets no new
 * requests) for {@link #baseEjectionTime()} times the number of times it was ejected so far, at most
 * {@link #maxEjectionTime()}; then it gets traffic again by itself. At most {@link #maxEjectionPercent()} percent of
 * the table's serving targets are ejected at once (at least one may always be), and never the last serving target of
 * a version, so a bad day never empties a version. A target that stays clean for {@link #maxEjectionTime()} after an
 * ejection starts again from the base time.
 *
 * <p>Immutable; thread-safe. Build with {@link #builder()}; every setter validates and names the bad value.
 */
public final class OutlierDetection {
    /** Default consecutive failures that eject: 5. */
    public static final int DEFAULT_CONSECUTIVE_FAILURES = 5;
    /** Default base ejection time: 30 s. */
    public static final Duration DEFAULT_BASE_EJECTION_TIME = Duration.ofSeconds(30);
    /** Default longest ejection: 300 s. */
    public static final Duration DEFAULT_MAX_EJECTION_TIME = Duration.ofSeconds(300);
    /** Default share of serving targets that may be ejected at once: 50 %. */
    public static final int DEFAULT_MAX_EJECTION_PERCENT = 50;
    /** Every default. */
    public static final OutlierDetection DEFAULTS = builder().build();

    private final int consecutiveFailures;
    private final Duration baseEjectionTime;
    private final Duration maxEjectionTime;
    private final int maxEjectionPercent;
    private final Clock clock;

    private OutlierDetection(Builder b) {
        this.consecutiveFailures = b.consecutiveFailures;
        this.baseEjectionTime = b.baseEjectionTime;
        this.maxEjectionTime = b.maxEjectionTime;
        this.maxEjectionPercent = b.maxEjectionPercent;
        this.clock = b.clock;
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** Failures in a row that eject a target. */
    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** Ejection time of a first ejection; the n-th lasts n times as long. */
    public Duration baseEjectionTime() {
        return baseEjectionTime;
    }

    /** Longest ejection. */
    public Duration maxEjectionTime() {
        return maxEjectionTime;
    }

    /** Share (percent) of serving targets that may be out at once; at least one may always be. */
    public int maxEjectionPercent() {
        return maxEjectionPercent;
    }

    /** The clock ejection times are measured on. */
    public Clock clock() {
        return clock;
    }

    @Override
    public String toString() {
        return "OutlierDetection[consecutiveFailures=" + consecutiveFailures + ", base=" + baseEjectionTime + ", max="
                + maxEjectionTime + ", maxEjectionPercent=" + maxEjectionPercent + "]";
    }

    /** Builds an {@link OutlierDetection}. Not thread-safe. */
    public static final class Builder {
        private int consecutiveFailures = DEFAULT_CONSECUTIVE_FAILURES;
        private Duration baseEjectionTime = DEFAULT_BASE_EJECTION_TIME;
        private Duration maxEjectionTime = DEFAULT_MAX_EJECTION_TIME;
        private int maxEjectionPercent = DEFAULT_MAX_EJECTION_PERCENT;
        private Clock clock = Clock.system();

        private Builder() {
        }

        /** Failures in a row that eject, 1 to 1000. Default {@link #DEFAULT_CONSECUTIVE_FAILURES}. */
        public Builder consecutiveFailures(int v) {
            consecutiveFailures = Arguments.range("outlierDetection.consecutiveFailures", v, 1, 1000);
            return this;
        }

        /** Base ejection time; positive. Default {@link #DEFAULT_BASE_EJECTION_TIME}. */
        public Builder baseEjectionTime(Duration v) {
            baseEjectionTime = Arguments.positive("outlierDetection.baseEjectionTime", v);
            return this;
        }

        /** Longest ejection; positive. Default {@link #DEFAULT_MAX_EJECTION_TIME}. */
        public Builder maxEjectionTime(Duration v) {
            maxEjectionTime = Arguments.positive("outlierDetection.maxEjectionTime", v);
            return this;
        }

        /** Share of serving targets out at once, 0 to 100. Default {@link #DEFAULT_MAX_EJECTION_PERCENT}. */
        public Builder maxEjectionPercent(int v) {
            maxEjectionPercent = Arguments.range("outlierDetection.maxEjectionPercent", v, 0, 100);
            return this;
        }

        /** The clock (a test kit's virtual scheduler in tests). Default the system clock. */
        public Builder clock(Clock v) {
            clock = Arguments.notNull("outlierDetection.clock", v);
            return this;
        }

        /** Builds; the base ejection time must not exceed the longest. */
        public OutlierDetection build() {
            if (baseEjectionTime.compareTo(maxEjectionTime) > 0) {
                throw new IllegalArgumentException("outlierDetection.baseEjectionTime " + baseEjectionTime
                        + " must not exceed outlierDetection.maxEjectionTime " + maxEjectionTime);
            }
            return new OutlierDetection(this);
        }
    }
}
