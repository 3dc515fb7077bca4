package dev.zdd.api;

/**
 * Where a deployment is: {@code PENDING -> RUNNING <-> PAUSED -> SUCCEEDED}, or {@code -> ROLLING_BACK -> ROLLED_BACK},
 * or {@code FAILED} when the rollback itself could not finish (the result then lists what is left). Thread-safe.
 */
public enum DeploymentStatus {
    /** Created, not started. */
    PENDING,
    /** Running steps. */
    RUNNING,
    /** Paused by a person, or stopped after a point of no return waiting for one. */
    PAUSED,
    /** Every step ran. Terminal. */
    SUCCEEDED,
    /** Undoing what was done. */
    ROLLING_BACK,
    /** Undone: traffic as before, launched targets retired. Terminal. */
    ROLLED_BACK,
    /** The rollback could not finish; the result says what is left. Terminal. */
    FAILED;

    /** {@code true} for SUCCEEDED, ROLLED_BACK and FAILED. */
    public boolean isTerminal() {
        return this == SUCCEEDED || this == ROLLED_BACK || this == FAILED;
    }
}
