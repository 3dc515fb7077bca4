package dev.zdd.api;

import java.time.Instant;

/**
 * What happened to one step of a deployment, for results and reports.
 *
 * <p>Immutable; thread-safe.
 *
 * @param index      step index in the plan (0-based); -1 for rollback actions
 * @param step       the step's description
 * @param outcome    how it ended
 * @param startedAt  when it started
 * @param finishedAt when it ended
 * @param detail     what a person needs to know (probe reasons, check values, router messages)
 */
public record StepOutcome(int index, String step, Outcome outcome, Instant startedAt, Instant finishedAt, String detail) {
    /** How a step ended. */
    public enum Outcome {
        /** Completed. */
        SUCCEEDED,
        /** Failed; the deployment rolled back or paused. */
        FAILED,
        /** Ended early by promote or abort. */
        SKIPPED
    }
}
