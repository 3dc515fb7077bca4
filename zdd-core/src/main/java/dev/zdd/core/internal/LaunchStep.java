package dev.zdd.core.internal;

import dev.zdd.api.LaunchRequest;
import dev.zdd.api.Step;

/**
 * A {@link Step.Launch}: starts one instance through the launcher's lane. A launch cut off by its deadline or an abort is
 * in doubt: {@link LauncherOutcomes} records what it really did when it ends. Internal; confined to the actor.
 */
final class LaunchStep extends StepRunner {
    private final Step.Launch step;

    LaunchStep(RunContext ctx, Owner owner, int index, Step.Launch step) {
        super(ctx, owner, index);
        this.step = step;
    }

    @Override
    void start() {
        LaunchRequest req = new LaunchRequest(ctx.spec.service(), step.targetId(), step.version(), step.attributes());
        LauncherOutcomes outcomes = ctx.outcomes();
        String key = outcomes.launching(step.targetId());
        call(ctx.launcherLane, "launcher.launch", ctx.cfg.stepDeadline(), () -> ctx.launch(req),
                (t, err) -> {
                    if (err != null) {
                        fail(failure("launch of " + step.targetId(), err));
                    } else if (t == null) {
                        fail("launcher returned no target for " + step.targetId());
                    } else if (!t.id().equals(step.targetId())) {
                        fail("launcher returned target id '" + t.id() + "' for launch of '" + step.targetId() + "'");
                    } else {
                        succeed("launched " + t);
                    }
                }, s -> outcomes.launchSettled(key, step.targetId(), step.version(), s));
    }
}
