package dev.zdd.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A desired (or observed) routing table: which targets a router sends traffic to, with what weights and states, plus
 * optional {@link Stickiness} and {@link Rule}s. This is what {@link TrafficRouter#apply(Routing)} takes and
 * {@link TrafficRouter#current()} returns.
 *
 * <p>Immutable value; thread-safe. Target ids are unique. Route order matters only for {@link Stickiness} (see there).
 *
 * @param routes     the routes, in order (never null, may be empty)
 * @param stickiness sticky split, or {@code null} for none
 * @param rules      rules evaluated before weights, in order (never null)
 */
public record Routing(List<Route> routes, Stickiness stickiness, List<Rule> rules) {
    /** Tolerance of {@link #sameTrafficAs(Routing)} on each share: 0.005 (half a percentage point). */
    public static final double UNKNOWN_ROUTER_SHARE_TOLERANCE = 0.005;
    /** The largest relative weight of a route; strategies make weights add up to this so they read as basis points. */
    public static final int MAX_WEIGHT = 10_000;

    /** A table with no routes. */
    public static final Routing EMPTY = new Routing(List.of(), null, List.of());

    /** Validates and copies; throws {@link IllegalArgumentException} naming the field and the bad value. */
    public Routing {
        Checks.noNulls("routing.routes", routes);
        Checks.noNulls("routing.rules", rules == null ? List.of() : rules);
        Set<String> ids = new HashSet<>();
        for (Route r : routes) {
            if (!ids.add(r.target().id())) {
                throw new IllegalArgumentException("routing.routes has duplicate target id '" + r.target().id() + "'");
            }
        }
        routes = List.copyOf(routes);
        rules = rules == null ? List.of() : List.copyOf(rules);
    }

    /** A table of the given routes, no stickiness, no rules. */
    public static Routing of(List<Route> routes) {
        return new Routing(routes, null, List.of());
    }

    /** A table of the given routes, no stickiness, no rules. */
    public static Routing of(Route... routes) {
        return new Routing(List.of(routes), null, List.of());
    }

    /** All traffic split evenly over {@code targets} (weights add up to {@link #MAX_WEIGHT}). */
    public static Routing evenly(List<Target> targets) {
        List<Route> out = new ArrayList<>();
        int n = targets.size();
        for (int i = 0; i < n; i++) {
            int w = MAX_WEIGHT / n + (i < MAX_WEIGHT % n ? 1 : 0);
            out.add(Route.active(targets.get(i), w));
        }
        return of(out);
    }

    /** The stickiness, if any. */
    public Optional<Stickiness> sticky() {
        return Optional.ofNullable(stickiness);
    }

    /** The route of the target with this id, if present. */
    public Optional<Route> route(String targetId) {
        for (Route r : routes) {
            if (r.target().id().equals(targetId)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** All targets, in route order. */
    public List<Target> targets() {
        List<Target> out = new ArrayList<>(routes.size());
        for (Route r : routes) {
            out.add(r.target());
        }
        return Collections.unmodifiableList(out);
    }

    /** Targets that take new requests (ACTIVE with weight above 0), in route order. */
    public List<Target> servingTargets() {
        List<Target> out = new ArrayList<>();
        for (Route r : routes) {
            if (r.serving()) {
                out.add(r.target());
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Targets of serving routes that the balancer's own check finds {@link BalancerHealth#DOWN} (zdd asks them to
     * serve; the balancer sends them nothing until its check passes), in route order.
     */
    public List<Target> downByBalancer() {
        List<Target> out = new ArrayList<>();
        for (Route r : routes) {
            if (r.serving() && r.downByBalancer()) {
                out.add(r.target());
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Sum of the weights of serving routes. */
    public int servingWeight() {
        int sum = 0;
        for (Route r : routes) {
            if (r.serving()) {
                sum += r.weight();
            }
        }
        return sum;
    }

    /** Versions of serving routes, in order of first appearance. */
    public Set<String> servingVersions() {
        Set<String> out = new LinkedHashSet<>();
        for (Route r : routes) {
            if (r.serving()) {
                out.add(r.target().version());
            }
        }
        return Collections.unmodifiableSet(out);
    }

    /** Share of new requests (0.0 to 1.0) that each serving version gets from weights alone, in route order. */
    public Map<String, Double> versionShares() {
        Map<String, Double> out = new LinkedHashMap<>();
        int total = servingWeight();
        for (Route r : routes) {
            if (r.serving()) {
                out.merge(r.target().version(), (double) r.weight() / total, Double::sum);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** A copy with the given stickiness ({@code null} for none). */
    public Routing withStickiness(Stickiness s) {
        return new Routing(routes, s, rules);
    }

    /** A copy with the given rules. */
    public Routing withRules(List<Rule> r) {
        return new Routing(routes, stickiness, r);
    }

    /**
     * {@code true} when both tables send traffic the same way as far as can be told <b>without knowing the router</b>:
     * same targets, same states, same stickiness and rules, and shares of serving targets within
     * {@link #UNKNOWN_ROUTER_SHARE_TOLERANCE} (half a percentage point) of each other, so that a table read back from a
     * router that rescales compares equal. Too loose to tell a 0.5% canary from a 0.99% one: when the router is known,
     * use {@link #sameTrafficAs(Routing, int)} with its {@link RouterCapabilities#maxWeight()} (the engine, the
     * composite router and {@code RouterConformance} do).
     */
    public boolean sameTrafficAs(Routing other) {
        if (!sameTargetsAndStates(other)) {
            return false;
        }
        Map<String, Route> theirs = byId(other);
        long total = servingWeight();
        long otherTotal = other.servingWeight();
        for (Route r : routes) {
            Route x = theirs.get(r.target().id());
            if (r.serving() && Math.abs((double) r.weight() / total - (double) x.weight() / otherTotal)
                    > UNKNOWN_ROUTER_SHARE_TOLERANCE) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Route> byId(Routing other) {
        Map<String, Route> theirs = new java.util.HashMap<>(other.routes.size() * 2);
        for (Route x : other.routes) {
            theirs.put(x.target().id(), x);
        }
        return theirs;
    }

    private boolean sameTargetsAndStates(Routing other) {
        if (other == null || routes.size() != other.routes.size()
                || !java.util.Objects.equals(stickiness, other.stickiness) || !rules.equals(other.rules)) {
            return false;
        }
        Map<String, Route> theirs = byId(other);
        for (Route r : routes) {
            Route x = theirs.get(r.target().id());
            if (x == null || !x.target().endpoint().equals(r.target().endpoint())) {
                return false;
            }
            if (r.serving() != x.serving() || (!r.serving() && r.state() != x.state())) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code true} when both tables send traffic the same way on a router whose weights go from 1 to
     * {@code maxWeight} ({@link RouterCapabilities#maxWeight()}): same targets, same states, same stickiness and rules,
     * and, once both tables are scaled the router's way (the largest serving weight to {@code maxWeight}, the others
     * rounded, at least 1), the same share for every serving target within one weight unit of that scale per serving
     * target (routers round each weight their own way). So a router
     * that rescales (HAProxy reads back 256ths) compares equal, and a share the router cannot tell apart from the one
     * asked for is equal, while on the finest scale 0.5% and 0.99% differ. Whether a share is served precisely enough
     * at all is decided earlier, by {@link RouterCapabilities#check}.
     */
    public boolean sameTrafficAs(Routing other, int maxWeight) {
        Checks.range("maxWeight", maxWeight, 1, MAX_WEIGHT);
        if (!sameTargetsAndStates(other)) {
            return false;
        }
        Map<String, Integer> mine = scaledWeights(maxWeight);
        Map<String, Integer> scaledOther = other.scaledWeights(maxWeight);
        long total = mine.values().stream().mapToLong(Integer::longValue).sum();
        long otherTotal = scaledOther.values().stream().mapToLong(Integer::longValue).sum();
        // one weight unit per serving target: routers may round each weight their own way
        double tolerance = (double) mine.size() / Math.max(1, Math.min(total, otherTotal)) + 1e-9;
        for (Map.Entry<String, Integer> e : mine.entrySet()) {
            double a = (double) e.getValue() / total;
            double b = (double) scaledOther.getOrDefault(e.getKey(), 0) / otherTotal;
            if (Math.abs(a - b) > tolerance) {
                return false;
            }
        }
        return true;
    }

    /**
     * The weight of each serving target (by id, in route order) as a router whose weights go from 1 to
     * {@code maxWeight} serves it: the largest serving weight becomes {@code maxWeight}, the others are scaled and
     * rounded, and at least 1.
     */
    public Map<String, Integer> scaledWeights(int maxWeight) {
        int max = 0;
        for (Route r : routes) {
            if (r.serving()) {
                max = Math.max(max, r.weight());
            }
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Route r : routes) {
            if (r.serving()) {
                out.put(r.target().id(), (int) Math.max(1, Math.round((double) r.weight() * maxWeight / max)));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** Shares per version of {@code weights} (by target id) over the targets of {@code routing}. */
    static Map<String, Double> shares(Map<String, Integer> weights, Routing routing) {
        long total = weights.values().stream().mapToLong(Integer::longValue).sum();
        Map<String, Double> out = new LinkedHashMap<>();
        for (Route r : routing.routes()) {
            Integer w = weights.get(r.target().id());
            if (w != null) {
                out.merge(r.target().version(), (double) w / total, Double::sum);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Routing[");
        for (int i = 0; i < routes.size(); i++) {
            Route r = routes.get(i);
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(r.target().id()).append('/').append(r.target().version()).append(' ');
            sb.append(r.state() == RouteState.ACTIVE ? String.valueOf(r.weight()) : r.state().name().toLowerCase(java.util.Locale.ROOT));
            if (r.downByBalancer()) {
                sb.append(" (down by the balancer's check)");
            }
        }
        if (stickiness != null) {
            sb.append("; sticky ").append(stickiness.key());
        }
        for (Rule rule : rules) {
            sb.append("; ").append(rule.key()).append(" in ").append(rule.values()).append(" -> ").append(rule.version());
        }
        return sb.append(']').toString();
    }
}
