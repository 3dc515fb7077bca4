package dev.zdd.api;

/**
 * Turns "from what serves now to this version" into a {@link Plan}. Strategies do no I/O: they read the
 * {@link PlanContext} and arrange {@link Step}s, which makes dry runs, journals, resumption and plan tests free.
 *
 * <p>Implementations are immutable and thread-safe; core ships rolling, blue-green and canary.
 */
@FunctionalInterface
public interface Strategy {
    /**
     * Plans a deployment.
     *
     * @throws IllegalArgumentException when the request cannot be planned (no targets, a router that lacks a needed
     *                                  capability...), with a message naming the field and the value
     */
    Plan plan(PlanContext context);
}
