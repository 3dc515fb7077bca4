package dev.zdd.core.testing;

import dev.zdd.api.RequestKey;
import dev.zdd.api.Route;
import dev.zdd.api.RouteState;
import dev.zdd.api.RouterCapabilities;
import dev.zdd.api.Routing;
import dev.zdd.api.Rule;
import dev.zdd.api.Stickiness;
import dev.zdd.api.Target;
import dev.zdd.api.TrafficRouter;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A framework-independent conformance check of any {@link TrafficRouter} (zdd's own adapters and yours) against the
 * contract in {@code TrafficRouter}'s Javadoc. Call it from a test of any framework; it throws {@link AssertionError}
 * with a precise message such as
 * {@code [uneven split] after apply(Routing[a/1 1000, b/2 9000]) current() returned Routing[a/1 5000, b/2 5000]}.
 *
 * <p>What it checks, in this order, with the first two or three of the given targets:
 * <ol>
 *   <li>one target at 100%: {@code current().sameTrafficAs(applied, maxWeight)} right after {@code apply} (shares compared
 *       within one unit of the router's declared weight scale);</li>
 *   <li>idempotence: applying the same table again changes nothing;</li>
 *   <li>a switch to the other target with the first DISABLED;</li>
 *   <li>an even split over two or three targets;</li>
 *   <li>an uneven split (10/90) when the capabilities say it is expressible, otherwise that it is refused;</li>
 *   <li>canary steps of 0.5% and 1% for a second version (the second target's, or another version's when given): a
 *       step the capabilities accept ({@link RouterCapabilities#MAX_SHARE_ERROR}) must be served within the declared
 *       granularity (a router that declares {@code maxWeight} 10000 but serves 1 of 101 fails), a step they refuse
 *       must be refused;</li>
 *   <li>a weight that cannot be expressed ({@code maxWeight} below {@link Routing#MAX_WEIGHT}) is refused;</li>
 *   <li>DRAINING, then back to ACTIVE (state and weight set together);</li>
 *   <li>stickiness and rules (needs two targets of different versions);</li>
 *   <li>rollback: after a different table, applying an earlier {@code current()} snapshot restores it exactly;</li>
 *   <li>"new instance" (only with {@link Options.Builder#newInstance(Supplier)}: a router built afresh from the same
 *       configuration, as a later deployer process builds it): a table (an even split over the first two targets, the
 *       third DISABLED) is applied with the router under test; a fresh router reads it back with the same ids, versions,
 *       endpoints and attributes and re-applies what it read without change; another fresh router applies a table
 *       listing only the second target, and a third fresh router reads exactly that target serving (the targets the
 *       table omitted serve nothing, whoever applied them);</li>
 *   <li>finally the table found at the start is applied again (when it served anything).</li>
 * </ol>
 * After every apply, {@code current()} must return each target of the table with the id, version, endpoint and
 * attributes it was applied with (a router that drops a colour or a launcher's pid fails).
 * A feature the capabilities do not declare must be refused (apply throws and {@code current()} is unchanged) or, if
 * accepted, carried out exactly; silently ignoring it fails. After every {@code current()}, state and weight must agree
 * (no DRAINING or DISABLED route with a weight). After every successful apply, the caller's
 * {@link Options.Builder#verifier(Consumer) verifier} (if any) is called with the table, to check the real data path
 * (for example, send requests through the proxy and look at which versions answer).
 *
 * <p>The check changes the router's routing: run it against a router in a test environment. Stateless; each call is
 * independent; thread-safe as long as nobody else uses the router during the check.
 */
public final class RouterConformance {
    /** The header name used for stickiness and rules: {@value}. */
    public static final String KEY_HEADER = "X-Zdd-Conformance";
    /** The header value the rule matches: {@value}. */
    public static final String RULE_VALUE = "tester";

    private RouterConformance() {
    }

    /** Checks {@code router} with {@link Options#DEFAULTS}. */
    public static Report check(TrafficRouter router, List<Target> targets) {
        return check(router, targets, Options.DEFAULTS);
    }

    /**
     * Checks {@code router} using {@code targets} (at least two distinct ids; give targets of two versions to check
     * stickiness and rules).
     *
     * @return what passed and what was skipped (and why)
     * @throws AssertionError           when the router breaks the contract
     * @throws IllegalArgumentException when the arguments are unusable
     */
    public static Report check(TrafficRouter router, List<Target> targets, Options options) {
        if (router == null) {
            throw new IllegalArgumentException("router must not be null");
        }
        if (targets == null || targets.size() < 2) {
            throw new IllegalArgumentException("targets must hold at least two targets, was " + targets);
        }
        Set<String> ids = new HashSet<>();
        for (Target t : targets) {
            if (t == null) {
                throw new IllegalArgumentException("targets must not contain null");
            }
            if (!ids.add(t.id())) {
                throw new IllegalArgumentException("targets has duplicate id '" + t.id() + "'");
            }
        }
        Objects.requireNonNull(options, "options");
        return new Run(router, List.copyOf(targets), options).run();
    }

    private static final class Run {
        private final TrafficRouter router;
        private final List<Target> targets;
        private final Options options;
        private final List<String> passed = new ArrayList<>();
        private final List<String> skipped = new ArrayList<>();
        private RouterCapabilities caps;

        Run(TrafficRouter router, List<Target> targets, Options options) {
            this.router = router;
            this.targets = targets;
            this.options = options;
        }

        Report run() {
            caps = router.capabilities();
            if (caps == null) {
                throw fail("capabilities", "capabilities() returned null");
            }
            Routing original = current("start");
            Target a = targets.get(0);
            Target b = targets.get(1);
            int max = Routing.MAX_WEIGHT;

            Routing one = Routing.of(Route.active(a, max));
            expectApplied("one target", one);
            expectApplied("idempotent", one);
            Routing again = current("idempotent");
            if (!same(again, one)) {
                throw fail("idempotent", "a second current() without apply returned " + again + " after apply(" + one + ")");
            }
            passed.add("idempotent");

            expectApplied("switch", Routing.of(Route.active(b, max), Route.disabled(a)));

            List<Target> evenTargets = targets.subList(0, Math.min(3, targets.size()));
            Routing even = Routing.evenly(evenTargets);
            expectFeature("even split", even, expressible(even), "its weights");

            Routing uneven = Routing.of(Route.active(a, 1000), Route.active(b, 9000));
            boolean unevenOk = expressible(uneven);
            expectFeature("uneven split", uneven, unevenOk, "maxWeight " + caps.maxWeight());

            Target second = b;
            for (Target t : targets) {
                if (!t.version().equals(a.version())) {
                    second = t;
                    break;
                }
            }
            for (int share : new int[]{50, 100}) {
                Routing step = Routing.of(Route.active(a, max - share), Route.active(second, share));
                expectFeature("canary step " + (share / 100.0) + "%", step, expressible(step),
                        "a share of " + (share / 100.0) + "% on maxWeight " + caps.maxWeight());
            }

            if (caps.maxWeight() < Routing.MAX_WEIGHT) {
                Routing tiny = Routing.of(Route.active(a, 1), Route.active(b, max));
                expectFeature("inexpressible weight", tiny, expressible(tiny), "maxWeight " + caps.maxWeight());
            } else {
                skipped.add("inexpressible weight: maxWeight is " + Routing.MAX_WEIGHT + ", every weight is expressible");
            }

            Routing drain = Routing.of(Route.active(b, max), Route.draining(a));
            boolean drained = expectFeature("drain", drain, caps.drain(), "drain");
            if (drained) {
                expectApplied("back from drain", Routing.of(Route.active(a, 5000), Route.active(b, 5000)));
            }

            Target other = null;
            for (Target t : targets) {
                if (!t.version().equals(a.version())) {
                    other = t;
                    break;
                }
            }
            if (other == null) {
                skipped.add("stickiness: all targets have version " + a.version() + " (give targets of two versions)");
                skipped.add("rules: all targets have version " + a.version() + " (give targets of two versions)");
            } else {
                Routing split = Routing.of(Route.active(other, 5000), Route.active(a, 5000));
                expectFeature("stickiness", split.withStickiness(Stickiness.on(RequestKey.header(KEY_HEADER))),
                        caps.stickiness(), "stickiness");
                expectFeature("rules", split.withRules(List.of(Rule.match(RequestKey.header(KEY_HEADER),
                        Set.of(RULE_VALUE), other.version()))), caps.rules(), "rules");
                // A rule must reach a version that has no weighted share (ACTIVE, weight 0): a blue-green preview.
                Routing preview = Routing.of(Route.active(a, max), Route.active(other, 0));
                expectFeature("rules to a weight-0 version", preview.withRules(List.of(Rule.match(
                        RequestKey.header(KEY_HEADER), Set.of(RULE_VALUE), other.version()))), caps.rules(), "rules");
            }

            Routing first = unevenOk ? uneven : even;
            expectApplied("rollback", first);
            Routing snapshot = current("rollback");
            expectApplied("rollback", Routing.of(Route.active(b, max), Route.disabled(a)));
            expectApplied("rollback", snapshot);
            Routing restored = current("rollback");
            if (!same(restored, first)) {
                throw fail("rollback", "after apply(" + first + "), a different table and apply(" + snapshot
                        + ") (the snapshot), current() returned " + restored);
            }

            if (options.newInstance != null) {
                newInstance(a, b);
            } else {
                skipped.add("new instance: no Options.newInstance(supplier) given");
            }

            if (options.restoreOriginal && original.servingWeight() > 0) {
                expectApplied("restore original", original);
            }
            return new Report(options.name != null ? options.name : router.getClass().getSimpleName(),
                    List.copyOf(new java.util.LinkedHashSet<>(passed)), List.copyOf(skipped));
        }

        private void newInstance(Target a, Target b) {
            String check = "new instance";
            List<Route> routes = new ArrayList<>(List.of(Route.active(a, Routing.MAX_WEIGHT / 2),
                    Route.active(b, Routing.MAX_WEIGHT / 2)));
            if (targets.size() > 2) {
                routes.add(Route.disabled(targets.get(2)));
            }
            Routing table = Routing.of(routes);
            expectApplied(check, table);
            TrafficRouter fresh = fresh(check);
            Routing read = current(check, fresh);
            if (!same(read, table)) {
                throw fail(check, "after apply(" + table + ") with one router object, a fresh router's current() returned "
                        + read);
            }
            sameTargets(check, table, read, "a fresh router's current()");
            applyWith(check, fresh, read);
            Routing again = current(check, fresh);
            if (!same(again, table)) {
                throw fail(check, "a fresh router re-applied what it read (" + read + ") and then read " + again);
            }
            sameTargets(check, table, again, "a fresh router's current() after re-applying it");
            Routing onlyB = Routing.of(Route.active(b, Routing.MAX_WEIGHT));
            applyWith(check, fresh(check), onlyB);
            Routing last = current(check, fresh(check));
            List<String> serving = new ArrayList<>();
            for (Target t : last.servingTargets()) {
                serving.add(t.id());
            }
            if (!serving.equals(List.of(b.id()))) {
                throw fail(check, "a fresh router applied " + onlyB + " after another object had applied " + table
                        + ", yet current() (read by yet another) returned " + last + ": targets the table omits must serve"
                        + " nothing, whoever applied them");
            }
            sameTargets(check, onlyB, last, "a fresh router's current()");
            verify(check, onlyB);
            passed.add(check);
        }

        private TrafficRouter fresh(String check) {
            TrafficRouter r;
            try {
                r = options.newInstance.get();
            } catch (RuntimeException e) {
                AssertionError err = fail(check, "the newInstance supplier threw " + e);
                err.initCause(e);
                throw err;
            }
            if (r == null || r == router) {
                throw fail(check, "the newInstance supplier must return a NEW router object, returned " + r);
            }
            return r;
        }

        private void applyWith(String check, TrafficRouter r, Routing table) {
            try {
                r.apply(table);
            } catch (RuntimeException e) {
                AssertionError err = fail(check, "a fresh router's apply(" + table + ") threw " + e);
                err.initCause(e);
                throw err;
            }
        }

        /** Every target of {@code table} is in {@code read} with the same id, version, endpoint and attributes. */
        private void sameTargets(String check, Routing table, Routing read, String what) {
            java.util.Map<String, Target> seen = new java.util.HashMap<>();
            for (Route r : read.routes()) {
                seen.put(r.target().id(), r.target());
            }
            for (Route r : table.routes()) {
                Target got = seen.get(r.target().id());
                if (got != null && !got.equals(r.target())) {
                    throw fail(check, "target " + r.target().id() + " was applied as " + describe(r.target()) + " but "
                            + what + " returned it as " + describe(got) + " (ids, versions and attributes must survive)");
                }
            }
        }

        private static String describe(Target t) {
            return t.id() + " version " + t.version() + " at " + t.endpoint() + " with attributes " + t.attributes();
        }

        /** Same traffic within the router's declared granularity. */
        private boolean same(Routing x, Routing y) {
            return x.sameTrafficAs(y, caps.maxWeight());
        }

        private boolean expressible(Routing r) {
            try {
                caps.check("router", r);
                return true;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }

        /** Declared: must work. Not declared: must be refused with current() unchanged, or work exactly. */
        private boolean expectFeature(String check, Routing table, boolean declared, String feature) {
            if (declared) {
                expectApplied(check, table);
                return true;
            }
            Routing before = current(check);
            try {
                router.apply(table);
            } catch (RuntimeException e) {
                Routing after = current(check);
                if (!same(after, before)) {
                    throw fail(check, "apply(" + table + ") was refused (" + e + ") but current() changed from " + before
                            + " to " + after);
                }
                passed.add(check + " (refused: not declared)");
                return false;
            }
            Routing after = current(check);
            if (!after.sameTrafficAs(table, Routing.MAX_WEIGHT)) { // exactly: not within the declared granularity
                throw fail(check, "capabilities do not declare " + feature + ", yet apply(" + table
                        + ") was accepted and current() returned " + after + ": refuse what the router cannot do");
            }
            verify(check, table);
            passed.add(check + " (not declared, but carried out exactly)");
            return true;
        }

        private void expectApplied(String check, Routing table) {
            try {
                router.apply(table);
            } catch (RuntimeException e) {
                AssertionError err = fail(check, "apply(" + table + ") threw " + e);
                err.initCause(e);
                throw err;
            }
            Routing now = current(check);
            if (!same(now, table)) {
                throw fail(check, "after apply(" + table + ") current() returned " + now);
            }
            sameTargets(check, table, now, "current()");
            verify(check, table);
            passed.add(check);
        }

        private void verify(String check, Routing table) {
            if (options.verifier == null) {
                return;
            }
            try {
                options.verifier.accept(table);
            } catch (AssertionError e) {
                AssertionError err = fail(check, "the verifier rejected the data path after apply(" + table + "): "
                        + e.getMessage());
                err.initCause(e);
                throw err;
            } catch (RuntimeException e) {
                AssertionError err = fail(check, "the verifier threw after apply(" + table + "): " + e);
                err.initCause(e);
                throw err;
            }
        }

        private Routing current(String check) {
            return current(check, router);
        }

        private Routing current(String check, TrafficRouter from) {
            Routing r;
            try {
                r = from.current();
            } catch (RuntimeException e) {
                AssertionError err = fail(check, "current() threw " + e);
                err.initCause(e);
                throw err;
            }
            if (r == null) {
                throw fail(check, "current() returned null");
            }
            for (Route route : r.routes()) {
                if (route.state() != RouteState.ACTIVE && route.weight() != 0) {
                    throw fail(check, "current() returned " + r + " where " + route.target().id() + " is " + route.state()
                            + " with weight " + route.weight() + " (state and weight disagree)");
                }
            }
            return r;
        }

        private AssertionError fail(String check, String message) {
            String who = options.name != null ? options.name : router.getClass().getSimpleName();
            return new AssertionError("[" + check + "] " + who + ": " + message);
        }
    }

    /** What a check did: the checks that passed and the ones skipped, with why. Immutable; thread-safe. */
    public record Report(String router, List<String> passed, List<String> skipped) {
        /** Copies. */
        public Report {
            passed = List.copyOf(passed);
            skipped = List.copyOf(skipped);
        }
    }

    /** Options of a check. Immutable; thread-safe. Build with {@link #builder()}. */
    public static final class Options {
        /** No verifier, the router's class name in messages, original table restored at the end. */
        public static final Options DEFAULTS = builder().build();
        /** Default of {@link Builder#restoreOriginal(boolean)}: {@value}. */
        public static final boolean DEFAULT_RESTORE_ORIGINAL = true;

        private final Consumer<Routing> verifier;
        private final String name;
        private final boolean restoreOriginal;
        private final Supplier<? extends TrafficRouter> newInstance;

        private Options(Builder b) {
            this.verifier = b.verifier;
            this.name = b.name;
            this.restoreOriginal = b.restoreOriginal;
            this.newInstance = b.newInstance;
        }

        /** A builder with every default. */
        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link Options}. Not thread-safe. */
        public static final class Builder {
            private Consumer<Routing> verifier;
            private String name;
            private boolean restoreOriginal = DEFAULT_RESTORE_ORIGINAL;
            private Supplier<? extends TrafficRouter> newInstance;

            private Builder() {
            }

            /**
             * Enables the "new instance" round: {@code value} builds a NEW router object from the same configuration as
             * the router under test, as a later deployer process would (same files, same HAProxy socket, same state
             * file). Called several times. Default none (the round is skipped and says so).
             */
            public Builder newInstance(Supplier<? extends TrafficRouter> value) {
                newInstance = dev.zdd.api.Arguments.notNull("routerConformance.newInstance", value);
                return this;
            }

            /**
             * Called after every successful apply with the table just applied; it should check the real data path
             * (wait for it to settle if needed, with a bound) and throw {@link AssertionError} when it disagrees.
             */
            public Builder verifier(Consumer<Routing> value) {
                verifier = Objects.requireNonNull(value, "verifier");
                return this;
            }

            /** The router's name in messages. Default its class's simple name. */
            public Builder name(String value) {
                if (value == null || value.isBlank()) {
                    throw new IllegalArgumentException("routerConformance.name must not be null or blank");
                }
                name = value;
                return this;
            }

            /** Whether to apply the table found at the start again at the end (when it served anything). */
            public Builder restoreOriginal(boolean value) {
                restoreOriginal = value;
                return this;
            }

            /** Builds the options. */
            public Options build() {
                return new Options(this);
            }
        }
    }
}
