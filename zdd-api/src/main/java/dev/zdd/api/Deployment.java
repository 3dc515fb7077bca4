package dev.zdd.api;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * The handle of a running deployment. Every method is thread-safe and may be called from any thread. Commands
 * ({@link #pause()}, {@link #resume()}, {@link #promote()}, {@link #abort(String)}) are messages to the deployment's
 * run: they return at once, and their {@link CommandReply} completes once the run has handled them (usually before the
 * call returns), saying what they did or why they did nothing. A command is never remembered for later: a
 * {@code promote()} sent before a gate starts is refused, and says where the deployment is.
 */
public interface Deployment {
    /** The deployment id. */
    String id();

    /** The current status. */
    DeploymentStatus status();

    /** Where the deployment is now: phase and step. */
    DeploymentProgress progress();

    /**
     * Stops before the next step (a running pause or gate stops counting its time; another running step finishes
     * first). Refused unless running; accepted while waiting to start (it then waits paused once it may start).
     */
    CompletionStage<CommandReply> pause();

    /** Continues after {@link #pause()}, or retries the step that failed past the point of no return. Refused unless paused. */
    CompletionStage<CommandReply> resume();

    /** Passes the current manual gate, or ends the current pause step early. Refused otherwise (never remembered). */
    CompletionStage<CommandReply> promote();

    /**
     * Ends the current step and rolls back; before the deployment has touched anything (waiting for a window or the
     * lock, planning), it ends as ROLLED_BACK with nothing done. Refused once rolling back or finished.
     */
    CompletionStage<CommandReply> abort(String reason);

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
