package dev.zdd.core.internal;

import dev.zdd.api.ConnectionStats;
import dev.zdd.api.Step;

import java.time.Duration;
import java.util.StringJoiner;

/**
 * A {@link Step.Drain}: polls the router's open connections until the targets have none or the timeout passes (never a
 * failure: the detail lists what was still open); with a router that cannot count, waits the whole timeout.
 * Internal; confined to the actor.
 */
final class DrainStep extends StepRunner {
    private final Step.Drain step;
    private long endNanos;
    private String lastProblem = "";
    private int polls;

    DrainStep(RunContext ctx, Owner owner, int index, Step.Drain step) {
        super(ctx, owner, index);
        this.step = step;
    }

    @Override
    void start() {
        long now = ctx.clock.nanoTime();
        long span = Durations.nanos(step.timeout());
        endNanos = now + span < now ? Long.MAX_VALUE : now + span;
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
        poll();
    }

    private void poll() {
        ConnectionStats stats = (ConnectionStats) ctx.cfg.router();
        Duration bound = Durations.plus(Duration.ofNanos(Math.max(0, endNanos - ctx.clock.nanoTime())), ctx.cfg.drainPoll());
        if (bound.compareTo(ctx.cfg.stepDeadline()) > 0) {
            bound = ctx.cfg.stepDeadline();
        }
        polls++;
        call(ctx.routerLane, "activeConnections", bound, stats::activeConnections, (counts, err) -> {
            if (err != null || counts == null) {
                lastProblem = "could not read connections: " + (err == null ? "no answer" : Texts.message(err));
            } else {
                StringJoiner open = new StringJoiner(", ");
                for (String tid : step.targetIds()) {
                    Integer n = counts.get(tid);
                    if (n != null && n > 0) {
                        open.add(tid + "=" + n);
                    }
                }
                if (open.length() == 0) {
                    succeed("drained: no open connections after " + Texts.duration(Duration.between(startedAt,
                            ctx.now())) + " (" + polls + (polls == 1 ? " poll)" : " polls)"));
                    return;
                }
                lastProblem = "still open: " + open;
            }
            long left = endNanos - ctx.clock.nanoTime();
            if (left <= 0) {
                succeed("drain timeout of " + Texts.duration(step.timeout()) + " passed; " + lastProblem);
                return;
            }
            Duration wait = ctx.cfg.drainPoll();
            if (wait.toNanos() > left) {
                wait = Duration.ofNanos(left);
            }
            timer(wait, this::poll);
        });
    }
}
