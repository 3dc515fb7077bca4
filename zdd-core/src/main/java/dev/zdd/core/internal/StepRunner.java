package dev.zdd.core.internal;

import dev.zdd.api.Step;
import dev.zdd.api.StepOutcome.Outcome;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Runs one step of a plan: each kind of {@link Step} has its own small subclass ({@link #create}). A runner reports to
 * its {@link Owner} exactly once (succeeded, ended early, or failed); its timers and calls live in its {@link Scope},
 * which the owner closes when the step ends or is aborted, so that late answers are ignored. Not thread-safe: confined
 * to the deployment's actor. Internal.
 */
abstract class StepRunner {
    /** Who hears how a step ended: the run. */
    interface Owner {
        /** The step succeeded (or ended early by promote: SKIPPED). */
        void stepEnded(StepRunner r, Outcome outcome, String detail);

        /** The step failed. */
        void stepFailed(StepRunner r, String why);
    }

    final RunContext ctx;
    final int index;
    final String name;
    final Scope scope = new Scope();
    private final Owner owner;
    Instant startedAt;

    StepRunner(RunContext ctx, Owner owner, int index) {
        this.ctx = ctx;
        this.owner = owner;
        this.index = index;
        this.name = ctx.stepName(index);
    }

    /** The runner of step {@code index} of the plan. */
    static StepRunner create(RunContext ctx, Owner owner, int index) {
        Step step = ctx.plan.steps().get(index);
        if (step instanceof Step.Launch s) {
            return new LaunchStep(ctx, owner, index, s);
        } else if (step instanceof Step.AwaitHealthy s) {
            return new AwaitHealthyStep(ctx, owner, index, s);
        } else if (step instanceof Step.ShiftTraffic s) {
            return new ShiftStep(ctx, owner, index, s);
        } else if (step instanceof Step.Pause s) {
            return WaitStep.pause(ctx, owner, index, s);
        } else if (step instanceof Step.Gate s) {
            return WaitStep.gate(ctx, owner, index, s);
        } else if (step instanceof Step.Check s) {
            return UserCallStep.check(ctx, owner, index, s);
        } else if (step instanceof Step.Hook s) {
            return UserCallStep.hook(ctx, owner, index, s);
        } else if (step instanceof Step.Drain s) {
            return new DrainStep(ctx, owner, index, s);
        } else if (step instanceof Step.Retire s) {
            return new RetireStep(ctx, owner, index, s);
        } else if (step instanceof Step.PointOfNoReturn s) {
            return new PointOfNoReturnStep(ctx, owner, index, s);
        } else if (step instanceof Step.Verify s) {
            return new VerifyStep(ctx, owner, index, s);
        }
        throw new IllegalStateException("unknown step kind " + step.getClass().getName());
    }

    /** Starts the step. */
    abstract void start();

    /** Whether pause() stops this step's clock (pauses and gates); other steps finish first. */
    boolean pausable() {
        return false;
    }

    /** Whether promote() ends this step (pauses and gates). */
    boolean promotable() {
        return false;
    }

    /** Whether this is a manual gate (for progress). */
    boolean gate() {
        return false;
    }

    void onPause() {
    }

    void onResume() {
    }

    void onPromote() {
    }

    final void succeed(String detail) {
        owner.stepEnded(this, Outcome.SUCCEEDED, detail);
    }

    final void endEarly(String detail) {
        owner.stepEnded(this, Outcome.SKIPPED, detail);
    }

    final void fail(String why) {
        owner.stepFailed(this, why);
    }

    /** A bounded call of this step. */
    final <T> void call(Lane lane, String what, Duration deadline, Callable<T> body, BiConsumer<T, Throwable> then) {
        ctx.calls.call(scope, lane, what + " in " + ctx.label(index), deadline, body, then);
    }

    /** A bounded call of this step whose real end is also reported ({@link Calls.Settled}). */
    final <T> void call(Lane lane, String what, Duration deadline, Callable<T> body, BiConsumer<T, Throwable> then,
                        Consumer<Calls.Settled<T>> settled) {
        ctx.calls.call(scope, lane, what + " in " + ctx.label(index), deadline, body, then, settled);
    }

    /** A timer of this step. */
    final Runnable timer(Duration delay, Runnable then) {
        return ctx.calls.timer(scope, delay, then);
    }

    /** "launcher.launch failed: ..." or the deadline's own message. */
    static String failure(String what, Throwable err) {
        return err instanceof CallDeadline ? Texts.message(err) : what + " failed: " + Texts.message(err);
    }

    /** The step that says "past here, a failure pauses for a person". */
    private static final class PointOfNoReturnStep extends StepRunner {
        private final Step.PointOfNoReturn step;

        PointOfNoReturnStep(RunContext ctx, Owner owner, int index, Step.PointOfNoReturn step) {
            super(ctx, owner, index);
            this.step = step;
        }

        @Override
        void start() {
            ctx.ledger.pastPointOfNoReturn = true;
            ctx.journal.write(x -> x.withPointOfNoReturnPassed(ctx.now()));
            succeed("past the point of no return (" + step.reason() + "): a failure from here on pauses for a person");
        }
    }
}
