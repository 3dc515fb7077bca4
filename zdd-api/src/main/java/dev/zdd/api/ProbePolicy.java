package dev.zdd.api;

import java.time.Duration;

/**
 * How often and how long the engine probes a target before calling it healthy or failed; the same fields as a
 * Kubernetes probe, with the same defaults.
 *
 * <p>Semantics: after {@link #initialDelay()}, the probe runs every {@link #period()}, each attempt limited to
 * {@link #timeout()}. {@link #successThreshold()} consecutive HEALTHY answers make the target healthy;
 * {@link #failureThreshold()} consecutive UNHEALTHY answers (after the target was seen healthy once, or after
 * {@link #startupGrace()} has passed) make it failed; UNKNOWN answers reset neither count. If neither happens before
 * {@link #deadline()} (counted from the first attempt's schedule), the target has failed.
 *
 * <p>Immutable; thread-safe. Build with {@link #builder()}; every setter validates and names the bad value.
 */
public final class ProbePolicy {
    /** Default period between attempts: 10 s. */
    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(10);
    /** Default timeout of one attempt: 1 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    /** Default consecutive successes to be healthy: 1. */
    public static final int DEFAULT_SUCCESS_THRESHOLD = 1;
    /** Default consecutive failures to fail: 3. */
    public static final int DEFAULT_FAILURE_THRESHOLD = 3;
    /** Default delay before the first attempt: 0. */
    public static final Duration DEFAULT_INITIAL_DELAY = Duration.ZERO;
    /** Default time during which failures before the first success do not count: 0. */
    public static final Duration DEFAULT_STARTUP_GRACE = Duration.ZERO;
    /** Default overall deadline to become healthy: 5 minutes. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(5);

    /** The policy with every default. */
    public static final ProbePolicy DEFAULTS = builder().build();

    private final Duration period;
    private final Duration timeout;
    private final int successThreshold;
    private final int failureThreshold;
    private final Duration initialDelay;
    private final Duration startupGrace;
    private final Duration deadline;

    private ProbePolicy(Builder b) {
        this.period = b.period;
        this.timeout = b.timeout;
        this.successThreshold = b.successThreshold;
        this.failureThreshold = b.failureThreshold;
        this.initialDelay = b.initialDelay;
        this.startupGrace = b.startupGrace;
        this.deadline = b.deadline;
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this policy. */
    public Builder toBuilder() {
        return new Builder().period(period).timeout(timeout).successThreshold(successThreshold)
                .failureThreshold(failureThreshold).initialDelay(initialDelay).startupGrace(startupGrace).deadline(deadline);
    }

    /** Time between the starts of two attempts. */
    public Duration period() {
        return period;
    }

    /** Limit of one attempt. */
    public Duration timeout() {
        return timeout;
    }

    /** Consecutive HEALTHY answers needed. */
    public int successThreshold() {
        return successThreshold;
    }

    /** Consecutive UNHEALTHY answers that fail the target. */
    public int failureThreshold() {
        return failureThreshold;
    }

    /** Delay before the first attempt. */
    public Duration initialDelay() {
        return initialDelay;
    }

    /** Time from the first attempt during which failures before the first success do not count. */
    public Duration startupGrace() {
        return startupGrace;
    }

    /** Overall limit to become healthy. */
    public Duration deadline() {
        return deadline;
    }

    @Override
    public String toString() {
        return "ProbePolicy[period=" + period + ", timeout=" + timeout + ", success=" + successThreshold + ", failure="
                + failureThreshold + ", initialDelay=" + initialDelay + ", startupGrace=" + startupGrace + ", deadline="
                + deadline + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProbePolicy p && p.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** Builds a {@link ProbePolicy}. Not thread-safe. */
    public static final class Builder {
        private Duration period = DEFAULT_PERIOD;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int successThreshold = DEFAULT_SUCCESS_THRESHOLD;
        private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
        private Duration initialDelay = DEFAULT_INITIAL_DELAY;
        private Duration startupGrace = DEFAULT_STARTUP_GRACE;
        private Duration deadline = DEFAULT_DEADLINE;

        private Builder() {
        }

        /** Time between attempts; positive. Default {@link #DEFAULT_PERIOD}. */
        public Builder period(Duration v) {
            period = Checks.positive("probePolicy.period", v);
            return this;
        }

        /** Limit of one attempt; positive. Default {@link #DEFAULT_TIMEOUT}. */
        public Builder timeout(Duration v) {
            timeout = Checks.positive("probePolicy.timeout", v);
            return this;
        }

        /** Consecutive successes needed, 1 to 1000. Default {@link #DEFAULT_SUCCESS_THRESHOLD}. */
        public Builder successThreshold(int v) {
            successThreshold = Checks.range("probePolicy.successThreshold", v, 1, 1000);
            return this;
        }

        /** Consecutive failures that fail, 1 to 1000. Default {@link #DEFAULT_FAILURE_THRESHOLD}. */
        public Builder failureThreshold(int v) {
            failureThreshold = Checks.range("probePolicy.failureThreshold", v, 1, 1000);
            return this;
        }

        /** Delay before the first attempt; not negative. Default {@link #DEFAULT_INITIAL_DELAY}. */
        public Builder initialDelay(Duration v) {
            initialDelay = Checks.nonNegative("probePolicy.initialDelay", v);
            return this;
        }

        /** Startup grace; not negative. Default {@link #DEFAULT_STARTUP_GRACE}. */
        public Builder startupGrace(Duration v) {
            startupGrace = Checks.nonNegative("probePolicy.startupGrace", v);
            return this;
        }

        /** Overall deadline; positive. Default {@link #DEFAULT_DEADLINE}. */
        public Builder deadline(Duration v) {
            deadline = Checks.positive("probePolicy.deadline", v);
            return this;
        }

        /** Builds; throws when the timeout exceeds the deadline. */
        public ProbePolicy build() {
            if (timeout.compareTo(deadline) > 0) {
                throw new IllegalArgumentException("probePolicy.timeout " + timeout + " must not exceed probePolicy.deadline " + deadline);
            }
            return new ProbePolicy(this);
        }
    }
}
