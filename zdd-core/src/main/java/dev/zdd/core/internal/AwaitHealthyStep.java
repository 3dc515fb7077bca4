package dev.zdd.core.internal;

import dev.zdd.api.Step;
import dev.zdd.api.Target;

import java.util.ArrayList;
import java.util.List;

/** A {@link Step.AwaitHealthy}: probes its targets in parallel through a {@link HealthGate}. Internal; actor-confined. */
final class AwaitHealthyStep extends StepRunner {
    private final Step.AwaitHealthy step;

    AwaitHealthyStep(RunContext ctx, Owner owner, int index, Step.AwaitHealthy step) {
        super(ctx, owner, index);
        this.step = step;
    }

    @Override
    void start() {
        List<Target> targets = new ArrayList<>(step.targetIds().size());
        for (String tid : step.targetIds()) {
            targets.add(ctx.ledger.known.get(tid));
        }
        new HealthGate(ctx, scope, targets, index, this::succeed, this::fail).start();
    }
}
