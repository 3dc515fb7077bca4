package dev.zdd.core.strategy;

import dev.zdd.api.Arguments;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.Plan;
import dev.zdd.api.PlanContext;
import dev.zdd.api.Route;
import dev.zdd.api.RouteState;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Step;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Target;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What the three strategies share: argument checks, reading the current routing, id generation, weight arithmetic and
 * routing tables checked against the router's capabilities. Package-private; stateless; thread-safe.
 */
final class PlanSupport {
    /**
     * Instances a first deployment (nothing serves, {@code spec.instances} 0, no targets given) starts: 1. Set
     * {@code spec.instances} for more.
     */
    static final int FIRST_DEPLOYMENT_INSTANCES = 1;

    /**
     * The bootstrap every strategy uses when nothing serves in the current routing (a first deployment): start (or,
     * for given targets, health-check) the new version's targets, await healthy, route all traffic to them evenly.
     * There is no old version to share traffic with, compare against or roll traffic back to, so a strategy's traffic
     * steps, pauses, checks and gates do not apply; non-serving targets of the current routing are carried unchanged.
     */
    static Plan firstDeployment(String strategy, PlanContext ctx, Map<String, String> attributes) {
        DeploymentSpec spec = ctx.spec();
        Current current = current(strategy, ctx);
        int total = desiredCount(strategy, ctx, 0);
        List<String> ids = new ArrayList<>(total);
        List<Step> steps = new ArrayList<>();
        if (spec.targets().isEmpty()) {
            ids.addAll(generateIds(spec.service() + "-" + spec.version(), total, current.ids()));
            for (String id : ids) {
                steps.add(launch(id, spec, attributes));
            }
        } else {
            for (Target t : spec.targets()) {
                ids.add(t.id());
            }
        }
        steps.add(new Step.AwaitHealthy(ids));
        steps.add(new Table(total + current.carried().size())
                .active(ids, distribute(Routing.MAX_WEIGHT, ones(total)))
                .add(current.carried())
                .build("first deployment", null, List.of(), ctx, current.targets(), spec.version(),
                        strategy + " first deployment"));
        return new Plan(strategy, steps);
    }

    /** Ids and names, the same rule as the API's target ids. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final String NAME_RULE = "letters, digits, '.', '_' or '-', starting with a letter or digit, at most 63";
    private static final int MAX_ID = 63;

    private PlanSupport() {
    }

    // ---------------------------------------------------------------- argument checks

    static String name(String field, String value) {
        return Arguments.matches(field, value, NAME, NAME_RULE);
    }

    static int atLeast(String field, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(field + " must be >= " + min + ", was " + value);
        }
        return value;
    }

    /** A percentage in {@code (min, 100]} or {@code [min, 100]}. */
    static double percent(String field, double value, boolean zeroAllowed) {
        if (Double.isNaN(value) || value > 100 || value < 0 || (!zeroAllowed && value == 0)) {
            throw new IllegalArgumentException(field + " must be in " + (zeroAllowed ? "[0" : "(0") + ", 100], was "
                    + pct(value));
        }
        return value;
    }

    /** {@code 12.5%}, {@code 10%}: a percentage as a person writes it. */
    static String pct(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return value + "%";
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString() + "%";
    }

    /** Basis points as a percentage: 1250 is {@code 12.5%}. */
    static String bp(int basisPoints) {
        return BigDecimal.valueOf(basisPoints, 2).stripTrailingZeros().toPlainString() + "%";
    }

    // ---------------------------------------------------------------- reading the current routing

    /**
     * The current routing split into what serves (ACTIVE, weight above 0) and what is carried unchanged through every
     * table (the rest, minus targets that the deployment brings as new ones).
     */
    record Current(List<Route> serving, List<Step.Allocation> carried, Set<String> ids, Map<String, Target> targets) {
        List<String> servingIds() {
            List<String> out = new ArrayList<>(serving.size());
            for (Route r : serving) {
                out.add(r.target().id());
            }
            return out;
        }

        long[] servingWeights() {
            long[] out = new long[serving.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = serving.get(i).weight();
            }
            return out;
        }

        Set<String> servingVersions() {
            Set<String> out = new HashSet<>();
            for (Route r : serving) {
                out.add(r.target().version());
            }
            return out;
        }
    }

    static Current current(String strategy, PlanContext ctx) {
        Routing routing = ctx.current();
        Set<String> newIds = new HashSet<>();
        for (Target t : ctx.spec().targets()) {
            newIds.add(t.id());
        }
        List<Route> serving = new ArrayList<>();
        List<Step.Allocation> carried = new ArrayList<>();
        Set<String> ids = new HashSet<>(routing.routes().size() * 2);
        Map<String, Target> targets = new HashMap<>(routing.routes().size() * 2);
        for (Route r : routing.routes()) {
            String id = r.target().id();
            ids.add(id);
            if (newIds.contains(id)) {
                if (r.serving()) {
                    throw new IllegalArgumentException(strategy + ": spec.targets: target '" + id
                            + "' already serves in the current routing");
                }
                continue;
            }
            targets.put(id, r.target());
            if (r.serving()) {
                serving.add(r);
            } else {
                carried.add(new Step.Allocation(id, r.weight(), r.state()));
            }
        }
        for (Target t : ctx.spec().targets()) {
            targets.put(t.id(), t);
        }
        return new Current(List.copyOf(serving), List.copyOf(carried), ids, targets);
    }

    /**
     * How many targets of the new version the deployment ends with: the given targets, else {@code spec.instances},
     * else as many as serve now, else (a first deployment: nothing serves) {@link #FIRST_DEPLOYMENT_INSTANCES}. Fails
     * when there is no way to start it.
     */
    static int desiredCount(String strategy, PlanContext ctx, int servingNow) {
        DeploymentSpec spec = ctx.spec();
        if (!spec.targets().isEmpty()) {
            return spec.targets().size();
        }
        if (!ctx.launcherAvailable()) {
            throw new IllegalArgumentException(strategy + ": spec.targets is empty and no launcher is available to start "
                    + "version '" + spec.version() + "'");
        }
        int n = spec.instances() > 0 ? spec.instances() : servingNow;
        return n == 0 ? FIRST_DEPLOYMENT_INSTANCES : n;
    }

    /**
     * {@code count} ids {@code <prefix>-<n>} (n from 1), skipping ids in {@code taken}; the prefix is shortened when
     * an id would be longer than 63 characters.
     */
    static List<String> generateIds(String prefix, int count, Set<String> taken) {
        List<String> out = new ArrayList<>(count);
        int n = 1;
        while (out.size() < count) {
            String suffix = "-" + n++;
            String p = prefix.length() + suffix.length() > MAX_ID ? prefix.substring(0, MAX_ID - suffix.length()) : prefix;
            String id = p + suffix;
            if (!taken.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }

    /** A launch of {@code id} with the spec's attributes plus {@code extra}. */
    static Step.Launch launch(String id, DeploymentSpec spec, Map<String, String> extra) {
        Map<String, String> attributes = new TreeMap<>(spec.attributes());
        attributes.putAll(extra);
        return new Step.Launch(id, spec.version(), attributes);
    }

    /** The state of targets taken out of service: DRAINING when the router can drain, else DISABLED. */
    static RouteState outOfService(PlanContext ctx) {
        return ctx.capabilities().drain() ? RouteState.DRAINING : RouteState.DISABLED;
    }

    // ---------------------------------------------------------------- weights

    /**
     * Splits {@code total} over {@code relative} in proportion, in linear time: each share is the difference of two
     * rounded-down cumulative sums, so the results add up to {@code total} exactly and each is within 1 of its exact
     * value. A positive relative weight never gets 0 while {@code total} is positive (it gets 1, so the sum may then
     * exceed {@code total}, which only happens with more than {@code total} targets).
     */
    static int[] distribute(int total, long[] relative) {
        int[] out = new int[relative.length];
        long sum = 0;
        for (long r : relative) {
            sum += r;
        }
        if (sum == 0 || total == 0) {
            return out;
        }
        long prefix = 0;
        long previous = 0;
        for (int i = 0; i < relative.length; i++) {
            prefix += relative[i];
            long cumulative = total * prefix / sum;
            out[i] = (int) (cumulative - previous);
            previous = cumulative;
            if (out[i] == 0 && relative[i] > 0) {
                out[i] = 1;
            }
        }
        return out;
    }

    static long[] ones(int n) {
        long[] out = new long[n];
        java.util.Arrays.fill(out, 1L);
        return out;
    }

    // ---------------------------------------------------------------- tables

    /**
     * Collects the allocations of one routing table, then checks it (something serves; the router can express it) and
     * turns it into a {@link Step.ShiftTraffic}. Not thread-safe; one per table.
     */
    static final class Table {
        private final List<Step.Allocation> allocations;

        Table(int expected) {
            allocations = new ArrayList<>(expected);
        }

        Table active(List<String> ids, int[] weights) {
            for (int i = 0; i < ids.size(); i++) {
                allocations.add(Step.Allocation.active(ids.get(i), weights[i]));
            }
            return this;
        }

        Table state(List<String> ids, RouteState state) {
            for (String id : ids) {
                allocations.add(new Step.Allocation(id, 0, state));
            }
            return this;
        }

        Table add(List<Step.Allocation> more) {
            allocations.addAll(more);
            return this;
        }

        int servingCount() {
            int n = 0;
            for (Step.Allocation a : allocations) {
                if (a.state() == RouteState.ACTIVE && a.weight() > 0) {
                    n++;
                }
            }
            return n;
        }

        /**
         * Checks and builds the step.
         *
         * @param where   prefix of error messages ("canary.steps[2] 10%")
         * @param targets every target the table may name, by id (launched ones get a placeholder endpoint)
         */
        Step.ShiftTraffic build(String label, Stickiness stickiness, List<Rule> rules, PlanContext ctx,
                                Map<String, Target> targets, String version, String where) {
            if (servingCount() == 0) {
                throw new IllegalArgumentException(where + " would leave no target serving");
            }
            // RouterCapabilities.check depends on the largest serving weight and on each serving weight being
            // expressible next to it; the smallest serving weight is the first to fail, so a table of those two
            // routes gets the same verdict as the whole table, in one pass and without building every route.
            Step.Allocation max = null;
            Step.Allocation min = null;
            for (Step.Allocation a : allocations) {
                if (a.state() == RouteState.ACTIVE && a.weight() > 0) {
                    if (max == null || a.weight() > max.weight()) {
                        max = a;
                    }
                    if (min == null || a.weight() < min.weight()) {
                        min = a;
                    }
                }
            }
            List<Route> routes = new ArrayList<>(2);
            routes.add(route(max, targets, version));
            if (min != max) {
                routes.add(route(min, targets, version));
            }
            try {
                ctx.capabilities().check("the router", new Routing(routes, stickiness, rules));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
            return new Step.ShiftTraffic(label, allocations, stickiness, rules);
        }
    }

    private static Route route(Step.Allocation a, Map<String, Target> targets, String version) {
        Target t = targets.get(a.targetId());
        if (t == null) {
            // a target still to be launched: its endpoint is unknown and does not matter to the check
            t = Target.of(a.targetId(), version, "127.0.0.1", 1);
        }
        return new Route(t, a.weight(), a.state());
    }

    static <T> List<T> slice(List<T> list, int from, int to) {
        int a = Math.min(from, list.size());
        int b = Math.min(to, list.size());
        return list.subList(a, b);
    }
}
