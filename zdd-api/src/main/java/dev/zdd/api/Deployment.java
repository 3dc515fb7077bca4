package dev.zdd.api;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * The handle of a running deployment. Every method is thread-safe and may be called from any thread; commands
 * ({@link #pause()}, {@link #resume()}, {@link #promote()}, {@link #abort(String)}) return at once and take effect
 * between or inside steps as documented.
 */
public interface Deployment {
    /** The deployment id. */
    String id();

    /** The current status. */
    DeploymentStatus status();

    /** Stops before the next step (a running pause stops counting). No effect unless RUNNING. */
    void pause();

    /** Continues after {@link #pause()}. No effect unless PAUSED. */
    void resume();

    /** Passes the current manual gate, or ends the current pause early. No effect otherwise. */
    void promote();

    /** Ends the current step and rolls back. No effect once terminal or rolling back. */
    void abort(String reason);

    /** Completes with the result when the deployment reaches a terminal status. */
    CompletionStage<DeploymentResult> completion();

    /** The result, once terminal. */
    Optional<DeploymentResult> result();

    /**
     * Waits for the result, at most {@code timeout} of wall time.
     *
     * @throws TimeoutException     when not terminal in time
     * @throws InterruptedException when interrupted
     */
    DeploymentResult await(Duration timeout) throws TimeoutException, InterruptedException;
}
