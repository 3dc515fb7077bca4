package dev.zdd.core.journal;

import dev.zdd.api.Arguments;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.Plan;
import dev.zdd.api.Routing;
import dev.zdd.api.Target;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the journal knows about one deployment of one service: enough to roll it back or resume it after the process
 * running it died. The engine writes a new record after every step, every routing change, every launch or retirement
 * and every status change; a {@link JournalStore} keeps the latest record per service.
 *
 * <p>Immutable value; thread-safe. The {@code with*} methods return modified copies with a sequence number one higher.
 *
 * @param deploymentId        the deployment id
 * @param spec                what is being deployed
 * @param plan                the plan being run
 * @param completedSteps      how many steps of the plan have completed (0 to {@code plan.steps().size()})
 * @param stepRunning         {@code true} while step {@code completedSteps} has started and not completed
 * @param routingBefore       the routing read from the router before the deployment (what a rollback restores)
 * @param routingApplied      the routing last applied by this deployment, or {@code null} when none yet
 * @param launched            targets launched by this deployment, in order
 * @param retired             targets retired by this deployment (including launched ones retired by a rollback)
 * @param status              the deployment's status when the record was written
 * @param reason              why it is rolling back, failed or paused (empty otherwise)
 * @param pastPointOfNoReturn {@code true} once a {@link dev.zdd.api.Step.PointOfNoReturn} step has run
 * @param startedAt           when the deployment started
 * @param updatedAt           when this record was written
 * @param sequence            write counter, 1 for the first record of a deployment
 * @param fencingToken        the fencing token of the lease held by the writer (0 without a lease); a store refuses a
 *                            write whose token is lower than the one of the record it holds
 */
public record JournalRecord(String deploymentId, DeploymentSpec spec, Plan plan, int completedSteps, boolean stepRunning,
                            Routing routingBefore, Routing routingApplied, List<Target> launched, List<Target> retired,
                            DeploymentStatus status, String reason, boolean pastPointOfNoReturn, Instant startedAt,
                            Instant updatedAt, long sequence, long fencingToken) {

    /** Validates and copies; throws {@link IllegalArgumentException} naming the field and the bad value. */
    public JournalRecord {
        Arguments.notNull("journal.deploymentId", deploymentId);
        Arguments.notNull("journal.spec", spec);
        Arguments.notNull("journal.plan", plan);
        if (completedSteps < 0 || completedSteps > plan.steps().size()) {
            throw new IllegalArgumentException("journal.completedSteps must be in [0, " + plan.steps().size() + "], was "
                    + completedSteps);
        }
        if (stepRunning && completedSteps == plan.steps().size()) {
            throw new IllegalArgumentException("journal.stepRunning is true but all " + completedSteps + " steps completed");
        }
        Arguments.notNull("journal.routingBefore", routingBefore);
        launched = List.copyOf(Arguments.notNull("journal.launched", launched));
        retired = List.copyOf(Arguments.notNull("journal.retired", retired));
        Arguments.notNull("journal.status", status);
        reason = reason == null ? "" : reason;
        Arguments.notNull("journal.startedAt", startedAt);
        Arguments.notNull("journal.updatedAt", updatedAt);
        if (sequence < 1) {
            throw new IllegalArgumentException("journal.sequence must be at least 1, was " + sequence);
        }
        if (fencingToken < 0) {
            throw new IllegalArgumentException("journal.fencingToken must not be negative, was " + fencingToken);
        }
    }

    /** The first record of a deployment: RUNNING, nothing done yet. */
    public static JournalRecord start(String deploymentId, DeploymentSpec spec, Plan plan, Routing routingBefore, Instant now) {
        return new JournalRecord(deploymentId, spec, plan, 0, false, routingBefore, null, List.of(), List.of(),
                DeploymentStatus.RUNNING, "", false, now, now, 1, 0);
    }

    /** A copy written by the holder of {@code token} (same sequence: the writer stamps it just before writing). */
    public JournalRecord withFencingToken(long token) {
        return token == fencingToken ? this : new JournalRecord(deploymentId, spec, plan, completedSteps, stepRunning,
                routingBefore, routingApplied, launched, retired, status, reason, pastPointOfNoReturn, startedAt,
                updatedAt, sequence, token);
    }

    /** The service, from the spec. */
    public String service() {
        return spec.service();
    }

    /** {@code true} when the deployment had not reached a terminal status: a crash interrupted it. */
    public boolean interrupted() {
        return !status.isTerminal();
    }

    /** Launched targets that were not retired: what a rollback must still stop. */
    public List<Target> launchedNotRetired() {
        List<Target> out = new ArrayList<>();
        for (Target t : launched) {
            if (retired.stream().noneMatch(r -> r.id().equals(t.id()))) {
                out.add(t);
            }
        }
        return List.copyOf(out);
    }

    /** One line for logs and events: "deployment d1 of web 2.0 at step 3/7 (shift traffic ...), RUNNING". */
    public String summary() {
        int n = plan.steps().size();
        StringBuilder sb = new StringBuilder("deployment ").append(deploymentId).append(" of ").append(service())
                .append(' ').append(spec.version()).append(", ").append(status);
        if (completedSteps < n) {
            sb.append(stepRunning ? ", interrupted in step " : ", before step ").append(completedSteps + 1).append('/')
                    .append(n).append(" (").append(plan.steps().get(completedSteps).describe()).append(')');
        } else {
            sb.append(", all ").append(n).append(" steps completed");
        }
        if (!launched.isEmpty()) {
            sb.append(", launched ").append(ids(launched));
        }
        if (!retired.isEmpty()) {
            sb.append(", retired ").append(ids(retired));
        }
        if (pastPointOfNoReturn) {
            sb.append(", past the point of no return");
        }
        if (!reason.isEmpty()) {
            sb.append(", reason: ").append(reason);
        }
        return sb.toString();
    }

    /** A copy marking step {@code index} as started. */
    public JournalRecord stepStarted(int index, Instant now) {
        return new JournalRecord(deploymentId, spec, plan, index, true, routingBefore, routingApplied, launched, retired,
                status, reason, pastPointOfNoReturn, startedAt, now, sequence + 1, fencingToken);
    }

    /** A copy marking step {@code index} as completed. */
    public JournalRecord stepCompleted(int index, Instant now) {
        return new JournalRecord(deploymentId, spec, plan, index + 1, false, routingBefore, routingApplied, launched,
                retired, status, reason, pastPointOfNoReturn, startedAt, now, sequence + 1, fencingToken);
    }

    /** A copy recording that {@code routing} was applied. */
    public JournalRecord withRoutingApplied(Routing routing, Instant now) {
        return new JournalRecord(deploymentId, spec, plan, completedSteps, stepRunning, routingBefore, routing, launched,
                retired, status, reason, pastPointOfNoReturn, startedAt, now, sequence + 1, fencingToken);
    }

    /** A copy with {@code target} added to the launched targets. */
    public JournalRecord withLaunched(Target target, Instant now) {
        List<Target> l = new ArrayList<>(launched);
        l.add(Objects.requireNonNull(target, "target"));
        return new JournalRecord(deploymentId, spec, plan, completedSteps, stepRunning, routingBefore, routingApplied, l,
                retired, status, reason, pastPointOfNoReturn, startedAt, now, sequence + 1, fencingToken);
    }

    /** A copy with {@code target} added to the retired targets. */
    public JournalRecord withRetired(Target target, Instant now) {
        List<Target> r = new ArrayList<>(retired);
        r.add(Objects.requireNonNull(target, "target"));
        return new JournalRecord(deploymentId, spec, plan, completedSteps, stepRunning, routingBefore, routingApplied,
                launched, r, status, reason, pastPointOfNoReturn, startedAt, now, sequence + 1, fencingToken);
    }

    /** A copy with a new status and reason. */
    public JournalRecord withStatus(DeploymentStatus newStatus, String newReason, Instant now) {
        return new JournalRecord(deploymentId, spec, plan, completedSteps, stepRunning, routingBefore, routingApplied,
                launched, retired, newStatus, newReason, pastPointOfNoReturn, startedAt, now, sequence + 1, fencingToken);
    }

    /** A copy marking the point of no return as passed. */
    public JournalRecord withPointOfNoReturnPassed(Instant now) {
        return new JournalRecord(deploymentId, spec, plan, completedSteps, stepRunning, routingBefore, routingApplied,
                launched, retired, status, reason, true, startedAt, now, sequence + 1, fencingToken);
    }

    private static String ids(List<Target> targets) {
        StringBuilder sb = new StringBuilder();
        for (Target t : targets) {
            sb.append(sb.length() == 0 ? "" : ", ").append(t.id());
        }
        return "[" + sb + "]";
    }
}
