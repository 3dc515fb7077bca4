package dev.zdd.api;

import java.util.List;

/**
 * What a {@link DeploymentCheck} or {@link DeploymentHook} sees of the running deployment.
 *
 * <p>Immutable snapshot; thread-safe.
 *
 * @param deploymentId deployment id
 * @param service      service
 * @param version      version being deployed
 * @param routing      the routing last applied (or read before the deployment)
 * @param newTargets   targets of the new version known so far
 * @param oldTargets   targets serving before the deployment
 * @param clock        the engine's clock
 */
public record DeploymentContext(String deploymentId, String service, String version, Routing routing,
                                List<Target> newTargets, List<Target> oldTargets, Clock clock) {
    /** Copies the lists. */
    public DeploymentContext {
        newTargets = List.copyOf(newTargets);
        oldTargets = List.copyOf(oldTargets);
    }
}
