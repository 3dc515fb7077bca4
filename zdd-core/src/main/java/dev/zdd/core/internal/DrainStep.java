package dev.zdd.core.internal;

import dev.zdd.api.ConnectionStats;
import dev.zdd.api.Step;

/**
 * A {@link Step.Drain}: waits until the targets have no open connections or the timeout passes ({@link DrainWatch};
 * never a failure: the detail lists what was still open); with a router that cannot count, waits the whole timeout.
 * Internal; confined to the actor.
 */
final class DrainStep extends StepRunner {
    private final Step.Drain step;

    DrainStep(RunContext ctx, Owner owner, int index, Step.Drain step) {
        super(ctx, owner, index);
        this.step = step;
    }

    @Override
    void start() {
        if (!(ctx.cfg.router() instanceof ConnectionStats)) {
            String detail = ctx.cfg.routerName() + " cannot count connections: waited the whole timeout of "
                    + Texts.duration(step.timeout());
            if (step.timeout().isZero()) {
                succeed(detail);
            } else {
                timer(step.timeout(), () -> succeed(detail));
            }
            return;
        }
        new DrainWatch(ctx, scope, step.targetIds(), step.timeout(), "in " + ctx.label(index), this::succeed).start();
    }
}
