package dev.zdd.api;

import java.time.Instant;

/**
 * Something that happened during a deployment, delivered to {@link DeploymentListener}s in order.
 *
 * <p>Immutable; thread-safe.
 *
 * @param deploymentId deployment id
 * @param type         what happened
 * @param time         when (the engine's clock)
 * @param stepIndex    index of the step concerned, or -1
 * @param step         description of the step concerned, or empty
 * @param message      details a person can read (never secrets)
 */
public record DeploymentEvent(String deploymentId, Type type, Instant time, int stepIndex, String step, String message) {
    /** Kinds of events. */
    public enum Type {
        /** The deployment started; message has the plan. */
        STARTED,
        /** A step started. */
        STEP_STARTED,
        /** A step completed. */
        STEP_SUCCEEDED,
        /** A step failed; message has the reason. */
        STEP_FAILED,
        /** One probe answer; message has target and result. */
        PROBE_RESULT,
        /** A check's verdict and values. */
        CHECK_RESULT,
        /** A routing table was applied; message has the table. */
        ROUTING_APPLIED,
        /** The deployment paused. */
        PAUSED,
        /** The deployment resumed. */
        RESUMED,
        /** Promote was called. */
        PROMOTED,
        /** The rollback started; message has the reason. */
        ROLLBACK_STARTED,
        /** The deployment reached a terminal status; message has it. */
        FINISHED
    }

    /** Normalises nulls. */
    public DeploymentEvent {
        step = step == null ? "" : step;
        message = message == null ? "" : message;
    }
}
