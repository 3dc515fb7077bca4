package dev.zdd.core.internal;

import dev.zdd.api.DeploymentEvent;
import dev.zdd.api.HealthResult;
import dev.zdd.api.ProbePolicy;
import dev.zdd.api.Target;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.Consumer;

/**
 * Probes targets in parallel under the engine's {@link ProbePolicy} and answers once: all healthy, or the first
 * failure (a target over its failure threshold, or the policy's deadline). Each probe call is bounded by the policy's
 * timeout; failures before the first healthy answer do not count during the startup grace. Used by AwaitHealthy steps
 * and by the rollback's relaunches. Not thread-safe: confined to the actor. Internal.
 */
final class HealthGate {
    private final RunContext ctx;
    private final Scope scope;
    private final List<Target> targets;
    private final int eventIndex;
    private final Consumer<String> ok;
    private final Consumer<String> failed;
    private final ProbePolicy policy;
    private final List<TargetProbe> probes = new ArrayList<>();
    private long firstAttemptNanos;
    private int remaining;
    private boolean done;

    HealthGate(RunContext ctx, Scope scope, List<Target> targets, int eventIndex, Consumer<String> ok,
               Consumer<String> failed) {
        this.ctx = ctx;
        this.scope = scope;
        this.targets = targets;
        this.eventIndex = eventIndex;
        this.ok = ok;
        this.failed = failed;
        this.policy = ctx.cfg.probePolicy();
    }

    void start() {
        remaining = targets.size();
        firstAttemptNanos = ctx.clock.nanoTime() + Durations.nanos(policy.initialDelay());
        for (Target t : targets) {
            TargetProbe tp = new TargetProbe(t);
            probes.add(tp);
            ctx.calls.timer(scope, policy.initialDelay(), () -> attempt(tp));
        }
        ctx.calls.timer(scope, Durations.plus(policy.initialDelay(), policy.deadline()), this::deadline);
    }

    private void attempt(TargetProbe tp) {
        if (done || scope.closed()) {
            return;
        }
        long began = ctx.clock.nanoTime();
        tp.attempts++;
        Duration timeout = policy.timeout();
        ctx.calls.call(scope, null, "probe of " + tp.target.id(), timeout, () -> ctx.cfg.probe().check(tp.target, timeout),
                (r, err) -> answer(tp, began, r, err));
    }

    private void answer(TargetProbe tp, long began, HealthResult r, Throwable err) {
        if (done) {
            return;
        }
        HealthResult res = err != null ? HealthResult.unhealthy(err instanceof CallDeadline
                ? "timed out after " + Texts.duration(policy.timeout()) : Texts.message(err))
                : r == null ? HealthResult.unknown("probe returned no result") : r;
        ctx.events.emit(new DeploymentEvent.ProbeResult(ctx.id, ctx.now(), eventIndex, tp.target, res));
        switch (res.status()) {
            case HEALTHY -> {
                tp.successes++;
                tp.failures = 0;
                tp.startup = Startup.SEEN_HEALTHY;
                if (tp.successes >= policy.successThreshold()) {
                    tp.healthy = true;
                    if (--remaining == 0) {
                        done = true;
                        ok.accept(summary());
                    }
                    return;
                }
            }
            case UNHEALTHY -> {
                tp.successes = 0;
                if (res.answered() && tp.startup == Startup.SILENT) {
                    tp.startup = Startup.ANSWERED;
                }
                tp.remember(res.reason().isEmpty() ? "unhealthy" : res.reason());
                boolean counts = tp.startup == Startup.SEEN_HEALTHY
                        || (tp.startup == Startup.ANSWERED && policy.graceEndsAtFirstAnswer())
                        || ctx.clock.nanoTime() - firstAttemptNanos >= Durations.nanos(policy.startupGrace());
                if (counts) {
                    tp.failures++;
                }
                if (tp.failures >= policy.failureThreshold()) {
                    done = true;
                    failed.accept("target " + tp.target.id() + " failed its health checks: " + tp.failures
                            + " consecutive UNHEALTHY answers (last: " + tp.reasons() + ")");
                    return;
                }
            }
            default -> tp.remember("unknown" + (res.reason().isEmpty() ? "" : ": " + res.reason()));
        }
        long wait = Durations.nanos(policy.period()) - (ctx.clock.nanoTime() - began);
        ctx.calls.timer(scope, Duration.ofNanos(Math.max(0, wait)), () -> attempt(tp));
    }

    private void deadline() {
        if (done) {
            return;
        }
        done = true;
        StringJoiner bad = new StringJoiner("; ");
        int listed = 0;
        int notHealthy = 0;
        for (TargetProbe tp : probes) {
            if (!tp.healthy) {
                notHealthy++;
                if (listed++ < 10) {
                    bad.add(tp.target.id() + " after " + tp.attempts + (tp.attempts == 1 ? " attempt" : " attempts")
                            + (tp.lastReasons.isEmpty() ? "" : " (last: " + tp.reasons() + ")"));
                }
            }
        }
        failed.accept(notHealthy + " of " + probes.size() + " targets not healthy within "
                + Texts.duration(policy.deadline()) + ": " + bad + (notHealthy > 10 ? "; ..." : ""));
    }

    private String summary() {
        if (probes.size() > 10) {
            return "all " + probes.size() + " targets healthy";
        }
        StringJoiner sj = new StringJoiner(", ", "healthy: ", "");
        for (TargetProbe tp : probes) {
            sj.add(tp.target.id() + " (" + tp.attempts + (tp.attempts == 1 ? " attempt)" : " attempts)"));
        }
        return sj.toString();
    }

    /** Probe state of one target: counters and the last three reasons. */
    /** How far a target's startup got: nothing answered yet, answered (e.g. HTTP 503), or seen healthy once. */
    private enum Startup { SILENT, ANSWERED, SEEN_HEALTHY }

    private static final class TargetProbe {
        final Target target;
        final ArrayDeque<String> lastReasons = new ArrayDeque<>(3);
        int successes;
        int failures;
        int attempts;
        Startup startup = Startup.SILENT;
        boolean healthy;

        TargetProbe(Target target) {
            this.target = target;
        }

        void remember(String reason) {
            if (lastReasons.size() == 3) {
                lastReasons.removeFirst();
            }
            lastReasons.addLast(reason);
        }

        String reasons() {
            return String.join("; ", lastReasons);
        }
    }
}
