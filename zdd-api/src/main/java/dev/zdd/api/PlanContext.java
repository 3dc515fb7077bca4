package dev.zdd.api;

/**
 * Everything a {@link Strategy} may look at: what to deploy, what the router does now (read from it, not remembered),
 * what the router can do, and whether targets can be launched.
 *
 * <p>Immutable; thread-safe.
 *
 * @param spec              what to deploy
 * @param current           the routing read from the router before the deployment
 * @param capabilities      the router's capabilities
 * @param launcherAvailable whether Launch and Retire steps have a launcher behind them
 */
public record PlanContext(DeploymentSpec spec, Routing current, RouterCapabilities capabilities, boolean launcherAvailable) {
    /** Validates. */
    public PlanContext {
        Checks.notNull("context.spec", spec);
        Checks.notNull("context.current", current);
        Checks.notNull("context.capabilities", capabilities);
    }
}
