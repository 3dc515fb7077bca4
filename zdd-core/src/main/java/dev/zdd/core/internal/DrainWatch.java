package dev.zdd.core.internal;

import dev.zdd.api.ConnectionStats;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.Consumer;

/**
 * Polls the router's open connections of some targets (every {@code drainPoll}, each read bounded) until they have none
 * or the timeout passes, then answers once with what it saw: never a failure. Used by Drain steps and by the rollback
 * before it retires what it launched. The router must implement {@link ConnectionStats}. Not thread-safe: confined to
 * the actor. Internal.
 */
final class DrainWatch {
    private final RunContext ctx;
    private final Scope scope;
    private final List<String> targetIds;
    private final Duration timeout;
    private final String where;
    private final Consumer<String> done;
    private final Instant started;
    private long endNanos;
    private String lastProblem = "";
    private int polls;

    /**
     * @param where for the messages of the calls ("in step 3/5 (drain ...)")
     * @param done  told once what was seen
     */
    DrainWatch(RunContext ctx, Scope scope, List<String> targetIds, Duration timeout, String where,
               Consumer<String> done) {
        this.ctx = ctx;
        this.scope = scope;
        this.targetIds = targetIds;
        this.timeout = timeout;
        this.where = where;
        this.done = done;
        this.started = ctx.now();
    }

    void start() {
        long now = ctx.clock.nanoTime();
        long span = Durations.nanos(timeout);
        endNanos = now + span < now ? Long.MAX_VALUE : now + span;
        poll();
    }

    private void poll() {
        ConnectionStats stats = (ConnectionStats) ctx.cfg.router();
        Duration bound = Durations.plus(Duration.ofNanos(Math.max(0, endNanos - ctx.clock.nanoTime())), ctx.cfg.drainPoll());
        if (bound.compareTo(ctx.cfg.stepDeadline()) > 0) {
            bound = ctx.cfg.stepDeadline();
        }
        polls++;
        ctx.calls.call(scope, ctx.routerLane, "activeConnections " + where, bound, stats::activeConnections,
                (counts, err) -> {
                    if (err != null || counts == null) {
                        lastProblem = "could not read connections: " + (err == null ? "no answer" : Texts.message(err));
                    } else {
                        StringJoiner open = new StringJoiner(", ");
                        for (String tid : targetIds) {
                            Integer n = counts.get(tid);
                            if (n != null && n > 0) {
                                open.add(tid + "=" + n);
                            }
                        }
                        if (open.length() == 0) {
                            done.accept("drained: no open connections after " + Texts.duration(Duration.between(started,
                                    ctx.now())) + " (" + polls + (polls == 1 ? " poll)" : " polls)"));
                            return;
                        }
                        lastProblem = "still open: " + open;
                    }
                    long left = endNanos - ctx.clock.nanoTime();
                    if (left <= 0) {
                        done.accept("drain timeout of " + Texts.duration(timeout) + " passed; " + lastProblem);
                        return;
                    }
                    Duration wait = ctx.cfg.drainPoll();
                    if (wait.toNanos() > left) {
                        wait = Duration.ofNanos(left);
                    }
                    ctx.calls.timer(scope, wait, this::poll);
                });
    }
}
