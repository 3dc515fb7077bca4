package dev.zdd.api;

/**
 * Where a deployment is now: its status, the phase of the engine's run, and the step it is in (or about to run).
 * Read with {@link Deployment#progress()}.
 *
 * <p>Immutable; thread-safe.
 *
 * @param status    the status
 * @param phase     the run's phase
 * @param stepIndex the step being run, paused in, waited at, or next to run (0-based); -1 before the first step and
 *                  once finished
 * @param steps     how many steps the plan has (0 while not yet planned)
 * @param step      the step's description, or empty
 */
public record DeploymentProgress(DeploymentStatus status, Phase phase, int stepIndex, int steps, String step) {
    /** The phases of a run; exactly one at a time. */
    public enum Phase {
        /** Waiting for a deploy window or for the deployment lock; nothing touched yet. */
        WAITING,
        /** Reading the router and planning; nothing touched yet. */
        PLANNING,
        /** Running a step. */
        RUNNING,
        /** Paused by {@link Deployment#pause()} (in a step or between steps). */
        PAUSED,
        /** At a manual gate, waiting for {@link Deployment#promote()}. */
        AT_GATE,
        /** A step failed past the point of no return (or a recovery found one): resume retries it, abort rolls back. */
        AWAITING_DECISION,
        /** Undoing what was done. */
        ROLLING_BACK,
        /** Ended: see the result. */
        FINISHED
    }

    /** Validates. */
    public DeploymentProgress {
        Checks.notNull("progress.status", status);
        Checks.notNull("progress.phase", phase);
        step = step == null ? "" : step;
    }

    @Override
    public String toString() {
        return status + " " + phase + (stepIndex < 0 ? "" : " step " + (stepIndex + 1) + "/" + steps + " (" + step + ")");
    }
}
