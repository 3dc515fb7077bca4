package dev.zdd.core.internal;

import dev.zdd.api.DeploymentProgress;
import dev.zdd.api.DeploymentResult;
import dev.zdd.api.DeploymentStatus;

/**
 * The one phase a deployment's {@link Run} is in. Every transition is one method of {@link Run} that checks the phase it
 * leaves. Immutable records; the run publishes the current one through a volatile field. Internal.
 */
sealed interface Phase {
    /** The status users see in this phase. */
    DeploymentStatus status();

    /** The public view of this phase. */
    DeploymentProgress.Phase view();

    /** The step this phase is in or before, or -1. */
    int index();

    /** Waiting for a deploy window and/or the deployment lock; nothing touched. */
    record Waiting() implements Phase {
        public DeploymentStatus status() {
            return DeploymentStatus.PENDING;
        }

        public DeploymentProgress.Phase view() {
            return DeploymentProgress.Phase.WAITING;
        }

        public int index() {
            return -1;
        }
    }

    /** Reading the router and planning, or planned and about to start; nothing touched. */
    record Planning() implements Phase {
        public DeploymentStatus status() {
            return DeploymentStatus.PENDING;
        }

        public DeploymentProgress.Phase view() {
            return DeploymentProgress.Phase.PLANNING;
        }

        public int index() {
            return -1;
        }
    }

    /** Between two steps: step {@code index} starts next (or the deployment finishes when it is the last). */
    record Between(int index) implements Phase {
        public DeploymentStatus status() {
            return DeploymentStatus.RUNNING;
        }

        public DeploymentProgress.Phase view() {
            return DeploymentProgress.Phase.RUNNING;
        }
    }

    /** Running a step. */
    record Stepping(StepRunner runner) implements Phase {
        public DeploymentStatus status() {
            return DeploymentStatus.RUNNING;
        }

        public DeploymentProgress.Phase view() {
            return runner.gate() ? DeploymentProgress.Phase.AT_GATE : DeploymentProgress.Phase.RUNNING;
        }

        public int index() {
            return runner.index;
        }
    }

    /**
     * Paused by a person: in step {@code index} ({@code runner} not null: a pause or gate whose clock stopped, or another
     * step finishing) or before it ({@code runner} null).
     */
    record Paused(int index, StepRunner runner) implements Phase {
        public DeploymentStatus status() {
            return DeploymentStatus.PAUSED;
        }

        public DeploymentProgress.Phase view() {
            return DeploymentProgress.Phase.PAUSED;
        }
    }

    /** Step {@code index} failed past the point of no return (or a recovery found that): a person decides. */
    record Deciding(int index, String why) implements Phase {
        public DeploymentStatus status() {
            return DeploymentStatus.PAUSED;
        }

        public DeploymentProgress.Phase view() {
            return DeploymentProgress.Phase.AWAITING_DECISION;
        }
    }

    /** Undoing what was done. */
    record RollingBack() implements Phase {
        public DeploymentStatus status() {
            return DeploymentStatus.ROLLING_BACK;
        }

        public DeploymentProgress.Phase view() {
            return DeploymentProgress.Phase.ROLLING_BACK;
        }

        public int index() {
            return -1;
        }
    }

    /** Reading the final routing before the end; {@code shown} is the status users still see meanwhile. */
    record Finishing(DeploymentStatus end, DeploymentStatus shown) implements Phase {
        public DeploymentStatus status() {
            return shown;
        }

        public DeploymentProgress.Phase view() {
            return shown == DeploymentStatus.ROLLING_BACK ? DeploymentProgress.Phase.ROLLING_BACK
                    : DeploymentProgress.Phase.RUNNING;
        }

        public int index() {
            return -1;
        }
    }

    /** Ended. */
    record Finished(DeploymentResult result) implements Phase {
        public DeploymentStatus status() {
            return result.status();
        }

        public DeploymentProgress.Phase view() {
            return DeploymentProgress.Phase.FINISHED;
        }

        public int index() {
            return -1;
        }
    }
}
