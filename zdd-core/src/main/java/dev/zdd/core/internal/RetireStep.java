package dev.zdd.core.internal;

import dev.zdd.api.Step;
import dev.zdd.api.Target;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Step.Retire}: stops its targets in parallel through the launcher's lane, each bounded by the step deadline
 * plus the grace. A retire that fails or is cut off may have stopped its target: {@link LauncherOutcomes} records it,
 * and a rollback relaunches such an old target before traffic goes back to it. Internal; confined to the actor.
 */
final class RetireStep extends StepRunner {
    private final Step.Retire step;

    RetireStep(RunContext ctx, Owner owner, int index, Step.Retire step) {
        super(ctx, owner, index);
        this.step = step;
    }

    @Override
    void start() {
        if (ctx.cfg.launcher() == null) {
            succeed("no launcher: left running " + Texts.brief(String.join(", ", step.targetIds()), RunContext.BRIEF));
            return;
        }
        LauncherOutcomes outcomes = ctx.outcomes();
        List<String> failures = new ArrayList<>();
        int[] pending = {step.targetIds().size()};
        Duration grace = step.grace();
        Duration bound = Durations.plus(ctx.cfg.stepDeadline(), grace);
        for (String tid : step.targetIds()) {
            Target t = ctx.ledger.known.get(tid);
            String key = outcomes.retiring(t);
            call(ctx.launcherLane, "launcher.retire(" + tid + ")", bound, () -> {
                ctx.retire(t, grace);
                return Boolean.TRUE;
            }, (ok, err) -> {
                if (err != null) {
                    failures.add(tid + ": " + Texts.message(err));
                }
                if (--pending[0] == 0) {
                    if (failures.isEmpty()) {
                        succeed("retired " + Texts.brief(String.join(", ", step.targetIds()), RunContext.BRIEF));
                    } else {
                        fail("could not retire " + Texts.brief(String.join("; ", failures), RunContext.BRIEF * 2));
                    }
                }
            }, s -> outcomes.retireSettled(key, t, s));
        }
    }
}
