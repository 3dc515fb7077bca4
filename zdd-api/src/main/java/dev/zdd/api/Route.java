package dev.zdd.api;

/**
 * One line of a {@link Routing}: a target, its relative weight and its state (what zdd asks: the operator's intent),
 * plus, in tables a router reads back, the balancer's own view of the target's health ({@link BalancerHealth}).
 *
 * <p>Immutable; thread-safe. Weights are relative integers from 0 to {@link Routing#MAX_WEIGHT}; strategies produce
 * tables whose weights add up to {@link Routing#MAX_WEIGHT} so that a weight reads as basis points. A router maps them to
 * its own scale ({@link RouterCapabilities#maxWeight()}). A weight of 0 on an {@link RouteState#ACTIVE} route means
 * "known, healthy, but no share".
 *
 * <p>{@code health} is an observation, not part of what is asked: {@link TrafficRouter#apply(Routing)} ignores it,
 * {@link #equals(Object)} and {@link #hashCode()} leave it out (two routes are equal when they ask the same), and
 * {@link #serving()} is about intent only (an ACTIVE route with a weight, even when the balancer finds it
 * {@link BalancerHealth#DOWN}).
 *
 * @param target the target
 * @param weight relative weight, 0 to {@link Routing#MAX_WEIGHT}
 * @param state  ACTIVE, DRAINING or DISABLED
 * @param health the balancer's view of the target's health; {@link BalancerHealth#UNCHECKED} when unknown or not
 *               checked (a {@code null} becomes UNCHECKED)
 */
public record Route(Target target, int weight, RouteState state, BalancerHealth health) {
    /** Validates; throws {@link IllegalArgumentException} naming the field and the bad value. */
    public Route {
        Checks.notNull("route.target", target);
        Checks.range("route.weight of " + (target == null ? "?" : target.id()), weight, 0, Routing.MAX_WEIGHT);
        Checks.notNull("route.state", state);
        health = health == null ? BalancerHealth.UNCHECKED : health;
    }

    /** A route whose health is {@link BalancerHealth#UNCHECKED} (what a table that zdd applies holds). */
    public Route(Target target, int weight, RouteState state) {
        this(target, weight, state, BalancerHealth.UNCHECKED);
    }

    /** A copy with the balancer's view of health {@code h}. */
    public Route withHealth(BalancerHealth h) {
        return new Route(target, weight, state, h);
    }

    /** {@code true} when the balancer's own check finds this target down (it then gets no traffic, whatever the route). */
    public boolean downByBalancer() {
        return health == BalancerHealth.DOWN;
    }

    /** Equal when target, weight and state are; {@link #health()} is an observation and left out. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Route r && r.weight == weight && r.state == state && r.target.equals(target);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(target, weight, state);
    }

    /** An ACTIVE route. */
    public static Route active(Target target, int weight) {
        return new Route(target, weight, RouteState.ACTIVE);
    }

    /** A DRAINING route with weight 0. */
    public static Route draining(Target target) {
        return new Route(target, 0, RouteState.DRAINING);
    }

    /** A DISABLED route with weight 0. */
    public static Route disabled(Target target) {
        return new Route(target, 0, RouteState.DISABLED);
    }

    /** {@code true} when this route takes new requests: ACTIVE with a weight above 0. */
    public boolean serving() {
        return state == RouteState.ACTIVE && weight > 0;
    }
}
