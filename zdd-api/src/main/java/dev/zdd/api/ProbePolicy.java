package dev.zdd.api;

import java.time.Duration;

/**
 * How often and how long the engine probes a target before calling it healthy or failed; the same fields as a
 * Kubernetes probe, with the same defaults.
 *
 * <p>Semantics: after {@link #initialDelay()}, the probe runs every {@link #period()}, each attempt limited to
 * {@link #timeout()}. {@link #successThreshold()} consecutive HEALTHY answers make the target healthy;
 * {@link #failureThreshold()} consecutive UNHEALTHY answers (after the target was seen healthy once, or after
 * {@link #startupGrace()} has passed, or, with {@link #graceEndsAtFirstAnswer()} (the default), after the target
 * first answered at all, for example with HTTP 503) make it failed; UNKNOWN answers reset neither count.
 *
 * <p>The startup grace, Kubernetes-style: it covers a process that is not up yet (connection refused, timeouts), the
 * way a startup probe does; by default it ends at the target's first answer ({@link HealthResult#answered()}), so a
 * broken version that is up and answers 503 fails after {@link #failureThreshold()} periods, not after the whole grace.
 * {@code graceEndsAtFirstAnswer(false)} keeps the grace for every kind of failure (for an app that answers 503 while it
 * warms up). If neither happens before
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
    /** Default: the startup grace ends at the target's first answer (an HTTP status, even 503): true. */
    public static final boolean DEFAULT_GRACE_ENDS_AT_FIRST_ANSWER = true;
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
    private final boolean graceEndsAtFirstAnswer;
    private final Duration deadline;

    private ProbePolicy(Builder b) {
        this.period = b.period;
        this.timeout = b.timeout;
        this.successThreshold = b.successThreshold;
        this.failureThreshold = b.failureThreshold;
        this.initialDelay = b.initialDelay;
        this.startupGrace = b.startupGrace;
        this.graceEndsAtFirstAnswer = b.graceEndsAtFirstAnswer;
        this.deadline = b.deadline;
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this policy. */
    public Builder toBuilder() {
        return new Builder().period(period).timeout(timeout).successThreshold(successThreshold)
                .failureThreshold(failureThreshold).initialDelay(initialDelay).startupGrace(startupGrace).graceEndsAtFirstAnswer(graceEndsAtFirstAnswer).deadline(deadline);
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

    /** Whether the startup grace ends at the target's first answer (see the class comment). */
    public boolean graceEndsAtFirstAnswer() {
        return graceEndsAtFirstAnswer;
    }

    /** Overall limit to become healthy. */
    public Duration deadline() {
        return deadline;
    }

    @Override
    public String toString() {
        return "ProbePolicy[period=" + period + ", timeout=" + timeout + ", success=" + successThreshold + ", failure="
                + failureThreshold + ", initialDelay=" + initialDelay + ", startupGrace=" + startupGrace
                + (graceEndsAtFirstAnswer ? " (ends at the first answer)" : "") + ", deadline="
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
        private boolean graceEndsAtFirstAnswer = DEFAULT_GRACE_ENDS_AT_FIRST_ANSWER;
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

        /**
         * Whether the startup grace ends at the target's first answer (HTTP 503 included). Default
         * {@link #DEFAULT_GRACE_ENDS_AT_FIRST_ANSWER}; false keeps the grace for every failure.
         */
        public Builder graceEndsAtFirstAnswer(boolean v) {
            graceEndsAtFirstAnswer = v;
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
