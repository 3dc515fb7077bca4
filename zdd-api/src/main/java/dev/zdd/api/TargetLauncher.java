package dev.zdd.api;

import java.time.Duration;

/**
 * Starts an instance of a version and stops one gracefully. Implementations: Docker containers (zdd-docker), local
 * processes on an idle port (zdd-core), or none when the user's own tooling provisions targets.
 *
 * <p>Implementations must be thread-safe: the engine may launch several targets of a batch in parallel. Neither call may
 * wait without a bound: launch returns once the instance is started (not necessarily ready: readiness is the
 * {@link HealthProbe}'s job), retire returns once it is gone or {@code grace} plus a bounded kill time has passed.
 */
public interface TargetLauncher {
    /**
     * Starts an instance.
     *
     * @return the started target, with {@code request.targetId()}, its version and attributes, and its real endpoint
     * @throws LaunchException when it cannot be started (the message carries the cause, never secrets)
     */
    Target launch(LaunchRequest request);

    /**
     * Stops an instance: a polite signal, then, after {@code grace}, a forced stop; then releases it (removes a
     * container, frees a port). Retiring a target that is already gone is not an error.
     *
     * @throws LaunchException when it cannot be stopped
     */
    void retire(Target target, Duration grace);
}
