package dev.zdd.core.analysis;

import dev.zdd.api.CheckResult;
import dev.zdd.api.Clock;
import dev.zdd.api.DeploymentContext;
import dev.zdd.api.Target;
import dev.zdd.core.analysis.internal.MannWhitney;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How an {@link AbTest} decides: the {@link AbReport} from the collected values (a two-sided Mann-Whitney U test and
 * the {@link Comparison}'s tolerance), and the verdict the engine acts on. Pure functions of their inputs but for the
 * metric reads; thread-safe.
 */
final class AbDecision {
    private AbDecision() {
    }

    static AbReport decide(AbTest t, String deploymentId, DeploymentContext ctx, List<Double> tPoints, List<Double> cPoints,
                           Duration elapsed) throws Exception {
        AbReport.Arm treatment = arm(t, ctx.version(), ctx.newTargets(), tPoints, elapsed, ctx.clock());
        String controlVersion = ctx.oldTargets().isEmpty() ? "?" : ctx.oldTargets().get(0).version();
        AbReport.Arm control = arm(t, controlVersion, ctx.oldTargets(), cPoints, elapsed, ctx.clock());
        Comparison by = t.decideBy;
        double p = Double.NaN;
        AbReport.Winner winner = AbReport.Winner.NONE;
        String reason;
        if (tPoints.size() < t.minPoints || cPoints.size() < t.minPoints) {
            reason = "not enough data: " + tPoints.size() + " treatment and " + cPoints.size() + " control values of "
                    + by.metric() + ", " + t.minPoints + " needed each";
        } else {
            p = MannWhitney.test(toArray(tPoints), toArray(cPoints), MannWhitney.Alternative.TWO_SIDED).pValue();
            boolean worse = by.beyondTolerance(treatment.median(), control.median());
            boolean better = !worse && by.bad() != Comparison.Direction.EITHER
                    && new Comparison(by.metric(), opposite(by.bad()), by.relativeTolerance(), by.absoluteTolerance(), false)
                    .beyondTolerance(treatment.median(), control.median());
            String medians = by.metric() + " median " + fmt(treatment.median()) + " (" + treatment.version() + ") vs "
                    + fmt(control.median()) + " (" + control.version() + "), p=" + fmt(p);
            if (p < t.alpha && worse) {
                winner = AbReport.Winner.CONTROL;
                reason = control.version() + " is better: " + medians;
            } else if (p < t.alpha && better) {
                winner = AbReport.Winner.TREATMENT;
                reason = treatment.version() + " is better: " + medians;
            } else {
                reason = "no significant difference beyond the tolerance: " + medians;
            }
        }
        return new AbReport(t.name, deploymentId, by.metric(), treatment, control, p, winner, reason, elapsed);
    }

    /**
     * The deciding verdict of {@code r}; {@code countMissed}: request-count mode ended at {@code maxDuration} before each
     * version served the count (INCONCLUSIVE).
     */
    static CheckResult verdict(AbTest t, AbReport r, boolean countMissed) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("treatment.requests", (double) r.treatment().requests());
        m.put("control.requests", (double) r.control().requests());
        m.put("treatment.points", (double) r.treatment().points());
        m.put("control.points", (double) r.control().points());
        m.put(r.metric() + ".treatment.median", r.treatment().median());
        m.put(r.metric() + ".control.median", r.control().median());
        m.put(r.metric() + ".pValue", r.pValue());
        r.treatment().metrics().forEach((k, v) -> m.put(k + ".treatment", v));
        r.control().metrics().forEach((k, v) -> m.put(k + ".control", v));
        m.put(AbReport.WINNER, r.winner() == AbReport.Winner.TREATMENT ? 1.0 : r.winner() == AbReport.Winner.CONTROL ? -1.0 : 0.0);
        String detail = t.name + ": winner " + r.winner() + " - " + r.reason();
        CheckResult.Verdict v;
        if (r.treatment().requests() == 0 && r.control().requests() == 0) {
            v = CheckResult.Verdict.INCONCLUSIVE;
            detail += " (no traffic at all)";
        } else if (countMissed) {
            v = CheckResult.Verdict.INCONCLUSIVE;
            detail += " (each version did not serve " + t.requestsPerVersion + " requests within the test)";
        } else if (t.decision == AbTest.Decision.MANUAL) {
            v = CheckResult.Verdict.PASS;
            detail += "; waiting for a person at gate '" + t.decisionGateName() + "'";
        } else {
            v = switch (r.winner()) {
                case TREATMENT -> CheckResult.Verdict.PASS;
                case CONTROL -> CheckResult.Verdict.FAIL;
                default -> CheckResult.Verdict.INCONCLUSIVE;
            };
        }
        return new CheckResult(v, detail + "\n" + r.toText(), m);
    }

    private static AbReport.Arm arm(AbTest t, String version, List<Target> targets, List<Double> points, Duration elapsed,
                                    Clock clock) throws Exception {
        Map<String, Double> metrics = new LinkedHashMap<>();
        long requests = 0;
        for (String metric : t.reportMetrics) {
            MetricSample s = read(t, metric, targets, elapsed, clock);
            metrics.put(metric, s.value());
            requests = Math.max(requests, s.requests());
        }
        MetricSample d = read(t, t.decideBy.metric(), targets, elapsed, clock);
        requests = Math.max(requests, d.requests());
        if (!metrics.containsKey(t.decideBy.metric())) {
            metrics.put(t.decideBy.metric(), d.value());
        }
        return new AbReport.Arm(version, requests, points.size(), points.isEmpty() ? Double.NaN : ComparisonAnalysis.median(points),
                metrics);
    }

    static MetricSample read(AbTest t, String metric, List<Target> targets, Duration window, Clock clock) throws Exception {
        MetricSample s = t.source.read(new MetricQuery(metric, targets, window, clock));
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

    private static String fmt(double v) {
        return AbstractAnalysis.fmt(v);
    }
}
