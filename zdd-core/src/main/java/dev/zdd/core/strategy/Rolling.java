package dev.zdd.core.strategy;

import dev.zdd.api.Arguments;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.Plan;
import dev.zdd.api.PlanContext;
import dev.zdd.api.RouteState;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.Strategy;
import dev.zdd.api.Target;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Rolling: replace the serving targets batch by batch, each new batch health-gated before it takes traffic.
 *
 * <p>N, the number of new instances, is {@code spec.targets}' size, else {@code spec.instances}, else the number of
 * targets serving now (M), else (a first deployment: nothing serves) 1. With nothing serving (M = 0) every batch only
 * starts and adds new instances. Batch {@code i} pairs new instances {@code [i*b, (i+1)*b)} with old serving targets
 * {@code [i*b, (i+1)*b)} in routing order; there are {@code ceil(max(N, M) / b)} batches. The batch size {@code b} is a
 * count, or a percentage of N rounded up; when not set it is {@code maxSurge} in start-first mode or
 * {@code maxUnavailable} in stop-first mode, else {@value #DEFAULT_BATCH_SIZE}.
 * <ul>
 * <li>{@linkplain Builder#startFirst() start-first} (default), per batch: launch the new batch, await healthy, shift
 *     (new batch in, old batch DRAINING, or DISABLED when the router cannot drain), drain the old batch, remove it
 *     from the table, retire it.</li>
 * <li>{@linkplain Builder#stopFirst() stop-first}, per batch: shift the old batch out, drain, remove, retire, then
 *     launch the new batch, await healthy, shift it in.</li>
 * </ul>
 * With {@code spec.targets} given the plan works in place: no Launch steps, old target i is replaced by given target i.
 * Old targets are retired only when a launcher is available. Between batches come an optional pause, check and gate,
 * in that order.
 *
 * <p>Limits, with Kubernetes semantics (percentages of N; maxSurge rounds up, maxUnavailable rounds down): a plan never
 * runs more than {@code maxSurge} instances above {@code max(N, M)} (not checked in place, where the new targets run
 * already), never has more than {@code maxUnavailable} targets fewer serving than {@code min(N, M)}, and never has fewer
 * serving targets than {@code minHealthyPercent} of {@code min(N, M)}. A violation fails the plan with a message naming
 * the batch. Weights: old targets keep their current relative weights, new ones get the old targets' average, scaled to
 * {@link Routing#MAX_WEIGHT} (with more than 10,000 serving targets each gets weight 1). Non-serving targets of the
 * current routing are carried unchanged; its stickiness and rules are not carried. Building a plan takes time linear in
 * the size of each table times the number of batches.
 *
 * <p>Immutable; thread-safe. Build with {@link #builder()}.
 */
public final class Rolling implements Strategy {
    /** Name of the plans this strategy makes. */
    public static final String NAME = "rolling";
    /** Default batch size when neither a batch size nor a matching limit is set. */
    public static final int DEFAULT_BATCH_SIZE = 1;
    /** Default floor on serving capacity, in percent: none. */
    public static final double DEFAULT_MIN_HEALTHY_PERCENT = 0;
    /** Default longest wait for an old batch's connections to close. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** Default grace between the polite stop signal and the forced stop of an old target. */
    public static final Duration DEFAULT_RETIRE_GRACE = Duration.ofSeconds(10);

    /** A count, or a percentage of N. */
    private record Amount(int count, double percent, boolean isPercent) {
        int resolve(int n, boolean roundUp) {
            if (!isPercent) {
                return count;
            }
            double exact = n * percent / 100;
            return (int) (roundUp ? Math.ceil(exact - 1e-9) : Math.floor(exact + 1e-9));
        }

        String show() {
            return isPercent ? PlanSupport.pct(percent) : String.valueOf(count);
        }
    }

    private final Amount batch;
    private final Amount maxSurge;
    private final Amount maxUnavailable;
    private final double minHealthyPercent;
    private final boolean startFirst;
    private final Duration pause;
    private final String check;
    private final String gate;
    private final Duration gateTimeout;
    private final Duration drainTimeout;
    private final Duration retireGrace;

    private final VerificationWindow verification;

    private Rolling(Builder b) {
        verification = b.verification;
        batch = b.batch;
        maxSurge = b.maxSurge;
        maxUnavailable = b.maxUnavailable;
        minHealthyPercent = b.minHealthyPercent;
        startFirst = b.startFirst;
        pause = b.pause;
        check = b.check;
        gate = b.gate;
        gateTimeout = b.gateTimeout;
        drainTimeout = b.drainTimeout;
        retireGrace = b.retireGrace;
    }

    /** A builder with the defaults: start-first, batches of 1, no limits, no pauses. */
    public static Builder builder() {
        return new Builder();
    }

    /** The batch size this strategy uses for {@code n} new instances (at least 1). */
    public int batchSize(int n) {
        Amount a = batch;
        if (a == null) {
            a = startFirst ? maxSurge : maxUnavailable;
        }
        if (a == null) {
            return DEFAULT_BATCH_SIZE;
        }
        boolean roundUp = batch != null || startFirst;
        return Math.max(1, a.resolve(n, roundUp));
    }

    @Override
    public Plan plan(PlanContext ctx) {
        Arguments.notNull("context", ctx);
        DeploymentSpec spec = ctx.spec();
        PlanSupport.Current current = PlanSupport.current(NAME, ctx);
        List<String> oldIds = current.servingIds();
        int m = oldIds.size();
        int n = PlanSupport.desiredCount(NAME, ctx, m);
        boolean inPlace = !spec.targets().isEmpty();
        List<String> newIds = new ArrayList<>(n);
        if (inPlace) {
            for (Target t : spec.targets()) {
                newIds.add(t.id());
            }
        } else {
            newIds.addAll(PlanSupport.generateIds(spec.service() + "-" + spec.version(), n, current.ids()));
        }
        int b = batchSize(n);
        int batches = (Math.max(n, m) + b - 1) / b;
        int surgeLimit = maxSurge == null || inPlace ? Integer.MAX_VALUE : maxSurge.resolve(n, true);
        int unavailableLimit = maxUnavailable == null ? Integer.MAX_VALUE : maxUnavailable.resolve(n, false);
        int keep = m == 0 ? 0 : Math.min(n, m);
        int floor = (int) Math.ceil(keep * minHealthyPercent / 100 - 1e-9);
        int peakAllowed = Math.max(n, m);

        // relative weights: old keep theirs, new get the old average
        long[] oldWeights = current.servingWeights();
        long oldSum = 0;
        for (long w : oldWeights) {
            oldSum += w;
        }
        long newWeight = m == 0 ? 1 : Math.max(1, oldSum / m);
        Weights weights = new Weights(oldWeights, newWeight);

        Map<String, Target> targets = current.targets();
        RouteState out = PlanSupport.outOfService(ctx);
        Checker checker = new Checker(keep, floor, unavailableLimit, surgeLimit, peakAllowed);
        List<Step> steps = new ArrayList<>();
        int alive = m;
        for (int i = 0; i < batches; i++) {
            int from = i * b;
            int to = from + b;
            List<String> newBatch = PlanSupport.slice(newIds, from, to);
            List<String> oldBatch = PlanSupport.slice(oldIds, from, to);
            List<String> newBefore = PlanSupport.slice(newIds, 0, from);
            List<String> newAfter = PlanSupport.slice(newIds, 0, to);
            List<String> oldRest = PlanSupport.slice(oldIds, to, m);
            int oldRestFrom = Math.min(to, m);
            String where = "rolling batch " + (i + 1) + " of " + batches;
            String label = "batch " + (i + 1) + "/" + batches;
            if (startFirst) {
                if (!newBatch.isEmpty()) {
                    if (!inPlace) {
                        launch(steps, newBatch, spec);
                        alive += newBatch.size();
                        checker.surge(where, alive);
                    }
                    steps.add(new Step.AwaitHealthy(newBatch));
                }
                steps.add(checker.table(where, weights.table(newAfter, oldRest, oldRestFrom)
                                .state(oldBatch, out)
                                .add(current.carried()))
                        .build(label, null, List.of(), ctx, targets, spec.version(), where));
                if (!oldBatch.isEmpty()) {
                    retireOld(steps, oldBatch, newAfter, oldRest, oldRestFrom, weights, current, ctx, targets, spec,
                            where, label, checker);
                    alive -= oldBatch.size();
                }
            } else {
                if (!oldBatch.isEmpty()) {
                    steps.add(checker.table(where, weights.table(newBefore, oldRest, oldRestFrom)
                                    .state(oldBatch, out)
                                    .add(current.carried()))
                            .build(label + " out", null, List.of(), ctx, targets, spec.version(), where));
                    retireOld(steps, oldBatch, newBefore, oldRest, oldRestFrom, weights, current, ctx, targets, spec,
                            where, label, checker);
                    alive -= oldBatch.size();
                }
                if (!newBatch.isEmpty()) {
                    if (!inPlace) {
                        launch(steps, newBatch, spec);
                        alive += newBatch.size();
                        checker.surge(where, alive);
                    }
                    steps.add(new Step.AwaitHealthy(newBatch));
                    steps.add(checker.table(where, weights.table(newAfter, oldRest, oldRestFrom)
                                    .add(current.carried()))
                            .build(label + " in", null, List.of(), ctx, targets, spec.version(), where));
                }
            }
            if (i < batches - 1) {
                if (pause != null) {
                    steps.add(new Step.Pause(pause));
                }
                if (check != null) {
                    steps.add(new Step.Check(check));
                }
                if (gate != null) {
                    steps.add(new Step.Gate(gate, gateTimeout));
                }
            }
        }
        if (verification != null) {
            List<Step> retires = new ArrayList<>();
            if (verification.keepOldWarm()) {
                // the old targets leave the routing batch by batch but stay running until the window has passed
                for (java.util.Iterator<Step> it = steps.iterator(); it.hasNext(); ) {
                    Step s = it.next();
                    if (s instanceof Step.Retire) {
                        retires.add(s);
                        it.remove();
                    }
                }
            }
            steps.add(verification.step(newIds));
            steps.addAll(retires);
        }
        return new Plan(NAME, steps);
    }

    private void retireOld(List<Step> steps, List<String> oldBatch, List<String> newServing, List<String> oldRest,
                           int oldRestFrom, Weights weights, PlanSupport.Current current, PlanContext ctx,
                           Map<String, Target> targets, DeploymentSpec spec, String where, String label, Checker checker) {
        steps.add(new Step.Drain(oldBatch, drainTimeout));
        steps.add(checker.table(where, weights.table(newServing, oldRest, oldRestFrom)
                        .add(current.carried()))
                .build(label + " remove old", null, List.of(), ctx, targets, spec.version(), where));
        if (ctx.launcherAvailable()) {
            steps.add(new Step.Retire(oldBatch, retireGrace));
        }
    }

    private static void launch(List<Step> steps, List<String> ids, DeploymentSpec spec) {
        for (String id : ids) {
            steps.add(PlanSupport.launch(id, spec, Map.of()));
        }
    }

    /**
     * Weights of one table: the first {@code k} new targets and the old targets from index {@code from} on, scaled
     * together to {@link Routing#MAX_WEIGHT}. Immutable; one per plan.
     */
    private record Weights(long[] oldWeights, long newWeight) {
        /** A table with {@code fresh} (new, in order) and {@code oldRest} (old targets from index {@code from}) active. */
        PlanSupport.Table table(List<String> fresh, List<String> oldRest, int from) {
            int k = fresh.size();
            long[] rel = new long[k + oldWeights.length - from];
            Arrays.fill(rel, 0, k, newWeight);
            System.arraycopy(oldWeights, from, rel, k, oldWeights.length - from);
            int[] all = PlanSupport.distribute(Routing.MAX_WEIGHT, rel);
            return new PlanSupport.Table(rel.length + 16)
                    .active(fresh, Arrays.copyOfRange(all, 0, k))
                    .active(oldRest, Arrays.copyOfRange(all, k, all.length));
        }
    }

    /** Checks the limits on every table and launch of one plan. Not thread-safe; one per plan. */
    private final class Checker {
        private final int keep;
        private final int floor;
        private final int unavailableLimit;
        private final int surgeLimit;
        private final int peakAllowed;

        Checker(int keep, int floor, int unavailableLimit, int surgeLimit, int peakAllowed) {
            this.keep = keep;
            this.floor = floor;
            this.unavailableLimit = unavailableLimit;
            this.surgeLimit = surgeLimit;
            this.peakAllowed = peakAllowed;
        }

        void surge(String where, int alive) {
            int above = alive - peakAllowed;
            if (above > surgeLimit) {
                throw new IllegalArgumentException(where + " runs " + alive + " instances, " + above + " above the "
                        + peakAllowed + " desired, more than rolling.maxSurge " + maxSurge.show() + " (" + surgeLimit
                        + ")");
            }
        }

        PlanSupport.Table table(String where, PlanSupport.Table table) {
            int serving = table.servingCount();
            int unavailable = keep - serving;
            if (unavailable > unavailableLimit) {
                throw new IllegalArgumentException(where + " leaves " + serving + " of " + keep + " targets serving, "
                        + unavailable + " unavailable, more than rolling.maxUnavailable " + maxUnavailable.show() + " ("
                        + unavailableLimit + ")");
            }
            if (serving < floor) {
                throw new IllegalArgumentException(where + " leaves " + serving + " of " + keep + " targets serving ("
                        + PlanSupport.pct(Math.floor(serving * 10000.0 / keep) / 100) + "), below rolling.minHealthyPercent "
                        + PlanSupport.pct(minHealthyPercent));
            }
            return table;
        }
    }

    @Override
    public String toString() {
        return "Rolling[" + (startFirst ? "start-first" : "stop-first") + ", batch=" + (batch == null ? "auto" : batch.show())
                + (maxSurge == null ? "" : ", maxSurge=" + maxSurge.show())
                + (maxUnavailable == null ? "" : ", maxUnavailable=" + maxUnavailable.show())
                + ", minHealthyPercent=" + PlanSupport.pct(minHealthyPercent) + "]";
    }

    /**
     * Builds a {@link Rolling}. Every setter validates its argument and names it in the
     * {@link IllegalArgumentException}. Not thread-safe.
     */
    public static final class Builder {
        private Amount batch;
        private Amount maxSurge;
        private VerificationWindow verification;
        private Amount maxUnavailable;
        private double minHealthyPercent = DEFAULT_MIN_HEALTHY_PERCENT;
        private boolean startFirst = true;
        private Duration pause;
        private String check;
        private String gate;
        private Duration gateTimeout;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private Duration retireGrace = DEFAULT_RETIRE_GRACE;

        private Builder() {
        }

        /**
         * A verification window after the last batch: the new targets are probed (and the window's checks run); a
         * failure rolls back. With {@link VerificationWindow#keepOldWarm()} (the default) the old targets leave the
         * routing batch by batch but are retired only after the window, so a rollback needs no relaunch; without it
         * they are retired batch by batch and a rollback relaunches them. Default none.
         */
        public Builder verify(VerificationWindow v) {
            verification = Arguments.notNull("rolling.verify", v);
            return this;
        }

        /** Batches of {@code count} targets (at least 1). Default: see {@link Rolling}. */
        public Builder batchSize(int count) {
            batch = new Amount(PlanSupport.atLeast("rolling.batchSize", count, 1), 0, false);
            return this;
        }

        /** Batches of {@code percent} of N, rounded up, at least 1 target; in (0, 100]. */
        public Builder batchPercent(double percent) {
            batch = new Amount(0, PlanSupport.percent("rolling.batchPercent", percent, false), true);
            return this;
        }

        /** At most {@code count} instances above the desired number at any time. Default: no limit. */
        public Builder maxSurge(int count) {
            maxSurge = new Amount(PlanSupport.atLeast("rolling.maxSurge", count, 0), 0, false);
            return this;
        }

        /** At most {@code percent} of N (rounded up) instances above the desired number; in [0, 100]. */
        public Builder maxSurgePercent(double percent) {
            maxSurge = new Amount(0, PlanSupport.percent("rolling.maxSurgePercent", percent, true), true);
            return this;
        }

        /** At most {@code count} targets fewer serving than before at any time. Default: no limit. */
        public Builder maxUnavailable(int count) {
            maxUnavailable = new Amount(PlanSupport.atLeast("rolling.maxUnavailable", count, 0), 0, false);
            return this;
        }

        /** At most {@code percent} of N (rounded down) targets fewer serving than before; in [0, 100]. */
        public Builder maxUnavailablePercent(double percent) {
            maxUnavailable = new Amount(0, PlanSupport.percent("rolling.maxUnavailablePercent", percent, true), true);
            return this;
        }

        /** Serving targets never fewer than this percentage of those serving before; in [0, 100]. Default 0. */
        public Builder minHealthyPercent(double percent) {
            minHealthyPercent = PlanSupport.percent("rolling.minHealthyPercent", percent, true);
            return this;
        }

        /** Start each new batch before stopping the old one (the default). */
        public Builder startFirst() {
            startFirst = true;
            return this;
        }

        /** Stop each old batch before starting the new one (for fixed capacity: ports, licences, memory). */
        public Builder stopFirst() {
            startFirst = false;
            return this;
        }

        /** Pause {@code duration} (positive) between batches. Default: none. */
        public Builder pauseBetweenBatches(Duration duration) {
            pause = Arguments.positive("rolling.pauseBetweenBatches", duration);
            return this;
        }

        /** Run the check registered under {@code name} between batches. Default: none. */
        public Builder checkBetweenBatches(String name) {
            check = PlanSupport.name("rolling.checkBetweenBatches", name);
            return this;
        }

        /** Wait at a manual gate between batches; rolls back after {@code timeout}. Default: none. */
        public Builder gateBetweenBatches(String name, Duration timeout) {
            gate = PlanSupport.name("rolling.gateBetweenBatches", name);
            gateTimeout = Arguments.positive("rolling.gateBetweenBatches timeout", timeout);
            return this;
        }

        /** Longest wait for an old batch's connections to close. Default 30 s. */
        public Builder drainTimeout(Duration d) {
            drainTimeout = Arguments.nonNegative("rolling.drainTimeout", d);
            return this;
        }

        /** Grace between the polite stop and the forced stop of old targets. Default 10 s. */
        public Builder retireGrace(Duration d) {
            retireGrace = Arguments.nonNegative("rolling.retireGrace", d);
            return this;
        }

        /** Builds. */
        public Rolling build() {
            return new Rolling(this);
        }
    }
}
