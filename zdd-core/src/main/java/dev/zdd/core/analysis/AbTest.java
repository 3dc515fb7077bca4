package dev.zdd.core.analysis;

import dev.zdd.api.Arguments;
import dev.zdd.api.DeploymentCheck;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.Plan;
import dev.zdd.api.PlanContext;
import dev.zdd.api.RequestKey;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Strategy;
import dev.zdd.api.Target;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An A/B test: the new version (treatment) and the serving one (control) share traffic, split sticky by a user
 * attribute (a header, a cookie, or an attribute such as a user id with the in-process router), so that every user
 * sees one version only. After a duration (or once each version served a number of requests) it compares the two on
 * a deciding metric and promotes the winner: automatically, or when a person passes a {@link Step.Gate} after reading
 * the {@link AbReport}.
 *
 * <p>Two parts, one registration: this class is the {@link Strategy}, a pure planner that returns plain-data steps, and
 * {@link #check()} is the {@link DeploymentCheck} those steps run; register it once under {@link #name()}:
 * <pre>{@code
 * Engine engine = Engine.builder()...check(ab.name(), ab.check()).build();
 * engine.start(spec, ab);
 * }</pre>
 * The engine runs every step, so it owns every side effect: it asks the check for a per-deployment collector
 * ({@link DeploymentCheck#forDeployment(String)}) that keeps the values of that run only, and the deciding check's
 * verdict makes it promote (PASS) or roll back (FAIL, INCONCLUSIVE).
 *
 * <p>Plan: {@code [launch] await healthy, shift traffic (treatment share, sticky on the key), Check (opens),
 * [Pause(interval), Check] x windows}, where windows is the duration in intervals (duration mode) or the most
 * intervals that fit in {@code maxDuration} (request-count mode), then in manual mode {@code Gate(name-decision)},
 * then {@code shift traffic (treatment 100%, control draining), drain, retire control}. Each Check collects one value
 * per target of the deciding metric; the deciding one (the last, or in request-count mode the first at which each
 * version served the count and has the minimum values; later ones repeat its verdict) answers, automatic mode: PASS when the treatment wins, FAIL
 * when the control wins, INCONCLUSIVE when there is no significant difference or not enough data (both roll back: the
 * control keeps serving); manual mode: PASS with the report (INCONCLUSIVE when there was no traffic at all), the gate
 * decides. Request-count mode that never reaches the count within {@code maxDuration} is INCONCLUSIVE.
 *
 * <p>Deciding: the deciding metric's per-interval values of each version (one per target per interval) are compared
 * with a two-sided Mann-Whitney U test; the treatment wins when {@code p < alpha} and its median is better beyond the
 * {@link Comparison}'s tolerance, the control when it is worse beyond it (for {@link Comparison.Direction#EITHER},
 * any significant difference keeps the control). The {@link AbReport} is in the deciding check's verdict: its text in
 * the detail, its figures in the measurements ({@link AbReport#winnerOf(dev.zdd.api.CheckResult)}).
 *
 * <p>Immutable; thread-safe.
 */
public final class AbTest implements Strategy {
    /** Default share of the treatment: 50% (5000 basis points). */
    public static final int DEFAULT_TREATMENT_SHARE = 5000;
    /** Default interval between collections: 1 minute. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    /** Default significance level: 0.05. */
    public static final double DEFAULT_ALPHA = 0.05;
    /** Default values each version needs before deciding: 3. */
    public static final int DEFAULT_MIN_POINTS = 3;
    /** Default time a person has to decide in manual mode: 24 hours. */
    public static final Duration DEFAULT_GATE_TIMEOUT = Duration.ofHours(24);
    /** Default drain timeout of the losing control targets: 30 s. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** Default stop grace of retired control targets: 30 s. */
    public static final Duration DEFAULT_RETIRE_GRACE = Duration.ofSeconds(30);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,49}");

    /** How the winner is promoted. Thread-safe (an enum). */
    public enum Decision {
        /** The deciding check's verdict promotes the treatment or rolls back. */
        AUTOMATIC,
        /** The check reports; a person passes the decision gate ({@code Deployment.promote()}) or aborts. */
        MANUAL
    }

    final String name;
    final RequestKey key;
    final int treatmentShare;
    final Duration interval;
    /** Collection windows after the opening check. */
    final int windows;
    /** Requests each version must serve in request-count mode; 0 in duration mode. */
    final long requestsPerVersion;
    final MetricSource source;
    final Comparison decideBy;
    final List<String> reportMetrics;
    final double alpha;
    final int minPoints;
    final Decision decision;
    final Duration gateTimeout;
    final Duration drainTimeout;
    final Duration retireGrace;
    private final DeploymentCheck check;

    private AbTest(Builder b) {
        this.name = b.name;
        this.key = b.key;
        this.treatmentShare = b.treatmentShare;
        this.interval = b.interval;
        Duration span = b.duration != null ? b.duration : b.maxDuration;
        this.windows = (int) Math.max(1, ceilDiv(span.toNanos(), b.interval.toNanos()));
        this.requestsPerVersion = b.duration != null ? 0 : b.requestsPerVersion;
        this.source = b.source;
        this.decideBy = b.decideBy;
        this.reportMetrics = List.copyOf(b.reportMetrics);
        this.alpha = b.alpha;
        this.minPoints = b.minPoints;
        this.decision = b.decision;
        this.gateTimeout = b.gateTimeout;
        this.drainTimeout = b.drainTimeout;
        this.retireGrace = b.retireGrace;
        this.check = new AbCheck(this);
    }

    /** A builder for a test registered as {@code name} (letters, digits, '.', '_' or '-', at most 50). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The name to register {@link #check()} under. */
    public String name() {
        return name;
    }

    /**
     * The check this test's plan runs: register it once, {@code Engine.builder().check(test.name(), test.check())}.
     * Immutable; the engine gets a fresh collector from it for each deployment run.
     */
    public DeploymentCheck check() {
        return check;
    }

    /** Name of the gate where a person decides in manual mode. */
    public String decisionGateName() {
        return name + "-decision";
    }

    // ------------------------------------------------------------------------------------------------ Strategy

    @Override
    public Plan plan(PlanContext ctx) {
        DeploymentSpec spec = ctx.spec();
        if (!ctx.capabilities().stickiness()) {
            throw new IllegalArgumentException("a/b test '" + name + "' needs a router that supports stickiness (on " + key + ")");
        }
        List<Target> control = new ArrayList<>();
        for (Target t : ctx.current().servingTargets()) {
            if (!t.version().equals(spec.version())) {
                control.add(t);
            }
        }
        if (control.isEmpty()) {
            throw new IllegalArgumentException("a/b test '" + name + "' needs a serving version other than " + spec.version()
                    + " to compare with; the router serves " + ctx.current() + " (bring the first version up with any"
                    + " strategy: each deploys from nothing)");
        }
        List<Step> steps = new ArrayList<>();
        List<String> treatment = new ArrayList<>();
        if (!spec.targets().isEmpty()) {
            spec.targets().forEach(t -> treatment.add(t.id()));
        } else {
            if (!ctx.launcherAvailable()) {
                throw new IllegalArgumentException("a/b test '" + name + "': spec.targets is empty and there is no launcher");
            }
            int n = spec.instances() > 0 ? spec.instances() : control.size();
            for (int i = 1; i <= n; i++) {
                Step.Launch l = new Step.Launch(spec.service() + "-" + spec.version() + "-" + i, spec.version(), spec.attributes());
                steps.add(l);
                treatment.add(l.targetId());
            }
        }
        steps.add(new Step.AwaitHealthy(treatment));
        List<Step.Allocation> split = new ArrayList<>();
        addEvenly(split, treatment, treatmentShare, "treatment");
        List<String> controlIds = new ArrayList<>();
        control.forEach(t -> controlIds.add(t.id()));
        addEvenly(split, controlIds, Routing.MAX_WEIGHT - treatmentShare, "control");
        String pct = pct(treatmentShare);
        steps.add(new Step.ShiftTraffic("a/b " + spec.version() + " " + pct, split, Stickiness.on(key), List.of()));
        steps.add(new Step.Check(name));
        for (int i = 0; i < windows; i++) {
            steps.add(new Step.Pause(interval));
            steps.add(new Step.Check(name));
        }
        if (decision == Decision.MANUAL) {
            steps.add(new Step.Gate(decisionGateName(), gateTimeout));
        }
        List<Step.Allocation> winner = new ArrayList<>();
        addEvenly(winner, treatment, Routing.MAX_WEIGHT, "treatment");
        controlIds.forEach(id -> winner.add(Step.Allocation.draining(id)));
        steps.add(Step.ShiftTraffic.of("a/b winner " + spec.version(), winner));
        steps.add(new Step.Drain(controlIds, drainTimeout));
        steps.add(new Step.Retire(controlIds, retireGrace));
        return new Plan("a/b", steps);
    }

    private static void addEvenly(List<Step.Allocation> out, List<String> ids, int total, String what) {
        int n = ids.size();
        if (total / n < 1) {
            throw new IllegalArgumentException("a/b test: a share of " + total + " basis points cannot be split over " + n
                    + " " + what + " targets");
        }
        for (int i = 0; i < n; i++) {
            out.add(Step.Allocation.active(ids.get(i), total / n + (i < total % n ? 1 : 0)));
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static String pct(int bp) {
        return bp % 100 == 0 ? bp / 100 + "%" : String.format(java.util.Locale.ROOT, "%.2f%%", bp / 100.0);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    /** Builds an {@link AbTest}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private RequestKey key;
        private int treatmentShare = DEFAULT_TREATMENT_SHARE;
        private Duration interval = DEFAULT_INTERVAL;
        private Duration duration;
        private long requestsPerVersion;
        private Duration maxDuration;
        private MetricSource source;
        private Comparison decideBy;
        private final List<String> reportMetrics = new ArrayList<>(List.of(StandardMetrics.ERROR_RATE, StandardMetrics.LATENCY_P50,
                StandardMetrics.LATENCY_P99));
        private double alpha = DEFAULT_ALPHA;
        private int minPoints = DEFAULT_MIN_POINTS;
        private Decision decision = Decision.AUTOMATIC;
        private Duration gateTimeout = DEFAULT_GATE_TIMEOUT;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private Duration retireGrace = DEFAULT_RETIRE_GRACE;

        private Builder(String name) {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("a/b test name '" + name + "' is invalid: expected letters, digits, '.', '_' or '-', "
                        + "starting with a letter or digit, at most 50");
            }
            this.name = name;
        }

        /** What the sticky split hashes: {@code RequestKey.header("X-User")}, a cookie, or an attribute. Required. */
        public Builder splitBy(RequestKey v) {
            key = Arguments.notNull("splitBy", v);
            return this;
        }

        /** Share of the treatment in basis points, 1 to 9999. Default {@link #DEFAULT_TREATMENT_SHARE}. */
        public Builder treatmentShare(int basisPoints) {
            if (basisPoints < 1 || basisPoints >= Routing.MAX_WEIGHT) {
                throw new IllegalArgumentException("treatmentShare must be in [1, 9999] basis points, was " + basisPoints);
            }
            treatmentShare = basisPoints;
            return this;
        }

        /** Interval between collections (each one value per target). Default {@link #DEFAULT_INTERVAL}. */
        public Builder interval(Duration v) {
            positive("interval", v);
            interval = v;
            return this;
        }

        /** Run for this long (rounded up to whole intervals). Exactly one of duration and requests is required. */
        public Builder duration(Duration v) {
            positive("duration", v);
            duration = v;
            return this;
        }

        /**
         * Run until each version served {@code perVersion} requests, checked every interval, at most {@code maxDuration}
         * (rounded up to whole intervals; when the count is not reached by then, the deployment rolls back).
         */
        public Builder requests(long perVersion, Duration maxDuration) {
            if (perVersion < 1) {
                throw new IllegalArgumentException("requests per version must be at least 1, was " + perVersion);
            }
            positive("maxDuration", maxDuration);
            requestsPerVersion = perVersion;
            this.maxDuration = maxDuration;
            return this;
        }

        /** Where metrics come from. Required. */
        public Builder source(MetricSource v) {
            source = Arguments.notNull("source", v);
            return this;
        }

        /** The deciding metric and which direction is bad. Required. */
        public Builder decideBy(Comparison v) {
            decideBy = Arguments.notNull("decideBy", v);
            return this;
        }

        /** Metrics shown in the report. Default error rate, p50 and p99 latency. */
        public Builder reportMetrics(String... metrics) {
            reportMetrics.clear();
            for (String m : metrics) {
                if (m == null || m.isBlank()) {
                    throw new IllegalArgumentException("reportMetrics must not contain blank names");
                }
                reportMetrics.add(m);
            }
            return this;
        }

        /** Significance level, in (0, 1). Default {@link #DEFAULT_ALPHA}. */
        public Builder alpha(double v) {
            if (!(v > 0 && v < 1)) {
                throw new IllegalArgumentException("alpha must be in (0, 1), was " + v);
            }
            alpha = v;
            return this;
        }

        /** Values each version needs to decide, 1 or more. Default {@link #DEFAULT_MIN_POINTS}. */
        public Builder minPoints(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("minPoints must be at least 1, was " + v);
            }
            minPoints = v;
            return this;
        }

        /** Automatic (default) or manual promotion of the winner; manual waits at most {@code gateTimeout}. */
        public Builder decision(Decision v, Duration gateTimeout) {
            if (v == null) {
                throw new IllegalArgumentException("decision must not be null");
            }
            positive("gateTimeout", gateTimeout);
            decision = v;
            this.gateTimeout = gateTimeout;
            return this;
        }

        /** Drain timeout and stop grace of the control targets once the treatment won. Defaults 30 s each. */
        public Builder retire(Duration drainTimeout, Duration grace) {
            if (drainTimeout == null || drainTimeout.isNegative() || grace == null || grace.isNegative()) {
                throw new IllegalArgumentException("drainTimeout and grace must not be negative, were " + drainTimeout + ", " + grace);
            }
            this.drainTimeout = drainTimeout;
            this.retireGrace = grace;
            return this;
        }

        /** Builds and validates. */
        public AbTest build() {
            if (key == null) {
                throw new IllegalArgumentException("splitBy is required (a header, cookie or attribute to split users by)");
            }
            if (source == null) {
                throw new IllegalArgumentException("source is required");
            }
            if (decideBy == null) {
                throw new IllegalArgumentException("decideBy is required");
            }
            if ((duration == null) == (maxDuration == null)) {
                throw new IllegalArgumentException("exactly one of duration(...) and requests(...) is required");
            }
            return new AbTest(this);
        }

        private static void positive(String field, Duration v) {
            if (v == null || v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException(field + " must be positive, was " + v);
            }
        }
    }
}
