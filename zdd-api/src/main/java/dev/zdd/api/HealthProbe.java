package dev.zdd.api;

import java.time.Duration;

/**
 * Asks one target "are you ready?". One call, one answer; the policy around it (interval, thresholds, startup grace,
 * deadline) is a separate {@link ProbePolicy} shared by all probes.
 *
 * <p>Implementations must be thread-safe: the engine probes several targets in parallel. They should honour
 * {@code timeout} themselves (connect and read timeouts); the engine also stops waiting after it and counts the attempt
 * as UNHEALTHY with reason "timed out".
 */
@FunctionalInterface
public interface HealthProbe {
    /**
     * Checks {@code target} once.
     *
     * @param target  the target to ask
     * @param timeout how long this attempt may take
     * @return the answer; an exception counts as UNHEALTHY with the exception's message as reason
     * @throws Exception any failure to get an answer
     */
    HealthResult check(Target target, Duration timeout) throws Exception;
}
