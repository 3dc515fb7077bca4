package dev.zdd.core.analysis;

import dev.zdd.core.analysis.internal.MannWhitney;
import dev.zdd.api.Arguments;
import dev.zdd.api.DeploymentContext;
import dev.zdd.api.Target;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Canary against baseline, Kayenta-like: a {@link dev.zdd.api.DeploymentCheck} that every interval reads each
 * {@link Comparison}'s metric for the canary targets and for the baseline targets (a fresh instance of the old version
 * started at the same moment as the canary, so that both are equally warm), appends the window's values to each side's
 * series, and compares the series with the hand-written {@link MannWhitney} test.
 *
 * <p>Score of a measurement = 100 x (metrics that pass) / (metrics compared); a failed critical metric makes it 0.
 * Score at or above {@link Builder#passScore(double) passScore} passes the measurement, at or above
 * {@link Builder#marginalScore(double) marginalScore} makes it inconclusive (marginal), below fails it. Until each side
 * has {@link Builder#minPoints(int) minPoints} values for every metric the measurement only collects (neither passes
 * nor counts as inconclusive); a window with no traffic on either side is inconclusive. The running verdict follows
 * the {@link AnalysisSchedule}'s limits, and at the last measurement it is never a pass unless some measurement
 * passed.
 *
 * <p>Every value goes into {@link dev.zdd.api.CheckResult#measurements()} ({@code latency-p99.canary},
 * {@code latency-p99.baseline}, {@code latency-p99.pValue}, {@code score}) and is logged. Thread-safe; per-deployment
 * state.
 */
public final class ComparisonAnalysis extends AbstractAnalysis<ComparisonAnalysis.Series> {
    /** Default significance level: 0.05. */
    public static final double DEFAULT_ALPHA = 0.05;
    /** Default score to pass a measurement: 95. */
    public static final double DEFAULT_PASS_SCORE = 95;
    /** Default score below which a measurement fails: 75. */
    public static final double DEFAULT_MARGINAL_SCORE = 75;
    /** Default number of values each side needs before a metric is compared: 3. */
    public static final int DEFAULT_MIN_POINTS = 3;

    private final MetricSource source;
    private final TargetSelector canary;
    private final TargetSelector baseline;
    private final List<Comparison> comparisons;
    private final double alpha;
    private final double passScore;
    private final double marginalScore;
    private final int minPoints;

    /** Per-deployment series: metric to the canary's and the baseline's values so far. Guarded by the run's lock. */
    static final class Series {
        final Map<String, List<Double>> canary = new LinkedHashMap<>();
        final Map<String, List<Double>> baseline = new LinkedHashMap<>();
    }

    private ComparisonAnalysis(Builder b) {
        super(b.name, b.schedule);
        this.source = b.source;
        this.canary = b.canary;
        this.baseline = b.baseline;
        this.comparisons = List.copyOf(b.comparisons);
        this.alpha = b.alpha;
        this.passScore = b.passScore;
        this.marginalScore = b.marginalScore;
        this.minPoints = b.minPoints;
    }

    /** A builder for an analysis registered as {@code name}. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    @Override
    Series newState() {
        return new Series();
    }

    @Override
    Measurement measure(DeploymentContext ctx, Series series, boolean opening) {
        List<Target> canaryTargets = canary.select(ctx);
        List<Target> baselineTargets = baseline.select(ctx);
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("canary.targets", (double) canaryTargets.size());
        values.put("baseline.targets", (double) baselineTargets.size());
        List<String> noData = new ArrayList<>();
        List<String> collecting = new ArrayList<>();
        List<String> passed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        boolean criticalFailed = false;
        for (Comparison c : comparisons) {
            MetricSample cs;
            MetricSample bs;
            try {
                cs = read(c.metric(), canaryTargets, ctx);
                bs = read(c.metric(), baselineTargets, ctx);
            } catch (Exception e) {
                noData.add(c.metric() + ": source failed: " + e.getMessage());
                continue;
            }
            values.put(c.metric() + ".canary", cs.value());
            values.put(c.metric() + ".baseline", bs.value());
            values.put(c.metric() + ".canary.requests", (double) cs.requests());
            values.put(c.metric() + ".baseline.requests", (double) bs.requests());
            if (opening) {
                continue;
            }
            if (!cs.hasData() || !bs.hasData()) {
                noData.add(c.metric() + ": no data for " + (!cs.hasData() ? "canary" : "baseline"));
                continue;
            }
            List<Double> cv = series.canary.computeIfAbsent(c.metric(), k -> new ArrayList<>());
            List<Double> bv = series.baseline.computeIfAbsent(c.metric(), k -> new ArrayList<>());
            cv.addAll(cs.values().isEmpty() ? List.of(cs.value()) : cs.values());
            bv.addAll(bs.values().isEmpty() ? List.of(bs.value()) : bs.values());
            if (cv.size() < minPoints || bv.size() < minPoints) {
                collecting.add(c.metric() + " " + Math.min(cv.size(), bv.size()) + "/" + minPoints);
                continue;
            }
            MannWhitney.Result mw = MannWhitney.test(toArray(cv), toArray(bv), c.alternative());
            double cm = median(cv);
            double bm = median(bv);
            values.put(c.metric() + ".pValue", mw.pValue());
            values.put(c.metric() + ".canary.median", cm);
            values.put(c.metric() + ".baseline.median", bm);
            String line = c.metric() + " canary median " + fmt(cm) + " vs baseline " + fmt(bm) + " (p=" + fmt(mw.pValue())
                    + ", n=" + cv.size() + "/" + bv.size() + ")";
            if (mw.pValue() < alpha && c.beyondTolerance(cm, bm)) {
                failed.add(line);
                criticalFailed |= c.critical();
            } else {
                passed.add(line);
            }
        }
        if (opening) {
            return noData.isEmpty()
                    ? new Measurement(Tally.Outcome.NOT_JUDGED, "first reading of canary " + ids(canaryTargets)
                            + " and baseline " + ids(baselineTargets), values)
                    : new Measurement(Tally.Outcome.INCONCLUSIVE, String.join("; ", noData), values);
        }
        if (canaryTargets.isEmpty() || baselineTargets.isEmpty()) {
            return new Measurement(Tally.Outcome.INCONCLUSIVE, "no " + (canaryTargets.isEmpty() ? "canary" : "baseline")
                    + " targets selected", values);
        }
        int compared = passed.size() + failed.size();
        double score = compared == 0 ? Double.NaN : criticalFailed ? 0 : 100.0 * passed.size() / compared;
        values.put("score", score);
        String lines = (failed.isEmpty() ? "" : "failed: " + String.join("; ", failed) + ". ")
                + (passed.isEmpty() ? "" : "passed: " + String.join("; ", passed) + ". ");
        if (compared > 0 && score < marginalScore) {
            return new Measurement(Tally.Outcome.FAIL, "score " + fmt(score) + " < marginal " + fmt(marginalScore)
                    + (criticalFailed ? " (critical metric failed)" : "") + ". " + lines, values);
        }
        if (!noData.isEmpty()) {
            return new Measurement(Tally.Outcome.INCONCLUSIVE, "no data: " + String.join("; ", noData) + ". " + lines, values);
        }
        if (!collecting.isEmpty()) {
            return new Measurement(Tally.Outcome.NOT_JUDGED, "collecting " + String.join(", ", collecting) + ". " + lines, values);
        }
        if (score >= passScore) {
            return new Measurement(Tally.Outcome.PASS, "score " + fmt(score) + " >= " + fmt(passScore) + ". " + lines, values);
        }
        return new Measurement(Tally.Outcome.INCONCLUSIVE, "marginal score " + fmt(score) + " < pass " + fmt(passScore)
                + ". " + lines, values);
    }

    private MetricSample read(String metric, List<Target> targets, DeploymentContext ctx) throws Exception {
        MetricSample s = source.read(new MetricQuery(metric, targets, schedule().interval(), ctx.clock()));
        if (s == null) {
            throw new IllegalStateException("source returned no sample");
        }
        return s;
    }

    static double median(List<Double> v) {
        double[] a = toArray(v);
        Arrays.sort(a);
        int n = a.length;
        return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
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

    /** Builds a {@link ComparisonAnalysis}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private MetricSource source;
        private TargetSelector canary = TargetSelector.newTargets();
        private TargetSelector baseline;
        private final List<Comparison> comparisons = new ArrayList<>();
        private AnalysisSchedule schedule = AnalysisSchedule.DEFAULTS;
        private double alpha = DEFAULT_ALPHA;
        private double passScore = DEFAULT_PASS_SCORE;
        private double marginalScore = DEFAULT_MARGINAL_SCORE;
        private int minPoints = DEFAULT_MIN_POINTS;

        private Builder(String name) {
            this.name = name;
        }

        /** Where metrics come from. Required. */
        public Builder source(MetricSource v) {
            source = Arguments.notNull("source", v);
            return this;
        }

        /** The canary targets. Default {@link TargetSelector#newTargets()}. */
        public Builder canary(TargetSelector v) {
            canary = Arguments.notNull("canary", v);
            return this;
        }

        /** The baseline targets, for example {@code TargetSelector.withAttribute("role", "baseline")}. Required. */
        public Builder baseline(TargetSelector v) {
            baseline = Arguments.notNull("baseline", v);
            return this;
        }

        /** Adds a metric to compare. At least one is required. */
        public Builder compare(Comparison v) {
            comparisons.add(Arguments.notNull("comparison", v));
            return this;
        }

        /** Interval, measurements and limits. Default {@link AnalysisSchedule#DEFAULTS}. */
        public Builder schedule(AnalysisSchedule v) {
            schedule = Arguments.notNull("schedule", v);
            return this;
        }

        /** Shorthand for {@link #schedule(AnalysisSchedule)}. */
        public Builder schedule(Duration interval, int measurements, int failureLimit, int inconclusiveLimit) {
            return schedule(new AnalysisSchedule(interval, measurements, failureLimit, inconclusiveLimit));
        }

        /** Significance level of the test, in (0, 1). Default {@link #DEFAULT_ALPHA}. */
        public Builder alpha(double v) {
            if (!(v > 0 && v < 1)) {
                throw new IllegalArgumentException("alpha must be in (0, 1), was " + v);
            }
            alpha = v;
            return this;
        }

        /** Score to pass, 0 to 100. Default {@link #DEFAULT_PASS_SCORE}. */
        public Builder passScore(double v) {
            if (!(v >= 0 && v <= 100)) {
                throw new IllegalArgumentException("passScore must be in [0, 100], was " + v);
            }
            passScore = v;
            return this;
        }

        /** Score below which a measurement fails, 0 to 100. Default {@link #DEFAULT_MARGINAL_SCORE}. */
        public Builder marginalScore(double v) {
            if (!(v >= 0 && v <= 100)) {
                throw new IllegalArgumentException("marginalScore must be in [0, 100], was " + v);
            }
            marginalScore = v;
            return this;
        }

        /** Values each side needs before a metric is compared, 1 or more. Default {@link #DEFAULT_MIN_POINTS}. */
        public Builder minPoints(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("minPoints must be at least 1, was " + v);
            }
            minPoints = v;
            return this;
        }

        /** Builds and validates. */
        public ComparisonAnalysis build() {
            if (source == null) {
                throw new IllegalArgumentException("source is required");
            }
            if (baseline == null) {
                throw new IllegalArgumentException("baseline is required");
            }
            if (comparisons.isEmpty()) {
                throw new IllegalArgumentException("comparisons must not be empty");
            }
            if (marginalScore > passScore) {
                throw new IllegalArgumentException("marginalScore " + marginalScore + " must not exceed passScore " + passScore);
            }
            return new ComparisonAnalysis(this);
        }
    }
}
