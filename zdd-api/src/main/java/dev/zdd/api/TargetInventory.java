package dev.zdd.api;

import java.util.List;

/**
 * A {@link TargetLauncher} that can find the instances it started for a service, from any process (by container labels,
 * by a state directory it keeps): what lets a deployment that was cut off, or a recovery in a new process after a crash,
 * find an instance whose launch never answered and stop it instead of reporting "an instance may be running".
 *
 * <p>Implementations must be thread-safe and bounded (no wait without a timeout).
 *
 * <p>A launch whose call was cut off (a crash of the deployer) and that {@link #discover} does not list is a leftover
 * ("an instance may be running") unless the launcher {@linkplain #recordsBeforeStarting() records every launch before
 * starting anything}: then not listed means nothing of it runs.
 */
public interface TargetInventory {
    /**
     * The live instances of {@code service} this launcher (in this process or any earlier one) started, with their ids,
     * versions, attributes and endpoints.
     */
    List<Target> discover(String service);

    /**
     * Whether {@link #discover} lists every instance whose launch started anything, however the launching process died
     * (the launcher records a launch durably before it starts a process, and finds the process from that record). When
     * {@code true}, the engine takes a launch in doubt that {@code discover} does not list as never started. Default
     * {@code false}: not listed is not proof.
     */
    default boolean recordsBeforeStarting() {
        return false;
    }
}
