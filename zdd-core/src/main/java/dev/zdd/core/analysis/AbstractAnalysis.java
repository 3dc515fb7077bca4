package dev.zdd.core.analysis;

import dev.zdd.api.CheckResult;
import dev.zdd.api.DeploymentCheck;
import dev.zdd.api.DeploymentContext;
import dev.zdd.api.Step;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What threshold and comparison analyses share: a name, a schedule, one {@link Tally} per deployment, logging.
 * Package-private; thread-safe (one deployment's calls are serialized).
 *
 * @param <S> per-deployment state of the subclass
 */
abstract class AbstractAnalysis<S> implements DeploymentCheck {
    static final Logger LOG = LoggerFactory.getLogger("dev.zdd.core.analysis");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final int MAX_DEPLOYMENTS = 64;

    /** One measurement's outcome, reasons and values. */
    record Measurement(Tally.Outcome outcome, String detail, Map<String, Double> values) {
    }

    private final String name;
    private final AnalysisSchedule schedule;
    private final Map<String, Run<S>> runs = new LinkedHashMap<>();

    private static final class Run<S> {
        final Tally tally;
        final S state;
        dev.zdd.api.Routing routing;

        Run(Tally tally, S state) {
            this.tally = tally;
            this.state = state;
        }
    }

    AbstractAnalysis(String name, AnalysisSchedule schedule) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("analysis name '" + name + "' is invalid: expected letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit, at most 63");
        }
        if (schedule == null) {
            throw new IllegalArgumentException("schedule must not be null");
        }
        this.name = name;
        this.schedule = schedule;
    }

    /** The name to register the check under (the plan fragment refers to it). */
    public String name() {
        return name;
    }

    /** The schedule. */
    public AnalysisSchedule schedule() {
        return schedule;
    }

    /**
     * The plan fragment: {@code Check(name), [Pause(interval), Check(name)] x measurements}. The first check, and the
     * first after any change of the routing, opens a window (sources take a reading; nothing is judged), so the
     * fragment can follow each traffic step.
     */
    public List<Step> steps() {
        return schedule.steps(name);
    }

    /**
     * Adds this analysis to a canary at the current point: {@code check(name)}, then
     * {@code [pause(interval), check(name)] x measurements}. Call it after each {@code weight(...)} to gate.
     *
     * @return {@code canary}
     */
    public dev.zdd.core.strategy.Canary.Builder addTo(dev.zdd.core.strategy.Canary.Builder canary) {
        canary.check(name);
        for (int i = 0; i < schedule.measurements(); i++) {
            canary.pause(schedule.interval()).check(name);
        }
        return canary;
    }

    abstract S newState();

    abstract Measurement measure(DeploymentContext context, S state, boolean opening);

    @Override
    public CheckResult check(DeploymentContext context) {
        Run<S> run;
        synchronized (runs) {
            run = runs.get(context.deploymentId());
            if (run == null) {
                run = new Run<>(new Tally(schedule), newState());
                runs.put(context.deploymentId(), run);
                if (runs.size() > MAX_DEPLOYMENTS) {
                    runs.remove(runs.keySet().iterator().next());
                }
            }
        }
        synchronized (run) {
            // a window must not span a change of the routing: the first call, and the first after a traffic step, open one
            boolean opening = run.routing == null || !context.routing().sameTrafficAs(run.routing);
            run.routing = context.routing();
            Measurement m = measure(context, run.state, opening);
            CheckResult.Verdict verdict = run.tally.add(m.outcome(), opening);
            Map<String, Double> values = new LinkedHashMap<>(m.values());
            values.putAll(run.tally.counters());
            String detail = (opening ? "window opened at " + context.routing() : run.tally.summary(verdict)) + "; " + m.detail();
            CheckResult result = new CheckResult(verdict, name + ": " + detail, values);
            if (verdict == CheckResult.Verdict.PASS) {
                LOG.info("analysis {} of {}: {} {}", name, context.deploymentId(), verdict, detail);
            } else {
                LOG.warn("analysis {} of {}: {} {}", name, context.deploymentId(), verdict, detail);
            }
            LOG.info("analysis {} of {} values {}", name, context.deploymentId(), values);
            return result;
        }
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e12) {
            return String.valueOf((long) v);
        }
        return String.format(java.util.Locale.ROOT, "%.4g", v);
    }
}
