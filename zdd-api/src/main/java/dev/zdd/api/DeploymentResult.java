package dev.zdd.api;

import java.time.Instant;
import java.util.List;

/**
 * How a deployment ended, with everything needed to understand it and, after a FAILED rollback, to finish by hand.
 *
 * <p>Immutable; thread-safe.
 *
 * @param id            deployment id
 * @param service       service
 * @param version       version deployed
 * @param status        SUCCEEDED, ROLLED_BACK or FAILED
 * @param reason        why it rolled back or failed (empty when it succeeded)
 * @param startedAt     start
 * @param finishedAt    end
 * @param routingBefore the routing read from the router before the deployment
 * @param routingAfter  the routing read from the router at the end (or the last applied one when unreadable)
 * @param launched      targets launched by this deployment
 * @param retired       targets retired by this deployment (including launched ones retired by the rollback)
 * @param leftovers     what a person must still do (empty unless FAILED)
 * @param steps         step outcomes, in order, rollback actions last
 */
public record DeploymentResult(String id, String service, String version, DeploymentStatus status, String reason,
                               Instant startedAt, Instant finishedAt, Routing routingBefore, Routing routingAfter,
                               List<Target> launched, List<Target> retired, List<String> leftovers,
                               List<StepOutcome> steps) {
    /** Copies the lists. */
    public DeploymentResult {
        reason = reason == null ? "" : reason;
        launched = List.copyOf(launched);
        retired = List.copyOf(retired);
        leftovers = List.copyOf(leftovers);
        steps = List.copyOf(steps);
    }
}
