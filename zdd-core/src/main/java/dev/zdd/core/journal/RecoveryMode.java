package dev.zdd.core.journal;

/**
 * What an engine does with a deployment it finds interrupted in its journal (the process running it died). Thread-safe
 * (an enum).
 */
public enum RecoveryMode {
    /**
     * The default: restore the routing journaled before the deployment, then retire the targets it launched. Safe
     * whatever step the crash interrupted, unless the deployment had passed a point of no return (then it pauses and
     * waits for a person, as it would have without the crash).
     */
    ROLL_BACK,
    /** Continue the plan from the step that was interrupted (that step runs again; steps are idempotent). */
    RESUME
}
