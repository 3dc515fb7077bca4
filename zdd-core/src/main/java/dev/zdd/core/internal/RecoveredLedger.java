package dev.zdd.core.internal;

import dev.zdd.api.DeploymentStatus;
import dev.zdd.api.Step;
import dev.zdd.api.Target;
import dev.zdd.core.journal.JournalRecord;
import dev.zdd.core.journal.RecoveryMode;

/**
 * Rebuilds the {@link Ledger} of a deployment interrupted by a crash from its journal record, and decides what its
 * recovery does. A crash is the ultimate cut-off: a router call in flight may have applied (the router counts as
 * touched), a retire in flight may have stopped its targets (they count as maybe stopped, so a rollback stops them for
 * sure and relaunches them before traffic goes back), a launch in flight may have started an instance that nothing
 * recorded (reported as a leftover). Stateless. Internal.
 */
final class RecoveredLedger {
    /** What the recovery does. */
    enum Action {
        /** All steps had completed: finish as SUCCEEDED. */
        FINISHED,
        /** Roll back (the default, or finishing a rollback that was under way). */
        ROLL_BACK,
        /** Resume at the first step not completed. */
        RESUME,
        /** Past the point of no return: pause for a person. */
        DECIDE
    }

    /**
     * The decision and the sentence that announces it.
     *
     * @param action  what to do
     * @param what    the action in words
     * @param message what was found and what is done
     */
    record Decision(Action action, String what, String message) {
    }

    private RecoveredLedger() {
    }

    static void restore(RunContext ctx, JournalRecord r) {
        Ledger l = ctx.ledger;
        l.pastPointOfNoReturn = r.pastPointOfNoReturn();
        l.lastApplied = r.routingApplied() != null ? r.routingApplied() : r.routingBefore();
        l.routerTouched = true;
        for (Target t : r.launched()) {
            l.launched(t);
        }
        for (Target t : r.retired()) {
            l.retired(t);
        }
        if (r.stepRunning()) {
            Step s = r.plan().steps().get(r.completedSteps());
            if (s instanceof Step.Retire retire) {
                for (String tid : retire.targetIds()) {
                    if (l.known.containsKey(tid) && l.life(tid) != Ledger.Life.STOPPED) {
                        l.maybeStopped(tid, false);
                    }
                }
            } else if (s instanceof Step.Launch launch && !l.known.containsKey(launch.targetId())) {
                l.launchesInDoubt.put(launch.targetId(), new Ledger.LaunchDoubt(launch.version(), false));
            }
        }
    }

    static Decision decide(RunContext ctx, JournalRecord r) {
        int n = r.plan().steps().size();
        Action action;
        String what;
        if (r.completedSteps() == n && r.status() != DeploymentStatus.ROLLING_BACK) {
            action = Action.FINISHED;
            what = "all its steps had completed: nothing to do";
        } else if (r.status() == DeploymentStatus.ROLLING_BACK) {
            action = Action.ROLL_BACK;
            what = "it was rolling back: finishing the rollback";
        } else if (ctx.rel.recovery() == RecoveryMode.RESUME) {
            action = Action.RESUME;
            what = "resuming at step " + (r.completedSteps() + 1) + "/" + n;
        } else if (r.pastPointOfNoReturn()) {
            action = Action.DECIDE;
            what = "it had passed its point of no return: pausing for a person (resume() retries step "
                    + (r.completedSteps() + 1) + ", abort(reason) rolls back)";
        } else {
            action = Action.ROLL_BACK;
            what = "rolling back to the routing journaled before it";
        }
        return new Decision(action, what, "recovering deployment " + r.deploymentId()
                + " found interrupted in the journal (its process died): " + r.summary() + "; " + what);
    }
}
