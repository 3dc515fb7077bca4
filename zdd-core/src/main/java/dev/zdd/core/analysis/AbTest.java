package dev.zdd.core.analysis;

import dev.zdd.core.analysis.internal.MannWhitney;
import dev.zdd.api.Arguments;
import dev.zdd.api.Cancellable;
import dev.zdd.api.CheckResult;
import dev.zdd.api.Clock;
import dev.zdd.api.Deployment;
import dev.zdd.api.DeploymentCheck;
import dev.zdd.api.DeploymentContext;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentListener;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.Plan;
import dev.zdd.api.PlanContext;
import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.Routing;
import dev.zdd.api.Scheduler;
import dev.zdd.api.Step;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Strategy;
import dev.zdd.api.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * An A/B test: the new version (treatment) and the serving one (control) share traffic, split sticky by a user
 * attribute (a header, a cookie, or an attribute such as a user id with the in-process router), so that every user
 * sees one version only. After a duration (or once each version served a number of requests) it compares the two on
 * a deciding metric and promotes the winner: automatically, or when a person passes a {@link Step.Gate} after reading
 * the {@link AbReport}.
 *
 * <p>It is three things at once, registered together: a {@link Strategy} that plans the test, a
 * {@link DeploymentCheck} (register under {@link #name()}) that opens, collects and decides, and, for the
 * request-count mode, a {@link DeploymentListener} plus {@link #watch(Deployment, Scheduler)} that ends the collecting
 * gate when enough requests were served.
 *
 * <p>Plan: {@code [launch] await healthy, shift traffic (treatment share, sticky on the key), Check (opens),
 * [Pause(interval), Check] x windows} (duration mode) or {@code Gate(name-collect, maxDuration), Check} (count mode),
 * then in manual mode {@code Gate(name-decision)}, then {@code shift traffic (treatment 100%, control draining), drain,
 * retire control}. The deciding Check answers, automatic mode: PASS when the treatment wins, FAIL when the control wins,
 * INCONCLUSIVE when there is no significant difference or not enough data (both roll back: the control keeps serving);
 * manual mode: PASS with the report (INCONCLUSIVE when there was no traffic at all), the gate decides.
 *
 * <p>Deciding: the deciding metric's per-interval values of each version (one per target per interval) are compared
 * with a two-sided {@link MannWhitney} test; the treatment wins when {@code p < alpha} and its median is better beyond
 * the {@link Comparison}'s tolerance, the control when it is worse beyond it (for {@link Comparison.Direction#EITHER},
 * any significant difference keeps the control).
 *
 * <p>Immutable configuration; thread-safe; keeps per-deployment state (the 64 most recent).
 */
public final class AbTest implements Strategy, DeploymentCheck, DeploymentListener {
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

    private static final Logger LOG = LoggerFactory.getLogger(AbTest.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,49}");

    /** How the winner is promoted. Thread-safe (an enum). */
    public enum Decision {
        /** The deciding check promotes the treatment or rolls back by itself. */
        AUTOMATIC,
        /** The check reports; a person passes the decision gate ({@link Deployment#promote()}) or aborts. */
        MANUAL
    }

    private final String name;
    private final RequestKey key;
    private final int treatmentShare;
    private final Duration interval;
    private final int windows;
    private final long requestsPerVersion;
    private final Duration maxDuration;
    private final MetricSource source;
    private final Comparison decideBy;
    private final List<String> reportMetrics;
    private final double alpha;
    private final int minPoints;
    private final Decision decision;
    private final Duration gateTimeout;
    private final Duration drainTimeout;
    private final Duration retireGrace;
    private final Map<String, Run> runs = new LinkedHashMap<>();

    /** Per-deployment state; guarded by itself. */
    private static final class Run {
        DeploymentContext context;
        long openedNanos;
        int calls;
        final List<Double> treatment = new ArrayList<>();
        final List<Double> control = new ArrayList<>();
        AbReport report;
        volatile boolean collectGateActive;
        volatile int collectGateIndex = -1;
    }

    private AbTest(Builder b) {
        this.name = b.name;
        this.key = b.key;
        this.treatmentShare = b.treatmentShare;
        this.interval = b.interval;
        this.windows = b.duration == null ? 0 : (int) Math.max(1, ceilDiv(b.duration.toNanos(), b.interval.toNanos()));
        this.requestsPerVersion = b.requestsPerVersion;
        this.maxDuration = b.maxDuration;
        this.source = b.source;
        this.decideBy = b.decideBy;
        this.reportMetrics = List.copyOf(b.reportMetrics);
        this.alpha = b.alpha;
        this.minPoints = b.minPoints;
        this.decision = b.decision;
        this.gateTimeout = b.gateTimeout;
        this.drainTimeout = b.drainTimeout;
        this.retireGrace = b.retireGrace;
    }

    /** A builder for a test registered as {@code name} (letters, digits, '.', '_' or '-', at most 50). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The name to register the check under. */
    public String name() {
        return name;
    }

    /** Name of the gate that collects in request-count mode. */
    public String collectGateName() {
        return name + "-collect";
    }

    /** Name of the gate where a person decides in manual mode. */
    public String decisionGateName() {
        return name + "-decision";
    }

    /** The report of a deployment, once decided. */
    public Optional<AbReport> report(String deploymentId) {
        Run run;
        synchronized (runs) {
            run = runs.get(deploymentId);
        }
        if (run == null) {
            return Optional.empty();
        }
        synchronized (run) {
            return Optional.ofNullable(run.report);
        }
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
        if (windows > 0) {
            for (int i = 0; i < windows; i++) {
                steps.add(new Step.Pause(interval));
                steps.add(new Step.Check(name));
            }
        } else {
            steps.add(new Step.Gate(collectGateName(), maxDuration));
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

    // ------------------------------------------------------------------------------------------------ Check

    @Override
    public CheckResult check(DeploymentContext ctx) throws Exception {
        Run run = run(ctx.deploymentId());
        synchronized (run) {
            run.context = ctx;
            run.calls++;
            long now = ctx.clock().nanoTime();
            if (run.calls == 1) {
                run.openedNanos = now;
                Map<String, Double> m = new LinkedHashMap<>();
                for (String metric : allMetrics()) {
                    m.put(metric + ".treatment", read(metric, ctx.newTargets(), interval, ctx.clock()).value());
                    m.put(metric + ".control", read(metric, ctx.oldTargets(), interval, ctx.clock()).value());
                }
                String d = name + ": a/b test started: treatment " + ids(ctx.newTargets()) + ", control " + ids(ctx.oldTargets());
                LOG.info("{}", d);
                return new CheckResult(CheckResult.Verdict.PASS, d, m);
            }
            boolean last = windows == 0 || run.calls - 1 >= windows;
            if (windows > 0) {
                collect(run, ctx);
            }
            if (!last && run.report == null) {
                String d = name + ": collecting " + (run.calls - 1) + "/" + windows + ": " + run.treatment.size() + " treatment and "
                        + run.control.size() + " control values of " + decideBy.metric();
                LOG.info("{}", d);
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("treatment.points", (double) run.treatment.size());
                m.put("control.points", (double) run.control.size());
                return new CheckResult(CheckResult.Verdict.PASS, d, m);
            }
            if (run.report == null) {
                run.report = decide(run, ctx, now);
            }
            return verdict(run.report);
        }
    }

    private void collect(Run run, DeploymentContext ctx) throws Exception {
        MetricSample t = read(decideBy.metric(), ctx.newTargets(), interval, ctx.clock());
        MetricSample c = read(decideBy.metric(), ctx.oldTargets(), interval, ctx.clock());
        if (t.hasData()) {
            run.treatment.addAll(t.values().isEmpty() ? List.of(t.value()) : t.values());
        }
        if (c.hasData()) {
            run.control.addAll(c.values().isEmpty() ? List.of(c.value()) : c.values());
        }
    }

    private AbReport decide(Run run, DeploymentContext ctx, long now) throws Exception {
        Duration elapsed = Duration.ofNanos(Math.max(1, now - run.openedNanos));
        AbReport.Arm treatment = arm(ctx.version(), ctx.newTargets(), run.treatment, elapsed, ctx.clock());
        String controlVersion = ctx.oldTargets().isEmpty() ? "?" : ctx.oldTargets().get(0).version();
        AbReport.Arm control = arm(controlVersion, ctx.oldTargets(), run.control, elapsed, ctx.clock());
        double p = Double.NaN;
        AbReport.Winner winner = AbReport.Winner.NONE;
        String reason;
        if (run.treatment.size() < minPoints || run.control.size() < minPoints) {
            reason = "not enough data: " + run.treatment.size() + " treatment and " + run.control.size() + " control values of "
                    + decideBy.metric() + ", " + minPoints + " needed each";
        } else {
            p = MannWhitney.test(toArray(run.treatment), toArray(run.control), MannWhitney.Alternative.TWO_SIDED).pValue();
            boolean worse = decideBy.beyondTolerance(treatment.median(), control.median());
            boolean better = !worse && decideBy.bad() != Comparison.Direction.EITHER
                    && new Comparison(decideBy.metric(), opposite(decideBy.bad()), decideBy.relativeTolerance(),
                    decideBy.absoluteTolerance(), false).beyondTolerance(treatment.median(), control.median());
            String medians = decideBy.metric() + " median " + fmt(treatment.median()) + " (" + treatment.version() + ") vs "
                    + fmt(control.median()) + " (" + control.version() + "), p=" + fmt(p);
            if (p < alpha && worse) {
                winner = AbReport.Winner.CONTROL;
                reason = control.version() + " is better: " + medians;
            } else if (p < alpha && better) {
                winner = AbReport.Winner.TREATMENT;
                reason = treatment.version() + " is better: " + medians;
            } else {
                reason = "no significant difference beyond the tolerance: " + medians;
            }
        }
        AbReport r = new AbReport(name, ctx.deploymentId(), decideBy.metric(), treatment, control, p, winner, reason, elapsed);
        LOG.info("a/b test {} of {} decided:\n{}", name, ctx.deploymentId(), r.toText());
        return r;
    }

    private CheckResult verdict(AbReport r) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("treatment.requests", (double) r.treatment().requests());
        m.put("control.requests", (double) r.control().requests());
        m.put(r.metric() + ".treatment.median", r.treatment().median());
        m.put(r.metric() + ".control.median", r.control().median());
        m.put(r.metric() + ".pValue", r.pValue());
        r.treatment().metrics().forEach((k, v) -> m.put(k + ".treatment", v));
        r.control().metrics().forEach((k, v) -> m.put(k + ".control", v));
        m.put("winner", r.winner() == AbReport.Winner.TREATMENT ? 1.0 : r.winner() == AbReport.Winner.CONTROL ? -1.0 : 0.0);
        String detail = name + ": winner " + r.winner() + " - " + r.reason();
        CheckResult.Verdict v;
        if (r.treatment().requests() == 0 && r.control().requests() == 0) {
            v = CheckResult.Verdict.INCONCLUSIVE;
            detail += " (no traffic at all)";
        } else if (decision == Decision.MANUAL) {
            v = CheckResult.Verdict.PASS;
            detail += "; waiting for a person at gate '" + decisionGateName() + "'";
        } else {
            v = switch (r.winner()) {
                case TREATMENT -> CheckResult.Verdict.PASS;
                case CONTROL -> CheckResult.Verdict.FAIL;
                default -> CheckResult.Verdict.INCONCLUSIVE;
            };
        }
        return new CheckResult(v, detail, m);
    }

    private AbReport.Arm arm(String version, List<Target> targets, List<Double> points, Duration elapsed, Clock clock) throws Exception {
        Map<String, Double> metrics = new LinkedHashMap<>();
        long requests = 0;
        for (String metric : reportMetrics) {
            MetricSample s = read(metric, targets, elapsed, clock);
            metrics.put(metric, s.value());
            requests = Math.max(requests, s.requests());
        }
        MetricSample d = read(decideBy.metric(), targets, elapsed, clock);
        requests = Math.max(requests, d.requests());
        if (!metrics.containsKey(decideBy.metric())) {
            metrics.put(decideBy.metric(), d.value());
        }
        return new AbReport.Arm(version, requests, points.size(), points.isEmpty() ? Double.NaN : ComparisonAnalysis.median(points), metrics);
    }

    // ------------------------------------------------------------------------------------------------ count mode

    @Override
    public void onEvent(DeploymentEvent e) {
        if (windows > 0 || e == null) {
            return;
        }
        String gate = "manual gate '" + collectGateName() + "'";
        Run run = run(e.deploymentId());
        switch (e.kind()) {
            case STEP_STARTED -> {
                DeploymentEvent.StepStarted s = (DeploymentEvent.StepStarted) e;
                if (s.step().startsWith(gate)) {
                    run.collectGateIndex = s.index();
                    run.collectGateActive = true;
                }
            }
            case RESUMED -> {
                if (((DeploymentEvent.Resumed) e).index() == run.collectGateIndex && run.collectGateIndex >= 0) {
                    run.collectGateActive = true;
                }
            }
            case STEP_ENDED -> {
                if (((DeploymentEvent.StepEnded) e).index() == run.collectGateIndex) {
                    run.collectGateActive = false;
                }
            }
            case PAUSED -> {
                if (((DeploymentEvent.Paused) e).index() == run.collectGateIndex) {
                    run.collectGateActive = false;
                }
            }
            default -> {
            }
        }
    }

    /**
     * Request-count mode: every interval, collects the deciding metric of both versions and, once each served the
     * configured number of requests while the collecting gate is open, promotes the deployment past that gate (once).
     * Register this test as a listener of the engine too. Stops by itself when the deployment ends.
     *
     * @return a handle that stops watching
     */
    public Cancellable watch(Deployment deployment, Scheduler scheduler) {
        if (windows > 0) {
            throw new IllegalStateException("a/b test '" + name + "' runs for a duration; watch() is for requests(...) mode");
        }
        if (deployment == null || scheduler == null) {
            throw new IllegalArgumentException("deployment and scheduler must not be null");
        }
        AtomicBoolean stopped = new AtomicBoolean();
        Cancellable[] next = new Cancellable[1];
        Runnable[] poll = new Runnable[1];
        poll[0] = () -> {
            if (stopped.get() || deployment.status().isTerminal()) {
                return;
            }
            try {
                if (pollOnce(deployment, scheduler.clock())) {
                    stopped.set(true);
                    return;
                }
            } catch (Exception ex) {
                LOG.warn("a/b test {}: reading metrics of {} failed: {}", name, deployment.id(), ex.getMessage());
            }
            synchronized (next) {
                if (!stopped.get()) {
                    next[0] = scheduler.schedule(interval, poll[0]);
                }
            }
        };
        synchronized (next) {
            next[0] = scheduler.schedule(interval, poll[0]);
        }
        return () -> {
            stopped.set(true);
            synchronized (next) {
                return next[0] == null || next[0].cancel();
            }
        };
    }

    private boolean pollOnce(Deployment deployment, Clock clock) throws Exception {
        Run run;
        synchronized (runs) {
            run = runs.get(deployment.id());
        }
        if (run == null) {
            return false;
        }
        synchronized (run) {
            if (run.context == null || run.report != null) {
                return run.report != null;
            }
            collect(run, run.context);
            Duration since = Duration.ofNanos(Math.max(1, clock.nanoTime() - run.openedNanos));
            long t = read(decideBy.metric(), run.context.newTargets(), since, clock).requests();
            long c = read(decideBy.metric(), run.context.oldTargets(), since, clock).requests();
            if (t >= requestsPerVersion && c >= requestsPerVersion && run.collectGateActive) {
                LOG.info("a/b test {} of {}: {} and {} requests served, ending the collection", name, deployment.id(), t, c);
                deployment.promote();
                return true;
            }
            return false;
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Run run(String deploymentId) {
        synchronized (runs) {
            Run r = runs.get(deploymentId);
            if (r == null) {
                r = new Run();
                runs.put(deploymentId, r);
                if (runs.size() > 64) {
                    runs.remove(runs.keySet().iterator().next());
                }
            }
            return r;
        }
    }

    private List<String> allMetrics() {
        List<String> all = new ArrayList<>(reportMetrics);
        if (!all.contains(decideBy.metric())) {
            all.add(decideBy.metric());
        }
        return all;
    }

    private MetricSample read(String metric, List<Target> targets, Duration window, Clock clock) throws Exception {
        MetricSample s = source.read(new MetricQuery(metric, targets, window, clock));
        if (s == null) {
            throw new IllegalStateException("source returned no sample for " + metric);
        }
        return s;
    }

    private static Comparison.Direction opposite(Comparison.Direction d) {
        return d == Comparison.Direction.INCREASE ? Comparison.Direction.DECREASE : Comparison.Direction.INCREASE;
    }

    private static double[] toArray(List<Double> v) {
        double[] a = new double[v.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = v.get(i);
        }
        return a;
    }

    private static String ids(List<Target> ts) {
        List<String> ids = new ArrayList<>();
        ts.forEach(t -> ids.add(t.id()));
        return ids.toString();
    }

    private static String fmt(double v) {
        return AbstractAnalysis.fmt(v);
    }

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
         * Run until each version served {@code perVersion} requests (needs {@link #watch(Deployment, Scheduler)}), at most
         * {@code maxDuration} (then the collecting gate times out and the deployment rolls back).
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
