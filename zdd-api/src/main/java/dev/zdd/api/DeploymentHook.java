package dev.zdd.api;

/**
 * A named user action run by a {@link Step.Hook} step (notify, warm caches, run a smoke test). Registered with the engine
 * under its name. A hook that throws or outlives its timeout vetoes the deployment: it rolls back.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface DeploymentHook {
    /**
     * Runs once.
     *
     * @throws Exception vetoes the deployment
     */
    void run(DeploymentContext context) throws Exception;
}
