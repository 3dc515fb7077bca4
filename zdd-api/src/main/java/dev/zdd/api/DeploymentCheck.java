package dev.zdd.api;

/**
 * A named check run by a {@link Step.Check} step: error rates, latency, a smoke test. Registered with the engine under
 * its name.
 *
 * <p>Implementations must be thread-safe. The engine bounds each call with its step deadline. A check that collects
 * across calls (an A/B test) keeps that state in the object {@link #forDeployment(String)} returns, which the engine
 * asks for once per deployment run and drops when the run ends; the registered check itself stays immutable.
 */
@FunctionalInterface
public interface DeploymentCheck {
    /**
     * Evaluates once.
     *
     * @throws Exception counts as FAIL with the exception's message
     */
    CheckResult check(DeploymentContext context) throws Exception;

    /**
     * The check the engine runs for every {@link Step.Check} and {@link Step.Verify} of this name in one deployment
     * run; called once per run (a recovered run asks again, so state collected before a crash is not carried over).
     * Default: this check, for checks without state.
     *
     * @param deploymentId the deployment being run
     */
    default DeploymentCheck forDeployment(String deploymentId) {
        return this;
    }
}
