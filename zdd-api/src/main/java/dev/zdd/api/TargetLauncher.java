package dev.zdd.api;

import java.time.Duration;

/**
 * Starts an instance of a version and stops one gracefully. Implementations: Docker containers (zdd-docker), local
 * processes on an idle port (zdd-core), or none when the user's own tooling provisions targets.
 *
 * <p>Implementations must be thread-safe: the engine may launch several targets of a batch in parallel. Neither call may
 * wait without a bound: launch returns once the instance is started (not necessarily ready: readiness is the
 * {@link HealthProbe}'s job), retire returns once it is gone or {@code grace} plus a bounded kill time has passed.
 *
 * <p>The contract recovery relies on (every deploy is a new process):
 * <ul>
 *   <li><b>A launch that throws leaves nothing running</b>: whatever it started (a process, a container) is stopped and
 *       released before the exception is thrown, also when the launch was interrupted or timed out. A launch cut off
 *       by the death of the deployer's process is the one case it cannot cover: for that, the launcher keeps an
 *       inventory a later process can read (local processes: a state directory; Docker: container labels).</li>
 *   <li><b>Retire never pretends</b>: it returns normally only when the target is stopped now or verifiably gone (its
 *       recorded process exited, its container no longer exists). A target it cannot identify (not in its inventory,
 *       no identifying attributes) or cannot stop is a {@link LaunchException}, never a silent success.</li>
 *   <li><b>Retire works from another process</b>: a target as launched (with its attributes), or as its inventory
 *       records it, can be retired by a launcher built later from the same configuration.</li>
 * </ul>
 */
public interface TargetLauncher {
    /**
     * Starts an instance. A launch either returns the target it started, or throws having left nothing running: a
     * launcher that fails (or is interrupted) after it started something stops it before throwing. The engine relies
     * on that: a launch that threw is not retired; a launch that returns, even after the engine gave up waiting for it,
     * is retired by the rollback; a launch that never returns is reported as "an instance may be running".
     *
     * @return the started target, with {@code request.targetId()}, its version and attributes, and its real endpoint
     * @throws LaunchException when it cannot be started (the message carries the cause, never secrets); nothing is left
     *                         running
     */
    Target launch(LaunchRequest request);

    /**
     * Stops an instance: a polite signal, then, after {@code grace}, a forced stop; then releases it (removes a
     * container, frees a port). Retiring a target that is already gone is not an error; a target the launcher cannot
     * identify (it cannot tell whether it runs) is, never a silent success. A retire that throws or is cut off may
     * have stopped the target (the engine then retires it again and relaunches it before sending traffic back to it).
     *
     * @throws LaunchException when it cannot be stopped or identified
     */
    void retire(Target target, Duration grace);
}
