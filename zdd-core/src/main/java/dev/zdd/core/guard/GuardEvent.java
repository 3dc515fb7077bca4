package dev.zdd.core.guard;

import dev.zdd.api.HealthResult;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;

import java.time.Instant;

/**
 * What a {@link Guard} saw or did: a sealed family of records with the data of what happened. {@link #describe()} is
 * only for people. All records are immutable; thread-safe.
 */
public sealed interface GuardEvent {
    /** When it happened (the guard's clock). */
    Instant time();

    /** One line a person can read. */
    String describe();

    /**
     * A target failed its failure threshold and was taken out of traffic through the router.
     *
     * @param time    when
     * @param target  the target
     * @param reason  the last probe answer's reason
     * @param applied the table applied without it
     */
    record TargetEjected(Instant time, Target target, String reason, Routing applied) implements GuardEvent {
        @Override
        public String describe() {
            return "ejected " + target.id() + " (" + target.version() + "): " + reason;
        }
    }

    /**
     * An ejected target passed its success threshold and was put back.
     *
     * @param time    when
     * @param target  the target
     * @param applied the table applied with it again
     */
    record TargetReinstated(Instant time, Target target, Routing applied) implements GuardEvent {
        @Override
        public String describe() {
            return "reinstated " + target.id() + " (" + target.version() + ")";
        }
    }

    /**
     * A target failed its threshold but is the last serving target of its version: the guard keeps it (a floor, like
     * Envoy's panic threshold), because taking it out would leave the version with nothing.
     *
     * @param time   when
     * @param target the target kept
     * @param reason the last probe answer's reason
     */
    record FloorHeld(Instant time, Target target, String reason) implements GuardEvent {
        @Override
        public String describe() {
            return "kept " + target.id() + " although it fails (" + reason + "): it is the last serving target of version "
                    + target.version();
        }
    }

    /**
     * The router no longer serves the last table zdd committed (a reload, a restart, a hand edit).
     *
     * @param time      when
     * @param committed the table zdd committed last
     * @param found     what the router serves
     * @param reapplied whether the guard applied {@code committed} again (else it only reports)
     * @param error     why re-applying failed, or empty
     */
    record DriftDetected(Instant time, Routing committed, Routing found, boolean reapplied, String error)
            implements GuardEvent {
        @Override
        public String describe() {
            return "router drifted from the committed table " + committed + ": serves " + found
                    + (reapplied ? (error.isEmpty() ? "; re-applied" : "; re-applying failed: " + error) : "; reported only");
        }
    }

    /**
     * While a deployment owned the routing, a target failed its threshold; the guard did not touch the router and told
     * the deployment instead.
     *
     * @param time         when
     * @param deploymentId the deployment
     * @param target       the target
     * @param reason       the last probe answer's reason
     * @param aborted      whether the guard aborted the deployment (a target the deployment brought failed), which
     *                     then rolls back; else it only reports (a target the deployment found already serving:
     *                     the guard acts on it once the deployment has ended)
     */
    record ReportedToDeployment(Instant time, String deploymentId, Target target, String reason, boolean aborted)
            implements GuardEvent {
        @Override
        public String describe() {
            return "deployment " + deploymentId + ": " + target.id() + " (" + target.version() + ") fails (" + reason + "); "
                    + (aborted ? "aborted the deployment, which rolls back" : "reported; acted on after the deployment");
        }
    }

    /**
     * The guard handed the routing to a deployment, or took it back when the deployment ended.
     *
     * @param time         when
     * @param deploymentId the deployment
     * @param toDeployment {@code true} when handed over, {@code false} when taken back
     * @param committed    the table the guard guards from now on (when taken back), else the one at hand-over
     */
    record OwnerChanged(Instant time, String deploymentId, boolean toDeployment, Routing committed) implements GuardEvent {
        @Override
        public String describe() {
            return toDeployment ? "routing handed to deployment " + deploymentId
                    : "routing taken back after deployment " + deploymentId + ": guarding " + committed;
        }
    }

    /**
     * A probe answer (every attempt, for timelines).
     *
     * @param time   when
     * @param target the target
     * @param result its answer
     */
    record Probed(Instant time, Target target, HealthResult result) implements GuardEvent {
        @Override
        public String describe() {
            return target.id() + " " + result.status() + (result.reason().isEmpty() ? "" : ": " + result.reason());
        }
    }

    /**
     * The router could not be read or written.
     *
     * @param time  when
     * @param error the router's message
     */
    record RouterFailed(Instant time, String error) implements GuardEvent {
        @Override
        public String describe() {
            return "router call failed: " + error;
        }
    }
}
