package dev.zdd.core.internal;

import dev.zdd.api.CheckResult;
import dev.zdd.api.DeploymentContext;
import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.HealthResult;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.Step;
import dev.zdd.api.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * A {@link Step.Verify}: the post-switch verification window. Probes the new targets every probe period (a target
 * that fails the policy's failure threshold in a row fails the step) and runs the named checks every check interval
 * (a FAIL verdict fails the step; INCONCLUSIVE does not, the window goes on); the step succeeds when the window
 * passes, or ends early on promote(). A failure makes the run roll back like any failed step. Internal; confined to the
 * actor.
 */
final class VerifyStep extends StepRunner {
    private static final Logger LOG = LoggerFactory.getLogger("dev.zdd.core.Engine");

    private final Step.Verify step;
    private final ProbePolicy policy;
    private boolean done;

    VerifyStep(RunContext ctx, Owner owner, int index, Step.Verify step) {
        super(ctx, owner, index);
        this.step = step;
        this.policy = ctx.cfg.probePolicy();
    }

    @Override
    void start() {
        LOG.info("deployment {}: verifying {} for {}", ctx.id, step.targetIds(), Texts.duration(step.window()));
        timer(step.window(), () -> finish(null));
        for (String id : step.targetIds()) {
            Target t = ctx.ledger.known.get(id);
            probe(t, 0);
        }
        for (String c : step.checks()) {
            check(c);
        }
    }

    private void finish(String failure) {
        if (done) {
            return;
        }
        done = true;
        if (failure == null) {
            succeed("verified for " + Texts.duration(step.window()) + " without a failure");
        } else {
            LOG.warn("deployment {}: verification failed: {}", ctx.id, failure);
            fail("verification window: " + failure);
        }
    }

    private void probe(Target t, int failures) {
        if (done || scope.closed()) {
            return;
        }
        Duration timeout = policy.timeout();
        call(null, "verification probe of " + t.id(), timeout, () -> ctx.cfg.probe().check(t, timeout), (r, err) -> {
            if (done) {
                return;
            }
            HealthResult res = err != null ? HealthResult.unhealthy(err instanceof CallDeadline
                    ? "timed out after " + Texts.duration(timeout) : Texts.message(err))
                    : r == null ? HealthResult.unknown("probe returned no result") : r;
            ctx.events.emit(new DeploymentEvent.ProbeResult(ctx.id, ctx.now(), index, t, res));
            int f = switch (res.status()) {
                case HEALTHY -> 0;
                case UNHEALTHY -> failures + 1;
                default -> failures;
            };
            if (f >= policy.failureThreshold()) {
                finish("target " + t.id() + " failed " + f + " probes in a row: " + res.reason());
                return;
            }
            timer(policy.period(), () -> probe(t, f));
        });
    }

    private void check(String name) {
        if (done || scope.closed()) {
            return;
        }
        DeploymentContext context = ctx.context();
        call(null, "check '" + name + "'", ctx.cfg.stepDeadline(), () -> ctx.check(name).check(context), (r, err) -> {
            if (done) {
                return;
            }
            CheckResult verdict = err != null
                    ? CheckResult.fail(err instanceof CallDeadline ? Texts.message(err)
                            : "check '" + name + "' threw: " + Texts.message(err))
                    : r == null ? CheckResult.fail("check '" + name + "' returned no result") : r;
            DeploymentEvent.CheckVerdict e = new DeploymentEvent.CheckVerdict(ctx.id, ctx.now(), index, name, verdict);
            ctx.events.emit(e);
            if (verdict.verdict() == CheckResult.Verdict.FAIL) {
                finish(e.describe());
                return;
            }
            timer(step.checkInterval(), () -> check(name));
        });
    }

    @Override
    boolean promotable() {
        return true;
    }

    @Override
    void onPromote() {
        if (!done) {
            done = true;
            endEarly("verification ended early by promote()");
        }
    }
}
