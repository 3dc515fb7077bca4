package dev.zdd.core.internal;

import dev.zdd.api.Step;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * A {@link Step.Pause} or a {@link Step.Gate}: a timer whose remaining time stops counting while the deployment is
 * paused. promote() ends a pause early and passes a gate; a gate whose timeout passes fails (and so rolls back).
 * Internal; confined to the actor.
 */
final class WaitStep extends StepRunner {
    private static final Logger LOG = LoggerFactory.getLogger("dev.zdd.core.Engine");

    private final Step.Gate gate;
    private final Duration total;
    private Duration remaining;
    private long armedAt;
    private Runnable timer;

    private WaitStep(RunContext ctx, Owner owner, int index, Step.Gate gate, Duration total) {
        super(ctx, owner, index);
        this.gate = gate;
        this.total = total;
        this.remaining = total;
    }

    static WaitStep pause(RunContext ctx, Owner owner, int index, Step.Pause step) {
        return new WaitStep(ctx, owner, index, null, step.duration());
    }

    static WaitStep gate(RunContext ctx, Owner owner, int index, Step.Gate step) {
        return new WaitStep(ctx, owner, index, step, step.timeout());
    }

    @Override
    void start() {
        if (gate != null) {
            LOG.info("deployment {}: waiting at manual gate '{}' for promote() (rolls back after {})", ctx.id, gate.name(),
                    Texts.duration(total));
        }
        arm();
    }

    private void arm() {
        armedAt = ctx.clock.nanoTime();
        timer = timer(remaining, this::elapsed);
    }

    private void elapsed() {
        if (gate == null) {
            succeed("paused " + Texts.duration(waited()));
        } else {
            fail("gate '" + gate.name() + "' was not promoted within " + Texts.duration(total));
        }
    }

    @Override
    boolean pausable() {
        return true;
    }

    @Override
    boolean promotable() {
        return true;
    }

    @Override
    boolean gate() {
        return gate != null;
    }

    @Override
    void onPause() {
        if (timer != null) {
            timer.run();
            scope.remove(timer);
            timer = null;
            long spent = ctx.clock.nanoTime() - armedAt;
            remaining = Durations.nanos(remaining) - spent <= 0 ? Duration.ZERO : remaining.minusNanos(Math.max(0, spent));
        }
    }

    @Override
    void onResume() {
        if (timer == null) {
            arm();
        }
    }

    @Override
    void onPromote() {
        if (gate == null) {
            endEarly("ended early by promote after " + Texts.duration(waited()));
        } else {
            succeed("gate '" + gate.name() + "' promoted after " + Texts.duration(waited()));
        }
    }

    private Duration waited() {
        return Duration.between(startedAt, ctx.now());
    }
}
