package dev.zdd.core.analysis;

import dev.zdd.api.CheckResult;
import dev.zdd.api.Clock;
import dev.zdd.api.DeploymentCheck;
import dev.zdd.api.DeploymentContext;
import dev.zdd.api.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One deployment's run of an {@link AbTest}: the engine creates it ({@link AbCheck#forDeployment(String)}) and calls
 * it at every {@code Step.Check} of the test's plan. The first call opens the test, each later one collects one value
 * per target of the deciding metric, and the deciding call builds the {@link AbReport} and answers the verdict the
 * engine acts on. Thread-safe (its methods are synchronized; the engine calls it one step at a time).
 */
final class AbRun implements DeploymentCheck {
    private static final Logger LOG = LoggerFactory.getLogger(AbTest.class);

    private final AbTest t;
    private final String deploymentId;
    private long openedNanos;
    private int calls;
    private final List<Double> treatment = new ArrayList<>();
    private final List<Double> control = new ArrayList<>();
    private CheckResult decided;

    AbRun(AbTest test, String deploymentId) {
        this.t = test;
        this.deploymentId = deploymentId;
    }

    @Override
    public synchronized CheckResult check(DeploymentContext ctx) throws Exception {
        calls++;
        long now = ctx.clock().nanoTime();
        if (calls == 1) {
            openedNanos = now;
            Map<String, Double> m = new LinkedHashMap<>();
            for (String metric : allMetrics()) {
                m.put(metric + ".treatment", read(metric, ctx.newTargets(), t.interval, ctx.clock()).value());
                m.put(metric + ".control", read(metric, ctx.oldTargets(), t.interval, ctx.clock()).value());
            }
            String d = t.name + ": a/b test started: treatment " + ids(ctx.newTargets()) + ", control " + ids(ctx.oldTargets());
            LOG.info("{}", d);
            return new CheckResult(CheckResult.Verdict.PASS, d, m);
        }
        if (decided != null) {
            return decided;
        }
        collect(ctx);
        int window = calls - 1;
        boolean last = window >= t.windows;
        boolean counted = t.requestsPerVersion > 0 && treatment.size() >= t.minPoints && control.size() >= t.minPoints
                && enoughRequests(ctx, now);
        if (!last && !counted) {
            String d = t.name + ": collecting " + window + "/" + t.windows + ": " + treatment.size() + " treatment and "
                    + control.size() + " control values of " + t.decideBy.metric();
            LOG.info("{}", d);
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("treatment.points", (double) treatment.size());
            m.put("control.points", (double) control.size());
            return new CheckResult(CheckResult.Verdict.PASS, d, m);
        }
        AbReport report = AbDecision.decide(t, deploymentId, ctx, treatment, control, Duration.ofNanos(Math.max(1, now - openedNanos)));
        LOG.info("a/b test {} of {} decided:\n{}", t.name, deploymentId, report.toText());
        decided = AbDecision.verdict(t, report, t.requestsPerVersion > 0 && !counted);
        return decided;
    }

    private boolean enoughRequests(DeploymentContext ctx, long now) throws Exception {
        Duration since = Duration.ofNanos(Math.max(1, now - openedNanos));
        long tr = read(t.decideBy.metric(), ctx.newTargets(), since, ctx.clock()).requests();
        long co = read(t.decideBy.metric(), ctx.oldTargets(), since, ctx.clock()).requests();
        return tr >= t.requestsPerVersion && co >= t.requestsPerVersion;
    }

    private void collect(DeploymentContext ctx) throws Exception {
        MetricSample tr = read(t.decideBy.metric(), ctx.newTargets(), t.interval, ctx.clock());
        MetricSample co = read(t.decideBy.metric(), ctx.oldTargets(), t.interval, ctx.clock());
        if (tr.hasData()) {
            treatment.addAll(tr.values().isEmpty() ? List.of(tr.value()) : tr.values());
        }
        if (co.hasData()) {
            control.addAll(co.values().isEmpty() ? List.of(co.value()) : co.values());
        }
    }

    private List<String> allMetrics() {
        List<String> all = new ArrayList<>(t.reportMetrics);
        if (!all.contains(t.decideBy.metric())) {
            all.add(t.decideBy.metric());
        }
        return all;
    }

    private MetricSample read(String metric, List<Target> targets, Duration window, Clock clock) throws Exception {
        return AbDecision.read(t, metric, targets, window, clock);
    }

    private static String ids(List<Target> ts) {
        List<String> ids = new ArrayList<>();
        ts.forEach(x -> ids.add(x.id()));
        return ids.toString();
    }

    @Override
    public String toString() {
        return "AbRun[" + t.name + " of " + deploymentId + "]";
    }
}
