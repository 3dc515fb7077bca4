package dev.zdd.core.strategy;

import dev.zdd.api.Arguments;
import dev.zdd.api.DeploymentSpec;
import dev.zdd.api.Plan;
import dev.zdd.api.PlanContext;
import dev.zdd.api.RequestKey;
import dev.zdd.api.RouteState;
import dev.zdd.api.Routing;
import dev.zdd.api.Step;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Strategy;
import dev.zdd.api.Target;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Canary: start a few instances of the new version, give them a growing share of the traffic step by step with pauses,
 * checks, hooks and manual gates in between, then promote: start the remaining instances, send all traffic to the new
 * version, drain and retire the old one.
 *
 * <p>Traffic steps are either {@linkplain Builder#weight(double) a percentage} of requests or
 * {@linkplain Builder#servers(int) a number of servers}: {@code servers(k)} means "as if k of the N servers ran the new
 * version", a share of k/N, with k new instances of equal weight (instances are started as needed). Shares must grow
 * strictly from step to step. The new version's share is split evenly over its serving instances, the rest over the
 * old serving targets in proportion to their current weights; weights add up to {@link Routing#MAX_WEIGHT}, so the
 * finest step is 0.01%. With {@linkplain Builder#stickyOn(RequestKey) stickiness}, every canary table hashes on the key
 * with the new version listed first, so a user who reached the new version stays there as its share grows.
 *
 * <p>Plan: launch {@linkplain Builder#instances(int) the canary instances} ({@code <service>-<version>-<n>}) or take the
 * first ones of {@code spec.targets}; await healthy; the steps in order; promotion: launch the remaining instances if
 * any, await healthy, shift 100% to the new version (old targets DRAINING, or DISABLED when the router cannot drain),
 * drain, remove the old targets, retire them when a launcher is available. Non-serving targets of the current routing
 * are carried unchanged; its stickiness and rules are not carried. The plan contains no rollback steps.
 *
 * <p>First deployment (nothing serves in the current routing): the bootstrap every strategy shares: start
 * {@code spec.instances} (else 1) instances or take {@code spec.targets}, await healthy, route all traffic to them; the
 * steps do not apply (there is nothing to share traffic with).
 *
 * <p>Immutable; thread-safe. Build with {@link #builder()}.
 */
public final class Canary implements Strategy {
    /** Name of the plans this strategy makes. */
    public static final String NAME = "canary";
    /** Default number of canary instances started before the first step. */
    public static final int DEFAULT_INSTANCES = 1;
    /** Default longest wait for the old targets' connections to close at promotion. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** Default grace between the polite stop signal and the forced stop of an old target. */
    public static final Duration DEFAULT_RETIRE_GRACE = Duration.ofSeconds(10);

    /** One configured step: a fixed step, a percentage or a number of servers. */
    private sealed interface Item {
    }

    private record Fixed(Step step) implements Item {
    }

    private record Weight(double percent, int basisPoints) implements Item {
    }

    private record Servers(int count) implements Item {
    }

    private final List<Item> items;
    private final int instances;
    private final RequestKey stickyKey;
    private final Duration drainTimeout;
    private final Duration retireGrace;

    private final VerificationWindow verification;

    private Canary(Builder b) {
        verification = b.verification;
        items = List.copyOf(b.items);
        instances = b.instances;
        stickyKey = b.stickyKey;
        drainTimeout = b.drainTimeout;
        retireGrace = b.retireGrace;
    }

    /** A builder with the defaults and no steps. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Plan plan(PlanContext ctx) {
        Arguments.notNull("context", ctx);
        DeploymentSpec spec = ctx.spec();
        PlanSupport.Current current = PlanSupport.current(NAME, ctx);
        List<String> oldIds = current.servingIds();
        if (oldIds.isEmpty()) {
            return PlanSupport.firstDeployment(NAME, ctx, Map.of());
        }
        int total = PlanSupport.desiredCount(NAME, ctx, oldIds.size());
        if (instances > total) {
            throw new IllegalArgumentException("canary.instances " + instances + " is more than the " + total
                    + " instances of version '" + spec.version() + "'");
        }
        Stickiness stickiness = null;
        if (stickyKey != null) {
            if (!ctx.capabilities().stickiness()) {
                throw new IllegalArgumentException("canary.stickyOn " + stickyKey
                        + ": the router does not support stickiness (capabilities.stickiness is false)");
            }
            if (current.servingVersions().contains(spec.version())) {
                throw new IllegalArgumentException("canary.stickyOn " + stickyKey + " needs spec.version '"
                        + spec.version() + "' to differ from the serving version");
            }
            stickiness = Stickiness.on(stickyKey);
        }
        boolean launching = spec.targets().isEmpty();
        List<String> newIds = new ArrayList<>(total);
        if (launching) {
            newIds.addAll(PlanSupport.generateIds(spec.service() + "-" + spec.version(), total, current.ids()));
        } else {
            for (Target t : spec.targets()) {
                newIds.add(t.id());
            }
        }
        Map<String, Target> targets = current.targets();
        long[] oldWeights = current.servingWeights();
        RouteState out = PlanSupport.outOfService(ctx);

        List<Step> steps = new ArrayList<>();
        int started = bringUp(steps, newIds, 0, instances, launching, spec);
        int previous = 0;
        String previousLabel = null;
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            if (item instanceof Fixed f) {
                steps.add(f.step());
                continue;
            }
            int share;
            int serving;
            String label;
            int[] newWeights;
            if (item instanceof Weight w) {
                share = w.basisPoints();
                serving = started;
                label = PlanSupport.pct(w.percent());
                newWeights = PlanSupport.distribute(share, PlanSupport.ones(serving));
            } else {
                int k = ((Servers) item).count();
                if (k > total) {
                    throw new IllegalArgumentException("canary.steps[" + i + "] servers(" + k + ") is more than the "
                            + total + " instances of version '" + spec.version() + "'");
                }
                if (k < started) {
                    throw new IllegalArgumentException("canary.steps[" + i + "] servers(" + k + ") is fewer than the "
                            + started + " instances already started");
                }
                share = (int) ((long) Routing.MAX_WEIGHT * k / total);
                serving = k;
                label = k + " of " + total + " servers (" + PlanSupport.bp(share) + ")";
                // equal per-server weights: each new server gets one N-th of the traffic
                newWeights = PlanSupport.distribute(share, PlanSupport.ones(k));
            }
            String where = "canary.steps[" + i + "] " + label;
            if (share < previous) {
                throw new IllegalArgumentException(where + " is below the previous step " + previousLabel);
            }
            if (share == previous) {
                throw new IllegalArgumentException(where + " repeats the previous step " + previousLabel
                        + ": traffic steps must increase");
            }
            started = bringUp(steps, newIds, started, serving, launching, spec);
            int[] oldShares = PlanSupport.distribute(Routing.MAX_WEIGHT - share, oldWeights);
            steps.add(new PlanSupport.Table(newIds.size() + oldIds.size())
                    .active(newIds.subList(0, serving), newWeights)
                    .active(oldIds, oldShares)
                    .add(current.carried())
                    .build("canary " + label, stickiness, List.of(), ctx, targets, spec.version(), where));
            previous = share;
            previousLabel = label;
        }
        // promotion
        bringUp(steps, newIds, started, total, launching, spec);
        int[] even = PlanSupport.distribute(Routing.MAX_WEIGHT, PlanSupport.ones(total));
        steps.add(new PlanSupport.Table(total + oldIds.size())
                .active(newIds, even)
                .state(oldIds, out)
                .add(current.carried())
                .build("promote", null, List.of(), ctx, targets, spec.version(), "canary promotion"));
        if (verification != null && verification.keepOldWarm()) {
            steps.add(verification.step(newIds));
        }
        steps.add(new Step.Drain(oldIds, drainTimeout));
        steps.add(new PlanSupport.Table(total)
                .active(newIds, even)
                .add(current.carried())
                .build("remove old", null, List.of(), ctx, targets, spec.version(), "canary promotion"));
        if (ctx.launcherAvailable()) {
            steps.add(new Step.Retire(oldIds, retireGrace));
        }
        if (verification != null && !verification.keepOldWarm()) {
            steps.add(verification.step(newIds));
        }
        return new Plan(NAME, steps);
    }

    /** Starts (or, for given targets, health-checks) new instances {@code from} up to {@code to}; returns {@code to}. */
    private static int bringUp(List<Step> steps, List<String> newIds, int from, int to, boolean launching,
                               DeploymentSpec spec) {
        if (to <= from) {
            return from;
        }
        List<String> batch = newIds.subList(from, to);
        if (launching) {
            for (String id : batch) {
                steps.add(PlanSupport.launch(id, spec, Map.of()));
            }
        }
        steps.add(new Step.AwaitHealthy(batch));
        return to;
    }

    @Override
    public String toString() {
        return "Canary[steps=" + items.size() + ", instances=" + instances + (stickyKey == null ? "" : ", sticky on "
                + stickyKey) + ", drainTimeout=" + drainTimeout + ", retireGrace=" + retireGrace + "]";
    }

    /**
     * Builds a {@link Canary}: steps in the order they are added. Every setter validates its argument and names the
     * step ({@code canary.steps[2]}) or field in the {@link IllegalArgumentException}. Not thread-safe.
     */
    public static final class Builder {
        private final List<Item> items = new ArrayList<>();
        private int instances = DEFAULT_INSTANCES;
        private RequestKey stickyKey;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private Duration retireGrace = DEFAULT_RETIRE_GRACE;
        private Weight lastWeight;
        private VerificationWindow verification;

        private Builder() {
        }

        /**
         * A verification window after the promotion (the last traffic step): the new targets are probed (and the
         * window's checks run) while the old ones stay warm (or, without {@link VerificationWindow#keepOldWarm()},
         * after they were retired); a failure rolls back. Default none.
         */
        public Builder verify(VerificationWindow v) {
            verification = Arguments.notNull("canary.verify", v);
            return this;
        }

        private String at() {
            return "canary.steps[" + items.size() + "]";
        }

        /**
         * Send {@code percent} of the traffic to the new version: in {@code (0, 100]}, a multiple of 0.01, above the
         * previous percentage.
         */
        public Builder weight(double percent) {
            String where = at() + " " + PlanSupport.pct(percent);
            if (Double.isNaN(percent) || percent <= 0 || percent > 100) {
                throw new IllegalArgumentException(where + " is not in (0, 100]");
            }
            double scaled = percent * 100;
            long bp = Math.round(scaled);
            if (Math.abs(scaled - bp) > 1e-6) {
                throw new IllegalArgumentException(where + " is finer than 0.01%, the smallest traffic step");
            }
            if (lastWeight != null && bp <= lastWeight.basisPoints()) {
                throw new IllegalArgumentException(where + (bp < lastWeight.basisPoints() ? " is below the previous step "
                        : " repeats the previous step ") + PlanSupport.pct(lastWeight.percent())
                        + (bp < lastWeight.basisPoints() ? "" : ": traffic steps must increase"));
            }
            lastWeight = new Weight(percent, (int) bp);
            items.add(lastWeight);
            return this;
        }

        /**
         * Run the new version on {@code count} servers out of the N it ends with: a share of count/N, with
         * {@code count} new instances of equal weight (started here when fewer are running). Checked against N when
         * planning.
         */
        public Builder servers(int count) {
            PlanSupport.atLeast(at() + " servers", count, 1);
            items.add(new Servers(count));
            return this;
        }

        /** Wait {@code duration} (positive); {@link dev.zdd.api.Deployment#promote()} ends the wait early. */
        public Builder pause(Duration duration) {
            items.add(new Fixed(new Step.Pause(Arguments.positive(at() + " pause", duration))));
            return this;
        }

        /** Wait for {@link dev.zdd.api.Deployment#promote()}; rolls back after {@code timeout} (positive). */
        public Builder gate(String name, Duration timeout) {
            String n = PlanSupport.name(at() + " gate name", name);
            items.add(new Fixed(new Step.Gate(n, Arguments.positive(at() + " gate timeout", timeout))));
            return this;
        }

        /** Run the check registered under {@code name} with the engine; a failure rolls back. */
        public Builder check(String name) {
            items.add(new Fixed(new Step.Check(PlanSupport.name(at() + " check name", name))));
            return this;
        }

        /** Run the hook registered under {@code name} with the engine; a failure rolls back. */
        public Builder hook(String name) {
            items.add(new Fixed(new Step.Hook(PlanSupport.name(at() + " hook name", name))));
            return this;
        }

        /**
         * Sticky canary: requests are split by a stable hash of {@code key}, new version first, so users who reached
         * it stay there. Needs a router with stickiness. Default: not sticky.
         */
        public Builder stickyOn(RequestKey key) {
            stickyKey = Arguments.notNull("canary.stickyOn", key);
            return this;
        }

        /** How many canary instances start before the first step (at least 1). Default {@value Canary#DEFAULT_INSTANCES}. */
        public Builder instances(int count) {
            instances = PlanSupport.atLeast("canary.instances", count, 1);
            return this;
        }

        /** Longest wait for the old targets' connections to close at promotion. Default 30 s. */
        public Builder drainTimeout(Duration d) {
            drainTimeout = Arguments.nonNegative("canary.drainTimeout", d);
            return this;
        }

        /** Grace between the polite stop and the forced stop of old targets. Default 10 s. */
        public Builder retireGrace(Duration d) {
            retireGrace = Arguments.nonNegative("canary.retireGrace", d);
            return this;
        }

        /** Builds; fails when no step was added or none of them is a weight or servers step. */
        public Canary build() {
            if (items.isEmpty()) {
                throw new IllegalArgumentException("canary.steps must not be empty");
            }
            if (items.stream().allMatch(i -> i instanceof Fixed)) {
                throw new IllegalArgumentException("canary.steps must contain at least one weight or servers step");
            }
            return new Canary(this);
        }
    }
}
