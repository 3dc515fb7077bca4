package dev.zdd.api;

import java.util.List;

/**
 * A {@link TargetLauncher} that can find the instances it started for a service, from any process (by container labels,
 * by a state directory it keeps): what lets a deployment that was cut off, or a recovery in a new process after a crash,
 * find an instance whose launch never answered and stop it instead of reporting "an instance may be running".
 *
 * <p>Implementations must be thread-safe and bounded (no wait without a timeout).
 */
public interface TargetInventory {
    /**
     * The live instances of {@code service} this launcher (in this process or any earlier one) started, with their ids,
     * versions, attributes and endpoints.
     */
    List<Target> discover(String service);
}
