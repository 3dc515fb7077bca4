package dev.zdd.api;

/**
 * A named check run by a {@link Step.Check} step: error rates, latency, a smoke test. Registered with the engine under
 * its name.
 *
 * <p>Implementations must be thread-safe. The engine bounds each call with its step deadline.
 */
@FunctionalInterface
public interface DeploymentCheck {
    /**
     * Evaluates once.
     *
     * @throws Exception counts as FAIL with the exception's message
     */
    CheckResult check(DeploymentContext context) throws Exception;
}
