package dev.zdd.api;

import java.time.Instant;

/**
 * Something that happened during a deployment, delivered to {@link DeploymentListener}s in order: a sealed family of
 * records, each with the data of what happened (the routing applied, the probe answer, the check verdict, the result).
 * Reports and timelines read these payloads; {@link #describe()} is only for people.
 *
 * <p>The sequence of one deployment: {@link Started} first (or only {@link Finished} when it never started), then for
 * each step {@link StepStarted}, the step's own events ({@link ProbeResult}, {@link CheckVerdict},
 * {@link RoutingApplied}, {@link Paused}, {@link Resumed}, {@link Promoted}) and {@link StepEnded}; on a rollback
 * {@link RollbackStarted} and the rollback's actions as steps with index -1; exactly one {@link Finished}, last.
 *
 * <p>Java 17 has no pattern matching for {@code switch}: {@link #kind()} names the record so that a listener can
 * {@code switch (event.kind())} and cast. All records are immutable; thread-safe.
 */
public sealed interface DeploymentEvent {
    /** The deployment's id. */
    String deploymentId();

    /** When it happened (the engine's clock). */
    Instant time();

    /** Which record this is. */
    Kind kind();

    /** One line a person can read (never secrets). */
    String describe();

    /** The kinds of events, one per record. */
    enum Kind {
        /** {@link Started}. */
        STARTED,
        /** {@link StepStarted}. */
        STEP_STARTED,
        /** {@link StepEnded}. */
        STEP_ENDED,
        /** {@link ProbeResult}. */
        PROBE_RESULT,
        /** {@link CheckVerdict}. */
        CHECK_VERDICT,
        /** {@link RoutingApplied}. */
        ROUTING_APPLIED,
        /** {@link Paused}. */
        PAUSED,
        /** {@link Resumed}. */
        RESUMED,
        /** {@link Promoted}. */
        PROMOTED,
        /** {@link RollbackStarted}. */
        ROLLBACK_STARTED,
        /** {@link Finished}. */
        FINISHED
    }

    /**
     * The deployment started running its plan (after any wait for a deploy window or a lock), or a recovery started.
     *
     * @param deploymentId deployment id
     * @param time         when
     * @param service      the service
     * @param version      the version deployed
     * @param plan         the plan it runs
     * @param routingBefore the routing read before it (what a rollback restores)
     * @param recovery     whether this is the recovery of a deployment interrupted by a crash
     * @param detail       what was found and decided (for a recovery), or empty
     */
    record Started(String deploymentId, Instant time, String service, String version, Plan plan, Routing routingBefore,
                   boolean recovery, String detail) implements DeploymentEvent {
        /** Validates. */
        public Started {
            Checks.notNull("started.plan", plan);
            Checks.notNull("started.routingBefore", routingBefore);
            detail = detail == null ? "" : detail;
        }

        @Override
        public Kind kind() {
            return Kind.STARTED;
        }

        @Override
        public String describe() {
            return (recovery ? "recovery of " : "started ") + service + " " + version + " (" + plan.steps().size()
                    + " steps)" + (detail.isEmpty() ? "" : ": " + detail);
        }
    }

    /**
     * A step (index 0 and up) or a rollback action (index -1) started.
     *
     * @param deploymentId deployment id
     * @param time         when
     * @param index        the step's index in the plan, or -1 for a rollback action
     * @param step         the step's description
     */
    record StepStarted(String deploymentId, Instant time, int index, String step) implements DeploymentEvent {
        @Override
        public Kind kind() {
            return Kind.STEP_STARTED;
        }

        @Override
        public String describe() {
            return (index < 0 ? "" : "step " + (index + 1) + " ") + step + " started";
        }
    }

    /**
     * A step or rollback action ended.
     *
     * @param deploymentId deployment id
     * @param time         when
     * @param index        the step's index in the plan, or -1 for a rollback action
     * @param step         the step's description
     * @param outcome      how it ended
     * @param detail       what a person needs to know (why it failed, what it did)
     */
    record StepEnded(String deploymentId, Instant time, int index, String step, StepOutcome.Outcome outcome,
                     String detail) implements DeploymentEvent {
        /** Validates. */
        public StepEnded {
            Checks.notNull("stepEnded.outcome", outcome);
            detail = detail == null ? "" : detail;
        }

        @Override
        public Kind kind() {
            return Kind.STEP_ENDED;
        }

        @Override
        public String describe() {
            return (index < 0 ? "" : "step " + (index + 1) + " ") + step + " " + outcome
                    + (detail.isEmpty() ? "" : ": " + detail);
        }
    }

    /**
     * One probe answer.
     *
     * @param deploymentId deployment id
     * @param time         when
     * @param index        the step's index, or -1 during a rollback
     * @param target       the target probed
     * @param result       its answer (a probe that threw or timed out is UNHEALTHY with the reason)
     */
    record ProbeResult(String deploymentId, Instant time, int index, Target target, HealthResult result)
            implements DeploymentEvent {
        /** Validates. */
        public ProbeResult {
            Checks.notNull("probeResult.target", target);
            Checks.notNull("probeResult.result", result);
        }

        @Override
        public Kind kind() {
            return Kind.PROBE_RESULT;
        }

        @Override
        public String describe() {
            return "probe " + target.id() + ": " + result.status()
                    + (result.reason().isEmpty() ? "" : " (" + result.reason() + ")");
        }
    }

    /**
     * A check's verdict. A check that threw, timed out or returned nothing is a FAIL whose detail says so.
     *
     * @param deploymentId deployment id
     * @param time         when
     * @param index        the step's index
     * @param check        the check's registered name
     * @param result       the verdict with its values
     */
    record CheckVerdict(String deploymentId, Instant time, int index, String check, CheckResult result)
            implements DeploymentEvent {
        /** Validates. */
        public CheckVerdict {
            Checks.notNull("checkVerdict.result", result);
        }

        @Override
        public Kind kind() {
            return Kind.CHECK_VERDICT;
        }

        @Override
        public String describe() {
            return "check '" + check + "': " + result.verdict() + (result.detail().isEmpty() ? "" : " - " + result.detail())
                    + (result.measurements().isEmpty() ? "" : " " + result.measurements());
        }
    }

    /**
     * The router confirmed a routing table (read back after the apply).
     *
     * @param deploymentId deployment id
     * @param time         when
     * @param index        the step's index, or -1 for the rollback's restore
     * @param label        the shift's label, or the rollback action
     * @param routing      the table applied
     */
    record RoutingApplied(String deploymentId, Instant time, int index, String label, Routing routing)
            implements DeploymentEvent {
        /** Validates. */
        public RoutingApplied {
            Checks.notNull("routingApplied.routing", routing);
            label = label == null ? "" : label;
        }

        @Override
        public Kind kind() {
            return Kind.ROUTING_APPLIED;
        }

        @Override
        public String describe() {
            return "routing applied" + (label.isEmpty() ? "" : " [" + label + "]") + ": " + routing;
        }
    }

    /**
     * The deployment paused: by {@link Deployment#pause()}, or waiting for a person after a failure past its point of
     * no return.
     *
     * @param deploymentId deployment id
     * @param time         when
     * @param index        the step it paused in or before
     * @param reason       why, and what resume and abort would do
     */
    record Paused(String deploymentId, Instant time, int index, String reason) implements DeploymentEvent {
        @Override
        public Kind kind() {
            return Kind.PAUSED;
        }

        @Override
        public String describe() {
            return "paused: " + reason;
        }
    }

    /**
     * The deployment resumed.
     *
     * @param deploymentId deployment id
     * @param time         when
     * @param index        the step it resumes in or with
     */
    record Resumed(String deploymentId, Instant time, int index) implements DeploymentEvent {
        @Override
        public Kind kind() {
            return Kind.RESUMED;
        }

        @Override
        public String describe() {
            return "resumed at step " + (index + 1);
        }
    }

    /**
     * {@link Deployment#promote()} passed a gate or ended a pause.
     *
     * @param deploymentId deployment id
     * @param time         when
     * @param index        the step promoted
     * @param step         its description
     */
    record Promoted(String deploymentId, Instant time, int index, String step) implements DeploymentEvent {
        @Override
        public Kind kind() {
            return Kind.PROMOTED;
        }

        @Override
        public String describe() {
            return "promoted step " + (index + 1) + " " + step;
        }
    }

    /**
     * The rollback started.
     *
     * @param deploymentId deployment id
     * @param time         when
     * @param reason       why
     */
    record RollbackStarted(String deploymentId, Instant time, String reason) implements DeploymentEvent {
        @Override
        public Kind kind() {
            return Kind.ROLLBACK_STARTED;
        }

        @Override
        public String describe() {
            return "rolling back: " + reason;
        }
    }

    /**
     * The deployment ended; always the last event.
     *
     * @param deploymentId deployment id
     * @param time         when
     * @param result       the result (the same as {@link Deployment#result()})
     */
    record Finished(String deploymentId, Instant time, DeploymentResult result) implements DeploymentEvent {
        /** Validates. */
        public Finished {
            Checks.notNull("finished.result", result);
        }

        @Override
        public Kind kind() {
            return Kind.FINISHED;
        }

        @Override
        public String describe() {
            return result.status() + (result.reason().isEmpty() ? "" : ": " + result.reason())
                    + (result.leftovers().isEmpty() ? "" : "; left to do by hand: " + String.join("; ", result.leftovers()));
        }
    }
}
