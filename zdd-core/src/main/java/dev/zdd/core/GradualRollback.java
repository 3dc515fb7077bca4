package dev.zdd.core;

import dev.zdd.api.Arguments;

import java.time.Duration;

/**
 * Going back in steps instead of all at once: when a deployment rolls back after the new version took traffic, the
 * engine first applies {@link #steps()} - 1 intermediate tables that move the traffic back to the routing read before
 * the deployment in equal shares, waiting {@link #interval()} after each, and then restores that routing exactly (and
 * verifies it, as always). For when the old side shrank during a rolling and a sudden full revert would overload it
 * (its caches are cold, its autoscaler has not caught up). If an intermediate apply fails, the engine goes straight to
 * the full restore. Targets the old routing needs are relaunched before the first step, as in any rollback.
 *
 * <p>Immutable; thread-safe. {@link #of(int, Duration)} validates and names the bad value.
 *
 * @param steps    number of steps back, 2 to 100 (2: one half-way table, then the full restore)
 * @param interval wait after each intermediate table, positive
 */
public record GradualRollback(int steps, Duration interval) {
    /** Validates. */
    public GradualRollback {
        Arguments.range("gradualRollback.steps", steps, 2, 100);
        Arguments.positive("gradualRollback.interval", interval);
    }

    /** {@code steps} steps back, {@code interval} apart. */
    public static GradualRollback of(int steps, Duration interval) {
        return new GradualRollback(steps, interval);
    }
}
