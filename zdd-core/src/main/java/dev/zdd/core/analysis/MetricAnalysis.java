package dev.zdd.core.analysis;

import dev.zdd.api.Arguments;
import dev.zdd.api.Clock;
import dev.zdd.api.DeploymentContext;
import dev.zdd.api.Target;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A metric-gated {@link dev.zdd.api.DeploymentCheck}: every interval it reads each {@link Threshold}'s metric for the
 * selected targets (the new version's by default) from a {@link MetricSource} and judges the window. A measurement
 * passes when every threshold holds, fails when one does not, and is inconclusive when a metric has no data, fewer
 * than {@link Builder#minRequests(long) minRequests} requests, or its source could not be read: no traffic is never a
 * pass. The running verdict follows the {@link AnalysisSchedule}'s limits.
 *
 * <pre>{@code
 * MetricAnalysis analysis = MetricAnalysis.builder("canary-health")
 *         .source(recorder)
 *         .threshold(Threshold.atMost(StandardMetrics.ERROR_RATE, 0.01))
 *         .threshold(Threshold.atMost(StandardMetrics.LATENCY_P99, 300))
 *         .schedule(new AnalysisSchedule(Duration.ofMinutes(1), 5, 0, 1))
 *         .build();
 * engine builder: .check(analysis.name(), analysis); plan: analysis.steps() after a canary's shift
 * }</pre>
 *
 * <p>Every value read goes into {@link dev.zdd.api.CheckResult#measurements()} ({@code error-rate},
 * {@code error-rate.requests}, ...) and is logged. Thread-safe; keeps per-deployment state, so one instance can serve
 * several deployments (the 64 most recent).
 */
public final class MetricAnalysis extends AbstractAnalysis<Void> {
    /** Default minimum number of requests in a window for it to be judged: 10. */
    public static final long DEFAULT_MIN_REQUESTS = 10;

    private final MetricSource source;
    private final TargetSelector targets;
    private final List<Threshold> thresholds;
    private final long minRequests;

    private MetricAnalysis(Builder b) {
        super(b.name, b.schedule);
        this.source = b.source;
        this.targets = b.targets;
        this.thresholds = List.copyOf(b.thresholds);
        this.minRequests = b.minRequests;
    }

    /** A builder for an analysis registered as {@code name}. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The thresholds. */
    public List<Threshold> thresholds() {
        return thresholds;
    }

    @Override
    Void newState() {
        return null;
    }

    @Override
    Measurement measure(DeploymentContext ctx, Void state, boolean opening) {
        List<Target> selected = targets.select(ctx);
        Map<String, Double> values = new LinkedHashMap<>();
        List<String> failed = new ArrayList<>();
        List<String> inconclusive = new ArrayList<>();
        List<String> passed = new ArrayList<>();
        for (Threshold t : thresholds) {
            MetricSample s;
            try {
                s = read(t.metric(), selected, ctx.clock());
            } catch (Exception e) {
                inconclusive.add(t.metric() + ": source failed: " + e.getMessage());
                continue;
            }
            values.put(t.metric(), s.value());
            values.put(t.metric() + ".requests", (double) s.requests());
            if (opening) {
                continue;
            }
            values.put(t.metric() + ".limit", t.limit());
            if (!s.hasData()) {
                inconclusive.add(t.metric() + ": no data" + (s.note().isEmpty() ? "" : " (" + s.note() + ")"));
            } else if (s.requests() < minRequests) {
                inconclusive.add(t.metric() + ": only " + s.requests() + " requests, fewer than " + minRequests);
            } else if (t.accepts(s.value())) {
                passed.add(t.metric() + "=" + fmt(s.value()) + (t.atMost() ? " <= " : " >= ") + fmt(t.limit()));
            } else {
                failed.add(t.metric() + "=" + fmt(s.value()) + (t.atMost() ? " > " : " < ") + fmt(t.limit())
                        + " over " + s.requests() + " requests");
            }
        }
        values.put("targets", (double) selected.size());
        if (opening) {
            return inconclusive.isEmpty()
                    ? new Measurement(Tally.Outcome.NOT_JUDGED, "first reading of " + ids(selected), values)
                    : new Measurement(Tally.Outcome.INCONCLUSIVE, String.join("; ", inconclusive), values);
        }
        if (selected.isEmpty()) {
            return new Measurement(Tally.Outcome.INCONCLUSIVE, "no targets selected", values);
        }
        StringBuilder detail = new StringBuilder();
        Tally.Outcome outcome;
        if (!failed.isEmpty()) {
            outcome = Tally.Outcome.FAIL;
            detail.append("failed: ").append(String.join("; ", failed));
        } else if (!inconclusive.isEmpty()) {
            outcome = Tally.Outcome.INCONCLUSIVE;
            detail.append("inconclusive: ").append(String.join("; ", inconclusive));
        } else {
            outcome = Tally.Outcome.PASS;
            detail.append("passed: ").append(String.join(", ", passed));
        }
        return new Measurement(outcome, detail.toString(), values);
    }

    private MetricSample read(String metric, List<Target> selected, Clock clock) throws Exception {
        MetricSample s = source.read(new MetricQuery(metric, selected, schedule().interval(), clock));
        if (s == null) {
            throw new IllegalStateException("source returned no sample");
        }
        return s;
    }

    private static String ids(List<Target> ts) {
        List<String> ids = new ArrayList<>();
        ts.forEach(t -> ids.add(t.id()));
        return ids.toString();
    }

    /** Builds a {@link MetricAnalysis}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private MetricSource source;
        private TargetSelector targets = TargetSelector.newTargets();
        private final List<Threshold> thresholds = new ArrayList<>();
        private AnalysisSchedule schedule = AnalysisSchedule.DEFAULTS;
        private long minRequests = DEFAULT_MIN_REQUESTS;

        private Builder(String name) {
            this.name = name;
        }

        /** Where metrics come from. Required. */
        public Builder source(MetricSource v) {
            source = Arguments.notNull("source", v);
            return this;
        }

        /** Which targets to measure. Default: {@link TargetSelector#newTargets()}. */
        public Builder targets(TargetSelector v) {
            targets = Arguments.notNull("targets", v);
            return this;
        }

        /** Adds a threshold. At least one is required. */
        public Builder threshold(Threshold v) {
            thresholds.add(Arguments.notNull("threshold", v));
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

        /** Fewest requests in a window for it to be judged (below: inconclusive). Default {@link #DEFAULT_MIN_REQUESTS}. */
        public Builder minRequests(long v) {
            if (v < 1) {
                throw new IllegalArgumentException("minRequests must be at least 1, was " + v);
            }
            minRequests = v;
            return this;
        }

        /** Builds and validates. */
        public MetricAnalysis build() {
            if (source == null) {
                throw new IllegalArgumentException("source is required");
            }
            if (thresholds.isEmpty()) {
                throw new IllegalArgumentException("thresholds must not be empty");
            }
            return new MetricAnalysis(this);
        }
    }
}
