package dev.zdd.api;

/**
 * One line of a {@link Routing}: a target, its relative weight and its state.
 *
 * <p>Immutable; thread-safe. Weights are relative integers from 0 to {@link Routing#MAX_WEIGHT}; strategies produce
 * tables whose weights add up to {@link Routing#MAX_WEIGHT} so that a weight reads as basis points. A router maps them to
 * its own scale ({@link RouterCapabilities#maxWeight()}). A weight of 0 on an {@link RouteState#ACTIVE} route means
 * "known, healthy, but no share".
 *
 * @param target the target
 * @param weight relative weight, 0 to {@link Routing#MAX_WEIGHT}
 * @param state  ACTIVE, DRAINING or DISABLED
 */
public record Route(Target target, int weight, RouteState state) {
    /** Validates; throws {@link IllegalArgumentException} naming the field and the bad value. */
    public Route {
        Checks.notNull("route.target", target);
        Checks.range("route.weight of " + (target == null ? "?" : target.id()), weight, 0, Routing.MAX_WEIGHT);
        Checks.notNull("route.state", state);
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
