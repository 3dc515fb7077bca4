package dev.zdd.core.internal;

import dev.zdd.api.CheckResult;
import dev.zdd.api.DeploymentContext;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.DeploymentHook;
import dev.zdd.api.Step;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Step.Check} or a {@link Step.Hook}: runs the user's code on the executor, bounded by the step deadline. A
 * check's verdict (or its failure to give one) is an event; a hook that throws or times out vetoes the deployment. A
 * hook cut off may have done its work: hooks are not undone, so they should be idempotent. Internal; confined to the
 * actor.
 */
final class UserCallStep extends StepRunner {
    private static final Logger LOG = LoggerFactory.getLogger("dev.zdd.core.Engine");

    private final String check;
    private final String hook;

    private UserCallStep(RunContext ctx, Owner owner, int index, String check, String hook) {
        super(ctx, owner, index);
        this.check = check;
        this.hook = hook;
    }

    static UserCallStep check(RunContext ctx, Owner owner, int index, Step.Check step) {
        return new UserCallStep(ctx, owner, index, step.name(), null);
    }

    static UserCallStep hook(RunContext ctx, Owner owner, int index, Step.Hook step) {
        return new UserCallStep(ctx, owner, index, null, step.name());
    }

    @Override
    void start() {
        DeploymentContext context = ctx.context();
        if (hook != null) {
            DeploymentHook h = ctx.cfg.hooks().get(hook);
            call(null, "hook '" + hook + "'", ctx.cfg.stepDeadline(), () -> {
                h.run(context);
                return Boolean.TRUE;
            }, (ok, err) -> {
                if (err == null) {
                    succeed("hook '" + hook + "' ran");
                } else {
                    fail(err instanceof CallDeadline ? Texts.message(err)
                            : "hook '" + hook + "' vetoed the deployment: " + Texts.message(err));
                }
            });
            return;
        }
        call(null, "check '" + check + "'", ctx.cfg.stepDeadline(), () -> ctx.check(check).check(context), (r, err) -> {
            CheckResult verdict = err != null
                    ? CheckResult.fail(err instanceof CallDeadline ? Texts.message(err)
                            : "check '" + check + "' threw: " + Texts.message(err))
                    : r == null ? CheckResult.fail("check '" + check + "' returned no result") : r;
            DeploymentEvent.CheckVerdict e = new DeploymentEvent.CheckVerdict(ctx.id, ctx.now(), index, check, verdict);
            String text = e.describe();
            LOG.debug("deployment {}: {}", ctx.id, text);
            ctx.events.emit(e);
            if (verdict.verdict() == CheckResult.Verdict.PASS) {
                succeed(text);
            } else if (verdict.verdict() == CheckResult.Verdict.INCONCLUSIVE && ctx.cfg.inconclusiveAsPass()) {
                succeed(text + " (inconclusive counts as a pass)");
            } else {
                fail(text);
            }
        });
    }
}
