package dev.zdd.api;

/**
 * Makes a real router (nginx, HAProxy, an in-process balancer, an L4 switch, a cloud load balancer) send traffic as a
 * {@link Routing} table says, and reads back what it really does.
 *
 * <p>Contract, checked by {@code dev.zdd.core.testing.RouterConformance}:
 * <ul>
 *   <li>{@link #apply(Routing)} is declarative and idempotent: applying the same table twice is harmless. When it
 *       returns, the router serves according to the table (bounded wait inside). When it throws, the router serves as
 *       before the call, or the exception says it does not.</li>
 *   <li>{@link #current()} reports what the router really does, so that a rollback can restore it exactly and drift
 *       can be detected. {@code current().sameTrafficAs(t)} holds right after {@code apply(t)}.</li>
 *   <li>Neither call waits without a timeout.</li>
 * </ul>
 * Implementations must be safe for use by several threads; the engine calls one router from one thread at a time.
 */
public interface TrafficRouter {
    /**
     * Makes the router match {@code routing}.
     *
     * @throws RouterException when the router cannot be reached or refused the change; the message names the step
     *                         and carries the router's own words
     */
    void apply(Routing routing);

    /**
     * Makes the router match {@code routing} on behalf of a deployment holding the lease {@code fence}. The engine
     * calls this one, after checking the fence. The default calls {@link #apply(Routing)}; a router that can store the
     * token next to its state overrides it to refuse a token lower than the highest it has seen (throwing
     * {@link FencedOutException}): that makes a deployer that lost its lease harmless even if it was paused between
     * the engine's check and the call.
     *
     * @throws RouterException     as {@link #apply(Routing)}
     * @throws FencedOutException when the router refuses a stale token
     */
    default void apply(Routing routing, Fence fence) {
        apply(routing);
    }

    /**
     * Reads what the router really does now.
     *
     * @throws RouterException when it cannot be read
     */
    Routing current();

    /** What this router can do. The default: weights only. */
    default RouterCapabilities capabilities() {
        return RouterCapabilities.WEIGHTS_ONLY;
    }
}
