package dev.zdd.api;

/**
 * What a load balancer's own health checks say about a target (HAProxy {@code check}, an L4 balancer polling a file),
 * as opposed to what zdd asks of the router ({@link RouteState} and weight: the operator's intent).
 *
 * <p>The two are kept apart: a target that zdd asks to serve but that the balancer's check finds down is still an
 * {@link RouteState#ACTIVE} route with its weight, reported with {@link #DOWN}. zdd never turns "down by health check"
 * into maintenance: restoring such a table leaves the target ready, so the balancer takes it back by itself when its
 * check passes again. Thread-safe (an enum).
 */
public enum BalancerHealth {
    /** The balancer does not check this target, or the router cannot tell (nginx open source, a tabled intent). */
    UNCHECKED,
    /** The balancer's check finds the target up. */
    UP,
    /** The balancer's check finds the target down: it sends it no traffic, whatever the route says. */
    DOWN
}
