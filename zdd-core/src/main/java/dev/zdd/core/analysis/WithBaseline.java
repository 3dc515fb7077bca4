package dev.zdd.core.analysis;

import dev.zdd.api.Plan;
import dev.zdd.api.PlanContext;
import dev.zdd.api.RouteState;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.Strategy;
import dev.zdd.api.Target;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Wraps a canary-like {@link Strategy} so that a {@link ComparisonAnalysis} has a fair baseline: it launches one fresh
 * instance of the serving (old) version at the start, tagged {@code role=baseline}, gives it the same share of traffic
 * as the new version in every split step (taken from the old targets in proportion to their weights), drains it when
 * the new version takes all the traffic, and retires it at the end. A rollback retires it too (the engine retires
 * everything it launched).
 *
 * <pre>{@code
 * Strategy s = WithBaseline.around(canary.build());
 * ComparisonAnalysis cmp = ComparisonAnalysis.builder("canary-vs-baseline")
 *         .baseline(TargetSelector.withAttribute(WithBaseline.ROLE, WithBaseline.BASELINE)) ...
 * }</pre>
 *
 * <p>Needs a launcher and exactly one serving version other than the new one. Immutable; thread-safe.
 */
public final class WithBaseline implements Strategy {
    /** Attribute key that marks the baseline. */
    public static final String ROLE = "role";
    /** Attribute value that marks the baseline. */
    public static final String BASELINE = "baseline";
    /** Default stop grace of the baseline: 10 s. */
    public static final Duration DEFAULT_RETIRE_GRACE = Duration.ofSeconds(10);

    private final Strategy inner;
    private final Duration retireGrace;

    private WithBaseline(Strategy inner, Duration retireGrace) {
        this.inner = inner;
        this.retireGrace = retireGrace;
    }

    /** Adds a baseline to the plans of {@code inner}. */
    public static WithBaseline around(Strategy inner) {
        if (inner == null) {
            throw new IllegalArgumentException("inner strategy must not be null");
        }
        return new WithBaseline(inner, DEFAULT_RETIRE_GRACE);
    }

    /** A copy whose baseline is stopped with this grace. Default {@link #DEFAULT_RETIRE_GRACE}. */
    public WithBaseline retireGrace(Duration grace) {
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("retireGrace must not be negative, was " + grace);
        }
        return new WithBaseline(inner, grace);
    }

    /** The id the baseline gets for a service and its serving version. */
    public static String baselineId(String service, String oldVersion) {
        return service + "-" + oldVersion + "-" + BASELINE;
    }

    @Override
    public Plan plan(PlanContext ctx) {
        Plan plan = inner.plan(ctx);
        String newVersion = ctx.spec().version();
        Set<String> oldVersions = new LinkedHashSet<>(ctx.current().servingVersions());
        oldVersions.remove(newVersion);
        if (oldVersions.size() != 1) {
            throw new IllegalArgumentException("baseline: exactly one serving version other than '" + newVersion
                    + "' is needed, the router serves " + ctx.current().servingVersions());
        }
        if (!ctx.launcherAvailable()) {
            throw new IllegalArgumentException("baseline: a launcher is needed to start the baseline instance");
        }
        String oldVersion = oldVersions.iterator().next();
        String id = baselineId(ctx.spec().service(), oldVersion);
        Set<String> newIds = new HashSet<>();
        ctx.spec().targets().forEach(t -> newIds.add(t.id()));
        Set<String> taken = new HashSet<>();
        ctx.current().targets().forEach(t -> taken.add(t.id()));
        for (Step s : plan.steps()) {
            if (s instanceof Step.Launch l) {
                taken.add(l.targetId());
                if (l.version().equals(newVersion)) {
                    newIds.add(l.targetId());
                }
            }
        }
        if (taken.contains(id) || newIds.contains(id)) {
            throw new IllegalArgumentException("baseline id '" + id + "' is already used by a target");
        }
        RouteState out = ctx.capabilities().drain() ? RouteState.DRAINING : RouteState.DISABLED;
        List<Step> steps = new ArrayList<>();
        steps.add(new Step.Launch(id, oldVersion, Map.of(ROLE, BASELINE)));
        steps.add(new Step.AwaitHealthy(List.of(id)));
        for (Step s : plan.steps()) {
            steps.add(s instanceof Step.ShiftTraffic shift ? withBaseline(shift, id, newIds, out) : s);
        }
        steps.add(new Step.Retire(List.of(id), retireGrace));
        return new Plan(plan.strategy() + "+baseline", steps);
    }

    private static Step.ShiftTraffic withBaseline(Step.ShiftTraffic shift, String id, Set<String> newIds, RouteState out) {
        long canary = 0;
        List<Integer> oldActive = new ArrayList<>();
        long oldTotal = 0;
        boolean listsOld = false;
        List<Step.Allocation> in = shift.allocations();
        for (int i = 0; i < in.size(); i++) {
            Step.Allocation a = in.get(i);
            if (newIds.contains(a.targetId())) {
                canary += a.state() == RouteState.ACTIVE ? a.weight() : 0;
            } else {
                listsOld = true;
                if (a.state() == RouteState.ACTIVE && a.weight() > 0) {
                    oldActive.add(i);
                    oldTotal += a.weight();
                }
            }
        }
        List<Step.Allocation> result = new ArrayList<>(in);
        if (canary > 0 && !oldActive.isEmpty()) {
            // the baseline gets the canary's share, taken from the old targets in proportion to their weights
            long b = Math.min(canary, oldTotal - oldActive.size());
            if (b < 1) {
                return shift;
            }
            long[] cut = new long[oldActive.size()];
            long given = 0;
            for (int k = 0; k < cut.length; k++) {
                cut[k] = b * in.get(oldActive.get(k)).weight() / oldTotal;
                given += cut[k];
            }
            for (int k = 0; given < b; k = (k + 1) % cut.length) {
                if (in.get(oldActive.get(k)).weight() - cut[k] > 1) {
                    cut[k]++;
                    given++;
                }
            }
            for (int k = 0; k < cut.length; k++) {
                Step.Allocation a = in.get(oldActive.get(k));
                result.set(oldActive.get(k), Step.Allocation.active(a.targetId(), (int) (a.weight() - cut[k])));
            }
            result.add(firstOld(in, newIds), Step.Allocation.active(id, (int) b));
        } else if (listsOld) {
            result.add(firstOld(in, newIds), new Step.Allocation(id, 0, out));
        } else {
            return shift;
        }
        return new Step.ShiftTraffic(shift.label() + " + baseline", result, shift.stickiness(), shift.rules());
    }

    /** Index of the first allocation that is not of the new version (the baseline goes there: old-version group). */
    private static int firstOld(List<Step.Allocation> in, Set<String> newIds) {
        for (int i = 0; i < in.size(); i++) {
            if (!newIds.contains(in.get(i).targetId())) {
                return i;
            }
        }
        return in.size();
    }

    @Override
    public String toString() {
        return "WithBaseline[" + inner + "]";
    }

    /** For tests and reports: whether {@code t} is a baseline launched by this wrapper. */
    public static boolean isBaseline(Target t) {
        return BASELINE.equals(t.attribute(ROLE));
    }
}
