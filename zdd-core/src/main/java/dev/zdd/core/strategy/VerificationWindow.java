package dev.zdd.core.strategy;

import dev.zdd.api.Arguments;
import dev.zdd.api.Step;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The post-switch verification window of a strategy: after the last traffic shift (blue-green's switch, a canary's
 * promotion, the last batch of a rolling) the deployment keeps probing the new targets (with the engine's probe and
 * probe policy) and runs the named checks (analyses are checks) every {@link #checkInterval()} for
 * {@link #window()}; a failure rolls back automatically. With {@link #keepOldWarm()} (the default) the old side stays
 * running, out of traffic, until the window has passed, so a rollback only switches back; without it the old side is
 * retired first (it frees capacity) and a rollback relaunches it before traffic goes back.
 *
 * <p>Immutable; thread-safe. Build with {@link #builder(Duration)}; every setter validates and names the bad value.
 */
public final class VerificationWindow {
    /** Default time between two runs of each check: 30 s. */
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(30);
    /** Default of {@link Builder#keepOldWarm(boolean)}: {@code true}. */
    public static final boolean DEFAULT_KEEP_OLD_WARM = true;

    private final Duration window;
    private final List<String> checks;
    private final Duration checkInterval;
    private final boolean keepOldWarm;

    private VerificationWindow(Builder b) {
        this.window = b.window;
        this.checks = List.copyOf(b.checks);
        this.checkInterval = b.checkInterval;
        this.keepOldWarm = b.keepOldWarm;
    }

    /** A window of {@code window} with probes only, the old side kept warm. */
    public static VerificationWindow of(Duration window) {
        return builder(window).build();
    }

    /** A builder for a window of {@code window} (positive). */
    public static Builder builder(Duration window) {
        return new Builder(window);
    }

    /** How long the new targets are verified. */
    public Duration window() {
        return window;
    }

    /** Registered check names run during the window. */
    public List<String> checks() {
        return checks;
    }

    /** Time between two runs of each check. */
    public Duration checkInterval() {
        return checkInterval;
    }

    /** Whether the old side stays running until the window has passed. */
    public boolean keepOldWarm() {
        return keepOldWarm;
    }

    /** The step that verifies {@code newIds}. */
    public Step.Verify step(List<String> newIds) {
        return new Step.Verify(newIds, window, checks, checkInterval);
    }

    @Override
    public String toString() {
        return "VerificationWindow[" + window + ", checks " + checks + " every " + checkInterval + ", keepOldWarm "
                + keepOldWarm + "]";
    }

    /** Builds a {@link VerificationWindow}. Not thread-safe. */
    public static final class Builder {
        private final Duration window;
        private final List<String> checks = new ArrayList<>();
        private Duration checkInterval = DEFAULT_CHECK_INTERVAL;
        private boolean keepOldWarm = DEFAULT_KEEP_OLD_WARM;

        private Builder(Duration window) {
            this.window = Arguments.positive("verificationWindow.window", window);
        }

        /** Adds a registered check (or analysis) run every {@link #checkInterval(Duration)} during the window. */
        public Builder check(String name) {
            checks.add(PlanSupport.name("verificationWindow.check", name));
            return this;
        }

        /** Time between two runs of each check; positive. Default {@link #DEFAULT_CHECK_INTERVAL}. */
        public Builder checkInterval(Duration v) {
            checkInterval = Arguments.positive("verificationWindow.checkInterval", v);
            return this;
        }

        /** Whether the old side stays running until the window has passed. Default {@link #DEFAULT_KEEP_OLD_WARM}. */
        public Builder keepOldWarm(boolean v) {
            keepOldWarm = v;
            return this;
        }

        /** Builds. */
        public VerificationWindow build() {
            return new VerificationWindow(this);
        }
    }
}
